"""组织关系转接: internal transfers, letters out of and into the platform, expiry."""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from jiceng.accounts.services import Actor, audit
from jiceng.core.ids import IDNumberError, parse_id_number
from jiceng.core.rules import Integer, get_rule, register
from jiceng.members.models import (
    PARTY_MEMBER_STATUSES,
    Member,
    MemberEvent,
    Status,
    Transfer,
    TransferKind,
    TransferStatus,
)
from jiceng.members.permissions import TRANSFER_CHANGE
from jiceng.members.rules import (
    add_months,
)

from .common import (
    AUDIT_FIELDS,
    ON_FILE,
    MemberError,
    _apply_residence,
    _check_org,
    _clean_phone,
    _event,
    _lock_member,
    _masked_snapshot,
    _refresh_counts,
    _require,
    _today,
)
from .members import create_member

if TYPE_CHECKING:
    from jiceng.orgs.models import Org

register(
    "members.transfer.letter_valid_months",
    "组织关系介绍信有效期（月）",
    3,
    "组织关系介绍信有效期一般不超过3个月（DOMAIN.md §4.1，[P]，各地规定不一）。",
    type=Integer(min_value=1),
)
register(
    "members.transfer.letter_valid_months_cross_province",
    "跨省（区、市）转接介绍信有效期（月）",
    6,
    "跨省（区、市）转接的介绍信有效期一般不超过6个月（DOMAIN.md §4.1，[P]）。",
    type=Integer(min_value=1),
)


def letter_valid_until(issued_on: date, cross_province: bool = False) -> date:
    key = (
        "members.transfer.letter_valid_months_cross_province"
        if cross_province
        else "members.transfer.letter_valid_months"
    )
    return add_months(issued_on, get_rule(key))


def _lock_transfer(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("member", "from_org", "to_org")
        .get(pk=transfer.pk)
    )


def _receiving_side(actor: Actor, transfer: Transfer) -> None:
    _require(
        actor,
        TRANSFER_CHANGE,
        area_paths=[transfer.area_path] if transfer.kind != TransferKind.OUTGOING else [],
        org_paths=[transfer.org_path],
        message="只有接收方党组织可以办理接收或退回",
    )


def _sending_side(actor: Actor, transfer: Transfer) -> None:
    _require(
        actor,
        TRANSFER_CHANGE,
        area_paths=[transfer.from_area_path],
        org_paths=[transfer.from_org_path],
        message="只有转出方党组织可以办理",
    )


def _transferable(member: Member) -> None:
    if member.left_on:
        raise MemberError("该党员组织关系已转出平台")
    if member.status not in PARTY_MEMBER_STATUSES:
        raise MemberError(f"只有预备党员和正式党员办理组织关系转接，当前为“{member.get_status_display()}”")
    if Transfer.objects.filter(member=member, status=TransferStatus.PENDING).exists():
        raise MemberError("该党员已有待接收的组织关系转接，请先办结或撤销")


def _letter_no(prefix: str, transfer: Transfer) -> str:
    return f"{prefix}{transfer.issued_on:%Y}{transfer.pk:07d}"


@transaction.atomic
def request_transfer(
    actor: Actor, member: Member, to_org: "Org | None", *, issued_on: date | None = None, reason: str = ""
) -> Transfer:
    """Internal transfer (平台内转接): the sending side asks, the receiving org must accept."""
    member = _lock_member(member)
    _require(
        actor,
        TRANSFER_CHANGE,
        area_paths=[member.area_path],
        org_paths=[member.org_path],
        message="只有转出方党组织可以发起转接",
    )
    _transferable(member)
    to_org = _check_org(to_org)
    if to_org.pk == member.org_id:
        raise MemberError({"to_org": ["接收党组织与现所在党支部相同"]})
    issued_on = issued_on or _today()
    transfer = Transfer.objects.create(
        kind=TransferKind.INTERNAL,
        member=member,
        person_name=member.name,
        from_org=member.org,
        to_org=to_org,
        issued_on=issued_on,
        valid_until=letter_valid_until(issued_on),
        reason=reason,
        area_path=to_org.area_path,
        from_area_path=member.area_path,
        org_path=to_org.code,
        from_org_path=member.org_path,
    )
    transfer.letter_no = _letter_no("内转", transfer)
    transfer.save(update_fields=["letter_no"])
    _event(
        member,
        "transfer_request",
        f"申请转往{to_org.name}（介绍信{transfer.letter_no}）",
        actor,
        issued_on,
        member.org,
        to_org,
    )
    audit(actor, "request_transfer", transfer, after=_transfer_snapshot(transfer), area_path=member.area_path)
    return transfer


def _transfer_snapshot(transfer: Transfer) -> dict:
    return {
        "kind": transfer.kind,
        "status": transfer.status,
        "member": transfer.member_id,
        "person_name": transfer.person_name,
        "from_org": transfer.from_org_id,
        "to_org": transfer.to_org_id,
        "external_org_name": transfer.external_org_name,
        "letter_no": transfer.letter_no,
        "issued_on": transfer.issued_on,
        "valid_until": transfer.valid_until,
        "receipt_no": transfer.receipt_no,
        "received_on": transfer.received_on,
    }


def _check_pending(transfer: Transfer, on_date: date) -> None:
    if transfer.status != TransferStatus.PENDING:
        raise MemberError(f"该转接{transfer.get_status_display()}，不能再办理")
    if on_date > transfer.valid_until:
        raise MemberError(f"介绍信已于{transfer.valid_until:%Y-%m-%d}过期，请转出方重新开具")
    if on_date < transfer.issued_on:
        raise MemberError("接收日期早于介绍信开具日期")


@transaction.atomic
def accept_transfer(actor: Actor, transfer: Transfer, on_date: date | None = None, **member_fields: Any) -> Transfer:
    """The receiving org accepts: an internal transfer moves the member atomically (branch, paths,
    history, counts); an incoming letter puts the person on the roster (``member_fields`` as for
    :func:`create_member`: status, dates, phone …)."""
    transfer = _lock_transfer(transfer)
    on_date = on_date or _today()
    _receiving_side(actor, transfer)
    if transfer.kind == TransferKind.OUTGOING:
        raise MemberError("转出平台的介绍信由接收方开具回执，请登记回执")
    _check_pending(transfer, on_date)
    to_org = _check_org(transfer.to_org)
    org_ids: tuple[int, ...]
    if transfer.kind == TransferKind.INTERNAL:
        assert transfer.member is not None, "an internal transfer always names the member"
        member = _lock_member(transfer.member)
        if member.org_id != transfer.from_org_id or member.left_on or member.status not in PARTY_MEMBER_STATUSES:
            raise MemberError("该党员的组织关系已发生变化，请退回后重新办理")
        before = _masked_snapshot(member, AUDIT_FIELDS)
        from_org = member.org
        member.org = to_org
        member.org_path = to_org.code
        member.area_path = to_org.area_path
        member.save(update_fields=["org", "org_path", "area_path", "updated_at"])
        _event(member, "transfer_in", f"组织关系由{from_org.name}转入{to_org.name}", actor, on_date, from_org, to_org)
        audit(
            actor,
            "transfer_member",
            member,
            before=before,
            after=_masked_snapshot(member, AUDIT_FIELDS),
            area_path=member.area_path,
        )
        org_ids = (from_org.pk, to_org.pk)
    else:
        member = _receive_incoming(actor, transfer, to_org, on_date, member_fields)
        transfer.member = member
        org_ids = (to_org.pk,)
    transfer.status = TransferStatus.ACCEPTED
    transfer.received_on = on_date
    transfer.decided_at = timezone.now()
    if not transfer.receipt_no:
        transfer.receipt_no = _letter_no("回执", transfer)
    transfer.save()
    audit(actor, "accept_transfer", transfer, after=_transfer_snapshot(transfer), area_path=transfer.area_path)
    _refresh_counts(*org_ids)
    return transfer


def _receive_incoming(
    actor: Actor, transfer: Transfer, to_org: "Org", on_date: date, member_fields: dict[str, Any]
) -> Member:
    summary = f"持介绍信{transfer.letter_no}由{transfer.external_org_name}转入{to_org.name}"
    returning = (
        Member.objects.select_for_update().filter(id_number=transfer.person_id_number, left_on__isnull=False).first()
    )
    if returning is not None:
        # Someone who once left the platform comes back: the same record, back on the roster.
        from_org = returning.org
        returning.org, returning.org_path, returning.area_path = to_org, to_org.code, to_org.area_path
        returning.left_on = None
        if "phone" in member_fields:
            member_fields["phone"] = _clean_phone(member_fields["phone"])
        for field in ("phone", "residence", "workplace", "is_employed"):
            if field in member_fields:
                setattr(returning, field, member_fields[field])
        _apply_residence(returning)
        returning.save()
        _event(returning, "transfer_in", summary, actor, on_date, from_org, to_org)
        return returning
    status = member_fields.pop("status", Status.FULL)
    if status not in PARTY_MEMBER_STATUSES:
        raise MemberError({"status": ["转入的应是预备党员或正式党员"]})
    return create_member(
        actor,
        org=to_org,
        name=transfer.person_name,
        id_number=transfer.person_id_number,
        status=status,
        event_kind="transfer_in",
        event_summary=summary,
        **member_fields,
    )


@transaction.atomic
def reject_transfer(actor: Actor, transfer: Transfer, reason: str = "") -> Transfer:
    """The receiving org sends it back (退回); nothing moves."""
    transfer = _lock_transfer(transfer)
    _receiving_side(actor, transfer)
    if transfer.kind == TransferKind.OUTGOING:
        raise MemberError("转出平台的介绍信不能在本平台退回")
    if transfer.status != TransferStatus.PENDING:
        raise MemberError(f"该转接{transfer.get_status_display()}，不能退回")
    if not (reason or "").strip():
        raise MemberError({"reason": ["请填写退回原因"]})
    return _close(actor, transfer, TransferStatus.REJECTED, "reject_transfer", f"接收方退回：{reason}", reason)


@transaction.atomic
def cancel_transfer(actor: Actor, transfer: Transfer, reason: str = "") -> Transfer:
    """The side that started it withdraws it (撤销)."""
    transfer = _lock_transfer(transfer)
    if transfer.kind == TransferKind.INCOMING:
        _receiving_side(actor, transfer)
    else:
        _sending_side(actor, transfer)
    if transfer.status != TransferStatus.PENDING:
        raise MemberError(f"该转接{transfer.get_status_display()}，不能撤销")
    return _close(
        actor,
        transfer,
        TransferStatus.CANCELLED,
        "cancel_transfer",
        "撤销转接" + (f"：{reason}" if reason else ""),
        reason,
    )


def _close(actor: Actor, transfer: Transfer, status: str, action: str, summary: str, reason: str) -> Transfer:
    transfer.status = status
    transfer.decided_at = timezone.now()
    if reason:
        transfer.reason = (transfer.reason + "；" if transfer.reason else "") + reason
        transfer.reason = transfer.reason[:300]
    transfer.save(update_fields=["status", "decided_at", "reason"])
    if transfer.member is not None:
        _event(
            transfer.member,
            action,
            f"{summary}（介绍信{transfer.letter_no}）",
            actor,
            _today(),
            transfer.from_org,
            transfer.to_org,
        )
    audit(actor, action, transfer, after=_transfer_snapshot(transfer), area_path=transfer.area_path)
    return transfer


@transaction.atomic
def issue_outgoing(
    actor: Actor,
    member: Member,
    *,
    external_org_name: str,
    letter_no: str,
    issued_on: date | None = None,
    cross_province: bool = False,
    reason: str = "",
) -> Transfer:
    """开具组织关系介绍信 to an org outside the platform; the member leaves when the receipt returns."""
    member = _lock_member(member)
    _require(
        actor,
        TRANSFER_CHANGE,
        area_paths=[member.area_path],
        org_paths=[member.org_path],
        message="只有党员所在党组织可以开具介绍信",
    )
    _transferable(member)
    errors = {}
    if not (external_org_name or "").strip():
        errors["external_org_name"] = ["请填写接收党组织名称"]
    if not (letter_no or "").strip():
        errors["letter_no"] = ["请填写介绍信编号"]
    if errors:
        raise MemberError(errors)
    issued_on = issued_on or _today()
    transfer = Transfer.objects.create(
        kind=TransferKind.OUTGOING,
        member=member,
        person_name=member.name,
        from_org=member.org,
        external_org_name=external_org_name.strip(),
        letter_no=letter_no.strip(),
        issued_on=issued_on,
        valid_until=letter_valid_until(issued_on, cross_province),
        reason=reason,
        area_path=member.area_path,
        from_area_path=member.area_path,
        from_org_path=member.org_path,
    )
    _event(
        member,
        "transfer_request",
        f"开具介绍信{transfer.letter_no}转往{transfer.external_org_name}，有效期至{transfer.valid_until:%Y-%m-%d}",
        actor,
        issued_on,
        member.org,
    )
    audit(actor, "issue_outgoing", transfer, after=_transfer_snapshot(transfer), area_path=member.area_path)
    return transfer


@transaction.atomic
def record_receipt(actor: Actor, transfer: Transfer, *, receipt_no: str, received_on: date) -> Transfer:
    """回执 returned by the receiving org outside: the member leaves the roster from that day."""
    transfer = _lock_transfer(transfer)
    _sending_side(actor, transfer)
    if transfer.kind != TransferKind.OUTGOING:
        raise MemberError("只有转出平台的介绍信需要登记回执")
    if transfer.status not in (TransferStatus.PENDING, TransferStatus.EXPIRED):
        raise MemberError(f"该转接{transfer.get_status_display()}")
    if not (receipt_no or "").strip():
        raise MemberError({"receipt_no": ["请填写回执编号"]})
    if received_on < transfer.issued_on:
        raise MemberError({"received_on": ["回执日期早于介绍信开具日期"]})
    if received_on > transfer.valid_until:
        raise MemberError(
            {"received_on": [f"接收日期晚于介绍信有效期（{transfer.valid_until:%Y-%m-%d}），介绍信已失效"]}
        )
    assert transfer.member is not None, "a letter out of the platform always names the member"
    member = _lock_member(transfer.member)
    before = _masked_snapshot(member, AUDIT_FIELDS)
    member.left_on = received_on
    member.save(update_fields=["left_on", "updated_at"])
    transfer.status = TransferStatus.ACCEPTED
    transfer.receipt_no = receipt_no.strip()
    transfer.received_on = received_on
    transfer.decided_at = timezone.now()
    transfer.save()
    _event(
        member,
        "transfer_out",
        f"组织关系转往{transfer.external_org_name}，回执{transfer.receipt_no}",
        actor,
        received_on,
        member.org,
    )
    audit(
        actor,
        "transfer_out",
        member,
        before=before,
        after=_masked_snapshot(member, AUDIT_FIELDS),
        area_path=member.area_path,
    )
    audit(actor, "record_receipt", transfer, after=_transfer_snapshot(transfer), area_path=transfer.area_path)
    _refresh_counts(member.org_id)
    return transfer


@transaction.atomic
def register_incoming(
    actor: Actor,
    to_org: "Org",
    *,
    person_name: str,
    person_id_number: str,
    external_org_name: str,
    letter_no: str,
    issued_on: date,
    valid_until: date | None = None,
    reason: str = "",
) -> Transfer:
    """登记 a letter from outside the platform addressed to ``to_org``; accept it to enrol."""
    to_org = _check_org(to_org)
    _require(
        actor,
        TRANSFER_CHANGE,
        area_paths=[to_org.area_path],
        org_paths=[to_org.code],
        message="只能为本单位党组织登记转入",
    )
    errors = {}
    if not (person_name or "").strip():
        errors["person_name"] = ["请填写姓名"]
    try:
        number = parse_id_number(person_id_number).number
    except IDNumberError as exc:
        errors["person_id_number"] = [str(exc)]
        number = ""
    if number and Member.objects.filter(id_number=number, left_on__isnull=True).exists():
        errors["person_id_number"] = [ON_FILE]
    if not (external_org_name or "").strip():
        errors["external_org_name"] = ["请填写转出党组织名称"]
    if not (letter_no or "").strip():
        errors["letter_no"] = ["请填写介绍信编号"]
    if issued_on is None:
        errors["issued_on"] = ["请填写开具日期"]
    else:
        valid_until = valid_until or letter_valid_until(issued_on)
        if valid_until < issued_on:
            errors["valid_until"] = ["有效期早于开具日期"]
        elif valid_until < _today():
            errors["valid_until"] = [f"介绍信已于{valid_until:%Y-%m-%d}过期"]
    if (
        number
        and Transfer.objects.filter(
            kind=TransferKind.INCOMING, person_id_number=number, status=TransferStatus.PENDING
        ).exists()
    ):
        errors["person_id_number"] = ["该人员已有待接收的转入介绍信"]
    if errors:
        raise MemberError(errors)
    transfer = Transfer.objects.create(
        kind=TransferKind.INCOMING,
        person_name=person_name.strip(),
        person_id_number=number,
        to_org=to_org,
        external_org_name=external_org_name.strip(),
        letter_no=letter_no.strip(),
        issued_on=issued_on,
        valid_until=valid_until,
        reason=reason,
        area_path=to_org.area_path,
        org_path=to_org.code,
    )
    snap = _transfer_snapshot(transfer)
    audit(actor, "register_incoming", transfer, after=snap, area_path=transfer.area_path)
    return transfer


@transaction.atomic
def expire_transfers(today: date | None = None) -> int:
    """Letters past their validity without being accepted become 已过期; idempotent."""
    today = today or _today()
    stale = list(
        Transfer.objects.select_for_update(of=("self",))
        .filter(status=TransferStatus.PENDING, valid_until__lt=today)
        .select_related("member", "from_org", "to_org")
    )
    now = timezone.now()
    events = []
    for transfer in stale:
        transfer.status = TransferStatus.EXPIRED
        transfer.decided_at = now
        if transfer.member_id:
            events.append(
                MemberEvent(
                    member=transfer.member,
                    kind="transfer_expired",
                    summary=f"介绍信{transfer.letter_no}已于{transfer.valid_until:%Y-%m-%d}过期，未完成转接",
                    on_date=today,
                    from_org=transfer.from_org,
                    to_org=transfer.to_org,
                )
            )
        audit(None, "expire_transfer", transfer, after=_transfer_snapshot(transfer), area_path=transfer.area_path)
    if stale:
        Transfer.objects.bulk_update(stale, ["status", "decided_at"])
        MemberEvent.objects.bulk_create(events)
    return len(stale)

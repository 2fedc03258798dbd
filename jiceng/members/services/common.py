"""Shared pieces of the roster services: the error type, timeline and audit helpers, checks."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import Actor
from jiceng.core.ids import IDInfo, IDNumberError, parse_id_number
from jiceng.core.masking import mask_id_number, mask_phone
from jiceng.core.phones import PhoneError, normalize_phone
from jiceng.core.scope import holds
from jiceng.members.models import (
    PARTY_MEMBER_STATUSES,
    Gender,
    Member,
    MemberEvent,
)
from jiceng.members.rules import (
    check_record,
)

if TYPE_CHECKING:
    from jiceng.orgs.models import Org


class MemberError(ValidationError):
    """A refusal with the reason(s) in Chinese; ``message_dict`` when tied to fields."""


# An ID number already on the roster, wherever: the answer says neither where nor whether the
# person is a member the user may see (DOMAIN.md §11; issue 13), only what to do.
ON_FILE = "该人员不能在此登记。如需将其党组织关系转入，请由其现所在党组织发起组织关系转接。"


def _clean_phone(value: str | None) -> str:
    """The phone in its stored form (:func:`jiceng.core.phones.normalize_phone`), or MemberError."""
    try:
        return normalize_phone(value, "手机号")
    except PhoneError as exc:
        raise MemberError({"phone": [str(exc)]}) from exc


def _today() -> date:
    return timezone.localdate()


# --------------------------------------------------------------------------- helpers


def _masked_snapshot(member: Member, fields: Iterable[str]) -> dict[str, Any]:
    data = {}
    for field in fields:
        value = getattr(member, field)
        if field == "id_number":
            value = mask_id_number(value)
        elif field == "phone":
            value = mask_phone(value)
        elif hasattr(value, "pk"):
            value = value.pk
        elif isinstance(value, Decimal):
            value = str(value)
        data[field] = value
    return data


AUDIT_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "status",
    "application_date",
    "talk_date",
    "activist_date",
    "candidate_date",
    "training_hours",
    "admission_date",
    "approval_date",
    "approval_extended",
    "probation_extended_to",
    "full_member_date",
    "exit_date",
    "left_on",
    "org_id",
    "residence_id",
    "workplace",
    "is_employed",
    "is_center_household",
    "is_mobile",
    "mobile_place",
    "mobile_since",
    "dues_category",
    "dues_base",
]
RECORD_FIELDS = (
    "birth_date",
    "status",
    "application_date",
    "talk_date",
    "activist_date",
    "candidate_date",
    "training_hours",
    "admission_date",
    "approval_date",
    "approval_extended",
    "probation_extended_to",
    "full_member_date",
    "exit_date",
)


def _event(
    member: Member,
    kind: str,
    summary: str,
    actor: Actor = None,
    on_date: date | None = None,
    from_org: "Org | None" = None,
    to_org: "Org | None" = None,
) -> MemberEvent:
    return MemberEvent.objects.create(
        member=member,
        kind=kind,
        summary=summary[:300],
        actor=actor if isinstance(actor, User) and actor.pk else None,
        on_date=on_date,
        from_org=from_org,
        to_org=to_org,
    )


def _refresh_counts(*org_ids: int | None) -> None:
    """Recompute the org member counters (owned by the orgs app) and the member statistics for
    the orgs touched."""
    from jiceng.orgs.services import refresh_member_counts

    ids = sorted({pk for pk in org_ids if pk})
    if ids:
        refresh_member_counts(org_ids=ids)
        _refresh_stats(*ids)


def _refresh_stats(*org_ids: int | None) -> None:
    """Bring the member statistics (``members.stats``) of the branches touched up to date, in the
    write's transaction: after a change the org counters do not see (a stage before 预备党员,
    gender, education, birth date, dues paid)."""
    from jiceng.members import stats

    stats.refresh(pk for pk in org_ids if pk)


def _counts_change(before_status: str, after_status: str) -> bool:
    return before_status != after_status and (
        before_status in PARTY_MEMBER_STATUSES or after_status in PARTY_MEMBER_STATUSES
    )


def _lock_member(member: Member) -> Member:
    return Member.objects.select_for_update(of=("self",)).select_related("org").get(pk=member.pk)


def _require(
    actor: Actor, permission: str, *, area_paths: Iterable[str] = (), org_paths: Iterable[str] = (), message: str
) -> None:
    if actor is None:
        return
    if not holds(actor, permission, areas=area_paths, orgs=org_paths):
        raise PermissionDenied(message)


def _check_org(org: "Org | None") -> "Org":
    """The branch a member belongs to: active, and a branch (支部) rather than a committee."""
    if org is None:
        raise MemberError({"org": ["请选择所在党支部"]})
    if not org.is_branch:
        raise MemberError(
            {"org": [f"“{org.name}”是{org.get_org_type_display()}，党员组织关系应在党支部（含联合、临时党支部）"]}
        )
    if not org.is_active:
        raise MemberError({"org": [f"“{org.name}”已撤销"]})
    return org


def normalise_id_number(
    raw: str, *, birth_date: date | None = None, gender: str | None = None, exclude_pk: int | None = None
) -> IDInfo:
    """Parse and check one ID number (GB 11643): returns :class:`IDInfo` or raises MemberError.

    15-digit numbers are upgraded, ``x`` becomes ``X``; a given birth date and gender must match
    the number; the number must not be on file already.
    """
    try:
        info = parse_id_number(raw)
    except IDNumberError as exc:
        raise MemberError({"id_number": [str(exc)]}) from exc
    errors = {}
    if birth_date is not None and birth_date != info.birth_date:
        errors["birth_date"] = [f"出生日期与身份证号不符（身份证号中为{info.birth_date:%Y-%m-%d}）"]
    if gender and gender != info.gender:
        errors["gender"] = [f"性别与身份证号不符（身份证号第17位表示{Gender(info.gender).label}）"]
    taken = Member.objects.filter(id_number=info.number)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        errors["id_number"] = [ON_FILE]
    if errors:
        raise MemberError(errors)
    return info


def _check_record(member: Member) -> None:
    data = {f: getattr(member, f) for f in RECORD_FIELDS}
    problems = check_record(data, _today())
    if problems:
        errors: dict[str, list[str]] = {}
        for field, reason in problems:
            errors.setdefault(field, []).append(reason)
        raise MemberError(errors)


def _check_mobile(member: Member) -> None:
    if member.is_mobile and not (member.mobile_place and member.mobile_since):
        raise MemberError({"mobile_place": ["流动党员须填写流入地和外出日期"]})
    if not member.is_mobile:
        member.mobile_place, member.mobile_since = "", None


def _apply_residence(member: Member) -> None:
    member.residence_path = member.residence.code if member.residence_id and member.residence else ""

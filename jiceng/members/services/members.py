"""Members: create, correct, move through the pipeline, leave."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.accounts.services import Actor, audit
from jiceng.members.models import (
    EXIT_STATUSES,
    PARTY_MEMBER_STATUSES,
    Member,
    Status,
    Transfer,
    TransferStatus,
)
from jiceng.members.rules import (
    STATUS_LABELS,
    add_months,
    check_extension,
    check_transition,
    introducer_reasons,
    rule_values,
    vote_reasons,
)
from jiceng.orgs.models import Org

from .common import (
    AUDIT_FIELDS,
    ON_FILE,
    MemberError,
    _apply_residence,
    _check_mobile,
    _check_org,
    _check_record,
    _clean_phone,
    _counts_change,
    _event,
    _lock_member,
    _masked_snapshot,
    _refresh_counts,
    _refresh_stats,
    _today,
    normalise_id_number,
)

CREATE_FIELDS = {
    "ethnicity",
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
    "residence",
    "workplace",
    "workplace_unit",
    "is_employed",
    "is_center_household",
    "is_mobile",
    "mobile_place",
    "mobile_since",
    "dues_category",
    "dues_base",
    "dues_paid_through",
}


@transaction.atomic
def create_member(
    actor: Actor,
    *,
    org: Org | None,
    name: str,
    id_number: str,
    gender: str | None = None,
    birth_date: date | None = None,
    status: str = Status.APPLICANT,
    introducers: Iterable[Member] = (),
    event_kind: str = "create",
    event_summary: str = "",
    **fields: Any,
) -> Member:
    """Put one person on the roster of ``org`` (a branch); the record must pass ``check_record``."""
    unknown = set(fields) - CREATE_FIELDS
    if unknown:
        raise MemberError(f"不能直接设置：{'、'.join(sorted(unknown))}")
    name = (name or "").strip()
    if not name:
        raise MemberError({"name": ["姓名不能为空"]})
    org = _check_org(org)
    if "phone" in fields:
        fields["phone"] = _clean_phone(fields["phone"])
    info = normalise_id_number(id_number, birth_date=birth_date, gender=gender)
    member = Member(
        name=name,
        id_number=info.number,
        id_last4=info.number[-4:],
        birth_date=info.birth_date,
        gender=info.gender,
        status=status,
        org=org,
        org_path=org.code,
        area_path=org.area_path,
        **fields,
    )
    _apply_residence(member)
    _check_mobile(member)
    _check_record(member)
    if member.dues_base is not None and Decimal(member.dues_base) < 0:
        raise MemberError({"dues_base": ["党费基数不能为负数"]})
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise MemberError({"id_number": [ON_FILE]}) from exc
    if introducers:
        member.introducers.set(introducers)
    _event(
        member,
        event_kind,
        event_summary or f"登记为{member.get_status_display()}，所在党支部：{org.name}",
        actor,
        on_date=_today(),
        to_org=org,
    )
    audit(actor, "create_member", member, after=_masked_snapshot(member, AUDIT_FIELDS), area_path=member.area_path)
    if status in PARTY_MEMBER_STATUSES:
        _refresh_counts(org.pk)
    else:
        _refresh_stats(org.pk)
    return member


UPDATE_FIELDS = {
    "name",
    "ethnicity",
    "phone",
    "education",
    "id_number",
    "gender",
    "birth_date",
    "talk_date",
    "application_date",
    "activist_date",
    "candidate_date",
    "training_hours",
    "admission_date",
    "approval_date",
    "approval_extended",
    "full_member_date",
    "residence",
    "workplace",
    "workplace_unit",
    "is_employed",
    "is_center_household",
    "is_mobile",
    "mobile_place",
    "mobile_since",
}
FIELD_NAMES = {
    "name": "姓名",
    "ethnicity": "民族",
    "phone": "手机号",
    "education": "学历",
    "id_number": "公民身份号码",
    "gender": "性别",
    "birth_date": "出生日期",
    "residence": "居住地",
    "workplace": "工作单位",
    "workplace_unit": "所在驻区单位",
    "is_employed": "在职",
    "is_center_household": "党员中心户",
    "is_mobile": "流动党员",
    "mobile_place": "流入地",
    "mobile_since": "外出日期",
}


@transaction.atomic
def update_member(actor: Actor, member: Member, **changes: Any) -> Member:
    """Correct a member's details. Stage, branch and dues have their own verbs."""
    unknown = set(changes) - UPDATE_FIELDS
    if unknown:
        raise MemberError(f"不能直接修改：{'、'.join(sorted(unknown))}（请使用相应的办理功能）")
    member = _lock_member(member)
    before = _masked_snapshot(member, AUDIT_FIELDS)
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise MemberError({"name": ["姓名不能为空"]})
    if "phone" in changes:
        changes["phone"] = _clean_phone(changes["phone"])
    if "id_number" in changes or "birth_date" in changes or "gender" in changes:
        info = normalise_id_number(
            changes.get("id_number", member.id_number),
            birth_date=changes.get("birth_date"),
            gender=changes.get("gender"),
            exclude_pk=member.pk,
        )
        changes["id_number"], changes["birth_date"], changes["gender"] = info.number, info.birth_date, info.gender
        member.id_last4 = info.number[-4:]
    for field, value in changes.items():
        setattr(member, field, value)
    if "residence" in changes:
        _apply_residence(member)
    _check_mobile(member)
    _check_record(member)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise MemberError({"id_number": [ON_FILE]}) from exc
    after = _masked_snapshot(member, AUDIT_FIELDS)
    changed = [k for k in after if after[k] != before[k]]
    if changed:
        labels = "、".join(FIELD_NAMES.get(k, k) for k in changed if k in FIELD_NAMES) or "发展材料日期"
        _event(member, "update", f"修改信息：{labels}", actor, on_date=_today())
        audit(actor, "update_member", member, before=before, after=after, area_path=member.area_path)
        if {"gender", "education", "birth_date", "admission_date", "full_member_date"} & set(changed):
            _refresh_stats(member.org_id)
    return member


def eligible_voters(org: Org | None) -> int:
    """Full members of the branch: only they vote at the branch general meeting (DOMAIN.md §2)."""
    return Member.objects.filter(org=org, status=Status.FULL, left_on__isnull=True).count()


def _record_stage(member: Member, to_status: str, on_date: date, evidence: dict[str, Any]) -> None:
    """Put the new stage on the record: its date and the evidence the step brought."""
    member.status = to_status
    if to_status == Status.ACTIVIST:
        member.activist_date = on_date
        if evidence.get("talk_date"):
            member.talk_date = evidence["talk_date"]
    elif to_status == Status.CANDIDATE:
        member.candidate_date = on_date
    elif to_status == Status.PROBATIONARY:
        member.admission_date = evidence.get("admission_date") or member.admission_date
        member.approval_date = on_date
        member.approval_extended = bool(evidence.get("approval_extended", member.approval_extended))
        if evidence.get("training_hours") is not None:
            member.training_hours = int(evidence["training_hours"])
    elif to_status == Status.FULL:
        member.full_member_date = on_date


@transaction.atomic
def advance_member(actor: Actor, member: Member, to_status: str, on_date: date, **evidence: Any) -> Member:
    """Move one person to the next stage of the pipeline; refuses with the reasons in Chinese.

    Evidence by stage: 入党积极分子 ``talk_date``; 预备党员 ``admission_date`` (branch vote),
    ``introducers``, ``training_hours``, ``approval_extended``, optionally ``votes_for`` (the
    voters are the branch's full members unless ``voters`` is given); 正式党员 optionally
    ``votes_for``. ``on_date`` is the date of the step (for 预备党员, the higher committee's approval).
    """
    member = _lock_member(member)
    if member.left_on:
        raise MemberError("该党员组织关系已转出平台，不能办理")
    if to_status in EXIT_STATUSES:
        raise MemberError("请使用“出党/停止党籍/去世”办理")
    if "votes_for" in evidence and evidence.get("voters") is None and evidence["votes_for"] is not None:
        evidence["voters"] = eligible_voters(member.org)
    introducers = evidence.get("introducers")
    if introducers is None and to_status == Status.PROBATIONARY:
        introducers = list(member.introducers.all())
    introducers = list(introducers or [])
    evidence["introducers"] = introducers
    reasons = check_transition(member, to_status, on_date, **evidence)
    if reasons:
        raise MemberError(reasons)
    before_status = member.status
    before = _masked_snapshot(member, AUDIT_FIELDS)
    _record_stage(member, to_status, on_date, evidence)
    member.save()
    if to_status == Status.PROBATIONARY:
        member.introducers.set(introducers)
    label = STATUS_LABELS[to_status]
    summary = f"{STATUS_LABELS.get(before_status, '')} → {label}"
    if to_status == Status.PROBATIONARY:
        names = "、".join(p.name for p in introducers)
        summary += f"（支部大会{member.admission_date:%Y-%m-%d}通过，介绍人：{names}）"
    _event(member, "advance", summary, actor, on_date=on_date)
    audit(
        actor,
        "advance_member",
        member,
        before=before,
        after=_masked_snapshot(member, AUDIT_FIELDS),
        area_path=member.area_path,
    )
    if _counts_change(before_status, to_status):
        _refresh_counts(member.org_id)
    else:
        _refresh_stats(member.org_id)
    return member


@transaction.atomic
def record_branch_vote(
    actor: Actor,
    member: Member,
    on_date: date,
    *,
    introducers: Iterable[Member] | None = None,
    training_hours: int | None = None,
    votes_for: int | None = None,
    voters: int | None = None,
) -> Member:
    """The branch general meeting accepts a 发展对象 (支部大会讨论接收); the higher committee's
    approval (``advance_member(..., Status.PROBATIONARY, approval_date)``) is then due within
    3 months. Checks the two introducers, the training hours and the vote (full members only)."""
    member = _lock_member(member)
    if member.status != Status.CANDIDATE:
        raise MemberError(f"只有发展对象可以提交支部大会讨论，当前为“{member.get_status_display()}”")
    if member.approval_date:
        raise MemberError("已经上级党委审批")
    introducers = list(member.introducers.all()) if introducers is None else list(introducers)
    hours = member.training_hours if training_hours is None else int(training_hours)
    if votes_for is not None and voters is None:
        voters = eligible_voters(member.org)
    r = rule_values()
    reasons = []
    if member.candidate_date and on_date < member.candidate_date:
        reasons.append(f"支部大会日期早于确定发展对象日期{member.candidate_date:%Y-%m-%d}")
    if on_date > _today():
        reasons.append("支部大会日期晚于今天")
    if hours < r["training_hours"]:
        reasons.append(f"发展对象集中培训不少于{r['training_hours']}学时，实际{hours}学时")
    reasons += introducer_reasons(introducers, member, r)
    reasons += vote_reasons(votes_for, voters)
    if reasons:
        raise MemberError(reasons)
    before = _masked_snapshot(member, AUDIT_FIELDS)
    member.admission_date = on_date
    member.training_hours = hours
    member.save(update_fields=["admission_date", "training_hours", "updated_at"])
    member.introducers.set(introducers)
    names = "、".join(p.name for p in introducers)
    deadline = add_months(on_date, r["approval_months"])
    summary = f"支部大会讨论通过接收为预备党员（介绍人：{names}），待上级党委{deadline:%Y-%m-%d}前审批"
    if votes_for is not None:
        summary += f"；有表决权正式党员{voters}人，赞成{votes_for}票"
    _event(member, "branch_vote", summary, actor, on_date=on_date)
    audit(
        actor,
        "record_branch_vote",
        member,
        before=before,
        after=_masked_snapshot(member, AUDIT_FIELDS),
        area_path=member.area_path,
    )
    return member


@transaction.atomic
def extend_probation(
    actor: Actor, member: Member, extend_to: date, on_date: date | None = None, reason: str = ""
) -> Member:
    """Extend the probation once, by at most a year from its normal end (党章第七条)."""
    member = _lock_member(member)
    reasons = check_extension(member, extend_to)
    if reasons:
        raise MemberError(reasons)
    before = _masked_snapshot(member, AUDIT_FIELDS)
    member.probation_extended_to = extend_to
    member.save(update_fields=["probation_extended_to", "updated_at"])
    summary = f"延长预备期至{extend_to:%Y-%m-%d}" + (f"：{reason}" if reason else "")
    _event(member, "extend_probation", summary, actor, on_date=on_date or _today())
    audit(
        actor,
        "extend_probation",
        member,
        before=before,
        after=_masked_snapshot(member, AUDIT_FIELDS),
        area_path=member.area_path,
    )
    return member


@transaction.atomic
def exit_member(actor: Actor, member: Member, status: str, on_date: date, reason: str = "") -> Member:
    """出党 / 停止党籍 / 死亡: the record stays, the person leaves the counts."""
    if status not in EXIT_STATUSES:
        raise MemberError(f"“{STATUS_LABELS.get(status, status)}”不是出党类状态")
    member = _lock_member(member)
    reasons = check_transition(member, status, on_date)
    if reasons:
        raise MemberError(reasons)
    before_status = member.status
    before = _masked_snapshot(member, AUDIT_FIELDS)
    member.status = status
    member.exit_date = on_date
    member.save(update_fields=["status", "exit_date", "updated_at"])
    Transfer.objects.filter(member=member, status=TransferStatus.PENDING).update(
        status=TransferStatus.CANCELLED, decided_at=timezone.now()
    )
    summary = f"{STATUS_LABELS[before_status]} → {STATUS_LABELS[status]}" + (f"：{reason}" if reason else "")
    _event(member, "exit", summary, actor, on_date=on_date)
    audit(
        actor,
        "exit_member",
        member,
        before=before,
        after=_masked_snapshot(member, AUDIT_FIELDS),
        area_path=member.area_path,
    )
    if before_status in PARTY_MEMBER_STATUSES:
        _refresh_counts(member.org_id)
    else:
        _refresh_stats(member.org_id)
    return member

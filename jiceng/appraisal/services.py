"""Every write of 民主评议党员: a verb with the actor first, the round row locked, the round's log
and the audit record in the same transaction (the pattern of areas/services.py).

``actor`` None is the system (the demo generator). A refusal is :class:`AppraisalError` with the
reason in Chinese (per field where a form shows it); nothing is written then.

The ballot is secret: ``cast_ballot`` writes the voter's :class:`Receipt` (the unique constraint
refuses a second) and an anonymous :class:`Ballot` in one transaction and bumps the tallies; the
audit record names the round, never the marks.
"""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import Actor, audit
from jiceng.core.scope import holds
from jiceng.members.models import PARTY_MEMBER_STATUSES, Member, Status, member_of
from jiceng.orgs.models import BRANCH_TYPES, Org

from . import rules
from .models import Ballot, Grade, Participant, Receipt, Round, RoundEvent, RoundStatus
from .permissions import ROUND_CHANGE


class AppraisalError(ValidationError):
    """A refusal with the reason(s) in Chinese; ``message_dict`` when tied to fields."""


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.pk else None


def _require(actor: Actor, obj, message: str) -> None:
    if actor is None:
        return
    org_path = getattr(obj, "org_path", None) or getattr(obj, "code", "")
    if not holds(actor, ROUND_CHANGE, areas=[obj.area_path], orgs=[org_path]):
        raise PermissionDenied(message)


def _lock(round_: Round) -> Round:
    return Round.objects.select_for_update(of=("self",)).select_related("org").get(pk=round_.pk)


def _log(round_: Round, actor: Actor, kind: str, summary: str) -> None:
    RoundEvent.objects.create(round=round_, actor=_user(actor), kind=kind, summary=summary[:300])


def _text(value, label: str, max_length: int, *, required: bool = False, field: str = "text") -> str:
    text = (value or "").strip()
    if required and not text:
        raise AppraisalError({field: [f"请填写{label}。"]})
    if len(text) > max_length:
        raise AppraisalError({field: [f"{label}不能超过{max_length}个字。"]})
    if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        raise AppraisalError({field: [f"{label}不能含有控制字符。"]})
    return text


def roster(org: Org, on_date: date) -> list[Member]:
    """The branch's party members (full and probationary) on ``on_date``, who are assessed."""
    rows = Member.objects.filter(
        org=org, status__in=PARTY_MEMBER_STATUSES, left_on__isnull=True, exit_date__isnull=True
    ).exclude(admission_date__gt=on_date)
    return list(rows.order_by("id"))


@transaction.atomic
def open_round(actor: Actor, org: Org, year: int, meeting=None) -> Round:
    """Start the year's round for a branch: every party member of the branch is assessed, the full
    members vote. The same branch and year again (a double submit) gives the first round back."""
    if org is None:
        raise AppraisalError({"org": ["请选择党支部。"]})
    if org.org_type not in BRANCH_TYPES:
        raise AppraisalError({"org": [f"“{org.name}”不是党支部，民主评议党员以党支部为单位开展。"]})
    if not org.is_active:
        raise AppraisalError({"org": [f"“{org.name}”已撤销。"]})
    _require(actor, org, "您没有为该党支部组织民主评议的权限。")
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not this_year - 1 <= year <= this_year:
        raise AppraisalError({"year": [f"评议年度应为{this_year - 1}年或{this_year}年。"]})
    if meeting is not None:
        from jiceng.orglife.models import MeetingStatus, MeetingType

        if meeting.org_id != org.pk:
            raise AppraisalError({"meeting": [f"会议“{meeting.topic}”不是“{org.name}”的会议。"]})
        if MeetingType.REVIEW not in meeting.type_keys:
            raise AppraisalError({"meeting": [f"会议“{meeting.topic}”不是民主评议党员会议。"]})
        if meeting.status == MeetingStatus.CANCELLED:
            raise AppraisalError({"meeting": [f"会议“{meeting.topic}”已取消。"]})
    Org.objects.select_for_update().filter(pk=org.pk).first()  # serialises double submits
    existing = Round.objects.filter(org=org, year=year).first()
    if existing is not None:
        return existing
    members = roster(org, timezone.localdate())
    if not members:
        raise AppraisalError({"org": [f"“{org.name}”没有党员，无法开展民主评议。"]})
    round_ = Round.objects.create(
        org=org,
        org_path=org.code,
        area_path=org.area_path,
        year=year,
        meeting=meeting,
        voters=sum(1 for m in members if m.status == Status.FULL),
        created_by=_user(actor),
    )
    Participant.objects.bulk_create(
        [Participant(round=round_, member=m, can_vote=m.status == Status.FULL) for m in members]
    )
    _log(round_, actor, "open", f"开始{year}年度民主评议党员：评议对象{len(members)}人")
    audit(actor, "open_appraisal", round_, after={"year": year, "assessed": len(members)}, area_path=org.area_path)
    return round_


def _own_participant(user, round_: Round) -> Participant:
    member = member_of(user)
    if member is None:
        raise AppraisalError("您的账号没有关联党员信息，不能参加民主评议。请联系所在党支部。")
    row = Participant.objects.filter(round_id=round_.pk, member=member).first()
    if row is None:
        raise AppraisalError(f"您不是“{round_.org.name}”本次民主评议的评议对象，不能自评或投票。")
    return row


def _check_open(round_: Round) -> None:
    if round_.status != RoundStatus.OPEN:
        raise AppraisalError(f"本次民主评议{round_.get_status_display()}，自评和测评已结束。")


@transaction.atomic
def save_self_assessment(user, round_: Round, text: str) -> Participant:
    """The member's own self-assessment (个人自评), editable until the ballot closes."""
    round_ = _lock(round_)
    _check_open(round_)
    row = _own_participant(user, round_)
    text = _text(text, "个人自评", 2000, required=True, field="text")
    if len(text) < 10:
        raise AppraisalError({"text": ["个人自评至少写10个字：对照党员标准，说明一年来的表现和不足。"]})
    row.self_assessment = text
    row.self_assessed_at = timezone.now()
    row.save(update_fields=["self_assessment", "self_assessed_at"])
    audit(user, "appraisal_self_assessment", row, after={"length": len(text)}, area_path=round_.area_path)
    return row


def _check_marks(round_: Round, marks: Mapping) -> dict[int, str]:
    participants = set(Participant.objects.filter(round_id=round_.pk).values_list("pk", flat=True))
    clean: dict[int, str] = {}
    for key, grade in (marks or {}).items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            raise AppraisalError({"marks": [f"评议对象编号“{key}”无效。"]}) from None
        if pk not in participants:
            raise AppraisalError({"marks": [f"编号{pk}不是本次民主评议的评议对象。"]})
        if grade not in Grade.values:
            raise AppraisalError({"marks": [f"等次“{grade}”无效，应为优秀、合格、基本合格或不合格。"]})
        clean[pk] = grade
    missing = participants - set(clean)
    if missing:
        raise AppraisalError({"marks": [f"还有{len(missing)}名评议对象未选择等次，请为每名党员选择一个等次。"]})
    return clean


def cast_ballot(user, round_: Round, marks: Mapping) -> None:
    """The member's secret ballot: a grade for every participant (themselves included, so the
    ballot's shape tells nothing of its voter). Refused for a non-member, a member without a vote
    and a second ballot; the receipt and the ballot are written together or not at all."""
    try:
        with transaction.atomic():
            round_ = Round.objects.select_related("org").get(pk=round_.pk)
            _check_open(round_)
            voter = _own_participant(user, round_)
            if not voter.can_vote:
                raise AppraisalError("预备党员没有表决权，不参加民主测评投票；请完成个人自评。")
            clean = _check_marks(round_, marks)
            # The receipt first: its unique constraint refuses a second ballot (two phones at once
            # included: the loser's transaction waits for the winner's and then fails).
            Receipt.objects.create(round=round_, member_id=voter.member_id)
            Ballot.objects.create(round=round_, marks={str(k): v for k, v in sorted(clean.items())})
            by_grade: dict[str, list[int]] = {}
            for pk, grade in clean.items():
                by_grade.setdefault(grade, []).append(pk)
            for grade, pks in by_grade.items():
                Participant.objects.filter(pk__in=pks).update(**{f"votes_{grade}": F(f"votes_{grade}") + 1})
            updated = Round.objects.filter(pk=round_.pk, status=RoundStatus.OPEN).update(ballots=F("ballots") + 1)
            if not updated:
                raise AppraisalError("本次民主评议的测评已结束，不能再投票。")
            audit(user, "appraisal_ballot", round_, after={"ballot": "cast"}, area_path=round_.area_path)
    except IntegrityError:
        raise AppraisalError("您已经投过票，每名党员在本次民主评议中只能投一次票。") from None


@transaction.atomic
def close_voting(actor: Actor, round_: Round) -> Round:
    """结束测评: the tallies stand; the committee now proposes a grade per member."""
    round_ = _lock(round_)
    _require(actor, round_, "您没有结束本次民主测评的权限。")
    if round_.status == RoundStatus.PROPOSING:
        return round_
    _check_open(round_)
    round_.status = RoundStatus.PROPOSING
    round_.voting_closed_at = timezone.now()
    round_.save(update_fields=["status", "voting_closed_at"])
    _log(round_, actor, "close", f"结束民主测评：应投票{round_.voters}人，实投{round_.ballots}票")
    audit(actor, "close_appraisal_voting", round_, after={"ballots": round_.ballots}, area_path=round_.area_path)
    return round_


def service_counts(round_: Round, member_ids) -> dict[int, int]:
    """Confirmed 双报到 services in the round's year per member (dualreport's YearTally)."""
    from jiceng.dualreport.models import YearTally

    rows = YearTally.objects.filter(year=round_.year, member_id__in=list(member_ids))
    return dict(rows.values_list("member_id", "services"))


@transaction.atomic
def propose_grade(actor: Actor, round_: Round, participant: Participant, grade: str, note: str = "") -> Participant:
    """The branch committee's proposed grade for a member, checked against the 双报到 rule."""
    round_ = _lock(round_)
    _require(actor, round_, "您没有提出评议等次的权限。")
    if round_.status != RoundStatus.PROPOSING:
        if round_.status == RoundStatus.OPEN:
            raise AppraisalError("请先结束民主测评，再由支委会提出等次。")
        raise AppraisalError("评议结果已由支部党员大会决定并锁定，不能再修改。")
    row = Participant.objects.select_for_update().select_related("member").get(pk=participant.pk, round=round_)
    if grade not in Grade.values:
        raise AppraisalError({"grade": ["请选择等次：优秀、合格、基本合格或不合格。"]})
    note = _text(note, "建议说明", 300, field="note")
    services = service_counts(round_, [row.member_id]).get(row.member_id, 0)
    reasons = rules.grade_cap_reasons(grade, employed=row.member.is_employed, services=services)
    if reasons:
        raise AppraisalError({"grade": reasons})
    if grade == Grade.UNQUALIFIED and not note:
        raise AppraisalError({"note": ["建议评为“不合格”的，请写明理由。"]})
    row.proposed_grade, row.proposal_note, row.services = grade, note, services
    row.proposed_at = timezone.now()
    row.save(update_fields=["proposed_grade", "proposal_note", "services", "proposed_at"])
    _log(round_, actor, "propose", f"支委会建议：{row.member.name} {Grade(grade).label}")
    audit(actor, "propose_appraisal_grade", row, after={"grade": grade}, area_path=round_.area_path)
    return row


@transaction.atomic
def decide(actor: Actor, round_: Round, *, changes: Mapping[int, str] | None = None, note: str = "") -> Round:
    """The branch meeting's decision: every member's final grade (the committee's proposal unless
    ``changes`` names another, with a note why), then the round is locked."""
    round_ = _lock(round_)
    _require(actor, round_, "您没有记录支部党员大会决定的权限。")
    if round_.status == RoundStatus.DECIDED:
        raise AppraisalError("评议结果已由支部党员大会决定并锁定，不能再修改。")
    if round_.status != RoundStatus.PROPOSING:
        raise AppraisalError("请先结束民主测评并由支委会提出等次。")
    note = _text(note, "决定说明", 300, field="note")
    rows = list(Participant.objects.select_for_update().filter(round=round_).select_related("member"))
    changes = {int(k): v for k, v in (changes or {}).items() if v}
    pending = [r.member.name for r in rows if not r.proposed_grade]
    if pending:
        raise AppraisalError(f"支委会尚未对{'、'.join(pending[:5])}等{len(pending)}人提出建议等次。")
    if changes and not note:
        raise AppraisalError({"note": ["支部党员大会改变支委会建议等次的，请写明决定说明。"]})
    counts = service_counts(round_, [r.member_id for r in rows])
    errors = []
    for row in rows:
        grade = changes.get(row.pk, row.proposed_grade)
        if grade not in Grade.values:
            errors.append(f"{row.member.name}：等次无效。")
            continue
        for reason in rules.grade_cap_reasons(
            grade, employed=row.member.is_employed, services=counts.get(row.member_id, 0)
        ):
            errors.append(f"{row.member.name}：{reason}")
        row.final_grade = grade
    if errors:
        raise AppraisalError({"grades": errors})
    Participant.objects.bulk_update(rows, ["final_grade"])
    round_.status = RoundStatus.DECIDED
    round_.decided_at = timezone.now()
    round_.decision_note = note
    round_.save(update_fields=["status", "decided_at", "decision_note"])
    summary = "、".join(f"{Grade(g).label}{sum(1 for r in rows if r.final_grade == g)}人" for g in Grade.values)
    _log(round_, actor, "decide", f"支部党员大会决定评议等次：{summary}")
    audit(
        actor,
        "decide_appraisal",
        round_,
        after={"grades": {r.member_id: r.final_grade for r in rows}},
        area_path=round_.area_path,
    )
    return round_

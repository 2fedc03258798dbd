"""The development pipeline's rules (DOMAIN.md §2), as data with their legal basis.

Two pure entry points, no database access beyond reading the rule values:

* ``check_transition(member, to_status, on_date, **evidence)`` — may this person move to the next
  stage on that date? Returns Chinese reasons (empty list: allowed).
* ``check_record(data, today)`` — is one complete record (a mapping keyed by Member field names)
  consistent? Returns ``(field, reason)`` pairs. The Excel importer calls it for every row, so it
  reads the rule values once per second at most and does only date arithmetic.
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from jiceng.core.dates import add_months, add_years
from jiceng.core.ids import age_on
from jiceng.core.rules import Day, Integer, generation, get_rule, register

from .models import EXIT_STATUSES, PARTY_MEMBER_STATUSES, PIPELINE, Status

register(
    "members.min_age",
    "申请入党最低年龄（周岁）",
    18,
    "党章第一条：年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子（DOMAIN.md §2，[C]）。",
    type=Integer(min_value=1),
)
register(
    "members.talk_within_months",
    "收到入党申请后谈话期限（月）",
    1,
    "《中国共产党发展党员工作细则》第七条：党组织应当在收到入党申请书后一个月内派人同入党申请人谈话"
    "（DOMAIN.md §2，[C]）。",
    type=Integer(min_value=1),
)
register(
    "members.activist_min_years",
    "积极分子培养考察最短期限（年）",
    1,
    "《发展党员工作细则》第十三条：经过一年以上培养教育和考察、基本具备党员条件的积极分子，可列为发展对象"
    "（DOMAIN.md §2，[C]）。",
    type=Integer(min_value=1),
)
register(
    "members.introducers",
    "入党介绍人人数（正式党员）",
    2,
    "党章第五条：发展党员，必须有两名正式党员作介绍人（DOMAIN.md §2，[C]）。",
    type=Integer(min_value=1),
)
register(
    "members.training_hours",
    "发展对象集中培训最少学时",
    24,
    "《发展党员工作细则》第十七条：集中培训时间一般不少于三天（或不少于24个学时）（DOMAIN.md §2，[C]）。",
    type=Integer(min_value=0),
)
register(
    "members.approval_months",
    "上级党委审批期限（月，自支部大会通过之日起）",
    3,
    "《发展党员工作细则》第二十三条：党委应当在三个月内审批（DOMAIN.md §2，[C]）。",
    type=Integer(min_value=1),
)
register(
    "members.approval_max_months",
    "特殊情况延长后的审批最长期限（月）",
    6,
    "《发展党员工作细则》第二十三条：因特殊情况可适当延长审批时间，但不得超过六个月（DOMAIN.md §2，[C]/[P]）。",
    type=Integer(min_value=1),
)
register(
    "members.probation_years",
    "预备期（年，自支部大会通过之日起）",
    1,
    "党章第七条：预备党员的预备期为一年，从支部大会通过之日算起（DOMAIN.md §2，[C]）。",
    type=Integer(min_value=1),
)
register(
    "members.probation_extension_max_months",
    "预备期最多延长（月，只能延长一次）",
    12,
    "党章第七条：可以延长一次预备期，延长时间不能少于半年，最长不超过一年（DOMAIN.md §2，[C]）。",
    type=Integer(min_value=1),
)
register(
    "members.probation_extension_min_months",
    "预备期延长不少于（月）",
    6,
    "党章第七条：可以延长一次预备期，延长时间不能少于半年，最长不超过一年（DOMAIN.md §2，[C]/[P]）。",
    type=Integer(min_value=1),
)
register(
    "members.detailed_rules_from",
    "谈话与集中培训要求的适用起始日（申请日期在此之前的历史档案可不填）",
    "2014-06-10",
    "《中国共产党发展党员工作细则》2014年6月10日由中共中央办公厅印发；此前入党的档案常无谈话日期和培训学时。",
    type=Day(),
)

_SNAPSHOT_TTL = 1.0
_snapshot: dict | None = None
_snapshot_at = 0.0
_snapshot_generation = -1


def rule_values() -> dict:
    """All pipeline rule values, read at most once a second (the importer calls per row), and at
    once again after a rule write in this process (``core.rules.generation``)."""
    global _snapshot, _snapshot_at, _snapshot_generation
    now = time.monotonic()
    if _snapshot is None or now - _snapshot_at > _SNAPSHOT_TTL or _snapshot_generation != generation():
        current = generation()  # read first: a write while loading leaves the snapshot stale
        _snapshot = {
            "min_age": get_rule("members.min_age"),
            "talk_months": get_rule("members.talk_within_months"),
            "activist_years": get_rule("members.activist_min_years"),
            "introducers": get_rule("members.introducers"),
            "training_hours": get_rule("members.training_hours"),
            "approval_months": get_rule("members.approval_months"),
            "approval_max_months": get_rule("members.approval_max_months"),
            "probation_years": get_rule("members.probation_years"),
            "extension_months": get_rule("members.probation_extension_max_months"),
            "extension_min_months": get_rule("members.probation_extension_min_months"),
            "detailed_from": get_rule("members.detailed_rules_from"),
        }
        _snapshot_at = now
        _snapshot_generation = current
    return _snapshot


def clear_rule_snapshot() -> None:
    """Forget the cached values (after a city changes a rule, and in tests)."""
    global _snapshot
    _snapshot = None


def probation_end(admission_date: date | None, extended_to: date | None = None) -> date | None:
    """The day the probation ends: one year after the branch vote, or the extension's end."""
    if extended_to:
        return extended_to
    if admission_date is None:
        return None
    return add_years(admission_date, rule_values()["probation_years"])


def approval_deadline(admission_date: date, extended: bool = False) -> date:
    r = rule_values()
    return add_months(admission_date, r["approval_max_months"] if extended else r["approval_months"])


def _fmt(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


STATUS_LABELS = dict(Status.choices)

# The date that marks entry into each pipeline stage.
STAGE_DATE = {
    Status.APPLICANT: "application_date",
    Status.ACTIVIST: "activist_date",
    Status.CANDIDATE: "candidate_date",
    Status.PROBATIONARY: "approval_date",
    Status.FULL: "full_member_date",
}
FIELD_LABELS = {
    "birth_date": "出生日期",
    "status": "状态",
    "application_date": "申请入党日期",
    "talk_date": "谈话日期",
    "activist_date": "确定积极分子日期",
    "candidate_date": "确定发展对象日期",
    "training_hours": "集中培训学时",
    "admission_date": "接收预备党员日期（支部大会）",
    "approval_date": "上级党委审批日期",
    "approval_extended": "延长审批期限",
    "probation_extended_to": "延长预备期至",
    "full_member_date": "转正日期",
    "exit_date": "出党/停止党籍/去世日期",
}


# --------------------------------------------------------------------------- transitions


def _age_reason(birth_date, application_date, r) -> str | None:
    if birth_date and application_date and age_on(birth_date, application_date) < r["min_age"]:
        return f"申请入党时未满{r['min_age']}周岁（出生日期{_fmt(birth_date)}，申请日期{_fmt(application_date)}）"
    return None


def _talk_reasons(application_date, talk_date, r, required: bool) -> list[str]:
    if talk_date is None:
        if required:
            return [f"收到入党申请后{r['talk_months']}个月内应派人谈话，尚无谈话日期"]
        return []
    if application_date and talk_date < application_date:
        return [f"谈话日期{_fmt(talk_date)}早于申请入党日期{_fmt(application_date)}"]
    if application_date and talk_date > add_months(application_date, r["talk_months"]):
        deadline = add_months(application_date, r["talk_months"])
        return [f"谈话应在收到入党申请后{r['talk_months']}个月内（{_fmt(deadline)}前）进行，实际为{_fmt(talk_date)}"]
    return []


def _activist_years_reason(activist_date, candidate_date, r) -> str | None:
    if activist_date and candidate_date:
        earliest = add_years(activist_date, r["activist_years"])
        if candidate_date < earliest:
            return (
                f"入党积极分子须经{r['activist_years']}年以上培养考察才能列为发展对象"
                f"（确定积极分子{_fmt(activist_date)}，最早{_fmt(earliest)}）"
            )
    return None


def _approval_reasons(admission_date, approval_date, extended: bool, r) -> list[str]:
    if not (admission_date and approval_date):
        return []
    if approval_date < admission_date:
        return [f"上级党委审批日期{_fmt(approval_date)}早于支部大会通过日期{_fmt(admission_date)}"]
    normal = add_months(admission_date, r["approval_months"])
    limit = add_months(admission_date, r["approval_max_months"])
    if approval_date > limit:
        return [
            f"上级党委审批超过{r['approval_max_months']}个月（支部大会{_fmt(admission_date)}，"
            f"最迟{_fmt(limit)}），应重新履行接收手续"
        ]
    if approval_date > normal and not extended:
        return [
            f"上级党委应在支部大会通过后{r['approval_months']}个月内（{_fmt(normal)}前）审批；"
            f"超过须经特殊情况延长（最长{r['approval_max_months']}个月）"
        ]
    return []


def _training_reason(hours, r) -> str | None:
    if (hours or 0) < r["training_hours"]:
        return f"发展对象集中培训不少于{r['training_hours']}学时，实际{hours or 0}学时"
    return None


def _extension_reasons(admission_date, extended_to, r) -> list[str]:
    if not (admission_date and extended_to):
        return []
    normal_end = add_years(admission_date, r["probation_years"])
    limit = add_months(normal_end, r["extension_months"])
    if extended_to <= normal_end:
        return [f"延长预备期至{_fmt(extended_to)}，应晚于原预备期满日{_fmt(normal_end)}"]
    shortest = add_months(normal_end, r["extension_min_months"])
    if extended_to < shortest:
        return [
            f"预备期延长不能少于{r['extension_min_months']}个月（原预备期满日{_fmt(normal_end)}，"
            f"最早延长至{_fmt(shortest)}），申请延长至{_fmt(extended_to)}"
        ]
    if extended_to > limit:
        return [f"预备期最多延长{r['extension_months']}个月（最迟{_fmt(limit)}），申请延长至{_fmt(extended_to)}"]
    return []


def _one(reason: str | None) -> list[str]:
    return [reason] if reason else []


def _exit_reasons(member: Any, current: str, to_status: str, on_date: date) -> list[str]:
    """Leaving the party (出党, 停止党籍) needs membership; death can end any record."""
    if current in EXIT_STATUSES:
        return [f"当前状态为“{STATUS_LABELS[current]}”，不能再办理“{STATUS_LABELS[to_status]}”"]
    if to_status != Status.DECEASED and current not in PARTY_MEMBER_STATUSES:
        now = STATUS_LABELS.get(current, "无")
        return [f"“{STATUS_LABELS[to_status]}”只适用于预备党员和正式党员，当前状态为“{now}”"]
    last = _latest_date(member)
    if last and on_date < last:
        return [f"日期{_fmt(on_date)}早于此前记录的日期{_fmt(last)}"]
    return []


def _order_reason(current: str, to_status: str) -> str | None:
    """The pipeline goes one stage at a time, forward only."""
    if to_status not in PIPELINE:
        return f"未知状态“{to_status}”"
    if current in EXIT_STATUSES:
        return f"当前状态为“{STATUS_LABELS[current]}”，不能进入发展程序"
    target = PIPELINE.index(to_status)
    expected = PIPELINE.index(current) + 1 if current in PIPELINE else 0
    if target < expected:
        return f"当前已是“{STATUS_LABELS.get(current, current)}”，不能回到“{STATUS_LABELS[to_status]}”"
    if target > expected:
        need = STATUS_LABELS[PIPELINE[expected]] if expected < len(PIPELINE) else ""
        return f"不能跳过程序：当前为“{STATUS_LABELS.get(current, '无')}”，下一步应为“{need}”"
    return None


def _to_applicant(member: Any, on_date: date, evidence: Mapping[str, Any], r: dict) -> list[str]:
    return _one(_age_reason(getattr(member, "birth_date", None), on_date, r))


def _to_activist(member: Any, on_date: date, evidence: Mapping[str, Any], r: dict) -> list[str]:
    application = getattr(member, "application_date", None)
    reasons = _one(_age_reason(getattr(member, "birth_date", None), application, r))
    if application is None:
        reasons.append("缺少申请入党日期")
    elif on_date < application:
        reasons.append(f"确定积极分子日期{_fmt(on_date)}早于申请入党日期{_fmt(application)}")
    talk = evidence.get("talk_date") or getattr(member, "talk_date", None)
    reasons += _talk_reasons(application, talk, r, required=True)
    if talk and on_date < talk:
        reasons.append(f"确定积极分子日期{_fmt(on_date)}早于谈话日期{_fmt(talk)}")
    return reasons


def _to_candidate(member: Any, on_date: date, evidence: Mapping[str, Any], r: dict) -> list[str]:
    activist = getattr(member, "activist_date", None)
    if activist is None:
        return ["缺少确定积极分子日期"]
    return _one(_activist_years_reason(activist, on_date, r))


def _admission_reasons(member: Any, on_date: date, evidence: Mapping[str, Any], r: dict) -> list[str]:
    """The branch vote (支部大会) after the candidate stage, then the committee's approval in time."""
    admission = evidence.get("admission_date") or getattr(member, "admission_date", None)
    if admission is None:
        return ["缺少支部大会通过日期"]
    reasons = []
    candidate = getattr(member, "candidate_date", None)
    if candidate and admission < candidate:
        reasons.append(f"支部大会通过日期{_fmt(admission)}早于确定发展对象日期{_fmt(candidate)}")
    extended = bool(evidence.get("approval_extended", getattr(member, "approval_extended", False)))
    return reasons + _approval_reasons(admission, on_date, extended, r)


def _to_probationary(member: Any, on_date: date, evidence: Mapping[str, Any], r: dict) -> list[str]:
    reasons = _admission_reasons(member, on_date, evidence, r)
    hours = evidence.get("training_hours")
    if hours is None:
        hours = getattr(member, "training_hours", 0)
    reasons += _one(_training_reason(hours, r))
    reasons += introducer_reasons(evidence.get("introducers"), member, r)
    reasons += vote_reasons(evidence.get("votes_for"), evidence.get("voters"))
    return reasons


def _to_full(member: Any, on_date: date, evidence: Mapping[str, Any], r: dict) -> list[str]:
    end = probation_end(getattr(member, "admission_date", None), getattr(member, "probation_extended_to", None))
    if end is None:
        return ["缺少支部大会通过（接收预备党员）日期"]
    reasons = []
    if on_date < end:
        reasons.append(f"预备期至{_fmt(end)}届满，{_fmt(on_date)}尚不能转正")
    return reasons + vote_reasons(evidence.get("votes_for"), evidence.get("voters"))


# What each stage of the pipeline checks on the way in: one function per step of the rules.
_STAGE_CHECKS: dict[str, Callable[[Any, date, Mapping[str, Any], dict], list[str]]] = {
    Status.APPLICANT: _to_applicant,
    Status.ACTIVIST: _to_activist,
    Status.CANDIDATE: _to_candidate,
    Status.PROBATIONARY: _to_probationary,
    Status.FULL: _to_full,
}


def check_transition(member: Any, to_status: str, on_date: date, **evidence: Any) -> list[str]:
    """Reasons (Chinese) why ``member`` may not move to ``to_status`` on ``on_date``; empty: allowed.

    ``member`` is a Member (or any object with its fields). ``evidence`` supplies what the step needs
    and is not yet on the record: ``talk_date``; ``introducers`` (Members) for 预备党员;
    ``training_hours``; ``admission_date`` (the branch vote) and ``approval_extended`` for the
    approval (``on_date`` is then the higher committee's approval date); ``votes_for`` and
    ``voters`` (full members entitled to vote) for the branch general meeting.
    """
    if on_date is None:
        return ["缺少日期"]
    current = getattr(member, "status", "") or ""
    if to_status in EXIT_STATUSES:
        return _exit_reasons(member, current, to_status, on_date)
    reason = _order_reason(current, to_status)
    if reason:
        return [reason]
    return _STAGE_CHECKS[to_status](member, on_date, evidence, rule_values())


def introducer_reasons(introducers, member=None, r=None) -> list[str]:
    """Two introducers, each a full member (probationary members cannot introduce), not the person."""
    r = r or rule_values()
    people = list(introducers or [])
    need = r["introducers"]
    reasons = []
    if len({getattr(p, "pk", id(p)) for p in people}) < need:
        reasons.append(f"须有{need}名正式党员作入党介绍人，现有{len(people)}名")
    for person in people:
        if member is not None and getattr(person, "pk", None) and person.pk == getattr(member, "pk", None):
            reasons.append("本人不能作自己的入党介绍人")
        elif getattr(person, "status", None) != Status.FULL:
            label = STATUS_LABELS.get(getattr(person, "status", ""), "非党员")
            reasons.append(f"入党介绍人{person}不是正式党员（{label}）")
    return reasons


def vote_reasons(votes_for, voters) -> list[str]:
    """The branch general meeting passes with more than half of the full members entitled to vote.

    Only full members count: probationary members have no vote (党章第七条, DOMAIN.md §2).
    """
    if votes_for is None and voters is None:
        return []
    votes_for, voters = int(votes_for or 0), int(voters or 0)
    if votes_for > voters:
        return [f"赞成票{votes_for}票多于有表决权的正式党员{voters}人（预备党员没有表决权）"]
    if votes_for * 2 <= voters:
        return [f"支部大会赞成票须超过应到会有表决权正式党员的半数：{voters}人中赞成{votes_for}票"]
    return []


def check_extension(member, extend_to: date) -> list[str]:
    """Probation may be extended once, by at most a year (党章第七条)."""
    r = rule_values()
    if getattr(member, "status", None) != Status.PROBATIONARY:
        return ["只有预备党员可以延长预备期"]
    if getattr(member, "probation_extended_to", None):
        return ["预备期只能延长一次，已延长过"]
    admission = getattr(member, "admission_date", None)
    if admission is None:
        return ["缺少支部大会通过（接收预备党员）日期"]
    return _extension_reasons(admission, extend_to, r)


def _latest_date(member) -> date | None:
    dates = [
        getattr(member, f, None)
        for f in ("application_date", "activist_date", "candidate_date", "admission_date", "approval_date")
    ]
    dates.append(getattr(member, "full_member_date", None))
    dates = [d for d in dates if d]
    return max(dates) if dates else None


# --------------------------------------------------------------------------- whole records

_PIPELINE_INDEX = {s.value: i for i, s in enumerate(PIPELINE)}
# Fields that belong to each stage: present only from that stage on.
# A 发展对象 may already have been accepted by the branch general meeting (admission_date) while
# the higher committee's approval is pending.
_STAGE_FIELDS = (
    (1, ("activist_date",)),
    (2, ("candidate_date", "admission_date")),
    (3, ("approval_date", "probation_extended_to")),
    (4, ("full_member_date",)),
)
_DATE_FIELDS = (
    "birth_date",
    "application_date",
    "talk_date",
    "activist_date",
    "candidate_date",
    "admission_date",
    "approval_date",
    "full_member_date",
    "exit_date",
)


@dataclass(frozen=True)
class _Record:
    """One record under check, with what every check needs computed once."""

    data: Mapping[str, Any]
    status: str
    stage: int  # index in PIPELINE of the furthest stage reached
    detailed: bool  # applied under the 2014 detailed rules: talk and training are required
    today: date
    r: dict

    def get(self, field: str) -> Any:
        return self.data.get(field)

    @property
    def is_exit(self) -> bool:
        return self.status in EXIT_STATUSES

    def label(self) -> str:
        return STATUS_LABELS[self.status]


_Errors = list[tuple[str, str]]


def _reached_stage(data: Mapping[str, Any], status: str) -> int:
    if status not in EXIT_STATUSES:
        return _PIPELINE_INDEX[status]
    # Someone who left: the furthest stage whose date is on file.
    g = data.get
    if g("full_member_date"):
        return 4
    if g("approval_date"):
        return 3
    if g("candidate_date") or g("admission_date"):
        return 2
    return 1 if g("activist_date") else 0


def _check_dates(rec: _Record) -> _Errors:
    errors = []
    birth = rec.get("birth_date")
    if birth is None:
        errors.append(("birth_date", "缺少出生日期"))
    for field in _DATE_FIELDS:
        value = rec.get(field)
        if value is not None and value > rec.today:
            errors.append((field, f"{FIELD_LABELS[field]}{_fmt(value)}晚于今天"))
        if value is not None and birth is not None and field != "birth_date" and value < birth:
            errors.append((field, f"{FIELD_LABELS[field]}{_fmt(value)}早于出生日期"))
    return errors


def _check_status_fields(rec: _Record) -> _Errors:
    """An exit needs its date; a current record has no exit date and no date of a later stage."""
    exit_label = FIELD_LABELS["exit_date"]
    if rec.is_exit:
        if rec.get("exit_date") is None:
            return [("exit_date", f"状态为“{rec.label()}”，缺少{exit_label}")]
        return []
    errors = []
    if rec.get("exit_date") is not None:
        errors.append(("exit_date", f"状态为“{rec.label()}”，不应填写{exit_label}"))
    for first_stage, fields in _STAGE_FIELDS:
        if rec.stage < first_stage:
            errors += [
                (field, f"状态为“{rec.label()}”，不应填写{FIELD_LABELS[field]}")
                for field in fields
                if rec.get(field) is not None
            ]
    return errors


def _check_required(rec: _Record) -> _Errors:
    if rec.is_exit and rec.stage < 1:
        return []
    required = ["application_date"]
    if rec.stage >= 1:
        required += ["activist_date", "talk_date"] if rec.detailed else ["activist_date"]
    if rec.stage >= 2:
        required.append("candidate_date")
    if rec.stage >= 3:
        required += ["admission_date", "approval_date"]
    if rec.stage >= 4:
        required.append("full_member_date")
    return [
        (field, f"状态为“{rec.label()}”，缺少{FIELD_LABELS[field]}") for field in required if rec.get(field) is None
    ]


def _check_application(rec: _Record) -> _Errors:
    application, talk = rec.get("application_date"), rec.get("talk_date")
    errors = [("application_date", reason) for reason in _one(_age_reason(rec.get("birth_date"), application, rec.r))]
    if talk is not None or (rec.detailed and rec.stage >= 1):
        errors += [("talk_date", reason) for reason in _talk_reasons(application, talk, rec.r, required=False)]
    return errors


def _check_activist(rec: _Record) -> _Errors:
    application, activist = rec.get("application_date"), rec.get("activist_date")
    errors = []
    if activist and application and activist < application:
        errors.append(("activist_date", f"确定积极分子日期{_fmt(activist)}早于申请入党日期{_fmt(application)}"))
    reason = _activist_years_reason(activist, rec.get("candidate_date"), rec.r)
    return errors + [("candidate_date", reason) for reason in _one(reason)]


def _check_admission(rec: _Record) -> _Errors:
    candidate, admission = rec.get("candidate_date"), rec.get("admission_date")
    errors = []
    if candidate and admission and admission < candidate:
        errors.append(("admission_date", f"支部大会通过日期{_fmt(admission)}早于确定发展对象日期{_fmt(candidate)}"))
    hours = rec.get("training_hours")
    if (rec.stage >= 3 or admission) and (rec.detailed or hours):
        errors += [("training_hours", reason) for reason in _one(_training_reason(hours, rec.r))]
    approval_reasons = _approval_reasons(admission, rec.get("approval_date"), bool(rec.get("approval_extended")), rec.r)
    return errors + [("approval_date", reason) for reason in approval_reasons]


def _check_probation(rec: _Record) -> _Errors:
    admission, extended_to, full = (
        rec.get("admission_date"),
        rec.get("probation_extended_to"),
        rec.get("full_member_date"),
    )
    errors = [("probation_extended_to", reason) for reason in _extension_reasons(admission, extended_to, rec.r)]
    if full and admission:
        end = extended_to or add_years(admission, rec.r["probation_years"])
        if full < end:
            errors.append(("full_member_date", f"转正日期{_fmt(full)}早于预备期满日{_fmt(end)}"))
    return errors


def _check_exit_date(rec: _Record) -> _Errors:
    exit_date = rec.get("exit_date")
    if exit_date is None:
        return []
    fields = ("application_date", "activist_date", "candidate_date", "admission_date", "approval_date")
    last = max((d for d in (*map(rec.get, fields), rec.get("full_member_date")) if d), default=None)
    if last and exit_date < last:
        return [("exit_date", f"{FIELD_LABELS['exit_date']}{_fmt(exit_date)}早于{_fmt(last)}")]
    return []


# Run in this order, so a record's errors read from its basic facts to the later stages.
_RECORD_CHECKS: tuple[Callable[[_Record], _Errors], ...] = (
    _check_dates,
    _check_status_fields,
    _check_required,
    _check_application,
    _check_activist,
    _check_admission,
    _check_probation,
    _check_exit_date,
)


def check_record(data: Mapping[str, Any], today: date) -> list[tuple[str, str]]:
    """Consistency of one complete member record; ``(field, Chinese reason)`` pairs, empty if fine.

    Keys are Member field names; missing keys count as empty. Dates are ``datetime.date``.
    ``approval_extended`` (optional, default False) allows an approval up to 6 months after the vote.
    Talk dates and training hours are required only for applications from ``members.detailed_rules_from``
    (older files rarely recorded them), and checked whenever they are present.
    """
    status = data.get("status") or ""
    if status not in STATUS_LABELS:
        return [("status", f"未知状态“{status}”")]
    r = rule_values()
    application = data.get("application_date")
    rec = _Record(
        data,
        status,
        stage=_reached_stage(data, status),
        detailed=application is not None and application >= r["detailed_from"],
        today=today,
        r=r,
    )
    errors: list[tuple[str, str]] = []
    for check in _RECORD_CHECKS:
        errors += check(rec)
    return errors


register(
    "members.import_max_rows",
    "党员名册 Excel 导入文件的最大数据行数",
    1_000_000,
    "读取上限（jiceng.core.excel_limits）：一个设区市的党员名册可达数十万行（基准测试按 56 万行），"
    "更多行的文件多为出错或恶意构造的文件（如只在第 1,048,576 行有一个单元格），拒绝导入以免耗尽内存。",
    type=Integer(min_value=1, max_value=1_048_576),
)

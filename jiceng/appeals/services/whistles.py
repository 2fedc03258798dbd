"""街乡吹哨、部门报到 (DOMAIN.md §7.4): a street or community summons departments.

A whistle is blown on an appeal or on an incident, for one of the three cases (群众诉求 the street
cannot solve alone, 综合执法, 应急处置), with a report deadline from ``appeals.whistle_report_minutes``
(30 minutes for every case by default, DOMAIN.md §7.4). Each summoned department signs in (报到)
with its plan, reports back (反馈), and is rated by the street (评价, on the scale
``appeals.summons_rating_scale``, 1–5 by default). Summons not reported in time are escalated to the
district by the scheduler. The department scorecard (报到率, 按时率, 平均评价) comes from the same
monthly tables as the rates: the summons count on the department and on the area that blew.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jiceng.accounts.services import audit
from jiceng.appeals import stats
from jiceng.appeals.errors import AppealError, TransitionError
from jiceng.appeals.models import (
    FINAL_STATUSES,
    Appeal,
    AppealEvent,
    EventKind,
    SummonsStatus,
    Whistle,
    WhistleCase,
    WhistleStatus,
    WhistleSummons,
)
from jiceng.appeals.permissions import SUMMONS_RATE, SUMMONS_REPORT, WHISTLE_ADD
from jiceng.appeals.rules import WHISTLE_REPORT_MINUTES, rating_scale
from jiceng.appeals.services import notifications
from jiceng.appeals.services.access import Actor
from jiceng.appeals.services.dispatch import departments_serving
from jiceng.areas.models import Area, Level
from jiceng.core.paths import is_in_subtree
from jiceng.core.rules import get_rule
from jiceng.core.scope import scope_for
from jiceng.orgs.models import Department

WHISTLE_LEVELS = {Level.STREET, Level.COMMUNITY}


def report_minutes(case: str) -> int:
    table = get_rule(WHISTLE_REPORT_MINUTES)
    return int(table.get(case, table.get("resident_demand", 30)))


def _appeal_event(whistle: Whistle, kind: str, actor, now, note: str, department_id=None, public: bool = False):
    if whistle.appeal_id is None:
        return None
    appeal = whistle.appeal
    return AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor)[:100] if actor is not None else "系统",
        note=note,
        public=public,
        area_path=appeal.area_path,
        department_id=department_id,
        data={"whistle": whistle.pk},
    )


def _check_whistle(actor: Actor, area: Area, case: str, title: str) -> str:
    """Who blows, for which unit and case: the checked title."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("请先登录。")
    if area.level not in WHISTLE_LEVELS:
        raise AppealError("只有街道或社区可以吹哨。", code="area")
    if not scope_for(actor, WHISTLE_ADD).covers(area):
        raise PermissionDenied(f"您不能以“{area.name}”的名义吹哨。")
    if case not in WhistleCase.values:
        raise AppealError(f"吹哨情形应为：{'、'.join(WhistleCase.labels)}。", code="case")
    title = (title or "").strip()
    if not title:
        raise AppealError("请填写吹哨事项。", code="title")
    return title


def _lock_whistled_appeal(appeal: Appeal, area: Area) -> Appeal:
    appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
    if not is_in_subtree(appeal.area_path, area.code):
        raise AppealError(f"该诉求不在“{area.name}”范围内。", code="appeal")
    if appeal.status in FINAL_STATUSES:
        raise TransitionError(f"诉求{appeal.get_status_display()}，不能再吹哨。", code="transition")
    return appeal


def _check_departments(area: Area, departments: Iterable[Department]) -> list[Department]:
    """The summoned departments, once each; each must serve the unit."""
    departments = list({d.pk: d for d in departments or []}.values())
    if not departments:
        raise AppealError("请至少召集一个职能部门。", code="departments")
    serving = set(departments_serving(area.code).values_list("pk", flat=True))
    outside = [d.name for d in departments if d.pk not in serving]
    if outside:
        raise AppealError(f"{'、'.join(outside)}不负责“{area.name}”，不能召集。", code="departments")
    return departments


@transaction.atomic
def blow_whistle(
    actor: Actor,
    *,
    area: Area,
    case: str,
    title: str,
    departments: Iterable[Department],
    appeal: Appeal | None = None,
    description: str = "",
    address: str = "",
    now: datetime | None = None,
) -> Whistle:
    """吹哨: summon ``departments`` to ``area`` (a street or community) on an appeal or an incident."""
    now = now or timezone.now()
    title = _check_whistle(actor, area, case, title)
    if appeal is not None:
        appeal = _lock_whistled_appeal(appeal, area)
    departments = _check_departments(area, departments)
    due = now + timedelta(minutes=report_minutes(case))
    whistle = Whistle.objects.create(
        area=area,
        area_path=area.code,
        appeal=appeal,
        case=case,
        title=title[:100],
        description=(description or "").strip(),
        address=(address or "").strip()[:200],
        report_due=due,
        blown_by=actor,
        blown_at=now,
    )
    WhistleSummons.objects.bulk_create(
        [WhistleSummons(whistle=whistle, department=d, area_path=area.code, report_due=due) for d in departments]
    )
    month = stats.month_of(now)
    # The whistle and its summons on the area (stats.bump_summons, in one step), the summons on each department.
    stats.bump_area(area.code, month, {"whistles": 1, "summons": len(departments)})
    for department in departments:
        stats.bump_department(department.pk, month, {"summons": 1})
    names = "、".join(d.name for d in departments)
    _appeal_event(
        whistle,
        EventKind.WHISTLE,
        actor,
        now,
        f"{area.name}吹哨（{WhistleCase(case).label}），召集{names}，须于{timezone.localtime(due):%m-%d %H:%M}前报到。",
        public=True,
    )
    audit(
        actor,
        "blow_whistle",
        whistle,
        after={"case": case, "departments": [d.pk for d in departments], "appeal": appeal.pk if appeal else None},
        area_path=area.code,
    )
    for department in departments:
        notifications.notify(
            notifications.department_user_ids(department.pk),
            key=f"whistle:{whistle.pk}:summons",
            kind="whistle_summons",
            title=f"{area.name}吹哨：{whistle.title}",
            body=f"请于{timezone.localtime(due):%m-%d %H:%M}前报到。{whistle.description}",
            whistle=whistle,
            appeal=appeal,
        )
    return whistle


def _lock_summons(summons: WhistleSummons) -> WhistleSummons:
    return (
        WhistleSummons.objects.select_for_update(of=("self",))
        .select_related("whistle", "whistle__appeal", "department")
        .get(pk=summons.pk)
    )


def _sync(target: WhistleSummons, fresh: WhistleSummons) -> WhistleSummons:
    """Bring the caller's instance up to date, so a page can keep using it."""
    if target is not fresh:
        for f in WhistleSummons._meta.concrete_fields:
            setattr(target, f.attname, getattr(fresh, f.attname))
    return fresh


def _move(fresh: WhistleSummons, expected: str, **changes) -> None:
    if not WhistleSummons.objects.filter(pk=fresh.pk, status=expected).update(**changes):
        raise TransitionError("该报到记录刚被他人更新，请刷新后再试。", code="conflict")
    for name, value in changes.items():
        setattr(fresh, name, value)


def _require_status(fresh: WhistleSummons, allowed, verb: str) -> None:
    if fresh.status not in allowed:
        raise TransitionError(f"当前为“{fresh.get_status_display()}”，不能{verb}。", code="transition")


def _is_department_user(actor: Actor, summons: WhistleSummons) -> bool:
    return scope_for(actor, SUMMONS_REPORT).covers_department(summons.department_id)


def _department_step(
    actor: Actor, summons: WhistleSummons, expected: str, verb: str, text: str, missing: str, code: str
) -> tuple[WhistleSummons, str]:
    """The summoned department's own step (报到, 反馈): its user, the right status, a non-empty text."""
    fresh = _lock_summons(summons)
    if not _is_department_user(actor, fresh):
        raise PermissionDenied(f"只有{fresh.department.name}可以{verb}。")
    _require_status(fresh, {expected}, verb)
    text = (text or "").strip()
    if not text:
        raise AppealError(missing, code=code)
    return fresh, text


def _department_said(
    fresh: WhistleSummons,
    actor: Actor,
    now: datetime,
    *,
    event: tuple[str, str],
    audit_as: tuple[str, dict],
    step: str,
    title: str,
    body: str,
) -> None:
    """The department's step goes on the appeal's record (public), the audit log, and to whoever blew the whistle."""
    kind, note = event
    _appeal_event(fresh.whistle, kind, actor, now, note, department_id=fresh.department_id, public=True)
    action, after = audit_as
    audit(actor, action, fresh, after=after, area_path=fresh.area_path)
    notifications.notify(
        [fresh.whistle.blown_by_id],
        key=f"summons:{fresh.pk}:{step}",
        kind=f"summons_{step}",
        title=title,
        body=body,
        whistle=fresh.whistle,
    )


@transaction.atomic
def report_summons(actor: Actor, summons: WhistleSummons, *, plan: str, now: datetime | None = None) -> WhistleSummons:
    """报到: the department signs in and states what it will do (late reports are still taken)."""
    now = now or timezone.now()
    fresh, plan = _department_step(actor, summons, SummonsStatus.SUMMONED, "报到", plan, "请填写处置措施。", "plan")
    on_time = now <= fresh.report_due
    _move(
        fresh,
        SummonsStatus.SUMMONED,
        status=SummonsStatus.REPORTED,
        reported_at=now,
        reported_by=actor,
        on_time=on_time,
        plan=plan,
    )
    stats.bump_summons(
        fresh.department_id,
        fresh.area_path,
        stats.month_of(now),
        {"summons_reported": 1, "summons_on_time": int(on_time)},
    )
    _department_said(
        fresh,
        actor,
        now,
        event=(EventKind.SUMMONS_REPORT, f"{fresh.department.name}报到{'' if on_time else '（超时）'}：{plan}"),
        audit_as=("report_summons", {"on_time": on_time}),
        step="reported",
        title=f"{fresh.department.name}已报到：{fresh.whistle.title}",
        body=plan,
    )
    return _sync(summons, fresh)


@transaction.atomic
def feedback_summons(
    actor: Actor, summons: WhistleSummons, *, feedback: str, now: datetime | None = None
) -> WhistleSummons:
    """反馈: the department reports back what it did."""
    now = now or timezone.now()
    fresh, feedback = _department_step(
        actor, summons, SummonsStatus.REPORTED, "反馈", feedback, "请填写办理反馈。", "feedback"
    )
    _move(fresh, SummonsStatus.REPORTED, status=SummonsStatus.FED_BACK, feedback=feedback, fed_back_at=now)
    _department_said(
        fresh,
        actor,
        now,
        event=(EventKind.SUMMONS_FEEDBACK, f"{fresh.department.name}反馈：{feedback}"),
        audit_as=("feedback_summons", {"status": SummonsStatus.FED_BACK}),
        step="fed_back",
        title=f"{fresh.department.name}已反馈，请评价：{fresh.whistle.title}",
        body=feedback,
    )
    return _sync(summons, fresh)


@transaction.atomic
def rate_summons(
    actor: Actor, summons: WhistleSummons, *, rating: int, note: str = "", now: datetime | None = None
) -> WhistleSummons:
    """评价: the street (or community) that blew the whistle rates the department, 1–5."""
    now = now or timezone.now()
    fresh = _lock_summons(summons)
    if not scope_for(actor, SUMMONS_RATE).covers(fresh):
        raise PermissionDenied("只有吹哨的街道（社区）可以评价报到部门。")
    _require_status(fresh, {SummonsStatus.FED_BACK}, "评价")
    low, high = rating_scale()
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = low - 1
    if not low <= rating <= high:
        raise AppealError(f"评价分应为{low}—{high}分。", code="rating")
    note = (note or "").strip()[:500]
    _move(
        fresh,
        SummonsStatus.FED_BACK,
        status=SummonsStatus.RATED,
        rating=rating,
        rating_note=note,
        rated_by=actor,
        rated_at=now,
    )
    stats.bump_summons(
        fresh.department_id, fresh.area_path, stats.month_of(now), {"summons_rated": 1, "summons_rating_sum": rating}
    )
    _appeal_event(
        fresh.whistle,
        EventKind.SUMMONS_RATE,
        actor,
        now,
        f"评价{fresh.department.name}：{rating}分。{note}".strip(),
        department_id=fresh.department_id,
    )
    audit(actor, "rate_summons", fresh, after={"rating": rating}, area_path=fresh.area_path)
    return _sync(summons, fresh)


@transaction.atomic
def close_whistle(actor: Actor, whistle: Whistle, *, note: str = "", now: datetime | None = None) -> Whistle:
    """结束吹哨: by the unit that blew it."""
    now = now or timezone.now()
    if not scope_for(actor, WHISTLE_ADD).covers(whistle):
        raise PermissionDenied("只有吹哨单位可以结束吹哨。")
    note = (note or "").strip()[:500]
    if not Whistle.objects.filter(pk=whistle.pk, status=WhistleStatus.OPEN).update(
        status=WhistleStatus.CLOSED, closed_at=now, close_note=note
    ):
        raise TransitionError("该吹哨已结束。", code="transition")
    whistle.status, whistle.closed_at, whistle.close_note = WhistleStatus.CLOSED, now, note
    audit(actor, "close_whistle", whistle, after={"status": WhistleStatus.CLOSED}, area_path=whistle.area_path)
    return whistle


def escalate_overdue_summons(now: datetime | None = None, limit: int = 1000) -> int:
    """Summons not reported by their deadline go up to the district (once each); idempotent."""
    now = now or timezone.now()
    ids = list(
        WhistleSummons.objects.filter(
            status=SummonsStatus.SUMMONED, report_due__lt=now, escalated_at__isnull=True
        ).values_list("pk", flat=True)[:limit]
    )
    escalated = 0
    for pk in ids:
        with transaction.atomic():
            if not WhistleSummons.objects.filter(
                pk=pk, status=SummonsStatus.SUMMONED, escalated_at__isnull=True
            ).update(escalated_at=now):
                continue
            summons = WhistleSummons.objects.select_related("whistle", "whistle__appeal", "department").get(pk=pk)
            stats.bump_summons(summons.department_id, summons.area_path, stats.month_of(now), {"summons_escalated": 1})
            text = (
                f"{summons.department.name}超过报到时限（{timezone.localtime(summons.report_due):%m-%d %H:%M}）"
                "未报到，已上报区。"
            )
            _appeal_event(summons.whistle, EventKind.ESCALATE, None, now, text, department_id=summons.department_id)
            audit(None, "escalate_summons", summons, after={"escalated_at": now}, area_path=summons.area_path)
            notifications.notify(
                notifications.supervisor_ids(summons.area_path),
                key=f"summons:{pk}:escalated",
                kind="summons_escalated",
                title=f"吹哨超时未报到：{summons.department.name}",
                body=f"{summons.whistle.title}。{text}",
                whistle=summons.whistle,
                appeal=summons.whistle.appeal,
            )
            escalated += 1
    return escalated

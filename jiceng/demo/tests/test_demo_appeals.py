"""The demo 民呼我应 data at a small count on the small area tree: consistent with the services."""

from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from django.db.models import Sum

from jiceng.appeals import services, stats
from jiceng.appeals.models import (
    FINAL_STATUSES,
    Appeal,
    AppealEvent,
    AreaStat,
    Channel,
    DepartmentStat,
    EventKind,
    Extension,
    Outcome,
    Satisfaction,
    Status,
    SummonsStatus,
    Whistle,
    WhistleSummons,
)
from jiceng.demo.appeals import load_appeals
from jiceng.demo.tests.conftest import TODAY

COUNT = 300


def load(seed=11):
    return load_appeals(seed=seed, count=COUNT, today=TODAY)


def fingerprint():
    appeals = list(
        Appeal.objects.order_by("number").values_list(
            "number", "status", "category__code", "area_path", "description", "outcome", "satisfaction", "answer_due"
        )
    )
    events = list(
        AppealEvent.objects.order_by("appeal__number", "at", "id").values_list("appeal__number", "kind", "at", "note")
    )
    return appeals, events, list(WhistleSummons.objects.order_by("id").values_list("status", "report_due", "rating"))


def check_request(a, timeline, appeals):
    """One request's row agrees with its timeline, as the services keep them."""
    # The number as the services issue it: the local day of 受理 and the id.
    assert a.number == f"{a.created_at.astimezone(stats.timezone.get_current_timezone()):%Y%m%d}{a.pk:08d}"
    assert a.dispatch_due and a.answer_due and a.dispatch_due > a.created_at
    assert timeline[0].kind == EventKind.CREATE and timeline[0].at == a.created_at
    steps = [e for e in timeline if e.to_status]
    for before, after in pairwise(steps):
        assert after.from_status == before.to_status, (a.number, before.kind, after.kind)
    assert steps[-1].to_status == a.status, a.number
    assert all(e.at <= timeline[-1].at for e in timeline)
    assert all(e.area_path == a.area_path for e in timeline)
    if a.status == Status.CLOSED:
        assert a.closed_at and a.answered_at and a.answer_text and a.answer_result
        close = steps[-1]
        rated = bool(close.data["outcome"])
        assert rated == bool(a.outcome and a.satisfaction)
        assert close.data["on_time"] == (a.answered_at <= a.answer_due)
    if a.status in (Status.RATED,):
        assert a.outcome and a.satisfaction and a.rated_at
    if a.status in (Status.DISPATCHED, Status.SIGNED, Status.HANDLING):
        assert (a.assigned_area_id is None) != (a.assigned_department_id is None)
    if a.status == Status.MERGED:
        assert a.merged_into_id in appeals and appeals[a.merged_into_id].status != Status.MERGED
    if a.status in FINAL_STATUSES:
        assert a.closed_at
    else:
        assert a.closed_at is None
    assert a.answer_overdue == any(
        e.kind == EventKind.OVERDUE for e in timeline if a.dispatched_at and e.at >= a.dispatched_at
    )
    assert a.reopen_count == sum(e.kind == EventKind.REOPEN for e in timeline)
    assert a.return_count == sum(e.kind == EventKind.RETURN for e in timeline)
    assert a.supervised == any(e.kind == EventKind.SUPERVISE for e in timeline)
    signs = [e for e in timeline if e.kind == EventKind.SIGN]
    if signs and a.signed_at:
        assert signs[-1].data["on_time"] == (not a.response_overdue)


@pytest.mark.django_db
def test_demo_appeals_are_consistent(city):
    result = load()
    assert result["created"] is True
    assert Appeal.objects.count() == result["appeals"] >= COUNT * 0.95
    assert result["events"] == AppealEvent.objects.count()

    appeals = {a.pk: a for a in Appeal.objects.all()}
    events = defaultdict(list)
    for e in AppealEvent.objects.order_by("appeal_id", "at", "id"):
        events[e.appeal_id].append(e)
    numbers = [a.number for a in appeals.values()]
    assert len(set(numbers)) == len(numbers) and all(numbers)
    for a in appeals.values():
        check_request(a, events[a.pk], appeals)

    statuses = Counter(a.status for a in appeals.values())
    closed = statuses[Status.CLOSED]
    assert closed > COUNT * 0.7
    rated = [a for a in appeals.values() if a.status == Status.CLOSED and a.satisfaction]
    good = sum(a.satisfaction != Satisfaction.UNSATISFIED for a in rated)
    assert 0.8 < good / len(rated) < 1
    assert 0.75 < sum(a.outcome == Outcome.RESOLVED for a in rated) / len(rated) < 0.99
    kinds = Counter(e.kind for es in events.values() for e in es)
    for kind in (EventKind.REOPEN, EventKind.RETURN, EventKind.OVERDUE, EventKind.MERGE, EventKind.CANCEL):
        assert kinds[kind] > 0, kind
    # Open work at "now" as well as closed work.
    assert sum(statuses[s] for s in (Status.ACCEPTED, Status.DISPATCHED, Status.SIGNED, Status.HANDLING)) > 0

    # 吹哨报到: summons of the district's departments, with late reports and escalations.
    assert Whistle.objects.exists()
    for s in WhistleSummons.objects.select_related("whistle", "department"):
        assert s.department.area_path == s.whistle.area_path[:6]
        assert s.report_due == s.whistle.report_due
        if s.status != SummonsStatus.SUMMONED:
            assert s.reported_at and s.on_time == (s.reported_at <= s.report_due)
        if s.escalated_at:
            assert s.escalated_at > s.report_due
    assert Extension.objects.filter(appeal__isnull=False).count() == result["extensions"]

    # The rate tables are what a rebuild from the timeline gives, and match a recount.
    before = sorted(AreaStat.objects.values_list("path", "month", "received", "closed", "rated", "satisfied"))
    stats.rebuild()
    assert before == sorted(AreaStat.objects.values_list("path", "month", "received", "closed", "rated", "satisfied"))
    city_total = AreaStat.objects.filter(path="3201").aggregate(
        received=Sum("received"),
        closed=Sum("closed"),
        rated=Sum("rated"),
        resolved=Sum("resolved"),
        satisfied=Sum("satisfied"),
        reopened=Sum("reopened"),
        returned=Sum("returned"),
    )
    closes = [e for es in events.values() for e in es if e.kind == EventKind.CLOSE]
    assert city_total["received"] == len(appeals)
    assert city_total["closed"] == len(closes) == closed
    assert city_total["rated"] == sum(bool(e.data["outcome"]) for e in closes) == len(rated)
    assert city_total["resolved"] == sum(a.outcome == Outcome.RESOLVED for a in rated)
    assert city_total["satisfied"] == sum(a.satisfaction == Satisfaction.SATISFIED for a in rated)
    assert city_total["reopened"] == kinds[EventKind.REOPEN]
    assert city_total["returned"] == kinds[EventKind.RETURN]
    assert DepartmentStat.objects.aggregate(n=Sum("summons"))["n"] == WhistleSummons.objects.count()


@pytest.mark.django_db
def test_demo_appeals_deterministic_and_idempotent(city):
    load()
    first = fingerprint()
    assert load()["created"] is False  # a second call finds the data and adds nothing
    assert fingerprint() == first
    Whistle.objects.all().delete()
    AppealEvent.objects.all().delete()
    Extension.objects.all().delete()
    Appeal.objects.update(merged_into=None)
    Appeal.objects.all().delete()
    load()
    assert fingerprint() == first

    # The services carry on after the demo rows (ids given in bulk: PostgreSQL's sequences moved on).
    a = Appeal.objects.order_by("-id").first()
    new = services.create_appeal(
        None, channel=Channel.TRANSFER, category=a.category, description="上级转办：核实处理。", area=a.area
    )
    assert new.pk > a.pk and new.number.endswith(f"{new.pk:08d}")
    assert new.events.get().pk > AppealEvent.objects.exclude(appeal=new).order_by("-id").first().pk

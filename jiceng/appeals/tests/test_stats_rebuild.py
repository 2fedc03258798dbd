"""stats.rebuild_sql (set-based SQL) writes exactly the rows of stats.rebuild (the event replay).

The dataset is the demo generator's year of requests on the test tree (every event kind, late
and on-time steps, ratings, 吹哨报到 with late reports, ratings and escalations), plus events
placed on the edges the SQL could get wrong: local-month boundaries (Asia/Shanghai is UTC+8),
kinds that add nothing, a close without a rating, a summons reported in another month than it was
called, 签收超时 events, summons counted on the area that blew; and a run of the services, whose
incremental rows both rebuilds must give back. Runs on SQLite and on PostgreSQL like every test.
"""

from datetime import UTC, date, datetime

import pytest
from django.db.models import Sum

from jiceng.appeals import stats
from jiceng.appeals.models import (
    COUNTER_FIELDS,
    Appeal,
    AppealEvent,
    AreaStat,
    DepartmentStat,
    EventKind,
    WhistleSummons,
)
from jiceng.demo.appeals import load_appeals
from jiceng.orgs.models import Department, DepartmentLevel

TODAY = date(2025, 9, 30)
DEPARTMENTS = ["城市管理局", "住房和城乡建设局", "市场监督管理局", "公安分局", "生态环境分局", "水务局"]


@pytest.fixture
def loaded(tree):
    for district in (tree.xuanwu, tree.qinhuai):
        for name in DEPARTMENTS:
            Department.objects.create(
                name=f"{district.name}{name}", level=DepartmentLevel.DISTRICT, area=district, area_path=district.code
            )
    result = load_appeals(seed=7, count=800, today=TODAY)
    assert result["created"] and result["whistles"] and result["summons"]
    return result


def tables():
    columns = ["month", *COUNTER_FIELDS]
    areas = sorted(AreaStat.objects.values_list("path", "level", *columns))
    departments = sorted(DepartmentStat.objects.values_list("department_id", *columns))
    return areas, departments


def add_event(appeal, kind, at, data=None, department_id=None):
    AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        at=at,
        area_path=appeal.area_path,
        department_id=department_id,
        data=data or {},
    )


def assert_same_as_replay():
    stats.rebuild()
    replayed = tables()
    assert replayed[0] and replayed[1]
    written = stats.rebuild_sql()
    assert tables() == replayed
    assert written == (len(replayed[0]), len(replayed[1]))


@pytest.mark.django_db
def test_sql_rebuild_equals_the_replay_on_the_demo_year(loaded):
    assert_same_as_replay()


@pytest.mark.django_db
def test_sql_rebuild_equals_the_replay_on_edge_cases(loaded):
    appeal = Appeal.objects.order_by("id").first()
    department = Department.objects.order_by("id").first()
    # 16:30 UTC on 30 June is 00:30 on 1 July in Shanghai: a July row, in both.
    add_event(appeal, EventKind.SUPERVISE, datetime(2025, 6, 30, 16, 30, tzinfo=UTC), department_id=department.pk)
    add_event(appeal, EventKind.SIGN, datetime(2025, 6, 30, 15, 59, tzinfo=UTC), {"on_time": True})
    add_event(appeal, EventKind.SIGN, datetime(2025, 3, 1, 1, 0, tzinfo=UTC), {"on_time": False})
    # Kinds without counters, alone in a month: no row at all.
    add_event(appeal, EventKind.PROGRESS, datetime(2023, 1, 5, tzinfo=UTC), department_id=department.pk)
    add_event(appeal, EventKind.PHOTO, datetime(2023, 2, 5, tzinfo=UTC))
    # Closes: unrated, rated but partly/basically, on time or not, with empty rating strings.
    add_event(appeal, EventKind.CLOSE, datetime(2024, 5, 5, tzinfo=UTC), {"on_time": False})
    add_event(
        appeal,
        EventKind.CLOSE,
        datetime(2024, 5, 6, tzinfo=UTC),
        {"on_time": True, "outcome": "partly", "satisfaction": "basically"},
        department_id=department.pk,
    )
    add_event(
        appeal, EventKind.CLOSE, datetime(2024, 5, 7, tzinfo=UTC), {"on_time": True, "outcome": "", "satisfaction": ""}
    )
    add_event(appeal, EventKind.CLOSE, datetime(2024, 5, 8, tzinfo=UTC), None)
    add_event(appeal, EventKind.REOPEN, datetime(2024, 5, 9, tzinfo=UTC), department_id=department.pk)
    assert_same_as_replay()


@pytest.mark.django_db
def test_sql_rebuild_follows_the_appeals_current_path(loaded):
    # After a move the history follows the node: both read the appeal's path, not the event's.
    appeal = Appeal.objects.order_by("id").first()
    other = Appeal.objects.exclude(area_path__startswith=appeal.area_path[:12]).order_by("id").first()
    Appeal.objects.filter(pk=appeal.pk).update(area_path=other.area_path)
    assert_same_as_replay()


@pytest.mark.django_db
def test_sql_rebuild_counts_missed_sign_fors_and_summons_on_the_areas(loaded):
    appeal = Appeal.objects.order_by("id").first()
    department = Department.objects.order_by("id").first()
    # 签收超时 on both sides of a local-month boundary, one on a department.
    add_event(appeal, EventKind.RESPONSE_OVERDUE, datetime(2025, 7, 31, 16, 1, tzinfo=UTC), department_id=department.pk)
    add_event(appeal, EventKind.RESPONSE_OVERDUE, datetime(2025, 7, 31, 15, 59, tzinfo=UTC))
    assert_same_as_replay()
    city = AreaStat.objects.filter(level="city").aggregate(
        summons=Sum("summons"), reported=Sum("summons_reported"), rated=Sum("summons_rated")
    )
    departments = DepartmentStat.objects.aggregate(
        summons=Sum("summons"), reported=Sum("summons_reported"), rated=Sum("summons_rated")
    )
    # Every summons of the demo year, its report and its rating, on the city's rows as on the departments'.
    assert (
        city
        == departments
        == {
            "summons": WhistleSummons.objects.count(),
            "reported": WhistleSummons.objects.filter(reported_at__isnull=False).count(),
            "rated": WhistleSummons.objects.filter(rated_at__isnull=False).count(),
        }
    )
    assert city["reported"] and city["rated"]
    assert AreaStat.objects.filter(response_overdue__gt=0).exists()


def test_the_services_the_replay_and_the_sql_write_the_same_rows(submit, people, tree, departments):
    """What the services keep as they go is what both rebuilds write: 签收超时 (by the scan and by a
    late sign-for), a 改派, a cancel after dispatch, and summons reported, rated and escalated."""
    from datetime import timedelta

    from jiceng.appeals import services

    from .conftest import T0

    h = timedelta(hours=1)
    first = submit(client_token="s1")
    services.dispatch_appeal(people.community, first, area=tree.beianmen, now=T0)
    services.dispatch_appeal(people.community, first, area=tree.grid1, now=T0 + h)  # 改派
    services.mark_response_overdue(now=T0 + 30 * h)
    services.sign_appeal(people.grid, first, now=T0 + 31 * h)
    second = submit(client_token="s2")
    services.dispatch_appeal(people.community, second, area=tree.grid1, now=T0)
    services.sign_appeal(people.grid, second, now=T0 + 40 * h)  # late, found by the sign-for itself
    third = submit(client_token="s3")
    services.dispatch_appeal(people.community, third, area=tree.grid1, now=T0)
    services.cancel_appeal(people.resident, third, reason="已解决", now=T0 + h)
    whistle = services.blow_whistle(
        people.street,
        area=tree.meiyuan,
        case="enforcement",
        title="联合执法",
        departments=[departments.xw_chengguan, departments.xw_water],
        now=T0,
    )
    summons = whistle.summons.get(department=departments.xw_chengguan)
    services.report_summons(people.chengguan, summons, plan="到场", now=T0 + timedelta(minutes=20))
    services.feedback_summons(people.chengguan, summons, feedback="完成", now=T0 + h)
    services.rate_summons(people.street, summons, rating=5, now=T0 + 2 * h)
    services.escalate_overdue_summons(now=T0 + 2 * h)  # 水务 never reported
    kept = tables()
    assert AreaStat.objects.get(path=tree.city.code).summons_escalated == 1
    assert AreaStat.objects.get(path=tree.grid1.code).response_overdue == 2
    stats.rebuild()
    assert tables() == kept
    stats.rebuild_sql()
    assert tables() == kept

"""stats.rebuild_sql (set-based SQL) writes exactly the rows of stats.rebuild (the event replay).

The dataset is the demo generator's year of requests on the test tree (every event kind, late
and on-time steps, ratings, 吹哨报到 with late reports, ratings and escalations), plus events
placed on the edges the SQL could get wrong: local-month boundaries (Asia/Shanghai is UTC+8),
kinds that add nothing, a close without a rating, a summons reported in another month than it was
called. Runs on SQLite and on PostgreSQL like every test.
"""

from datetime import UTC, date, datetime

import pytest

from jiceng.appeals import stats
from jiceng.appeals.models import COUNTER_FIELDS, Appeal, AppealEvent, AreaStat, DepartmentStat, EventKind
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

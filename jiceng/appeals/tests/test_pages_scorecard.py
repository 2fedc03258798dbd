"""部门考核: 报到率, 按时报到率, average rating per department the user may see, for a month."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.models import WhistleCase, WhistleSummons
from jiceng.orgs.models import Department, DepartmentLevel
from tests.queries import query_count


@pytest.fixture
def month_of_activity(people, tree, departments):
    """This month: 梅园新村街道 summons 城管 and 水务 twice; 城管 reports on time and is rated 4 and 2;
    水务 reports once, late. 贡院社区 summons 秦淮区城管 once."""
    # Mid-month, so that every event falls in the month the page shows by default.
    now = timezone.localtime().replace(day=15, hour=12, minute=0, second=0, microsecond=0)
    for rating in (4, 2):
        whistle = services.blow_whistle(
            people.street,
            area=tree.meiyuan,
            case=WhistleCase.ENFORCEMENT,
            title=f"联合执法{rating}",
            departments=[departments.xw_chengguan, departments.xw_water],
            now=now - timedelta(hours=2),
        )
        cg = WhistleSummons.objects.get(whistle=whistle, department=departments.xw_chengguan)
        # Within the 30 minutes (DOMAIN.md §7.4).
        services.report_summons(people.chengguan, cg, plan="到场", now=now - timedelta(minutes=100))
        services.feedback_summons(people.chengguan, cg, feedback="已处置", now=now - timedelta(minutes=30))
        services.rate_summons(people.street, cg, rating=rating, now=now)
    late = WhistleSummons.objects.filter(department=departments.xw_water).order_by("id").first()
    WhistleSummons.objects.filter(pk=late.pk).update(report_due=now - timedelta(minutes=90))
    services.report_summons(people.water, late, plan="补报到", now=now - timedelta(minutes=10))
    services.blow_whistle(
        people.other_community,
        area=tree.gongyuan,
        case=WhistleCase.EMERGENCY,
        title="贡院险情",
        departments=[departments.qh_chengguan],
        now=now - timedelta(hours=1),
    )
    return now


def _by_name(response) -> dict:
    return {row.name: row.rates for row in response.context["rows"]}


def test_street_sees_the_departments_it_summons(client, people, month_of_activity):
    client.force_login(people.street)
    response = client.get("/appeals/scorecard/")
    assert response.status_code == 200
    rows = _by_name(response)
    assert set(rows) == {"玄武区城市管理局", "玄武区水务局"}
    cg, water = rows["玄武区城市管理局"], rows["玄武区水务局"]
    assert (cg.summons, cg.summons_reported, cg.summons_on_time, cg.summons_rated) == (2, 2, 2, 2)
    assert cg.summons_report_rate == 1 and cg.summons_average_rating == 3
    assert (water.summons, water.summons_reported, water.summons_on_time) == (2, 1, 0)
    assert water.summons_report_rate == 0.5 and water.summons_on_time_rate == 0
    assert water.summons_average_rating is None
    html = response.content.decode()
    assert "部门考核" in html and "3.0分" in html and "50%" in html
    assert 'href="/appeals/scorecard/"' in html  # the menu entry


def test_sort_and_month_filter(client, people, month_of_activity):
    client.force_login(people.street)
    ranked = client.get("/appeals/scorecard/?sort=report").context["rows"]
    assert [r.name for r in ranked] == ["玄武区城市管理局", "玄武区水务局"]
    empty = client.get("/appeals/scorecard/?month=2020-01")
    assert empty.status_code == 200 and empty.context["rows"] == []
    assert "本月没有部门被召集。" in empty.content.decode()
    # All the departments the user may see, active or not.
    everyone = client.get("/appeals/scorecard/?month=2020-01&active=0")
    assert {r.name for r in everyone.context["rows"]} == {"玄武区城市管理局", "玄武区水务局"}


def test_scope_of_the_scorecard(client, users, people, month_of_activity):
    client.force_login(users.other_community)
    assert set(_by_name(client.get("/appeals/scorecard/"))) == {"秦淮区城市管理局"}
    client.force_login(people.chengguan)  # a department sees its own card only
    assert set(_by_name(client.get("/appeals/scorecard/"))) == {"玄武区城市管理局"}
    client.force_login(users.district)
    assert set(_by_name(client.get("/appeals/scorecard/"))) == {"玄武区城市管理局", "玄武区水务局"}
    client.force_login(users.city)
    assert len(_by_name(client.get("/appeals/scorecard/"))) == 3


def test_refused_without_the_permission(client, people):
    for user in (people.resident, people.grid):
        client.force_login(user)
        response = client.get("/appeals/scorecard/")
        assert response.status_code == 403
        assert 'href="/appeals/scorecard/"' not in client.get("/appeals/mine/").content.decode()


def test_query_count_does_not_grow_with_departments_or_summons(
    client, people, tree, month_of_activity, django_assert_max_num_queries
):
    client.force_login(people.street)
    client.get("/appeals/scorecard/")  # the score's rules (weights, rating scale): read once, then cached
    small = query_count(client, "/appeals/scorecard/")
    extra = [
        Department.objects.create(
            name=f"玄武区部门{n}", level=DepartmentLevel.DISTRICT, area=tree.xuanwu, area_path=tree.xuanwu.code
        )
        for n in range(10)
    ]
    for n in range(3):
        services.blow_whistle(
            people.street,
            area=tree.meiyuan,
            case=WhistleCase.ENFORCEMENT,
            title=f"吹哨{n}",
            departments=extra,
            now=month_of_activity,
        )
    response = client.get("/appeals/scorecard/")
    assert len(response.context["rows"]) == 12
    assert query_count(client, "/appeals/scorecard/") == small
    with django_assert_max_num_queries(8):
        client.get("/appeals/scorecard/")

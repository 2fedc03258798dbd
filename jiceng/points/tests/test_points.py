"""党员积分: the ledger is append-only, the yearly totals follow it, the cap holds, 双报到 feeds it."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.dualreport import services as dual
from jiceng.dualreport.tests.conftest import employed_member, world  # noqa: F401
from jiceng.points import services
from jiceng.points.models import Award, PointRule, YearTotal

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(world):  # noqa: F811
    return world.member


def test_award_is_idempotent_per_source_and_moves_the_totals(member):
    day = date(2026, 3, 1)
    first = services.award("dual_service", 7, member, 1, day)
    again = services.award("dual_service", 7, member, 1, day)
    assert first.pk == again.pk and first.points == Decimal("2")
    assert Award.objects.count() == 1
    assert services.member_points(member, 2026) == Decimal("2")
    assert YearTotal.objects.get(member=member, year=2026, source_kind="dual_service").points == Decimal("2")


def test_yearly_cap_per_kind_cuts_the_last_award(member):
    PointRule.objects.create(source_kind="dual_service", points_per_unit=Decimal("5"), yearly_cap=12)
    rows = [services.award("dual_service", n, member, 1, date(2026, 4, n)) for n in range(1, 5)]
    assert [r.points for r in rows] == [Decimal("5"), Decimal("5"), Decimal("2"), Decimal("0")]
    assert [r.capped for r in rows] == [False, False, True, True]
    assert services.member_points(member, 2026) == Decimal("12")
    # Another kind has its own cap; another year starts again.
    services.award("wish_claim", 1, member, 1, date(2026, 5, 1))
    services.award("dual_service", 9, member, 1, date(2027, 1, 5))
    assert services.member_points(member, 2026) == Decimal("14")
    assert services.member_points(member, 2027) == Decimal("5")


def test_reversal_is_a_new_row_and_a_source_can_count_again(member):
    services.award("dual_service", 3, member, 1, date(2026, 6, 1))
    reversal = services.reverse("dual_service", 3)
    assert reversal.points == Decimal("-2") and reversal.reverses is not None
    assert services.reverse("dual_service", 3) is None  # nothing live to reverse: no reversal of a reversal
    assert services.member_points(member, 2026) == Decimal("0")
    again = services.award("dual_service", 3, member, 1, date(2026, 6, 2))
    assert again.generation == 1
    assert Award.objects.count() == 3
    assert services.member_points(member, 2026) == Decimal("2")


def test_unknown_kind_and_bad_quantity_are_refused(member):
    with pytest.raises(services.PointsError):
        services.award("nope", 1, member)
    with pytest.raises(services.PointsError):
        services.award("dual_service", 1, member, 0)
    assert not Award.objects.exists()


def _confirmed_service(world, served_on):  # noqa: F811
    registration = dual.register_member(None, world.member, world.tree.beianmen, on=served_on - timedelta(days=5))
    dual.confirm_registration(None, registration)
    return dual.record_service(None, registration, served_on=served_on, hours="2", content="楼道清理", confirm=True)


def test_confirmed_dual_service_awards_and_a_correction_reverses_and_awards_again(world):  # noqa: F811
    today = timezone.localdate()
    service = _confirmed_service(world, today - timedelta(days=2))
    assert services.member_points(world.member, today.year) == Decimal("2")
    dual.correct_service(None, service, reason="时长登记错误", hours="3")
    rows = list(Award.objects.filter(source_ref=str(service.pk)).order_by("id"))
    assert [r.points for r in rows] == [Decimal("2"), Decimal("-2"), Decimal("2")]
    assert services.member_points(world.member, today.year) == Decimal("2")


def test_pending_service_awards_nothing(world):  # noqa: F811
    registration = dual.register_member(None, world.member, world.tree.beianmen)
    dual.confirm_registration(None, registration)
    dual.record_service(None, registration, served_on=timezone.localdate(), hours="1", content="值守")
    assert not Award.objects.exists()


def test_mine_page_and_member_section(world, client):  # noqa: F811
    services.award("dual_service", 1, world.member, 1, timezone.localdate(), note="社区值守")
    client.force_login(world.member_user)
    page = client.get(reverse("points:mine"))
    assert page.status_code == 200
    assert "社区值守" in page.content.decode() and "2.0 分" in page.content.decode()
    client.force_login(world.secretary)
    detail = client.get(reverse("members:member_detail", args=[world.member.pk]))
    assert detail.status_code == 200 and 'id="points"' in detail.content.decode()


def test_award_list_scoped(world, client):  # noqa: F811
    services.award("dual_service", 1, world.member, 1, timezone.localdate())
    client.force_login(world.secretary)
    assert world.member.name in client.get(reverse("points:award_list")).content.decode()
    client.force_login(world.other_secretary)
    assert world.member.name not in client.get(reverse("points:award_list")).content.decode()


def test_rules_page_city_only_all_errors_at_once_nothing_written(world, client):  # noqa: F811
    client.force_login(world.users.community)
    assert client.get(reverse("points:rules")).status_code == 403
    client.force_login(world.users.city)
    assert client.get(reverse("points:rules")).status_code == 200
    data = {}
    for item in services.scheme():
        data[f"{item.kind}-points_per_unit"] = str(item.points_per_unit)
        data[f"{item.kind}-yearly_cap"] = str(item.yearly_cap)
    bad = {**data, "dual_service-points_per_unit": "abc", "wish_claim-yearly_cap": "-1"}
    page = client.post(reverse("points:rules"), bad)
    text = page.content.decode()
    assert page.status_code == 200 and "每单位分值应是数字" in text and "年度上限应是不小于0的整数" in text
    assert not PointRule.objects.exists()
    good = {**data, "dual_service-points_per_unit": "3", "dual_service-yearly_cap": "30"}
    assert client.post(reverse("points:rules"), good).status_code == 302
    assert services.rule_for("dual_service").points_per_unit == Decimal("3")
    assert PointRule.objects.count() == 1


def test_api_lists_awards_in_scope(world, api_client):  # noqa: F811
    services.award("dual_service", 1, world.member, 1, timezone.localdate())
    api_client.force_authenticate(world.secretary)
    body = api_client.get("/api/v1/point-awards/").json()
    assert [r["member_name"] for r in body["results"]] == [world.member.name]
    api_client.force_authenticate(world.other_secretary)
    assert api_client.get("/api/v1/point-awards/").json()["results"] == []

"""The demo loader and the counters: bulk-loaded lists keep the invariants the verbs keep, and
rebuilding the monthly counters from the rows gives what the verbs counted one by one."""

import pytest
from django.db.models import Sum

from jiceng.cobuild import services
from jiceng.cobuild.models import HOLDING_STATUSES, AreaMonth, Claim, Item
from jiceng.demo.cobuild import load_cobuild

from .conftest import make_unit, publish

pytestmark = pytest.mark.django_db


def _rows():
    return sorted(
        AreaMonth.objects.values_list("path", "month", "needs", "resources", "projects", "claims", "completed")
    )


def test_rebuild_gives_what_the_verbs_counted(world):
    item = publish(world.users.community, world.tree.beianmen, quantity=3)
    claim = services.claim_item(world.contact, item, unit=world.unit)
    services.confirm_claim(world.users.community, claim)
    services.complete_claim(world.users.community, claim, result="完成")
    kept = _rows()
    services.rebuild_months()
    assert _rows() == kept


def test_demo_loads_a_year_within_the_quantities(world):
    for n in range(3):
        make_unit(world.tree.meiyuan_cm, f"演示单位{n}")
    counts = load_cobuild(seed=7, per_community=10)
    assert counts["created"] and counts["items"] == 10 * 3
    assert load_cobuild(seed=7)["created"] is False
    for item in Item.objects.all():
        held = Claim.objects.filter(item=item, status__in=HOLDING_STATUSES).aggregate(n=Sum("quantity"))["n"] or 0
        assert item.taken == held <= item.quantity
    assert (
        AreaMonth.objects.filter(path="3201").aggregate(n=Sum("needs"))["n"] == Item.objects.filter(kind="need").count()
    )


def test_demo_hands_unit_claims_to_the_community_teams(world):
    from jiceng.cobuild.models import ClaimerKind
    from jiceng.demo.cobuild import load_team_claims
    from jiceng.volunteers import services as vol_services

    for n in range(3):
        make_unit(world.tree.meiyuan_cm, f"演示单位{n}")
    load_cobuild(seed=7, per_community=10)
    assert load_team_claims(seed=7)["created"] is False  # no teams yet
    street = world.users.street  # the street office founds the community's team
    team = vol_services.create_team(street, world.tree.meiyuan_cm, "梅园新村社区志愿服务队")
    holding_before = {i.pk: i.taken for i in Item.objects.all()}
    counters = _rows()
    units_before = Claim.objects.filter(claimer_kind=ClaimerKind.UNIT).count()
    counts = load_team_claims(seed=7)
    assert counts["created"] and counts["team_claims"] > 0
    team_claims = Claim.objects.filter(claimer_kind=ClaimerKind.TEAM)
    assert team_claims.count() == counts["team_claims"]
    assert set(team_claims.values_list("team_id", "claimer_area_path", "area_path")) == {
        (team.pk, team.area_path, team.area_path)
    }
    assert Claim.objects.filter(claimer_kind=ClaimerKind.UNIT).count() == units_before - counts["team_claims"]
    # At most one team claim per item (the once-per-claimer rule), quantities and counters untouched.
    assert team_claims.values("item_id").distinct().count() == team_claims.count()
    assert {i.pk: i.taken for i in Item.objects.all()} == holding_before
    assert _rows() == counters
    assert Item.objects.filter(offered_by_team=team).count() == counts["team_resources"]
    assert load_team_claims(seed=7)["created"] is False

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

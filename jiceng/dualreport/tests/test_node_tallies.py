"""双报到 metrics: the rolled-up counters the services keep equal the rebuild from the services,
and the figures equal an independent count of confirmed services for a sample of nodes."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from jiceng.core.metrics import Period, figures
from jiceng.core.registry import metrics
from jiceng.dualreport import metrics as dual_metrics
from jiceng.dualreport import services
from jiceng.dualreport.models import Service, ServiceStatus
from jiceng.tallies.models import NodeTally

from .conftest import employed_member
from .test_services import confirmed, today

pytestmark = pytest.mark.django_db


def rows():
    return sorted(
        NodeTally.objects.filter(key__startswith="dualreport/", value__gt=0).values_list(
            "tree", "code", "key", "month", "value"
        )
    )


def test_incremental_counters_equal_the_rebuild_and_an_independent_count(world):
    neighbour = employed_member(world.orgs.grid1, "赵邻居", residence=world.tree.grid1)
    first, second = confirmed(world), confirmed(world, neighbour)
    a = services.record_service(world.member_user, first, served_on=today(), hours="1", content="a")
    services.confirm_service(world.users.community, a)
    services.record_service(world.users.community, first, served_on=today(), hours="2", content="b", confirm=True)
    c = services.record_service(world.users.community, second, served_on=today(), hours="4", content="c", confirm=True)
    d = services.record_service(world.users.community, second, served_on=today(), hours="1", content="d")
    services.reject_service(world.users.community, d, "无人证明")
    services.correct_service(world.users.community, c, reason="改时长", hours="3.5")
    incremental = rows()
    assert incremental
    dual_metrics.rebuild()
    assert rows() == incremental

    period = Period.month_of(today())
    for tree, paths, field in (
        ("area", [world.tree.city.code, world.tree.beianmen.code, world.tree.gongyuan.code], "area_path"),
        ("org", [world.orgs.grid1.code, world.orgs.gongyuan_branch.code], "org_path"),
    ):
        chosen = [m for m in metrics().values() if m.source == f"dualreport.{tree}_months"]
        values = figures(chosen, paths, period)
        for code in paths:
            confirmed_here = Service.objects.filter(
                status=ServiceStatus.CONFIRMED,
                served_on__gte=date(today().year, today().month, 1),
                **{f"{field}__startswith": code},
            )
            assert values[code][f"dualreport.{tree}.services"] == confirmed_here.count()
            hours = confirmed_here.aggregate(h=Sum("hours"))["h"] or Decimal(0)
            assert values[code][f"dualreport.{tree}.hours"] == float(hours)

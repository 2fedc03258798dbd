"""The demo's 党员积分, 微心愿, 共建协议 and 协商议事: loaded once, totals equal to the ledger."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from jiceng.consult.models import Consultation
from jiceng.demo.dualreport import load_dualreport
from jiceng.demo.issue11 import load_issue11
from jiceng.dualreport.models import Service, ServiceStatus
from jiceng.dualreport.tests.conftest import employed_member, world  # noqa: F401
from jiceng.orgs.models import UnitKind
from jiceng.orgs.services.units import create_resident_unit
from jiceng.partners.models import Agreement, Review
from jiceng.points.models import Award, YearTotal
from jiceng.wishes.models import Wish

pytestmark = pytest.mark.django_db
TODAY = date(2025, 9, 30)


def test_demo_loads_a_year_consistently(world):  # noqa: F811
    for n in range(8):
        employed_member(world.orgs.grid1, f"演示党员{n}", residence=world.tree.building)
    create_resident_unit(None, name="演示供电所", kind=UnitKind.STATE_ENTERPRISE, area=world.tree.beianmen)
    load_dualreport(seed=3, today=TODAY)
    report = load_issue11(seed=3, today=TODAY)
    assert report["created"] and report["wishes"] > 0 and report["consultations"] > 0
    assert Agreement.objects.count() == report["agreements"] >= 1 and Review.objects.exists()
    assert Wish.objects.filter(beneficiary_path__startswith="320102002011").exists()
    assert all(w.beneficiary_path.startswith(w.area_path) for w in Wish.objects.all())
    confirmed = Service.objects.filter(status=ServiceStatus.CONFIRMED).count()
    assert Award.objects.filter(source_kind="dual_service").count() == confirmed
    for total in YearTotal.objects.all():
        awards = Award.objects.filter(member_id=total.member_id, year=total.year)
        if total.source_kind:
            awards = awards.filter(source_kind=total.source_kind)
        assert awards.aggregate(s=Sum("points"))["s"] == total.points
    assert all(c.held_on <= TODAY for c in Consultation.objects.all())
    assert load_issue11(seed=3, today=TODAY)["created"] is False
    assert Decimal("0") <= min(a.points for a in Award.objects.all())

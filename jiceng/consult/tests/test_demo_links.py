"""The demo's links from 协商议事 to 共建清单 items and from agreements to 资源清单 items obey the
verbs' rules (the meeting's community, a need or project published on or after the meeting; a
resource of the unit's community)."""

import pytest
from django.utils import timezone

from jiceng.cobuild.models import Item, Kind
from jiceng.cobuild.tests.conftest import publish
from jiceng.consult.models import Consultation
from jiceng.demo.issue11 import load_issue11
from jiceng.dualreport.tests.conftest import world  # noqa: F401
from jiceng.orgs.models import UnitKind
from jiceng.orgs.services.units import create_resident_unit
from jiceng.partners.models import Agreement

pytestmark = pytest.mark.django_db


def test_demo_links_follow_the_rules(world):  # noqa: F811
    create_resident_unit(None, name="演示供电所", kind=UnitKind.STATE_ENTERPRISE, area=world.tree.beianmen)
    for n in range(12):
        publish(world.users.community, world.tree.beianmen, kind=Kind.NEED, title=f"需求{n}")
        publish(world.users.community, world.tree.beianmen, kind=Kind.RESOURCE, title=f"资源{n}")
    report = load_issue11(seed=5, today=timezone.localdate())
    consult_links = Consultation.items.through.objects.select_related("consultation", "item")
    agreement_links = Agreement.resource_items.through.objects.select_related("agreement__unit", "item")
    assert report["cobuild_links"] == consult_links.count() + agreement_links.count() > 0
    for link in consult_links:
        assert link.item.kind in (Kind.NEED, Kind.PROJECT)
        assert link.item.area_path == link.consultation.area_path
        assert timezone.localdate(link.item.published_at) >= link.consultation.held_on
    for link in agreement_links:
        assert link.item.kind == Kind.RESOURCE
        assert link.agreement.unit.area_path.startswith(link.item.area_path)
    assert Item.objects.count() == 24

"""党员积分 from 志愿服务: approved hours of a volunteer who is a party member award
``volunteer_hours`` points per hour, once per record; a resident volunteer's hours award nothing."""

from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.dualreport.tests.conftest import employed_member
from jiceng.orgs.tests.conftest import build_orgs
from jiceng.points.models import Award
from jiceng.points.services import rule_for
from jiceng.volunteers import services
from jiceng.volunteers.tests.conftest import vol  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_a_party_members_approved_hours_award_points_once(vol, tree, make_user):  # noqa: F811
    orgs = build_orgs(tree)
    member = employed_member(orgs.grid1, "党员志愿者", residence=tree.building)
    person = services.register_volunteer(vol.community, tree.beianmen, "党员志愿者", member=member)
    record = services.report_hours(vol.community, person, "3", timezone.localdate(), "助老陪伴")
    assert not Award.objects.filter(source_kind="volunteer_hours").exists()  # reported, not yet approved
    services.approve_hours(vol.community, record)
    award = Award.objects.get(source_kind="volunteer_hours")
    assert (award.member_id, award.source_ref) == (member.pk, str(record.pk))
    assert award.points == Decimal("3") * rule_for("volunteer_hours").points_per_unit  # under the yearly cap


def test_a_resident_volunteers_hours_award_nothing(vol):  # noqa: F811
    record = services.report_hours(vol.my_user, vol.me, "2", timezone.localdate(), "楼道清扫")
    services.approve_hours(vol.community, record)
    assert not Award.objects.filter(source_kind="volunteer_hours").exists()

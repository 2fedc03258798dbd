"""党员积分 from 共建清单: a party member's completed claim awards ``cobuild_claim`` points once;
a resident unit's claim awards nothing."""

import pytest

from jiceng.cobuild import services as cobuild
from jiceng.cobuild.tests.conftest import publish, world  # noqa: F401 (fixture)
from jiceng.points.models import Award, YearTotal
from jiceng.points.services import rule_for

pytestmark = pytest.mark.django_db


def _complete(w, claim, actor):
    cobuild.confirm_claim(w.users.community, claim)
    cobuild.start_claim(actor, claim)
    return cobuild.complete_claim(actor, claim, result="送餐两周", served=12)


def test_a_members_completed_claim_awards_points_once(world):  # noqa: F811
    item = publish(world.users.community, world.tree.beianmen, quantity=5)
    claim = cobuild.claim_item(world.member_user, item, quantity=2, member=world.member)
    assert not Award.objects.filter(source_kind="cobuild_claim").exists()  # a claim alone earns nothing
    claim = _complete(world, claim, world.member_user)
    awards = list(Award.objects.filter(source_kind="cobuild_claim"))
    assert [(a.member_id, a.source_ref, a.points) for a in awards] == [
        (world.member.pk, str(claim.pk), rule_for("cobuild_claim").points_per_unit)
    ]
    year = claim.completed_at.year
    total = YearTotal.objects.get(member=world.member, year=year, source_kind="cobuild_claim")
    assert total.points == awards[0].points


def test_a_units_completed_claim_awards_nothing(world):  # noqa: F811
    item = publish(world.users.community, world.tree.beianmen, quantity=5)
    claim = cobuild.claim_item(world.contact, item, quantity=1, unit=world.unit)
    _complete(world, claim, world.contact)
    assert not Award.objects.filter(source_kind="cobuild_claim").exists()

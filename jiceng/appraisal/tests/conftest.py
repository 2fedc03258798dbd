"""Fixtures for 民主评议: organisational life's branch with members (甲 has a login) and staff,
plus logins for two more full members and the probationary member, and an open round."""

import pytest
from django.utils import timezone

from jiceng.appraisal import services
from jiceng.members.models import Member
from jiceng.orglife.tests.conftest import orgs, people, plan_meeting  # noqa: F401  (fixtures)


@pytest.fixture
def voters(people, make_user, tree):  # noqa: F811
    """Logins for 乙, 丙 and the probationary member (甲's login is ``people.member_user``)."""
    users = {}
    for key, member in (("yi", people.full[1]), ("bing", people.full[2]), ("prob", people.probationary)):
        user = make_user(f"dangyuan_{key}", role="member", area=tree.beianmen)
        Member.objects.filter(pk=member.pk).update(user=user)
        users[key] = user
    users["jia"] = people.member_user
    return users


@pytest.fixture
def round_(orgs, people, voters):  # noqa: F811
    return services.open_round(people.secretary, orgs.grid1, timezone.localdate().year)


def all_marks(round_, grade="qualified", **override):
    marks = {str(p.pk): grade for p in round_.participants.all()}
    marks.update(override)
    return marks

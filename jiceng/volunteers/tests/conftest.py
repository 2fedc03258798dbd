"""Fixtures for 志愿服务 and 时间银行: volunteers with logins in 北安门 and 贡院, a team, an activity."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from jiceng.volunteers import services


@pytest.fixture
def vol(tree, make_user):
    p = SimpleNamespace()
    p.community = make_user("beianmen", role="community", area=tree.beianmen)
    p.other_community = make_user("gongyuan", role="community", area=tree.gongyuan)
    p.street = make_user("meiyuan_street", role="street", area=tree.meiyuan)
    p.nobody = make_user("nobody")
    p.users = [make_user(f"vol{i}", role="resident", area=tree.beianmen) for i in range(4)]
    p.people = [
        services.register_volunteer(
            p.community, tree.beianmen, f"志愿者{i}", user=p.users[i], birth_date=date(1990, 1, 1 + i)
        )
        for i in range(4)
    ]
    p.me, p.my_user = p.people[0], p.users[0]
    p.elder_user = make_user("elder", role="resident", area=tree.beianmen)
    p.elder = services.register_volunteer(
        p.community, tree.beianmen, "老人甲", user=p.elder_user, birth_date=date(1950, 3, 1)
    )
    p.far_user = make_user("far", role="resident", area=tree.gongyuan)
    p.far = services.register_volunteer(p.other_community, tree.gongyuan, "贡院志愿者", user=p.far_user)
    p.team = services.create_team(p.community, tree.beianmen, "北安门红心志愿服务队", service_scope="助老")
    for person in p.people:
        services.add_team_member(p.community, p.team, person)
    return p


@pytest.fixture
def make_activity(vol):
    def make(places=2, *, start_in=timedelta(minutes=10), length=timedelta(hours=2), team=None):
        start = timezone.now() + start_in
        return services.create_activity(
            vol.community,
            team or vol.team,
            title="助老陪伴",
            place="北安门社区服务中心",
            starts_at=start,
            ends_at=start + length,
            places=places,
        )

    return make

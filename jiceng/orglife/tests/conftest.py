"""Fixtures for organisational life: the org tree of orgs/tests, a branch with members at each
stage (one with their own login), and helpers to plan and run a meeting."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from jiceng.accounts.services import assign_role
from jiceng.members import services as member_services
from jiceng.members.models import Member, Status
from jiceng.members.tests.conftest import FULL_DATES, STAGE_FIELDS, make_id
from jiceng.orglife import services
from jiceng.orglife.models import MeetingType
from jiceng.orgs.tests.conftest import build_orgs


@pytest.fixture
def orgs(tree):
    return build_orgs(tree)


def add_member(org, name: str, status=Status.FULL, seq: int | None = None) -> Member:
    dates = {field: FULL_DATES[field] for field in STAGE_FIELDS[status]}
    return member_services.create_member(
        None, org=org, name=name, id_number=make_id(date(1980, 1, 9), seq=seq), status=status, **dates
    )


@pytest.fixture
def people(tree, orgs, make_user):
    """Branch 第一网格党支部: 5 full members (甲 has a login), 1 probationary, 1 activist; the
    second branch has one full member; staff users at each level."""
    p = SimpleNamespace()
    p.full = [add_member(orgs.grid1, f"{n}党员") for n in "甲乙丙丁戊"]
    p.probationary = add_member(orgs.grid1, "预备党员己", Status.PROBATIONARY)
    p.activist = add_member(orgs.grid1, "积极分子庚", Status.ACTIVIST)
    p.stranger = add_member(orgs.grid2, "二支部党员辛")
    p.outsider = add_member(orgs.gongyuan_branch, "贡院党员壬")
    p.me = p.full[0]
    p.member_user = make_user("dangyuan_jia", role="member", area=tree.beianmen)
    Member.objects.filter(pk=p.me.pk).update(user=p.member_user)
    p.me.refresh_from_db()
    p.stranger_user = make_user("dangyuan_xin", role="member", area=tree.beianmen)
    Member.objects.filter(pk=p.stranger.pk).update(user=p.stranger_user)
    p.community = make_user("beianmen", role="community", area=tree.beianmen)
    p.street = make_user("meiyuan_street", role="street", area=tree.meiyuan)
    p.other_community = make_user("gongyuan", role="community", area=tree.gongyuan)
    p.secretary = make_user("grid1_secretary")
    assign_role(None, p.secretary, "branch_secretary", org=orgs.grid1)
    p.resident = make_user("resident", role="resident", area=tree.beianmen)
    return p


def soon(minutes: int = 60):
    return timezone.now() + timedelta(minutes=minutes)


@pytest.fixture
def plan_meeting(orgs, people):
    def make(types=(MeetingType.CONGRESS,), start=None, topic="学习党的二十届三中全会精神", **extra):
        return services.create_meeting(
            people.community,
            org=orgs.grid1,
            types=list(types),
            topic=topic,
            planned_start=start or soon(),
            place="北安门社区党群服务中心",
            host=extra.pop("host", people.full[1]),
            recorder=extra.pop("recorder", people.full[2]),
            **extra,
        )

    return make


@pytest.fixture
def open_meeting(plan_meeting, people):
    def make(**kwargs):
        kwargs.setdefault("start", timezone.now() - timedelta(minutes=1))
        meeting = plan_meeting(**kwargs)
        return services.open_signin(people.community, meeting)

    return make

"""A small 双报到 world on the shared tree: an employed member of 贡院社区第一党支部 (秦淮区) who
lives in 北安门社区 (玄武区) with their own login, the two communities' staff and the branch's
secretary."""

from datetime import date
from types import SimpleNamespace

import pytest

from jiceng.accounts.services import assign_role
from jiceng.areas.models import Level
from jiceng.areas.services import create_area
from jiceng.members import services as member_services
from jiceng.members.models import Member, Status
from jiceng.members.tests.conftest import FULL_DATES, make_id
from jiceng.orgs.models import OrgCategory, OrgType
from jiceng.orgs.services import create_org
from jiceng.orgs.tests.conftest import build_orgs

_seq = iter(range(300, 999))


def employed_member(
    org, name: str, *, residence, user=None, employed: bool = True, phone: str = "13812345678"
) -> Member:
    member = member_services.create_member(
        None,
        org=org,
        name=name,
        id_number=make_id(date(1985, 5, 5), seq=next(_seq)),
        status=Status.FULL,
        is_employed=employed,
        residence=residence,
        workplace="南京某单位",
        phone=phone,
        **FULL_DATES,
    )
    if user is not None:
        Member.objects.filter(pk=member.pk).update(user=user)
        member.refresh_from_db()
    return member


@pytest.fixture
def world(tree, users, make_user):
    orgs = build_orgs(tree)
    w = SimpleNamespace(tree=tree, orgs=orgs, users=users)
    w.member_user = make_user("dangyuan", role="member", area=tree.beianmen)
    w.member = employed_member(orgs.gongyuan_branch, "张在职", residence=tree.building, user=w.member_user)
    w.secretary = make_user("gongyuan_shuji")
    assign_role(None, w.secretary, "branch_secretary", org=orgs.gongyuan_branch)
    w.other_secretary = make_user("grid1_shuji")
    assign_role(None, w.other_secretary, "branch_secretary", org=orgs.grid1)
    return w


@pytest.fixture
def other_city(tree):
    """苏州市 3205 with one community: outside 南京."""
    s = SimpleNamespace()
    s.city = create_area(None, parent=None, level=Level.CITY, code="3205", name="苏州市", kind="city")
    s.district = create_area(None, parent=s.city, level=Level.DISTRICT, code="320508", name="姑苏区")
    s.street = create_area(None, parent=s.district, level=Level.STREET, code="320508001", name="平江街道")
    s.community = create_area(None, parent=s.street, level=Level.COMMUNITY, code="320508001001", name="平江社区")
    return s


@pytest.fixture
def far_branch(world, other_city):
    """A branch in 苏州 whose employed member lives in 北安门社区 (feedback goes by letter)."""
    root = create_org(
        None,
        parent=None,
        name="中共苏州市姑苏区委员会",
        org_type=OrgType.COMMITTEE,
        category=OrgCategory.DISTRICT,
        area=other_city.district,
    )
    return create_org(
        None,
        parent=root,
        name="苏州某公司党支部",
        org_type=OrgType.BRANCH,
        category=OrgCategory.PRIVATE_ENTERPRISE,
        area=other_city.street,
    )

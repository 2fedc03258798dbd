"""Org fixtures: a party-org tree on the shared area tree (built through the services), and a
quick way to put members on an org for counts and checks."""

import itertools
from datetime import date
from types import SimpleNamespace

import pytest

from jiceng.accounts.services import assign_role
from jiceng.members.models import Gender, Member, Status
from jiceng.orgs.models import OrgCategory, OrgType
from jiceng.orgs.services import create_org, refresh_member_counts

_id_seq = itertools.count(1)


def build_orgs(tree):
    """::

    001 中共南京市委员会                       (committee, city)
      001001 中共玄武区委员会                  (committee, district 玄武区)
        001001001 梅园新村街道党工委           (working_committee, street)
          001001001001 北安门社区党委          (committee, community 北安门社区)
            001001001001001 第一网格党支部     (branch, grid 第一网格)
              001001001001001001 1栋党小组     (group, building 1栋)
            001001001001002 第二网格党支部     (branch, grid 第二网格)
          001001001002 梅园新村社区党委        (committee, community 梅园新村社区)
      001002 中共秦淮区委员会                  (committee, district 秦淮区)
        001002001 夫子庙街道党工委             (working_committee, street)
          001002001001 贡院社区党委            (committee, community 贡院社区)
            001002001001001 贡院社区第一党支部 (branch, community 贡院社区)
    """
    o = SimpleNamespace()

    def make(parent, name, org_type, category, area, **extra):
        return create_org(None, parent=parent, name=name, org_type=org_type, category=category, area=area, **extra)

    o.city = make(None, "中共南京市委员会", OrgType.COMMITTEE, OrgCategory.CITY, tree.city)
    o.xuanwu = make(o.city, "中共玄武区委员会", OrgType.COMMITTEE, OrgCategory.DISTRICT, tree.xuanwu)
    o.meiyuan = make(o.xuanwu, "梅园新村街道党工委", OrgType.WORKING_COMMITTEE, OrgCategory.STREET, tree.meiyuan)
    o.beianmen = make(o.meiyuan, "北安门社区党委", OrgType.COMMITTEE, OrgCategory.COMMUNITY, tree.beianmen)
    o.grid1 = make(o.beianmen, "第一网格党支部", OrgType.BRANCH, OrgCategory.GRID, tree.grid1)
    o.group = make(o.grid1, "1栋党小组", OrgType.GROUP, OrgCategory.BUILDING, tree.building)
    o.grid2 = make(o.beianmen, "第二网格党支部", OrgType.BRANCH, OrgCategory.GRID, tree.grid2)
    o.meiyuan_cm = make(o.meiyuan, "梅园新村社区党委", OrgType.COMMITTEE, OrgCategory.COMMUNITY, tree.meiyuan_cm)
    o.qinhuai = make(o.city, "中共秦淮区委员会", OrgType.COMMITTEE, OrgCategory.DISTRICT, tree.qinhuai)
    o.fuzimiao = make(o.qinhuai, "夫子庙街道党工委", OrgType.WORKING_COMMITTEE, OrgCategory.STREET, tree.fuzimiao)
    o.gongyuan = make(o.fuzimiao, "贡院社区党委", OrgType.COMMITTEE, OrgCategory.COMMUNITY, tree.gongyuan)
    o.gongyuan_branch = make(o.gongyuan, "贡院社区第一党支部", OrgType.BRANCH, OrgCategory.COMMUNITY, tree.gongyuan)
    return refresh(o)


def refresh(o):
    for org in vars(o).values():
        org.refresh_from_db()
    return o


@pytest.fixture
def orgtree(tree):
    return build_orgs(tree)


def make_members(org, n: int, status=Status.FULL, *, unit=None, refresh_counts=True, **extra) -> list[Member]:
    """``n`` members on ``org`` written directly (the members app's services are tested there)."""
    rows = []
    for _ in range(n):
        seq = next(_id_seq)
        rows.append(
            Member(
                name=f"党员{seq}",
                gender=Gender.MALE if seq % 2 else Gender.FEMALE,
                birth_date=date(1980, 1, 1),
                id_number=f"9{seq:017d}",
                id_last4=f"{seq:04d}"[-4:],
                status=status,
                org=org,
                org_path=org.code,
                area_path=org.area_path,
                workplace_unit=unit,
                **extra,
            )
        )
    created = Member.objects.bulk_create(rows)
    if refresh_counts:
        refresh_member_counts([org])
        org.refresh_from_db()
    return created


@pytest.fixture
def org_users(orgtree, users, make_user):
    """The shared ``users`` plus a 党支部书记 granted on 第一网格党支部 (an org grant)."""
    secretary = make_user("grid1_secretary")
    assign_role(None, secretary, "branch_secretary", org=orgtree.grid1)
    users.secretary = secretary
    return users

"""A small 共建清单 world on the shared tree: 北安门社区's staff publish; a member living there
(with a login), a resident unit with its contact, a resident, and 贡院社区 (another district)."""

from types import SimpleNamespace

import pytest

from jiceng.appeals.tests.conftest import catalogue, departments, people, submit  # noqa: F401
from jiceng.cobuild import services
from jiceng.cobuild.models import Category, Kind
from jiceng.dualreport.tests.conftest import employed_member
from jiceng.orgs.models import ResidentUnit, UnitKind
from jiceng.orgs.tests.conftest import build_orgs


def make_unit(area, name: str) -> ResidentUnit:
    return ResidentUnit.objects.create(name=name, kind=UnitKind.STATE_ENTERPRISE, area=area, area_path=area.code)


def leaf() -> Category:
    """A second-level category (seeded by migration; made again after a transactional test flushed it)."""
    found = Category.objects.filter(parent__isnull=False).order_by("id").first()
    if found is None:
        parent, _ = Category.objects.get_or_create(parent=None, name="为老服务")
        found, _ = Category.objects.get_or_create(parent=parent, name="助餐送餐")
    return found


def publish(actor, area, *, kind=Kind.NEED, quantity=10, **extra):
    extra.setdefault("title", "助老送餐")
    extra.setdefault("unit_label", "份")
    return services.publish_item(actor, kind=kind, category=leaf(), area=area, quantity=quantity, **extra)


@pytest.fixture
def world(tree, users, make_user):
    orgs = build_orgs(tree)
    w = SimpleNamespace(tree=tree, orgs=orgs, users=users)
    w.member_user = make_user("dangyuan", role="member", area=tree.beianmen)
    w.member = employed_member(orgs.gongyuan_branch, "张在职", residence=tree.building, user=w.member_user)
    w.unit = make_unit(tree.beianmen, "南京某供电公司")
    w.far_unit = make_unit(tree.gongyuan, "秦淮某医院")
    w.contact = make_user("unit_contact", role="unit_contact", area=tree.beianmen)
    w.resident = make_user("jumin", role="resident", area=tree.beianmen)
    w.far_resident = make_user("gongyuan_jumin", role="resident", area=tree.gongyuan)
    return w

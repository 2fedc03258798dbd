import io
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiceng.dualreport.tests.conftest import employed_member
from jiceng.orgs.models import UnitKind
from jiceng.orgs.services.units import create_resident_unit
from jiceng.orgs.tests.conftest import build_orgs
from jiceng.wishes import services

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def photo(name="送达.png", data=PNG):
    return SimpleUploadedFile(name, data, content_type="image/png")


def publish(w, **extra):
    values = dict(
        title="一台助听器", content="老人听力下降", name="王秀英", phone="13955556666", address="北安门街12号3-201"
    )
    values.update(extra)
    return services.publish(w.users.grid, w.tree.beianmen, w.tree.grid1, **values)


@pytest.fixture
def wworld(tree, users, make_user):
    orgs = build_orgs(tree)
    w = SimpleNamespace(tree=tree, orgs=orgs, users=users)
    w.member_user = make_user("wish_member", role="member", area=tree.beianmen)
    w.member = employed_member(orgs.grid1, "李认领", residence=tree.building, user=w.member_user)
    w.other_user = make_user("wish_member2", role="member", area=tree.beianmen)
    w.other_member = employed_member(orgs.grid1, "赵晚到", residence=tree.building, user=w.other_user)
    w.unit_user = make_user("wish_unit", role="unit_contact", area=tree.beianmen)
    w.unit = create_resident_unit(None, name="北安门供电所", kind=UnitKind.STATE_ENTERPRISE, area=tree.grid1)
    w.resident = make_user("wish_resident", role="resident", area=tree.beianmen)
    return w


_ = io

"""A resident unit's contact phone goes through the one phone check (jiceng.core.phones), issue 13."""

import pytest

from jiceng.orgs import services
from jiceng.orgs.models import UnitKind
from jiceng.orgs.services import OrgError

pytestmark = pytest.mark.django_db


def test_a_units_contact_phone_is_checked_and_normalised(orgtree, tree):
    for bad in ("025-1234", "+1 555 0100", "12345678"):
        with pytest.raises(OrgError, match=r"联系电话“.*”格式不正确"):
            services.create_resident_unit(
                None, name="某银行", kind=UnitKind.STATE_ENTERPRISE, area=tree.grid1, contact_phone=bad
            )
    unit = services.create_resident_unit(
        None, name="某银行", kind=UnitKind.STATE_ENTERPRISE, area=tree.grid1, contact_phone="02584561234"
    )
    assert unit.contact_phone == "025-84561234"
    with pytest.raises(OrgError, match="格式不正确"):
        services.update_resident_unit(None, unit, contact_phone="025-84561")

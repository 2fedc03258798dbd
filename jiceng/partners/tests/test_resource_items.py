"""共驻共建 → 资源清单: an agreement's committed resources linked to resource items of the unit's
community (or the agreement's street), shown on both sides; anything else refused, nothing written."""

import pytest
from django.urls import reverse

from jiceng.accounts.models import AuditLog
from jiceng.cobuild.models import Kind
from jiceng.cobuild.tests.conftest import publish
from jiceng.partners import services
from jiceng.partners.tests.test_partners import pw, sign  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(pw):  # noqa: F811
    ns = type("I", (), {})
    ns.room = publish(pw.users.community, pw.tree.beianmen, kind=Kind.RESOURCE, title="供电所会议室", quantity=4)
    ns.need = publish(pw.users.community, pw.tree.beianmen, kind=Kind.NEED, title="助老送餐")
    ns.far = publish(pw.users.other_community, pw.tree.gongyuan, kind=Kind.RESOURCE, title="贡院场地")
    ns.street = publish(pw.users.street, pw.tree.meiyuan, kind=Kind.RESOURCE, title="街道活动中心", visibility="street")
    return ns


def test_link_resources_of_the_units_community(pw, items):  # noqa: F811
    agreement = sign(pw)
    services.link_resources(pw.users.community, agreement, [items.room])
    assert list(agreement.resource_items.all()) == [items.room]
    assert list(items.room.agreements.all()) == [agreement]
    assert AuditLog.objects.filter(action="partners_link_resources", object_id=str(agreement.pk)).exists()
    services.link_resources(pw.users.community, agreement, [])
    assert not agreement.resource_items.exists()


def test_wrong_kind_or_place_refused_and_nothing_written(pw, items):  # noqa: F811
    agreement = sign(pw)
    services.link_resources(pw.users.community, agreement, [items.room])
    for bad in ([items.room, items.need], [items.far], [items.street]):  # a community agreement: not the street's
        with pytest.raises(services.PartnersError) as exc:
            services.link_resources(pw.users.community, agreement, bad)
        assert "resource_items" in exc.value.message_dict
    assert list(agreement.resource_items.all()) == [items.room]


def test_scope_refused(pw, items):  # noqa: F811
    agreement = sign(pw)
    with pytest.raises(services.PartnersError):
        services.link_resources(pw.users.other_community, agreement, [items.room])
    assert not agreement.resource_items.exists()


def test_pages_both_sides(pw, items, client):  # noqa: F811
    agreement = sign(pw)
    client.force_login(pw.users.community)
    page = client.get(reverse("partners:agreement_detail", args=[agreement.pk])).content.decode()
    assert "供电所会议室" in page and "贡院场地" not in page and "助老送餐" not in page
    url = reverse("partners:agreement_resources", args=[agreement.pk])
    assert client.post(url, {"items": [str(items.room.pk)]}).status_code == 302
    assert list(agreement.resource_items.all()) == [items.room]
    client.post(url, {"items": [str(items.far.pk)]})  # not in the user's view: refused
    assert list(agreement.resource_items.all()) == [items.room]
    item_page = client.get(reverse("cobuild:item_detail", args=[items.room.pk])).content.decode()
    assert "共建协议" in item_page and reverse("partners:agreement_detail", args=[agreement.pk]) in item_page
    client.force_login(pw.users.other_community)
    assert client.post(url, {"items": []}).status_code == 404
    assert agreement.resource_items.exists()

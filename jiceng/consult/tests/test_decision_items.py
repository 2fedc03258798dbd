"""协商议事 → 共建清单: a decision becomes a need or a project of the meeting's community, linked both
ways, in one transaction (audited); bad input and other communities write nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.models import AuditLog
from jiceng.cobuild.models import Item, Kind
from jiceng.cobuild.services import CobuildError, ManyErrors
from jiceng.cobuild.tests.conftest import leaf
from jiceng.consult import services
from jiceng.consult.models import Consultation
from jiceng.consult.models import Kind as ConsultKind

pytestmark = pytest.mark.django_db


def meeting(tree, users, area=None):
    return services.record(
        users.community,
        area or tree.grid1,
        kind=ConsultKind.COUNCIL,
        held_on=timezone.localdate() - timedelta(days=2),
        title="楼道堆物整治议事会",
        topics="1栋楼道堆物",
        decisions="招募志愿者每月清理一次",
        residents=9,
    )


def test_decision_becomes_a_need_of_the_community_linked_and_audited(tree, users):
    row = meeting(tree, users)
    item = services.publish_decision(
        users.community, row, kind=Kind.NEED, title="楼道清理志愿者", category=leaf(), quantity=6, unit_label="人"
    )
    assert item.kind == Kind.NEED and item.area_path == tree.beianmen.code  # the grid's community publishes
    assert list(row.items.all()) == [item] and list(item.consultations.all()) == [row]
    assert AuditLog.objects.filter(action="consult_publish_item", object_id=str(row.pk)).exists()
    assert AuditLog.objects.filter(action="cobuild_publish", object_id=str(item.pk)).exists()
    project = services.publish_decision(
        users.community, row, kind=Kind.PROJECT, title="楼道整治项目", category=leaf(), owner_name="王书记"
    )
    assert set(row.items.all()) == {item, project}


def test_street_meeting_publishes_on_the_street_list(tree, users):
    row = services.record(
        users.street,
        tree.meiyuan,
        kind=ConsultKind.HEARING,
        held_on=timezone.localdate(),
        title="街道停车听证会",
        topics="停车",
        residents=20,
    )
    item = services.publish_decision(users.street, row, kind=Kind.PROJECT, title="错时停车", category=leaf())
    assert item.area_path == tree.meiyuan.code


def test_bad_input_reports_every_field_and_writes_nothing(tree, users):
    row = meeting(tree, users)
    before = AuditLog.objects.count()
    with pytest.raises(ManyErrors) as exc:
        services.publish_decision(users.community, row, kind=Kind.NEED, title="", category=None, quantity=0)
    assert {e.code for e in exc.value.errors} >= {"title", "category", "quantity"}
    with pytest.raises(CobuildError):
        services.publish_decision(users.community, row, kind=Kind.RESOURCE, title="会议室", category=leaf())
    assert not Item.objects.exists() and not row.items.exists()
    assert AuditLog.objects.count() == before


def test_other_community_refused(tree, users):
    row = meeting(tree, users)
    with pytest.raises(CobuildError) as exc:
        services.publish_decision(users.other_community, row, kind=Kind.NEED, title="x", category=leaf())
    assert exc.value.code == "permission"
    assert not Item.objects.exists()


def test_pages_button_form_errors_and_links_back(tree, users, client):
    row = meeting(tree, users)
    client.force_login(users.community)
    detail = client.get(reverse("consult:consultation_detail", args=[row.pk])).content.decode()
    assert "转为需求" in detail and "立为项目" in detail
    url = reverse("consult:consultation_item", args=[row.pk, "need"])
    page = client.get(url).content.decode()
    assert "楼道堆物整治议事会" in page and "招募志愿者每月清理一次" in page
    bad = client.post(url, {"title": "", "category": "", "quantity": "0", "unit_label": "人"})
    text = bad.content.decode()
    assert bad.status_code == 200 and text.count("invalid-feedback") >= 3
    assert not Item.objects.exists()
    good = client.post(
        url, {"title": "楼道清理志愿者", "category": str(leaf().pk), "quantity": "6", "unit_label": "人"}
    )
    assert good.status_code == 302
    item = Consultation.objects.get(pk=row.pk).items.get()
    detail = client.get(reverse("consult:consultation_detail", args=[row.pk])).content.decode()
    assert "楼道清理志愿者" in detail
    back = client.get(reverse("cobuild:item_detail", args=[item.pk])).content.decode()
    assert "来源" in back and reverse("consult:consultation_detail", args=[row.pk]) in back
    assert client.get(reverse("consult:consultation_item", args=[row.pk, "resource"])).status_code == 404
    client.force_login(users.other_community)
    assert client.get(url).status_code == 404
    client.force_login(users.grid)  # sees the meeting, may not publish
    assert client.get(url).status_code in (403, 404)


def test_same_decision_twice_refused(tree, users):
    row = meeting(tree, users)
    services.publish_decision(users.community, row, kind=Kind.NEED, title="楼道清理志愿者", category=leaf())
    with pytest.raises(CobuildError) as exc:
        services.publish_decision(users.community, row, kind=Kind.NEED, title=" 楼道清理志愿者", category=leaf())
    assert exc.value.code == "duplicate" and Item.objects.count() == 1
    services.publish_decision(users.community, row, kind=Kind.PROJECT, title="楼道清理志愿者", category=leaf())

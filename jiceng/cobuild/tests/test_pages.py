"""The pages: the board on a phone, publish, claim, the workflow's buttons, bad input, query bounds."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jiceng.cobuild.models import Claim, ClaimStatus, Evidence, Item, Kind
from tests.queries import count_queries

from .conftest import leaf, make_unit, publish

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_resident_sees_the_board_of_their_community(world, login):
    publish(world.users.community, world.tree.beianmen, title="助老送餐")
    client = login(world.resident)
    response = client.get(reverse("cobuild:board"))
    assert response.status_code == 200
    assert "助老送餐" in response.content.decode()
    other = login(world.far_resident).get(reverse("cobuild:board"))
    assert "助老送餐" not in other.content.decode()


def test_publish_page_shows_all_errors_at_once(world, login):
    client = login(world.users.community)
    response = client.post(
        reverse("cobuild:item_add"),
        {"kind": "need", "title": "", "quantity": "0", "unit_label": "份", "visibility": "community"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "未能提交" in text and text.count("invalid-feedback") >= 3
    assert Item.objects.count() == 0


def test_publish_claim_confirm_complete_rate_through_the_pages(world, login):
    client = login(world.users.community)
    response = client.post(
        reverse("cobuild:item_add"),
        {
            "kind": "need",
            "title": "楼道清扫",
            "category": leaf().pk,
            "area": world.tree.beianmen.code,
            "quantity": "5",
            "unit_label": "人",
            "visibility": "community",
            "description": "周末楼道清扫",
        },
    )
    item = Item.objects.get(title="楼道清扫")
    assert response.status_code == 302 and item.quantity == 5

    member = login(world.member_user)
    response = member.post(reverse("cobuild:item_claim", args=[item.pk]), {"quantity": "9", "unit": ""})
    assert Claim.objects.count() == 0  # beyond the quantity: refused, nothing written
    page = member.get(reverse("cobuild:item_detail", args=[item.pk])).content.decode()
    assert "只剩5人，不能认领9人" in page
    member.post(reverse("cobuild:item_claim", args=[item.pk]), {"quantity": "2", "unit": ""})
    claim = Claim.objects.get()
    assert claim.member_id == world.member.pk

    staff = login(world.users.community)
    staff.post(reverse("cobuild:claim_act", args=[claim.pk, "confirm"]))
    staff.post(
        reverse("cobuild:claim_act", args=[claim.pk, "complete"]),
        {
            "complete-result": "清扫3栋楼道",
            "complete-served": "40",
            "complete-files": [SimpleUploadedFile("现场.png", PNG, content_type="image/png")],
        },
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED and Evidence.objects.filter(claim=claim).count() == 1
    staff.post(reverse("cobuild:claim_act", args=[claim.pk, "rate-publisher"]), {"rate_publisher-rating": "5"})
    staff.post(reverse("cobuild:claim_act", args=[claim.pk, "rate-beneficiary"]), {"rate_beneficiary-rating": "4"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.RATED
    evidence = Evidence.objects.get()
    assert staff.get(reverse("cobuild:evidence", args=[evidence.pk])).status_code == 200
    assert login(world.far_resident).get(reverse("cobuild:evidence", args=[evidence.pk])).status_code == 404


def test_lists_filter_forms_submit_as_they_load(world, login):
    publish(world.users.community, world.tree.beianmen)
    client = login(world.users.street)
    for name in ("cobuild:item_list", "cobuild:claim_list"):
        assert client.get(reverse(name), {"kind": "", "status": "", "category": ""}).status_code == 200


def test_board_and_lists_have_bounded_queries(world, login):
    client = login(world.users.street)
    counts = []
    for round_ in range(2):
        for n in range(15):
            item = publish(
                world.users.community,
                world.tree.beianmen,
                title=f"事项{round_}-{n}",
                kind=[Kind.NEED, Kind.RESOURCE, Kind.PROJECT][n % 3],
            )
            unit = make_unit(world.tree.beianmen, f"单位{round_}-{n}")
            from jiceng.cobuild import services

            services.claim_item(world.users.community, item, quantity=1, unit=unit)
        counts.append(
            tuple(
                count_queries(client, reverse(name))[0]
                for name in ("cobuild:board", "cobuild:item_list", "cobuild:claim_list")
            )
        )
    assert counts[0] == counts[1], counts
    assert max(counts[1]) <= 20, counts


def test_street_board_shows_subtree_figures(world, login):
    publish(world.users.community, world.tree.beianmen)
    response = login(world.users.street).get(reverse("cobuild:board"))
    text = response.content.decode()
    assert "本年辖区情况" in text and world.tree.beianmen.name in text


def test_need_from_appeal_button_and_page(world, login, submit):
    appeal = submit()
    client = login(world.users.community)
    detail = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert reverse("cobuild:need_from_appeal", args=[appeal.pk]) in detail
    response = client.post(
        reverse("cobuild:need_from_appeal", args=[appeal.pk]),
        {"category": leaf().pk, "quantity": "1", "description": "占道摆摊影响老人出行"},
    )
    item = Item.objects.get(source_appeal=appeal)
    assert response.status_code == 302 and item.area_path == world.tree.beianmen.code
    assert login(world.users.other_community).get(
        reverse("cobuild:need_from_appeal", args=[appeal.pk])
    ).status_code in (403, 404)


def test_api_claim_refusals_are_409_with_chinese_reason(world, api_client):
    item = publish(world.users.community, world.tree.beianmen, quantity=2)
    api_client.force_authenticate(world.member_user)
    url = reverse("api:cobuilditem-claim", args=[item.pk])
    response = api_client.post(url, {"quantity": 3}, format="json")
    assert response.status_code == 409
    assert "只剩2份" in str(response.json())
    response = api_client.post(url, {"quantity": 2}, format="json")
    assert response.status_code == 201, response.content
    claim_id = response.json()["id"]
    api_client.force_authenticate(world.users.community)
    response = api_client.post(reverse("api:cobuildclaim-confirm", args=[claim_id]), {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    listing = api_client.get(reverse("api:cobuilditem-list"))
    assert listing.status_code == 200


def test_api_publish(world, api_client):
    api_client.force_authenticate(world.users.community)
    response = api_client.post(
        reverse("api:cobuilditem-list"),
        {
            "kind": "resource",
            "title": "会议室共享",
            "category": leaf().pk,
            "area": world.tree.beianmen.code,
            "quantity": 4,
            "unit_label": "场",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    response = api_client.post(
        reverse("api:cobuilditem-list"),
        {
            "kind": "resource",
            "title": "",
            "category": leaf().pk,
            "area": world.tree.gongyuan.code,
        },
        format="json",
    )
    assert response.status_code in (400, 403)

"""微心愿: publish (only for the community's residents), one claimer, photo delivery, confirmation,
and the beneficiary masked for everyone but the community's staff (pages, API, export)."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.points.services import member_points
from jiceng.wishes import services
from jiceng.wishes.exporter import WishExporter
from jiceng.wishes.models import Wish, WishStatus

from .conftest import photo, publish

pytestmark = pytest.mark.django_db


def test_beneficiary_outside_the_community_is_refused_with_every_error(wworld):
    w = wworld
    with pytest.raises(services.WishError) as exc:
        services.publish(
            w.users.grid, w.tree.beianmen, w.tree.meiyuan_grid, title="", name="王秀英", phone="123", address="某处"
        )
    errors = exc.value.message_dict
    assert set(errors) == {"beneficiary_area", "title", "beneficiary_phone"}
    assert "不在北安门社区" in errors["beneficiary_area"][0]
    assert not Wish.objects.exists()


def test_street_cannot_publish_and_grid_worker_can(wworld):
    with pytest.raises(services.WishError):
        services.publish(
            wworld.users.street, wworld.tree.beianmen, wworld.tree.grid1, title="书", name="甲", address="某处"
        )
    assert publish(wworld).status == WishStatus.OPEN


def test_flow_claim_deliver_confirm_awards_points(wworld):
    w = wworld
    wish = publish(w)
    services.claim(w.member_user, wish)
    with pytest.raises(services.WishError, match="已被认领"):
        services.claim(w.other_user, wish)
    with pytest.raises(services.WishError):
        services.deliver(w.other_user, wish, photo())  # not the claimer
    with pytest.raises(services.WishError) as bad:
        services.deliver(w.member_user, wish, photo(data=b"GIF89a" + b"0" * 20))
    assert "photo" in bad.value.message_dict
    services.deliver(w.member_user, wish, photo(), "已送到家中")
    with pytest.raises(services.WishError):
        services.confirm(w.member_user, wish)  # the claimer cannot confirm for the beneficiary
    wish = services.confirm(w.users.grid, wish)
    assert wish.status == WishStatus.CONFIRMED and wish.confirmed_for
    assert member_points(w.member, timezone.localdate().year) == 2


def test_unit_claims_and_cancel(wworld):
    w = wworld
    wish = publish(w)
    services.claim(w.unit_user, wish, unit=w.unit)
    wish.refresh_from_db()
    assert wish.claimer_unit == w.unit and wish.claimer_member is None
    with pytest.raises(services.WishError):
        services.cancel(w.unit_user, wish, "不需要了")
    services.cancel(w.users.community, wish, "心愿人已搬走")
    with pytest.raises(services.WishError):
        services.claim(w.member_user, wish)


def test_masked_for_all_but_the_community_pages_api_export(wworld, client, api_client):
    w = wworld
    wish = publish(w)
    secrets = ("王秀英", "13955556666", "北安门街12号")
    for user, full in (
        (w.users.community, True),
        (w.users.grid, True),
        (w.users.street, False),
        (w.users.district, False),
        (w.member_user, False),
        (w.resident, False),
    ):
        client.force_login(user)
        listed = client.get(reverse("wishes:wish_list")).content.decode()
        assert ("王秀英" in listed) == full and "13955556666" not in listed, user.username
        text = client.get(reverse("wishes:wish_detail", args=[wish.pk])).content.decode()
        assert all((s in text) == full for s in secrets), user.username
        api_client.force_authenticate(user)
        body = api_client.get(f"/api/v1/wishes/{wish.pk}/").content.decode("utf-8")
        import json

        text = json.dumps(json.loads(body), ensure_ascii=False)
        assert all((s in text) == full for s in secrets), user.username
    masked = client.get(reverse("wishes:wish_detail", args=[wish.pk])).content.decode()
    assert "王**" in masked


def test_export_masks_for_the_street(wworld):
    w = wworld
    publish(w)
    for user, full in ((w.users.street, False), (w.users.community, True)):
        exporter = WishExporter()
        target = io.BytesIO()
        exporter.write(user, exporter.queryset(user, {}), target)
        book = openpyxl.load_workbook(io.BytesIO(target.getvalue()), read_only=True)
        cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c]
        assert ("13955556666" in cells) == full and ("王秀英" in cells) == full


def test_out_of_scope_is_404(wworld, client):
    wish = publish(wworld)
    client.force_login(wworld.users.other_community)
    assert client.get(reverse("wishes:wish_detail", args=[wish.pk])).status_code == 404


def test_pages_phone_flow(wworld, client):
    w = wworld
    client.force_login(w.users.grid)
    page = client.get(reverse("wishes:wish_add"))
    assert page.status_code == 200
    bad = client.post(
        reverse("wishes:wish_add"),
        {
            "community": w.tree.beianmen.code,
            "beneficiary_area": w.tree.meiyuan_grid.code,
            "title": "",
            "name": "甲",
            "address": "某处",
        },
    )
    assert bad.status_code == 200 and not Wish.objects.exists()
    ok = client.post(
        reverse("wishes:wish_add"),
        {
            "community": w.tree.beianmen.code,
            "beneficiary_area": w.tree.grid1.code,
            "title": "课外书",
            "name": "王小明",
            "phone": "",
            "address": "北安门街1号",
        },
    )
    wish = Wish.objects.get()
    assert ok.status_code == 302
    client.force_login(w.member_user)
    assert "我来认领" in client.get(reverse("wishes:wish_detail", args=[wish.pk])).content.decode()
    client.post(reverse("wishes:wish_act", args=[wish.pk, "claim"]))
    page = client.post(reverse("wishes:wish_deliver", args=[wish.pk]), {"photo": photo(), "note": "送到"})
    assert page.status_code == 302
    assert client.get(reverse("wishes:wish_photo", args=[wish.pk])).status_code == 200
    client.force_login(w.users.grid)
    client.post(reverse("wishes:wish_act", args=[wish.pk, "confirm"]))
    assert Wish.objects.get().status == WishStatus.CONFIRMED


def test_api_claim_conflict(wworld, api_client):
    w = wworld
    wish = publish(w)
    api_client.force_authenticate(w.member_user)
    assert api_client.post(f"/api/v1/wishes/{wish.pk}/claim/", {}, format="json").status_code == 200
    api_client.force_authenticate(w.other_user)
    second = api_client.post(f"/api/v1/wishes/{wish.pk}/claim/", {}, format="json")
    assert second.status_code == 409 and "已被认领" in second.json()["error"]["message"]


def test_export_through_the_excel_jobs(wworld):
    from jiceng.core.excel_jobs import start_export

    publish(wworld)
    job, (path, written) = start_export(wworld.users.street, "wishes", {"status": "open"})
    assert job is None and written == 1
    with open(path, "rb") as fh:
        book = openpyxl.load_workbook(io.BytesIO(fh.read()), read_only=True)
    cells = [str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert "一台助听器" in cells and "王**" in cells and "王秀英" not in cells
    job, (path, written) = start_export(wworld.users.street, "consultations", {})
    assert written == 0


def test_api_publish_errors_and_deliver_multipart(wworld, api_client):
    w = wworld
    api_client.force_authenticate(w.users.grid)
    bad = api_client.post(
        "/api/v1/wishes/",
        {
            "community": w.tree.beianmen.code,
            "beneficiary_area": w.tree.meiyuan_grid.code,
            "title": "书",
            "name": "甲",
            "address": "某处",
            "phone": "1",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"beneficiary_area", "beneficiary_phone"}
    assert not Wish.objects.exists()
    made = api_client.post(
        "/api/v1/wishes/",
        {
            "community": w.tree.beianmen.code,
            "beneficiary_area": w.tree.grid1.code,
            "title": "书",
            "name": "甲乙",
            "address": "某处",
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["beneficiary"]["full"] is True
    pk = made.json()["id"]
    api_client.force_authenticate(w.member_user)
    assert api_client.post(f"/api/v1/wishes/{pk}/claim/", {}, format="json").status_code == 200
    done = api_client.post(f"/api/v1/wishes/{pk}/deliver/", {"photo": photo(), "note": "到"}, format="multipart")
    assert done.status_code == 200 and done.json()["has_photo"] and done.json()["beneficiary"]["name"] == "甲*"

"""The REST API: the member's and the community's flows, the error envelope, masking, OpenAPI."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.dualreport.models import Registration, Service, SignUp

from .test_services import confirmed, make_post

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def test_member_registers_and_the_community_confirms_through_the_api(world, api_client):
    api_client.force_authenticate(world.member_user)
    created = api_client.post("/api/v1/dual-registrations/", {"community": "320102002011"}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["community_name"], body["phone"]) == ("pending", "北安门社区", "13812345678")
    again = api_client.post("/api/v1/dual-registrations/", {"community": "320102002001"}, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "duplicate"
    assert "同一时间只能有一个有效的报到" in again.json()["error"]["message"]
    # The member cannot confirm their own registration.
    assert api_client.post(f"/api/v1/dual-registrations/{body['id']}/confirm/", {}, format="json").status_code == 403
    api_client.force_authenticate(world.users.community)
    listed = api_client.get("/api/v1/dual-registrations/").json()["results"]
    assert [r["member_name"] for r in listed] == ["张在职"]
    assert listed[0]["phone"] == "138****5678"
    confirmed_body = api_client.post(f"/api/v1/dual-registrations/{body['id']}/confirm/", {}, format="json")
    assert confirmed_body.status_code == 200 and confirmed_body.json()["status"] == "confirmed"
    # Out of scope: another community sees nothing and gets 404 for the row.
    api_client.force_authenticate(world.users.grid)
    assert api_client.get("/api/v1/dual-registrations/").json()["results"] == []
    assert api_client.get(f"/api/v1/dual-registrations/{body['id']}/").status_code == 404


def test_registration_refusals_are_clear(world, api_client, other_city):
    api_client.force_authenticate(world.member_user)
    outside = api_client.post("/api/v1/dual-registrations/", {"community": other_city.community.code}, format="json")
    assert outside.status_code == 400
    assert outside.json()["error"]["message"] == "“平江社区”不在本市，只能向本市的社区报到。"
    missing = api_client.post("/api/v1/dual-registrations/", {"community": "320102002999"}, format="json")
    assert missing.json()["error"]["message"] == "报到社区不存在。"
    assert api_client.post("/api/v1/dual-registrations/", {"community": "32"}, format="json").status_code == 400
    assert not Registration.objects.exists()


def test_posts_sign_ups_and_services_through_the_api(world, api_client):
    registration = confirmed(world)
    post = make_post(world, places=1)
    api_client.force_authenticate(world.member_user)
    assert [p["title"] for p in api_client.get("/api/v1/dual-posts/").json()["results"]] == ["周末助老"]
    signed = api_client.post(f"/api/v1/dual-posts/{post.pk}/sign-up/", {}, format="json")
    assert signed.status_code == 201 and signed.json()["member_name"] == "张在职"
    assert (
        api_client.post(f"/api/v1/dual-posts/{post.pk}/sign-up/", {}, format="json").json()["error"]["code"]
        == "duplicate"
    )
    future = api_client.post(
        "/api/v1/dual-services/",
        {
            "registration": registration.pk,
            "served_on": str(today() + timedelta(days=1)),
            "hours": "2",
            "content": "助老",
        },
        format="json",
    )
    assert future.status_code == 400 and future.json()["error"]["message"] == "服务日期不能晚于今天。"
    too_long = api_client.post(
        "/api/v1/dual-services/",
        {"registration": registration.pk, "served_on": str(today()), "hours": "25", "content": "助老"},
        format="json",
    )
    assert too_long.json()["error"]["message"] == "一次服务时长不能超过一天（24小时）。"
    made = api_client.post(
        "/api/v1/dual-services/",
        {"registration": registration.pk, "served_on": str(today()), "hours": "2", "content": "助老", "post": post.pk},
        format="json",
    )
    assert made.status_code == 201 and made.json()["status"] == "pending"
    assert api_client.post(f"/api/v1/dual-services/{made.json()['id']}/confirm/", {}, format="json").status_code == 403
    api_client.force_authenticate(world.users.community)
    done = api_client.post(f"/api/v1/dual-services/{made.json()['id']}/confirm/", {}, format="json")
    assert done.status_code == 200 and done.json()["locked"] is True
    fix = api_client.post(f"/api/v1/dual-services/{made.json()['id']}/correct/", {"hours": "1.5"}, format="json")
    assert fix.status_code == 400  # the reason is required
    fix = api_client.post(
        f"/api/v1/dual-services/{made.json()['id']}/correct/", {"hours": "1.5", "reason": "核实"}, format="json"
    )
    assert fix.status_code == 200 and fix.json()["hours"] == "1.5"
    assert Service.objects.count() == 1 and SignUp.objects.count() == 1
    signups = api_client.get("/api/v1/dual-signups/").json()["results"]
    assert [s["member_name"] for s in signups] == ["张在职"]


def test_the_openapi_schema_documents_the_routes(world, api_client):
    api_client.force_authenticate(world.users.community)
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/v1/dual-registrations/",
        "/api/v1/dual-registrations/{id}/confirm/",
        "/api/v1/dual-registrations/{id}/reject/",
        "/api/v1/dual-registrations/{id}/end/",
        "/api/v1/dual-posts/{id}/sign-up/",
        "/api/v1/dual-services/{id}/correct/",
        "/api/v1/dual-signups/",
    ):
        assert path in schema["paths"], path
    correct = schema["paths"]["/api/v1/dual-services/{id}/correct/"]["post"]
    assert correct["summary"] == "更正"

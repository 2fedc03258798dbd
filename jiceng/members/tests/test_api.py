"""API v1: /api/v1/members/ (masked by role, scoped, keyset cursor) and /api/v1/transfers/."""

import json

import pytest

from jiceng.accounts.models import AuditLog
from jiceng.members import services
from jiceng.members.models import Status, Transfer, TransferStatus

pytestmark = pytest.mark.django_db

FULL_ID = "11010519800109001X"
PHONE = "13812341234"


@pytest.fixture
def zhang(make_member):
    return make_member(name="张建国", id_number=FULL_ID, phone=PHONE)


@pytest.fixture
def api(api_client):
    def as_user(user):
        api_client.force_authenticate(user)
        return api_client

    return as_user


def test_list_masked_for_everyone(api, users, zhang):
    for user in (users.grid, users.community):
        data = api(user).get("/api/v1/members/").json()
        row = next(r for r in data["results"] if r["id"] == zhang.pk)
        assert row["id_number"] == "1****************X" and row["phone"] == "138****1234"


def test_detail_masked_for_grid_worker(api, users, zhang):
    data = api(users.grid).get(f"/api/v1/members/{zhang.pk}/").json()
    assert data["id_number"] == "1****************X" and data["phone"] == "138****1234"
    assert not AuditLog.objects.filter(action="view_pii").exists()


def test_detail_full_for_community_and_audited(api, users, zhang):
    data = api(users.community).get(f"/api/v1/members/{zhang.pk}/").json()
    assert data["id_number"] == FULL_ID and data["phone"] == PHONE
    log = AuditLog.objects.get(action="view_pii")
    assert log.actor_id == users.community.pk and log.after["channel"] == "api"
    assert data["events"][0]["kind"] == "create"


def test_scope_404_as_json(api, users, zhang):
    response = api(users.other_community).get(f"/api/v1/members/{zhang.pk}/")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "未找到该记录，或您无权访问。"
    assert all(r["id"] != zhang.pk for r in api(users.other_community).get("/api/v1/members/").json()["results"])


def test_anonymous_401(api_client):
    assert api_client.get("/api/v1/members/").status_code == 401


def test_filters_and_cursor(api, users, make_member, orgs):
    for i in range(5):
        make_member(org=orgs.branch1 if i % 2 else orgs.branch2, name=f"成员{i}")
    make_member(status=Status.APPLICANT, name="申请人")
    client = api(users.community)
    seen, url = [], "/api/v1/members/?page_size=2"
    while url:
        data = client.get(url).json()
        seen += [r["name"] for r in data["results"]]
        url = data["next"]
    assert sorted(seen) == sorted([f"成员{i}" for i in range(5)] + ["申请人"])
    names = [r["name"] for r in client.get(f"/api/v1/members/?org={orgs.branch2.code}").json()["results"]]
    assert sorted(names) == ["成员0", "成员2", "成员4"]
    names = [r["name"] for r in client.get("/api/v1/members/?status=applicant").json()["results"]]
    assert names == ["申请人"]
    assert client.get("/api/v1/members/?status=bogus").status_code == 400


def test_list_query_count_bounded(api, users, make_member, django_assert_max_num_queries):
    client = api(users.community)
    make_member()
    client.get("/api/v1/members/")
    with django_assert_max_num_queries(6) as few:
        client.get("/api/v1/members/")
    for _ in range(20):
        make_member()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/members/").json()["results"]) == 21


def test_transfer_create_accept(api, users, zhang, orgs):
    sender = api(users.community)
    response = sender.post(
        "/api/v1/transfers/", {"member": zhang.pk, "to_org": orgs.gongyuan_branch.code}, format="json"
    )
    assert response.status_code == 201, response.json()
    transfer_id = response.json()["id"]
    # The sender cannot accept for the receiver.
    response = sender.post(f"/api/v1/transfers/{transfer_id}/accept/", {}, format="json")
    assert response.status_code == 403 and "接收方" in response.json()["error"]["message"]
    receiver = api(users.other_community)
    assert any(t["id"] == transfer_id for t in receiver.get("/api/v1/transfers/").json()["results"])
    response = receiver.post(f"/api/v1/transfers/{transfer_id}/accept/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    zhang.refresh_from_db()
    assert zhang.org_id == orgs.gongyuan_branch.pk
    again = receiver.post(f"/api/v1/transfers/{transfer_id}/accept/", {}, format="json")
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid"


def test_transfer_reject_and_errors(api, users, zhang, orgs, make_member):
    transfer = services.request_transfer(users.community, zhang, orgs.gongyuan_branch)
    receiver = api(users.other_community)
    assert receiver.post(f"/api/v1/transfers/{transfer.pk}/reject/", {}, format="json").status_code == 400
    response = receiver.post(f"/api/v1/transfers/{transfer.pk}/reject/", {"reason": "查无此人"}, format="json")
    assert response.json()["status"] == "rejected"
    assert Transfer.objects.get().status == TransferStatus.REJECTED
    # Out of scope: another community's member cannot be transferred, nor its transfer seen.
    assert (
        receiver.post("/api/v1/transfers/", {"member": zhang.pk, "to_org": orgs.gongyuan_branch.code}).status_code
        == 404
    )
    assert api(users.grid).get(f"/api/v1/transfers/{transfer.pk}/").status_code == 404
    applicant = make_member(status=Status.APPLICANT)
    response = api(users.community).post("/api/v1/transfers/", {"member": applicant.pk, "to_org": orgs.branch2.code})
    assert response.status_code == 400 and "预备党员和正式党员" in str(response.json())


def test_schema_lists_member_endpoints(api, users):
    response = api(users.community).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/members/",
        "/api/v1/members/{id}/",
        "/api/v1/transfers/",
        "/api/v1/transfers/{id}/accept/",
        "/api/v1/transfers/{id}/reject/",
    ):
        assert path in paths


@pytest.mark.parametrize("reason", ["调动\x01", "调动\x1b[31m", "\ud800调动"])
def test_transfer_reason_with_a_control_character_is_refused(api, users, zhang, orgs, reason):
    body = json.dumps({"member": zhang.pk, "to_org": orgs.gongyuan_branch.code, "reason": reason})  # \u escapes
    response = api(users.community).post("/api/v1/transfers/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"reason": ["不能含有控制字符（如 NUL、退格）或无效字符。"]}
    assert not Transfer.objects.exists()

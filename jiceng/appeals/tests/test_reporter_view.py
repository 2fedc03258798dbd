"""The reporter's view of a request: public steps and fields only, whoever the reporter is.

A staff member of 贡院社区 (秦淮区) files a request as a resident at 北安门 (玄武区), which the API
allows; 玄武区 then supervises it and the handler asks for an extension. The staff member sees the
request only as its reporter: the page, the detail API and the events API show neither the 督办
step nor its note, nor the pending extension. Staff of 北安门 see both.
"""

import pytest

from jiceng.appeals import services
from jiceng.appeals.models import Appeal

SUPERVISE_NOTE = "限期三日内清理，区里盯办"


@pytest.fixture
def filed_elsewhere(api_client, people, catalogue, tree):
    """The 贡院 community user's request at 1栋, dispatched, supervised, an extension pending."""
    api_client.force_authenticate(people.other_community)
    response = api_client.post(
        "/api/v1/appeals/",
        {"category": catalogue.stall.code, "description": "1栋楼下占道摆摊", "area": tree.building.code},
        format="json",
    )
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(pk=response.json()["id"])
    assert appeal.reporter_id == people.other_community.pk
    services.dispatch_appeal(people.community, appeal, area=tree.grid1)
    services.supervise_appeal(people.district, appeal, note=SUPERVISE_NOTE)
    services.request_extension(people.grid, appeal, workdays=3, reason="需协调城管")
    api_client.force_authenticate(None)
    return Appeal.objects.get(pk=appeal.pk)


def _api(api_client, user, url):
    api_client.force_authenticate(user)
    response = api_client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_staff_reporter_elsewhere_gets_the_reporters_view_on_the_api(api_client, people, filed_elsewhere):
    pk = filed_elsewhere.pk
    detail = _api(api_client, people.other_community, f"/api/v1/appeals/{pk}/")
    kinds = [e["kind"] for e in detail["events"]]
    assert "supervise" not in kinds and "extend_request" not in kinds
    assert kinds[:2] == ["create", "dispatch"]
    assert detail["supervise_note"] == ""
    assert detail["supervised"] is False
    assert detail["extension_pending"] is False
    assert detail["extensions"] == []
    assert SUPERVISE_NOTE not in str(detail)

    events = _api(api_client, people.other_community, f"/api/v1/appeal-events/?appeal={pk}")["results"]
    assert events and all(e["public"] for e in events)
    # No staff member is named, as on the page.
    assert {e["actor_name"] for e in events} == {e["actor_name"] for e in detail["events"]} == {""}
    assert SUPERVISE_NOTE not in str(events)
    timeline = _api(api_client, people.other_community, f"/api/v1/appeals/{pk}/events/")
    assert [e["kind"] for e in timeline] == kinds

    row = next(r for r in _api(api_client, people.other_community, "/api/v1/appeals/")["results"] if r["id"] == pk)
    assert (row["supervised"], row["extension_pending"]) == (False, False)


def test_staff_of_the_area_keep_the_internal_view(api_client, people, filed_elsewhere):
    pk = filed_elsewhere.pk
    detail = _api(api_client, people.community, f"/api/v1/appeals/{pk}/")
    assert "supervise" in [e["kind"] for e in detail["events"]]
    assert (detail["supervise_note"], detail["supervised"], detail["extension_pending"]) == (SUPERVISE_NOTE, True, True)
    assert len(detail["extensions"]) == 1
    events = _api(api_client, people.community, f"/api/v1/appeal-events/?appeal={pk}")["results"]
    assert "supervise" in [e["kind"] for e in events]
    assert people.district.display_name in [e["actor_name"] for e in events]


def test_a_staff_reporter_in_their_own_area_keeps_the_internal_view(api_client, people, submit):
    """Reporting in one's own area is no reason to see less: the grant still applies."""
    appeal = submit(actor=people.community, client_token="own")
    services.supervise_appeal(people.district, appeal, note=SUPERVISE_NOTE)
    events = _api(api_client, people.community, f"/api/v1/appeal-events/?appeal={appeal.pk}")["results"]
    assert "supervise" in [e["kind"] for e in events]


def test_a_summoned_department_reporting_sees_the_internal_view(api_client, people, submit, departments, tree):
    """Summoned to the request (协办), a department's user sees it as staff even as its reporter."""
    appeal = submit(actor=people.water, client_token="water")
    services.supervise_appeal(people.district, appeal, note=SUPERVISE_NOTE)
    assert not services.staff_view(people.water, appeal)
    services.blow_whistle(
        people.street,
        area=tree.meiyuan,
        case="resident_demand",
        title="占道反复",
        departments=[departments.xw_water],
        appeal=appeal,
    )
    assert services.staff_view(people.water, appeal)
    detail = _api(api_client, people.water, f"/api/v1/appeals/{appeal.pk}/")
    assert detail["supervise_note"] == SUPERVISE_NOTE


def test_a_staff_reporter_elsewhere_gets_the_reporters_view_on_the_page(client, people, filed_elsewhere):
    client.force_login(people.other_community)
    page = client.get(f"/appeals/{filed_elsewhere.pk}/").content.decode()
    assert SUPERVISE_NOTE not in page
    assert "挂牌督办" not in page and "延期待批" not in page and "申请延长" not in page
    assert ">督办<" not in page
    mine = client.get("/appeals/mine/").content.decode()
    assert filed_elsewhere.number in mine and ">督办<" not in mine and "延期待批" not in mine

    client.force_login(people.community)
    page = client.get(f"/appeals/{filed_elsewhere.pk}/").content.decode()
    assert SUPERVISE_NOTE in page and "延期待批" in page

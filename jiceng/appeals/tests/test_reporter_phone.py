"""The reporter's phone is checked on every way in (issue 13): the page, the API, Open311 and the
service under them, by the one check of jiceng.core.phones."""

import pytest

from jiceng.appeals import services
from jiceng.appeals.errors import AppealError
from jiceng.appeals.models import Appeal, Channel
from jiceng.appeals.open311.models import ApiKey
from jiceng.areas.models import Area

pytestmark = pytest.mark.django_db

BAD = "8456123"  # seven digits: neither a mobile nor a landline with its area code


def test_the_service_refuses_a_bad_phone_and_normalises_a_good_one(people, catalogue, tree):
    values = {"channel": Channel.GRID, "category": catalogue.stall, "description": "占道", "area": tree.building}
    with pytest.raises(AppealError, match="联系电话“8456123”格式不正确"):
        services.create_appeal(people.grid, reporter_name="王五", reporter_phone=BAD, **values)
    appeal = services.create_appeal(people.grid, reporter_name="王五", reporter_phone="025 8456 1234", **values)
    assert appeal.reporter_phone == "025-84561234"


def test_the_page_refuses_a_bad_phone(client, people, catalogue, tree):
    client.force_login(people.grid)
    post = {
        "category": catalogue.stall.pk,
        "description": "居民电话反映占道。",
        "area": tree.building.pk,
        "reporter_name": "王五",
        "reporter_phone": BAD,
        "client_token": "grid-bad-phone",
    }
    response = client.post("/appeals/new/", post)
    assert response.status_code == 200 and "诉求人电话“8456123”格式不正确" in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_api_refuses_a_bad_phone(api_client, people, catalogue, tree):
    api_client.force_authenticate(people.grid)
    body = {
        "channel": "grid",
        "category": catalogue.stall.code,
        "description": "占道",
        "area": tree.building.code,
        "reporter_name": "王五",
        "reporter_phone": BAD,
    }
    response = api_client.post("/api/v1/appeals/", body, format="json")
    assert response.status_code == 400
    assert "格式不正确" in response.json()["error"]["fields"]["reporter_phone"][0]
    assert not Appeal.objects.exists()


def test_open311_refuses_a_bad_phone(client, catalogue, tree):
    Area.objects.filter(pk=tree.grid1.pk).update(latitude="32.060000", longitude="118.800000")
    _key, raw = ApiKey.issue("12345 热线平台", area=tree.beianmen)
    post = {"api_key": raw, "service_code": catalogue.stall.code, "lat": "32.0601", "long": "118.8001"}
    response = client.post("/open311/v2/requests.json", {**post, "description": "占道", "phone": BAD})
    assert response.status_code == 400 and "格式不正确" in response.content.decode()
    assert not Appeal.objects.exists()

"""Inputs that used to answer 500 (issue 13 §3) answer 400 with the API's error envelope."""

import pytest
from rest_framework.test import APIClient

from conftest import UserFactory


@pytest.fixture
def api(tree):
    client = APIClient()
    client.force_authenticate(UserFactory(username="input_root", is_superuser=True))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/appeal-rates/department/?department=abc",
        "/api/v1/appeal-rates/department/?department=null",
        "/api/v1/appeal-rates/department/?department=-1",
        "/api/v1/appeal-rates/department/?department=99999999999999999999",
        "/api/v1/appeals/?department=99999999999999999999",
        "/api/v1/appeals/?created_after=0001-01-01",
        "/api/v1/appeals/?created_before=9999-12-31",
        "/api/v1/transfers/?member=99999999999999999999",
        "/api/v1/transfers/?member=-1.7976931348623155e+308",
        "/api/v1/appeal-rates/ranking/?parent=3201&month=9999-12",
    ],
)
def test_malformed_query_is_a_400_envelope(api, url):
    response = api.get(url)
    assert response.status_code == 400, (url, response.content[:300])
    assert response.json()["error"]["code"] == "invalid"


@pytest.mark.parametrize(
    "body",
    [
        {"member": 99999999999999999999, "to_org": "001"},
        {"member": -1, "to_org": "001"},
        {"member": 1, "to_org": "001", "issued_on": "9999-12-31"},
        {"member": 1, "to_org": "001", "issued_on": "0001-01-01"},
    ],
)
def test_malformed_body_is_a_400_envelope(api, body):
    response = api.post("/api/v1/transfers/", body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "invalid"

"""Open311 refuses malformed input with 400 and ``errors[]`` in the requested format, never a 500:
coordinates that are not numbers (NaN) or outside China, dates that do not exist or lie outside
the platform's range."""

import xml.etree.ElementTree as ET

import pytest

from jiceng.appeals.models import Appeal

from . import test_open311
from .test_open311 import BASE

key, located = test_open311.key, test_open311.located  # the fixtures


def assert_refused(response, code: str) -> None:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    (error,) = response.json()
    assert error["code"] == code and error["description"]


@pytest.mark.parametrize(
    "query",
    ["lat=NaN&long=NaN", "lat=nan&long=118.8", "lat=32.06&long=Infinity", "lat=1e400&long=118.8", "lat=0&long=0"],
)
def test_services_at_a_point_that_is_no_point(client, catalogue, query):
    assert_refused(client.get(f"{BASE}/services.json?{query}"), "lat_long")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("start_date=2025-13-45", "start_date"),
        ("start_date=2025-02-30T00:00:00%2B08:00", "start_date"),
        ("start_date=9999-12-31T23:59:59%2B14:00", "start_date"),
        ("start_date=9999-12-31", "start_date"),
        ("end_date=0001-01-01", "end_date"),
        ("end_date=0001-01-01T00:00:00-12:00", "end_date"),
        ("start_date=2025-01-01&end_date=9999-12-31", "end_date"),
    ],
)
def test_request_list_dates_out_of_range(client, catalogue, query, code):
    assert_refused(client.get(f"{BASE}/requests.json?{query}"), code)


def test_request_list_dates_in_range_still_work(client, catalogue):
    response = client.get(f"{BASE}/requests.json?start_date=2025-01-01&end_date=2025-03-01")
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize(("lat", "long"), [("NaN", "118.8"), ("32.06", "-inf"), ("sNaN", "sNaN"), ("90", "118.8")])
def test_post_with_a_coordinate_that_is_no_number(client, located, key, catalogue, lat, long):
    post = {"api_key": key.raw, "service_code": catalogue.stall.code, "lat": lat, "long": long}
    assert_refused(client.post(f"{BASE}/requests.json", post), "location")


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("field", ["description", "address_string", "first_name", "attribute[when]"])
def test_a_control_character_in_a_post_is_refused(client, located, key, catalogue, fmt, field):
    """A NUL in a description made requests.xml ill-formed for every reader."""
    post = {"api_key": key.raw, "service_code": catalogue.parking.code, "lat": "32.0601", "long": "118.8001"}
    post[field] = "夜间\x00停车难\x1b"
    response = client.post(f"{BASE}/requests.{fmt}", post)
    assert response.status_code == 400
    if fmt == "json":
        assert response.json()[0]["code"] == "invalid"
    else:
        assert ET.fromstring(response.content).find("error/code").text == "invalid"
    assert not Appeal.objects.exists()
    listing = client.get(f"{BASE}/requests.xml")
    assert listing.status_code == 200
    ET.fromstring(listing.content)  # well-formed


def test_line_breaks_and_tabs_stay_in_a_description(client, located, key, catalogue):
    post = {"api_key": key.raw, "service_code": catalogue.stall.code, "lat": "32.0601", "long": "118.8001"}
    response = client.post(f"{BASE}/requests.json", {**post, "description": "第一行\r\n第二行\t完"})
    assert response.status_code == 201
    assert Appeal.objects.get().description == "第一行\r\n第二行\t完"
    ET.fromstring(client.get(f"{BASE}/requests.xml").content)


@pytest.mark.parametrize("spaces", ["NaN", "inf", "-Infinity", "十二"])
def test_a_number_attribute_that_is_no_number(client, located, key, catalogue, spaces):
    post = {"api_key": key.raw, "service_code": catalogue.parking.code, "lat": "32.0601", "long": "118.8001"}
    response = client.post(f"{BASE}/requests.json", {**post, "attribute[spaces]": spaces})
    assert_refused(response, "attribute")
    assert not Appeal.objects.exists()

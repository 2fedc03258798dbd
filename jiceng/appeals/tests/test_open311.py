"""Open311 GeoReport v2 at /open311/v2/: GET calls through the ``georeport`` client from PyPI against a
live server; POST, tokens and errors over raw HTTP in XML and JSON; the api_key's scope; a double submit.
"""

import json
import threading
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
import requests
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from georeport import GeoReport

from jiceng.accounts.models import AuditLog
from jiceng.appeals import services
from jiceng.appeals.models import Appeal, Channel, Status
from jiceng.appeals.open311.models import ApiKey
from jiceng.areas.models import Area

BASE = "/open311/v2"


@pytest.fixture
def located(tree):
    """Grid centres, so coordinates map to grids: 北安门 grid 1 and 梅园新村社区's grid."""
    Area.objects.filter(pk=tree.grid1.pk).update(latitude="32.060000", longitude="118.800000")
    Area.objects.filter(pk=tree.meiyuan_grid.pk).update(latitude="32.080000", longitude="118.820000")
    return tree


@pytest.fixture
def key(tree):
    """A key bounded to 北安门社区, and its secret."""
    api_key, raw = ApiKey.issue("12345 热线平台", area=tree.beianmen)
    api_key.raw = raw
    return api_key


@pytest.fixture
def restricted(catalogue, tree):
    """A category offered only in 秦淮区."""
    catalogue.stall.refresh_from_db()
    catalogue.qh_only = type(catalogue.stall).objects.create(
        code="900", name="秦淮河道保洁", area_paths=[tree.qinhuai.code], description="只在秦淮区受理"
    )
    return catalogue


@pytest.fixture
def appeals(people, catalogue, tree, departments):
    """Three recent appeals: one open (dispatched), one closed, one returned, with reporter data."""
    now = timezone.now() - timedelta(days=2)
    a = services.create_appeal(
        people.resident,
        channel=Channel.RESIDENT,
        category=catalogue.stall,
        description="1栋楼下有人占道摆摊，联系我 13812345678。",
        area=tree.building,
        now=now,
    )
    services.dispatch_appeal(people.community, a, area=tree.grid1, note="请网格员处理", now=now + timedelta(minutes=5))
    b = services.create_appeal(
        people.resident,
        channel=Channel.RESIDENT,
        category=catalogue.consult,
        description="咨询老年卡办理。",
        area=tree.building,
        now=now + timedelta(hours=1),
    )
    services.cancel_appeal(people.resident, b, reason="已自行解决", now=now + timedelta(hours=2))
    c = services.create_appeal(
        people.resident,
        channel=Channel.RESIDENT,
        category=catalogue.building,
        description="楼顶违建。",
        area=tree.building,
        now=now + timedelta(hours=3),
    )
    services.dispatch_appeal(
        people.community, c, department=departments.xw_chengguan, now=now + timedelta(hours=3, minutes=5)
    )
    services.return_appeal(people.chengguan, c, reason="属物业管理范围", now=now + timedelta(hours=4))
    for x in (a, b, c):
        x.refresh_from_db()
    return a, b, c


def xml_of(response):
    body = response.content.decode("utf-8")
    assert body.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


# --------------------------------------------------------------------------- GET with georeport


@pytest.fixture
def open311_server(live_server):
    """The live server's Open311 root; afterwards no server connection is left open (else PostgreSQL may
    refuse to drop the test database right after the last test)."""
    yield live_server.url + BASE
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name:
            thread.join(timeout=5)
    if connection.vendor == "postgresql":
        # A server thread's connection can outlive its thread; end it so the test database can be dropped.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle'"
            )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_georeport_client_reads_services_and_requests(open311_server, fmt, restricted, appeals, people, catalogue):
    a, b, c = appeals
    client = GeoReport(open311_server, output_format=fmt)

    services_ = client.get_service_list()
    codes = {s["service_code"] for s in services_}
    assert catalogue.stall.code in codes and catalogue.parking.code in codes
    assert catalogue.city_look.code not in codes  # a group, not a leaf
    parking = next(s for s in services_ if s["service_code"] == catalogue.parking.code)
    assert str(parking["metadata"]).lower() == "true" and parking["type"] == "realtime"

    definition = client.get_service_definition(catalogue.parking.code)
    attrs = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert [x["code"] for x in attrs] == ["spaces", "when"]
    when = attrs[1]
    values = when["values"] if fmt == "json" else when["values"]["value"]
    assert [v["key"] for v in values] == ["day", "night"]

    rows = client.get_service_requests()
    rows = rows if isinstance(rows, list) else [rows]
    by_id = {r["service_request_id"]: r for r in rows}
    assert set(by_id) == {a.number, b.number, c.number}
    assert by_id[a.number]["status"] == "open"
    assert "ACTION_SCHEDULED" in by_id[a.number]["status_notes"] and "已派单" in by_id[a.number]["status_notes"]
    assert by_id[a.number]["agency_responsible"] == "北安门社区第一网格"
    assert by_id[a.number]["expected_datetime"].endswith("+08:00")
    assert by_id[b.number]["status"] == "closed" and "CANCELLED" in by_id[b.number]["status_notes"]
    assert "NOT_COUNCILS_RESPONSIBILITY" in by_id[c.number]["status_notes"]
    assert "玄武区城市管理局" in by_id[c.number]["status_notes"]
    everything = json.dumps(rows, ensure_ascii=False)
    assert "13812345678" not in everything and "张三" not in everything
    assert "138****5678" in by_id[a.number]["description"]

    closed = client.get_service_requests(status="closed")
    closed = closed if isinstance(closed, list) else [closed]
    assert [r["service_request_id"] for r in closed] == [b.number]
    only = client.get_service_requests(service_code=catalogue.building.code)
    only = only if isinstance(only, list) else [only]
    assert [r["service_request_id"] for r in only] == [c.number]

    one = client.get_service_request(a.number)
    assert one["service_request_id"] == a.number and one["service_code"] == catalogue.stall.code

    with pytest.raises(requests.HTTPError) as excinfo:
        client.get_service_request("nope")
    assert excinfo.value.response.status_code == 404


def test_services_at_a_point_only_offered_categories(client, located, restricted):
    response = client.get(f"{BASE}/services.json", {"lat": "32.0601", "long": "118.8001"})
    codes = {s["service_code"] for s in response.json()}
    assert restricted.stall.code in codes and restricted.qh_only.code not in codes
    everywhere = {s["service_code"] for s in client.get(f"{BASE}/services.json").json()}
    assert restricted.qh_only.code in everywhere
    bad = client.get(f"{BASE}/services.xml", {"lat": "32.06"})
    assert bad.status_code == 400 and xml_of(bad).find("error/code").text == "lat_long"


def test_discovery_in_both_formats(client, catalogue):
    data = client.get(f"{BASE}/discovery.json").json()
    assert data["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert data["endpoints"][0]["url"].endswith("/open311/v2")
    root = xml_of(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


def test_request_list_date_filters_and_query_bound(client, appeals, django_assert_max_num_queries):
    client.get(f"{BASE}/requests.json")  # the city's rules, read once and cached
    with django_assert_max_num_queries(3):
        response = client.get(f"{BASE}/requests.json")
    assert len(response.json()) == 3
    now = timezone.now()
    too_long = client.get(
        f"{BASE}/requests.xml",
        {"start_date": (now - timedelta(days=120)).isoformat(), "end_date": now.isoformat()},
    )
    assert too_long.status_code == 400 and xml_of(too_long).find("error/code").text == "date_range"
    old = client.get(
        f"{BASE}/requests.json",
        {"start_date": "2020-01-01T00:00:00+08:00", "end_date": "2020-02-01T00:00:00+08:00"},
    )
    assert old.json() == []
    bad_status = client.get(f"{BASE}/requests.json", {"status": "pending"})
    assert bad_status.status_code == 400 and bad_status.json()[0]["code"] == "status"
    by_id = client.get(f"{BASE}/requests.json", {"service_request_id": appeals[1].number})
    assert [r["service_request_id"] for r in by_id.json()] == [appeals[1].number]


# --------------------------------------------------------------------------- POST, tokens, errors


def test_post_creates_request_json(client, located, key, catalogue):
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": key.raw,
            "service_code": catalogue.parking.code,
            "lat": "32.0601",
            "long": "118.8001",
            "description": "<b>小区</b>夜间停车难",
            "attribute[spaces]": "12",
            "attribute[when]": "night",
            "first_name": "三",
            "last_name": "张",
            "phone": "13812345678",
            "media_url": "https://example.cn/p/1.jpg",
            "account_id": "acc-1",
        },
    )
    assert response.status_code == 201, response.content
    (row,) = response.json()
    appeal = Appeal.objects.get(number=row["service_request_id"])
    assert row["account_id"] == "acc-1" and "service_notice" in row and "token" not in row
    assert appeal.channel == Channel.OPEN311 and appeal.area_id == located.grid1.pk
    assert appeal.description == "小区夜间停车难"
    assert appeal.attributes["spaces"] == "12" and appeal.attributes["when"] == "night"
    assert appeal.attributes["media_url"] == "https://example.cn/p/1.jpg"
    assert appeal.reporter_name == "张三" and appeal.reporter_phone == "13812345678"

    detail = client.get(f"{BASE}/requests/{appeal.number}.json").json()[0]
    assert detail["media_url"] == "https://example.cn/p/1.jpg" and detail["status"] == "open"
    assert "FOR_TRIAGE" in detail["status_notes"]
    assert "13812345678" not in json.dumps(detail, ensure_ascii=False)


def test_post_records_the_keys_use_in_the_same_transaction_audited(client, located, key, catalogue):
    post = {"api_key": key.raw, "service_code": catalogue.stall.code, "lat": "32.0601", "long": "118.8001"}
    refused = client.post(f"{BASE}/requests.json", {**post, "lat": "32.0801", "long": "118.8201"})
    assert refused.status_code == 404
    assert ApiKey.objects.get(pk=key.pk).last_used_at is None
    assert not AuditLog.objects.filter(action="update_apikey").exists()

    created = client.post(f"{BASE}/requests.json", {**post, "description": "占道经营"})
    assert created.status_code == 201
    appeal = Appeal.objects.get()
    used = ApiKey.objects.get(pk=key.pk).last_used_at
    assert used is not None and used == appeal.created_at
    (row,) = AuditLog.objects.filter(action="update_apikey")
    assert row.object_id == str(key.pk) and row.after["appeal"] == appeal.number and row.after["created"] is True
    assert row.area_path == appeal.area_path


def test_post_xml_with_address_id_and_multivalue(client, key, catalogue, tree):
    catalogue.parking.attributes = [
        *catalogue.parking.attributes,
        {
            "code": "kinds",
            "datatype": "multivaluelist",
            "description": "车辆类型",
            "values": [{"key": "car", "name": "汽车"}, {"key": "ebike", "name": "电动车"}],
        },
    ]
    catalogue.parking.save()
    response = client.post(
        f"{BASE}/requests.xml",
        f"api_key={key.raw}&service_code={catalogue.parking.code}&address_id={tree.building.code}"
        "&attribute%5Bspaces%5D=3&attribute%5Bkinds%5D%5B%5D=car&attribute%5Bkinds%5D%5B%5D=ebike&description=x",
        content_type="application/x-www-form-urlencoded; charset=utf-8",
    )
    assert response.status_code == 201, response.content
    root = xml_of(response)
    assert root.tag == "service_requests"
    number = root.find("request/service_request_id").text
    appeal = Appeal.objects.get(number=number)
    assert appeal.area_id == tree.building.pk and appeal.attributes["kinds"] == ["car", "ebike"]


def test_post_address_string_lands_in_the_keys_area(client, key, catalogue, tree):
    response = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": key.raw,
            "service_code": catalogue.stall.code,
            "address_string": "北安门街 5 号",
            "description": "占道",
        },
    )
    assert response.status_code == 201
    appeal = Appeal.objects.get(number=response.json()[0]["service_request_id"])
    assert appeal.area_id == tree.beianmen.pk and appeal.address == "北安门街 5 号"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_in_both_formats(client, key, catalogue, fmt):
    def errors(response):
        if fmt == "json":
            return [(e["code"], e["description"]) for e in response.json()]
        root = xml_of(response)
        assert root.tag == "errors"
        return [(e.find("code").text, e.find("description").text) for e in root.findall("error")]

    url = f"{BASE}/requests.{fmt}"
    base = {"service_code": catalogue.stall.code, "address_string": "某处", "description": "x"}
    missing_key = client.post(url, base)
    assert missing_key.status_code == 403 and errors(missing_key)[0][0] == "api_key"
    bad_key = client.post(url, {**base, "api_key": "wrong"})
    assert bad_key.status_code == 403 and errors(bad_key)[0][0] == "api_key"
    ApiKey.objects.filter(pk=key.pk).update(is_active=False)
    assert client.post(url, {**base, "api_key": key.raw}).status_code == 403
    ApiKey.objects.filter(pk=key.pk).update(is_active=True)

    no_code = client.post(url, {**base, "service_code": "", "api_key": key.raw})
    assert no_code.status_code == 400 and errors(no_code)[0][0] == "service_code"
    unknown = client.post(url, {**base, "service_code": "999999", "api_key": key.raw})
    assert unknown.status_code == 404 and errors(unknown)[0][0] == "service_code"
    nowhere = client.post(url, {"service_code": catalogue.stall.code, "api_key": key.raw})
    assert nowhere.status_code == 400 and errors(nowhere)[0][0] == "location"
    too_long = client.post(url, {**base, "api_key": key.raw, "description": "长" * 4001})
    assert too_long.status_code == 400 and errors(too_long)[0][0] == "description"
    missing_attr = client.post(url, {**base, "service_code": catalogue.parking.code, "api_key": key.raw})
    assert missing_attr.status_code == 400 and "涉及车位数" in errors(missing_attr)[0][1]
    bad_media = client.post(url, {**base, "api_key": key.raw, "media_url": "javascript:alert(1)"})
    assert bad_media.status_code == 400 and errors(bad_media)[0][0] == "media_url"

    assert client.get(f"{BASE}/services/999999.{fmt}").status_code == 404
    assert client.get(f"{BASE}/requests/nope.{fmt}").status_code == 404
    assert errors(client.get(f"{BASE}/tokens/nope.{fmt}"))[0][0] == "token"
    assert client.get(f"{BASE}/unknown.{fmt}").status_code == 404
    assert not Appeal.objects.exists()


def test_key_scope_another_communitys_location_is_refused(client, located, key, catalogue, tree):
    for where in (
        {"lat": "32.0801", "long": "118.8201"},  # 梅园新村社区's grid
        {"address_id": tree.gongyuan.code},  # 贡院社区, 秦淮区
        {"lat": "31.5", "long": "119.5"},  # no grid near: the city, not the key's community
    ):
        for fmt in ("json", "xml"):
            response = client.post(
                f"{BASE}/requests.{fmt}",
                {"api_key": key.raw, "service_code": catalogue.stall.code, "description": "x", **where},
            )
            assert response.status_code == 404, (where, response.content)
    assert not Appeal.objects.exists()


def test_key_owner_scope_applies_too(client, located, catalogue, tree, users):
    """A city-wide key acting for a community account can still only file in that community."""
    _key, raw = ApiKey.issue("社区小程序", owner=users.community)
    post = {"api_key": raw, "service_code": catalogue.stall.code, "description": "x"}
    assert client.post(f"{BASE}/requests.json", {**post, "address_id": tree.gongyuan.code}).status_code == 404
    ok = client.post(f"{BASE}/requests.json", {**post, "address_id": tree.building.code})
    assert ok.status_code == 201
    assert Appeal.objects.get().created_by_id == users.community.pk


def test_double_submit_is_one_request_and_token_resolves(client, located, key, catalogue):
    post = {
        "api_key": key.raw,
        "service_code": catalogue.stall.code,
        "lat": "32.0601",
        "long": "118.8001",
        "description": "占道",
        "device_id": "phone-7",
    }
    first = client.post(f"{BASE}/requests.json", post, headers={"Idempotency-Key": "abc-1"})
    second = client.post(f"{BASE}/requests.xml", post, headers={"Idempotency-Key": "abc-1"})
    assert first.status_code == 201 and second.status_code == 200
    number = first.json()[0]["service_request_id"]
    assert xml_of(second).find("request/service_request_id").text == number
    assert Appeal.objects.count() == 1

    token = client.get(f"{BASE}/tokens/phone-7:abc-1.json").json()[0]
    assert token == {"service_request_id": number, "token": "phone-7:abc-1"}
    root = xml_of(client.get(f"{BASE}/tokens/phone-7:abc-1.xml"))
    assert root.find("request/service_request_id").text == number

    other = client.post(f"{BASE}/requests.json", {**post, "client_token": "abc-2"})
    assert other.status_code == 201 and Appeal.objects.count() == 2


def test_closed_request_status_and_no_personal_data(client, appeals, people):
    a = appeals[0]
    services.sign_appeal(people.grid, a)
    services.answer_appeal(people.grid, a, text="已劝离，联系人张三 13812345678", result="resolved")
    services.rate_appeal(people.resident, a, outcome="resolved", satisfaction="satisfied")
    a.refresh_from_db()
    if a.status != Status.CLOSED:
        services.close_appeal(people.community, a)
    a.refresh_from_db()
    row = client.get(f"{BASE}/requests/{a.number}.json").json()[0]
    assert row["status"] == "closed" and "FIXED" in row["status_notes"] and "已办结" in row["status_notes"]
    assert row["updated_datetime"] == timezone.localtime(a.closed_at).isoformat(timespec="seconds")
    body = client.get(f"{BASE}/requests/{a.number}.xml").content.decode()
    assert "13812345678" not in body and "张三" not in body


def test_issue_key_command(client, tree, catalogue, capsys):
    call_command("open311_key", name="街道小程序", area=tree.beianmen.code)
    raw = capsys.readouterr().out.strip().splitlines()[-1]
    key = ApiKey.objects.get()
    assert key.area_id == tree.beianmen.pk and key.key_hash != raw and raw.startswith(key.prefix)
    post = {"api_key": raw, "service_code": catalogue.stall.code, "address_id": tree.building.code, "description": "x"}
    assert client.post(f"{BASE}/requests.json", post).status_code == 201
    call_command("open311_key", disable=key.prefix)
    assert client.post(f"{BASE}/requests.json", post).status_code == 403

"""Open311 on the public internet: personal data masked in every answer (JSON and XML), the location
no finer than the compound or street, internal steps never shown, the city's reach and field rules,
and rate limits per client address and per API key."""

import json
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.models import Channel
from jiceng.appeals.open311.models import ApiKey
from jiceng.appeals.open311.privacy import mask_text
from jiceng.appeals.open311.throttle import Open311Throttle
from jiceng.appeals.rules import OPEN311_PUBLIC_FIELDS, OPEN311_RATE_LIMITS, OPEN311_REACH_DAYS
from jiceng.areas.models import Level
from jiceng.areas.services import create_area
from jiceng.core.models import Rule
from jiceng.core.rules import forget_rule

BASE = "/open311/v2"
FORMATS = ["json", "xml"]

# What a resident and a clerk typed, and what must never come back.
DESCRIPTION = (
    "楼下占道摆摊。我是王建国先生，手机 138 1234 5678，身份证 320102 19900101 1232，"
    "家里座机 025-84561234，老证件号 320102900101123，另一个手机+86 139-8765-4321。"
)
SECRETS = [
    "138 1234 5678",
    "13812345678",
    "320102 19900101 1232",
    "320102199001011232",
    "025-84561234",
    "02584561234",
    "84561234",
    "320102900101123",
    "139-8765-4321",
    "13987654321",
    "王建国",
    "赵小红",
]
DISPATCH_NOTE = "请联系报事人赵小红 13812345678 处理"
SUPERVISE_NOTE = "区委督查室挂牌：三日内办结"


def set_rule(key, value):
    Rule.objects.update_or_create(key=key, defaults={"value": value})
    forget_rule(key)


def rows_of(response, fmt):
    """The request rows of a list or detail answer, as dicts of text, from either format."""
    assert response.status_code == 200, response.content
    if fmt == "json":
        return [{k: "" if v is None else str(v) for k, v in row.items()} for row in response.json()]
    root = ET.fromstring(response.content)
    return [{child.tag: child.text or "" for child in request} for request in root.findall("request")]


def everything(client, appeal, fmt):
    """Every public read of ``appeal``: the list, the list by id, the detail."""
    return [
        client.get(f"{BASE}/requests.{fmt}"),
        client.get(f"{BASE}/requests.{fmt}", {"service_request_id": appeal.number}),
        client.get(f"{BASE}/requests/{appeal.number}.{fmt}"),
    ]


@pytest.fixture
def compound(tree):
    """A compound with a centre in 北安门 grid 1, and a building in it with a precise point."""
    place = create_area(
        None, parent=tree.grid1, level=Level.COMPOUND, name="北安门小区", latitude="32.061000", longitude="118.801000"
    )
    place.building = create_area(None, parent=place, level=Level.BUILDING, name="3栋")
    return place


@pytest.fixture
def reported(people, catalogue, compound, tree):
    """A request by 赵小红 at 3栋 with a precise point, dispatched with a note naming her, supervised."""
    appeal = services.create_appeal(
        people.resident,
        channel=Channel.RESIDENT,
        category=catalogue.stall,
        description=DESCRIPTION,
        area=compound.building,
        latitude="32.061234",
        longitude="118.801234",
        address="3栋2单元301室",
        reporter_name="赵小红",
        now=timezone.now() - timedelta(days=1),
    )
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, note=DISPATCH_NOTE)
    services.supervise_appeal(people.district, appeal, note=SUPERVISE_NOTE)
    appeal.refresh_from_db()
    return appeal


@pytest.mark.parametrize("fmt", FORMATS)
def test_personal_data_is_masked_in_every_answer(client, reported, fmt):
    for response in everything(client, reported, fmt):
        body = response.content.decode("utf-8")
        if fmt == "json":
            body = json.dumps(response.json(), ensure_ascii=False)
        for secret in SECRETS:
            assert secret not in body, (secret, body)
        (row,) = [r for r in rows_of(response, fmt) if r["service_request_id"] == reported.number]
        assert "138****5678" in row["description"] and "3****************2" in row["description"]
        assert "025****1234" in row["description"] and "王**先生" in row["description"]
        assert "楼下占道摆摊" in row["description"]
        assert "赵**" in row["status_notes"] and "138****5678" in row["status_notes"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_location_is_the_compound_not_the_building(client, reported, compound, fmt):
    (row,) = rows_of(client.get(f"{BASE}/requests/{reported.number}.{fmt}"), fmt)
    assert row["address_id"] == compound.code != compound.building.code
    assert row["address"] == "玄武区梅园新村街道北安门小区"
    assert (row["lat"], row["long"]) == ("32.061000", "118.801000")  # the compound's centre
    assert "301" not in json.dumps(row, ensure_ascii=False)


def test_location_without_compound_is_the_street_and_a_rounded_point(client, people, catalogue, tree):
    appeal = services.create_appeal(
        people.resident,
        channel=Channel.RESIDENT,
        category=catalogue.stall,
        description="楼下占道",
        area=tree.building,
        latitude="32.061234",
        longitude="118.801234",
    )
    (row,) = rows_of(client.get(f"{BASE}/requests/{appeal.number}.json"), "json")
    assert (row["address_id"], row["address"]) == (tree.meiyuan.code, "玄武区梅园新村街道")
    assert (row["lat"], row["long"]) == ("32.06", "118.80")


@pytest.mark.parametrize("fmt", FORMATS)
def test_internal_steps_never_show(client, reported, people, fmt):
    services.request_extension(people.grid, reported, workdays=3, reason="需协调城管执法")
    for response in everything(client, reported, fmt):
        body = response.content.decode("utf-8")
        if fmt == "json":
            body = json.dumps(response.json(), ensure_ascii=False)
        assert "督办" not in body and "督查" not in body and "延期" not in body and "协调城管" not in body


def test_an_internal_step_does_not_move_the_update_time(client, people, catalogue, tree):
    now = timezone.now()
    appeal = services.create_appeal(
        people.resident,
        channel=Channel.RESIDENT,
        category=catalogue.stall,
        description="占道",
        area=tree.building,
        now=now - timedelta(hours=3),
    )
    dispatched_at = now - timedelta(hours=2)
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=dispatched_at)
    services.supervise_appeal(people.district, appeal, note=SUPERVISE_NOTE, now=now - timedelta(hours=1))
    (row,) = client.get(f"{BASE}/requests/{appeal.number}.json").json()
    assert row["updated_datetime"] == timezone.localtime(dispatched_at).isoformat(timespec="seconds")


def test_reach_is_a_city_rule(client, people, catalogue, tree):
    now = timezone.now()

    def filed(days):
        return services.create_appeal(
            people.resident,
            channel=Channel.RESIDENT,
            category=catalogue.stall,
            description=f"{days}天前的诉求",
            area=tree.building,
            now=now - timedelta(days=days),
        )

    recent, older, oldest = filed(10), filed(40), filed(100)
    listed = {r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()}
    assert listed == {recent.number, older.number}
    assert client.get(f"{BASE}/requests/{oldest.number}.json").status_code == 404
    by_id = client.get(f"{BASE}/requests.json", {"service_request_id": oldest.number}).json()
    assert by_id == []
    window = {"start_date": (now - timedelta(days=120)).isoformat(), "end_date": (now - timedelta(days=35)).isoformat()}
    assert [r["service_request_id"] for r in client.get(f"{BASE}/requests.json", window).json()] == [older.number]

    set_rule(OPEN311_REACH_DAYS, 30)
    assert [r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()] == [recent.number]
    assert client.get(f"{BASE}/requests/{older.number}.xml").status_code == 404
    assert client.get(f"{BASE}/requests.json", window).json() == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_optional_fields_are_a_city_rule(client, reported, fmt):
    (row,) = rows_of(client.get(f"{BASE}/requests/{reported.number}.{fmt}"), fmt)
    assert row["agency_responsible"] and row["lat"] and row["address"] and row["description"]
    set_rule(OPEN311_PUBLIC_FIELDS, ["description", "address"])
    (row,) = rows_of(client.get(f"{BASE}/requests/{reported.number}.{fmt}"), fmt)
    assert row["description"] and row["address"]
    for name in ("agency_responsible", "status_notes", "expected_datetime", "lat", "long", "address_id"):
        assert row[name] == "", name
    assert row["status"] == "open" and row["service_code"] and row["requested_datetime"]


# --------------------------------------------------------------------------- rate limits


@pytest.fixture
def clock(monkeypatch):
    """The throttles' clock, moved by hand: windows do not depend on how fast the tests run."""
    now = [1_000_000.0]
    monkeypatch.setattr(Open311Throttle, "timer", staticmethod(lambda: now[0]))
    return now


def limits(**values):
    table = {"read_per_address": 60, "read_per_key": 600, "write_per_address": 10, "write_per_key": 120}
    table.update(values)
    set_rule(OPEN311_RATE_LIMITS, table)


@pytest.mark.parametrize("fmt", FORMATS)
def test_reads_are_limited_per_address(client, catalogue, clock, fmt):
    limits(read_per_address=3)
    for _ in range(3):
        assert client.get(f"{BASE}/services.{fmt}", REMOTE_ADDR="203.0.113.7").status_code == 200
    refused = client.get(f"{BASE}/requests.{fmt}", REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    if fmt == "json":
        assert refused.json()[0]["code"] == "rate_limit"
    else:
        assert ET.fromstring(refused.content).find("error/code").text == "rate_limit"
    # Another client is not held back, nor can one escape by claiming another address.
    assert client.get(f"{BASE}/services.{fmt}", REMOTE_ADDR="203.0.113.8").status_code == 200
    spoofed = client.get(f"{BASE}/services.{fmt}", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert spoofed.status_code == 429
    clock[0] += 61  # a minute later the address may read again
    assert client.get(f"{BASE}/services.{fmt}", REMOTE_ADDR="203.0.113.7").status_code == 200


def test_posts_are_limited_per_key_and_per_address(client, catalogue, tree, clock):
    limits(write_per_key=2, write_per_address=3)
    _, raw = ApiKey.issue("街道小程序", area=tree.beianmen)
    _, other_raw = ApiKey.issue("社区公众号", area=tree.beianmen)
    post = {"service_code": catalogue.stall.code, "address_id": tree.building.code, "description": "占道"}

    def send(api_key, address):
        return client.post(f"{BASE}/requests.json", {**post, "api_key": api_key}, REMOTE_ADDR=address)

    assert send(raw, "203.0.113.1").status_code == 201
    assert send(raw, "203.0.113.2").status_code == 201
    refused = send(raw, "203.0.113.3")  # a third address, the same key
    assert refused.status_code == 429 and refused.json()[0]["code"] == "rate_limit"
    assert send(other_raw, "203.0.113.4").status_code == 201  # another key is not held back
    # Per address: three POSTs from one address, whatever keys (or bad ones) they carry.
    assert send(other_raw, "203.0.113.9").status_code == 201
    assert send("made-up-key", "203.0.113.9").status_code == 403
    assert send("another-made-up-key", "203.0.113.9").status_code == 403
    assert send(other_raw, "203.0.113.9").status_code == 429
    # Reads are counted apart from POSTs.
    assert client.get(f"{BASE}/services.json", REMOTE_ADDR="203.0.113.9").status_code == 200


def test_mask_text_forms():
    assert mask_text("电话：8456-1234，（025）8456 1234") == "电话：****1234，025****1234"
    assert mask_text("身份证32010219900101123Ｘ，１３８１２３４５６７８") == "身份证3****************X，138****5678"
    assert mask_text("联系人：李四，张先生，请张三师傅处理", "李四") == "联系人：李*，张先生，请张*师傅处理"
    assert mask_text("邮箱 zhang.san@example.cn。") == "邮箱 z***@example.cn。"
    # Dates, amounts, coordinates and the 16-digit 工单编号 are left alone.
    text = "2025-09-10 面积1200平方米 坐标32.061234 工单2026120600000001"
    assert mask_text(text) == text

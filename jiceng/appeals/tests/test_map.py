"""Choosing a place on a map, and the 诉求地图: the tile rule and its offline fallback, the
coordinate fields on the request and area forms, and the pins' scope."""

import json
import re
from decimal import Decimal

import pytest

from jiceng.appeals.models import Appeal, Status
from jiceng.areas.rules import MAP_ATTRIBUTION, MAP_TILE_URL
from jiceng.core.models import Rule
from jiceng.core.rules import RULES, RuleValueError

TILES = "https://tiles.city.gov.cn/{z}/{x}/{y}.png"


def set_rule(key, value):
    Rule.objects.update_or_create(key=key, defaults={"value": value})


def _pins(response) -> list[dict]:
    match = re.search(r'<script id="map-pins" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    assert match, "the page embeds its pins"
    return json.loads(match.group(1))


# --------------------------------------------------------------------------- the rule


def test_tile_rule_takes_a_tile_template_and_refuses_anything_else():
    rule = RULES[MAP_TILE_URL]
    assert rule.parse("") == ""
    assert rule.parse(f"  {TILES} ") == TILES
    assert rule.parse("/tiles/{z}/{x}/{y}.png") == "/tiles/{z}/{x}/{y}.png"
    for bad in ("https://tiles.city.gov.cn/tile.png", "javascript:alert(1)//{z}", 'https://x/{z}"><b>', 42):
        with pytest.raises(RuleValueError, match="地图瓦片服务地址"):
            rule.parse(bad)


def test_without_a_tile_url_the_submit_page_has_coordinates_only_and_loads_nothing_else(client, people):
    client.force_login(people.resident)
    response = client.get("/appeals/new/")
    html = response.content.decode()
    assert 'name="latitude"' in html and 'name="longitude"' in html
    assert "未配置地图服务" in html
    assert "leaflet" not in html and "data-map-picker" not in html
    assert not re.search(r'(src|href)="https?://', html), "nothing from outside the site"
    assert "img-src 'self' data:;" in response["Content-Security-Policy"]


def test_with_a_tile_url_the_submit_page_has_a_map_and_the_policy_allows_that_server_only(client, people):
    set_rule(MAP_TILE_URL, TILES)
    set_rule(MAP_ATTRIBUTION, "审图号：苏S（2025）001号")
    client.force_login(people.resident)
    response = client.get("/appeals/new/")
    html = response.content.decode()
    assert "data-map-picker" in html and f'data-tile-url="{TILES}"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html and "/static/jiceng/map.js" in html
    assert "审图号：苏S（2025）001号" in html
    policy = response["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.city.gov.cn" in policy
    assert "script-src 'self';" in policy and "connect-src 'self';" in policy


def test_the_leaflet_files_are_served_from_the_site(client):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/leaflet/leaflet.js")
    assert finders.find("vendor/leaflet/images/marker-icon.png")
    assert finders.find("jiceng/map.js")


# --------------------------------------------------------------------------- the forms


def _submit_data(catalogue, **extra):
    data = {"category": catalogue.stall.pk, "description": "路灯不亮。", "area": "", "address": ""}
    data["client_token"] = "m1"
    data.update(extra)
    return data


def test_a_request_is_located_by_typed_coordinates(client, people, catalogue, tree):
    tree.grid1.latitude, tree.grid1.longitude = Decimal("32.061000"), Decimal("118.801000")
    tree.grid1.save(update_fields=["latitude", "longitude"])
    client.force_login(people.resident)
    response = client.post("/appeals/new/", _submit_data(catalogue, latitude="32.0612", longitude="118.8013"))
    assert response.status_code == 302
    appeal = Appeal.objects.get(client_token="m1")
    assert (appeal.latitude, appeal.longitude) == (Decimal("32.061200"), Decimal("118.801300"))
    assert appeal.area == tree.grid1  # the nearest grid


@pytest.mark.parametrize(
    ("latitude", "longitude", "message"),
    [
        ("0", "0", "纬度应在 3.8 至 53.6 之间（我国境内）。"),
        ("32.06", "150", "经度应在 73.5 至 135.1 之间（我国境内）。"),
        ("32.06", "", "经度和纬度须同时填写。"),
        ("abc", "118.8", "纬度请填写数字"),
    ],
)
def test_coordinates_outside_china_or_alone_are_refused_in_chinese(
    client, people, catalogue, latitude, longitude, message
):
    client.force_login(people.resident)
    response = client.post("/appeals/new/", _submit_data(catalogue, latitude=latitude, longitude=longitude))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_area_form_stores_a_point_in_china_and_refuses_one_outside(client, users, tree):
    client.force_login(users.community)
    url = f"/areas/{tree.grid1.code}/edit/"
    base = {"name": tree.grid1.name, "kind": "", "households": 100, "population": 0}
    refused = client.post(url, {**base, "latitude": "60", "longitude": "118.8"})
    assert refused.status_code == 200 and "纬度应在 3.8 至 53.6 之间" in refused.content.decode()
    saved = client.post(url, {**base, "latitude": "32.0611", "longitude": "118.8012"})
    assert saved.status_code == 302
    tree.grid1.refresh_from_db()
    assert (tree.grid1.latitude, tree.grid1.longitude) == (Decimal("32.061100"), Decimal("118.801200"))


def test_the_area_form_shows_the_map_with_a_tile_url(client, users, tree):
    set_rule(MAP_TILE_URL, "/tiles/{z}/{x}/{y}.png")
    client.force_login(users.community)
    html = client.get(f"/areas/{tree.grid1.code}/edit/").content.decode()
    assert "data-map-picker" in html and 'data-lat-input="id_latitude"' in html


# --------------------------------------------------------------------------- 诉求地图


@pytest.fixture
def located(submit, tree, people):
    """One appeal with coordinates in 北安门社区, one in 贡院社区 (秦淮区), one without coordinates."""
    inside = submit(now=None, title="北安门路灯", latitude="32.061", longitude="118.801")
    outside = submit(
        now=None, actor=people.resident2, area=tree.gongyuan, title="贡院路灯", latitude="32.021", longitude="118.789"
    )
    plain = submit(now=None, title="没有坐标的诉求")
    return inside, outside, plain


def test_the_map_shows_only_pins_in_the_users_area(client, people, located):
    inside, outside, _plain = located
    client.force_login(people.community)
    response = client.get("/appeals/map/")
    assert response.status_code == 200
    pins = _pins(response)
    assert [p["number"] for p in pins] == [inside.number]
    assert {k: v for k, v in pins[0].items() if k != "created"} == {
        "number": inside.number,
        "title": "北安门路灯",
        "status": inside.get_status_display(),
        "lat": 32.061,
        "lng": 118.801,
        "url": f"/appeals/{inside.pk}/",
    }
    html = response.content.decode()
    assert outside.number not in html and "贡院路灯" not in html
    assert "地图标出 1 件有坐标的诉求" in html


def test_the_map_filters_like_the_list_and_a_blank_form_filters_nothing(client, people, located):
    inside, outside, _plain = located
    client.force_login(people.district)
    blank = {"q": "", "status": "", "category": "", "area": "", "created_after": "", "created_before": ""}
    assert {p["number"] for p in _pins(client.get("/appeals/map/", blank))} == {inside.number}
    client.force_login(people.city)
    assert {p["number"] for p in _pins(client.get("/appeals/map/", blank))} == {inside.number, outside.number}
    only_gongyuan = client.get("/appeals/map/", {**blank, "area": "320104"})
    assert [p["number"] for p in _pins(only_gongyuan)] == [outside.number]
    assert _pins(client.get("/appeals/map/", {**blank, "status": Status.CLOSED})) == []
    assert [p["number"] for p in _pins(client.get("/appeals/map/", {**blank, "q": "北安门"}))] == [inside.number]


def test_the_map_caps_the_pins_newest_first_and_says_so(client, people, located, submit, monkeypatch):
    from jiceng.appeals.views import map as map_view

    newest = submit(now=None, title="最新的诉求", latitude="32.0615", longitude="118.8015")
    monkeypatch.setattr(map_view, "MAX_PINS", 1)
    client.force_login(people.community)
    response = client.get("/appeals/map/")
    assert [p["number"] for p in _pins(response)] == [newest.number]
    assert "符合条件的诉求超过 1 件，地图只标出最新的 1 件" in response.content.decode()


def test_the_map_is_refused_to_a_resident(client, people, located):
    client.force_login(people.resident)
    assert client.get("/appeals/map/").status_code == 403

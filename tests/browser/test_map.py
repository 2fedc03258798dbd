"""Choosing a place, and the 诉求地图, in a real browser at desk and phone width.

(a) Without a tile server (the default: government networks are offline) the request form has
plain latitude/longitude inputs and no map, and a request is submitted with typed coordinates.
(b) With a tile URL (here the site's own static PNG: nothing external) a click on the map fills
the inputs, dragging the pin moves them, typing moves the pin, all under the content-security policy.
(c) The 诉求地图 of a community shows the pins of its requests only, each with a popup linking
to the request.
"""

from decimal import Decimal

import pytest

from jiceng.appeals.models import Appeal, Channel, ResponsibleLevel
from jiceng.appeals.services import create_appeal, create_category
from jiceng.areas.rules import MAP_TILE_URL
from jiceng.core.models import Rule
from tests.browser.harness import DESK, PHONE, assert_fits, login, menu_to, new_page, shot, submit
from tests.browser.test_csp import Watch

pytestmark = pytest.mark.browser

PASSWORD = "Ditu-Xuandian-2026"
# Leaflet's own layer-switcher image stands in for the city's tiles (any PNG will do).
TEST_TILES = "/static/vendor/leaflet/images/layers.png?z={z}&x={x}&y={y}"
VIEWPORTS = [pytest.param(DESK, id="desk"), pytest.param(PHONE, id="phone")]


@pytest.fixture
def city(transactional_db, tree, make_user, cheap_argon2):
    look = create_category(None, name="市容环境", responsible_level=ResponsibleLevel.COMMUNITY)
    lamp = create_category(None, name="路灯不亮", parent=look, responsible_level=ResponsibleLevel.GRID)
    tree.grid1.latitude, tree.grid1.longitude = Decimal("32.061000"), Decimal("118.801000")
    tree.grid1.save(update_fields=["latitude", "longitude"])
    resident = make_user("resident_zhang", role="resident", area=tree.beianmen, password=PASSWORD)
    community = make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    common = {"channel": Channel.RESIDENT, "category": lamp}
    inside = create_appeal(
        resident, **common, description="北安门路口路灯不亮。", area=tree.grid1, latitude="32.0612", longitude="118.80"
    )
    outside = create_appeal(
        resident, **common, description="贡院街路灯不亮。", area=tree.gongyuan, latitude="32.021", longitude="118.789"
    )
    return {"tree": tree, "lamp": lamp, "resident": resident, "community": community, "inside": inside, "out": outside}


def _tiles(url: str) -> None:
    Rule.objects.update_or_create(key=MAP_TILE_URL, defaults={"value": url})


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_without_tiles_a_request_is_located_by_typed_coordinates(live_server, city, browser, viewport):
    page = new_page(browser, viewport)
    watch = Watch(page)
    login(page, live_server, "resident_zhang", PASSWORD)
    watch.visit(f"{live_server.url}/appeals/new/")
    assert page.locator("#map-offline-hint").is_visible()
    assert page.locator(".leaflet-container").count() == 0
    page.select_option("#id_category", str(city["lamp"].pk))
    page.fill("#id_description", "小区门口路灯坏了，晚上看不清路。")
    page.fill("#id_latitude", "32.061500")
    page.fill("#id_longitude", "118.801500")
    assert_fits(page)
    shot(page, f"map-a-coordinates-{'phone' if viewport == PHONE else 'desk'}")
    submit(page, page.get_by_role("button", name="提交诉求"), f"{live_server.url}/appeals/*/")
    assert "诉求已提交" in page.locator("body").inner_text()
    appeal = Appeal.objects.order_by("-id").first()
    assert (appeal.latitude, appeal.longitude) == (Decimal("32.061500"), Decimal("118.801500"))
    assert appeal.area == city["tree"].grid1  # the nearest grid centre
    watch.check()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_with_tiles_a_click_on_the_map_fills_the_coordinates(live_server, city, browser, viewport):
    _tiles(live_server.url + TEST_TILES)  # absolute: the policy must let this origin's images in
    page = new_page(browser, viewport)
    watch = Watch(page)
    tiles = []
    page.on("requestfinished", lambda r: tiles.append(r.url) if "layers.png" in r.url else None)
    login(page, live_server, "resident_zhang", PASSWORD)
    watch.visit(f"{live_server.url}/appeals/new/")
    picker = page.locator("#map-picker")
    picker.scroll_into_view_if_needed()
    assert page.locator("#map-picker img.leaflet-tile-loaded").count() > 0 and tiles
    assert all(url.startswith(live_server.url) for url in tiles)
    assert page.input_value("#id_latitude") == ""

    box = picker.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 40, box["y"] + box["height"] / 2 - 30)
    lat, lng = float(page.input_value("#id_latitude")), float(page.input_value("#id_longitude"))
    # The map opens on the nearest area with coordinates (第一网格); the click lands near it.
    assert abs(lat - 32.061) < 0.01 and abs(lng - 118.801) < 0.01, (lat, lng)
    marker = page.locator("#map-picker .leaflet-marker-icon")
    assert marker.count() == 1

    if viewport == DESK:  # dragging the pin moves the coordinates
        pin = marker.bounding_box()
        page.mouse.move(pin["x"] + pin["width"] / 2, pin["y"] + pin["height"] - 4)
        page.mouse.down()
        page.mouse.move(pin["x"] + 80, pin["y"] + 60, steps=8)
        page.mouse.up()
        assert float(page.input_value("#id_longitude")) > lng and float(page.input_value("#id_latitude")) < lat

    # Typing moves the pin (the inputs are the source of truth): the map re-centres on it.
    before = marker.bounding_box()
    page.fill("#id_latitude", "32.070000")
    page.fill("#id_longitude", "118.810000")
    after = marker.bounding_box()
    centre = picker.bounding_box()
    assert before != after
    assert abs(after["x"] + after["width"] / 2 - (centre["x"] + centre["width"] / 2)) < 3
    assert_fits(page)
    shot(page, f"map-b-picker-{'phone' if viewport == PHONE else 'desk'}")
    watch.check()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_request_map_shows_the_pins_of_the_community(live_server, city, browser, viewport):
    page = new_page(browser, viewport)
    watch = Watch(page)
    login(page, live_server, "beianmen", PASSWORD)
    url = f"{live_server.url}/appeals/map/"
    if viewport == PHONE:
        menu_to(page, "诉求地图", url)
    else:  # the menu group 民呼我应 is folded on the home page: unfold it
        title = page.locator(".nav-link-title", has_text="诉求地图")
        page.locator("#sidebar-menu details").filter(has=title).locator("summary").click()
        with page.expect_navigation(url=url):
            page.locator("#sidebar-menu").get_by_role("link", name="诉求地图").click()
    page.wait_for_load_state("networkidle")
    pins = page.locator("#appeal-map .leaflet-marker-icon")
    assert pins.count() == 1
    assert city["inside"].number in page.locator("#map-rows").inner_text()
    assert city["out"].number not in page.content()
    pins.first.click()
    popup = page.locator("#appeal-map .leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert city["inside"].number in text and city["inside"].title in text
    assert city["inside"].get_status_display() in text
    link = popup.get_by_role("link", name=city["inside"].number)
    assert link.get_attribute("href") == f"/appeals/{city['inside'].pk}/"
    assert_fits(page)
    shot(page, f"map-c-appeals-{'phone' if viewport == PHONE else 'desk'}")
    with page.expect_navigation(url=f"{live_server.url}/appeals/{city['inside'].pk}/"):
        link.click()
    watch.check()

"""The 大屏 in a real browser at the wall screen's 1920×1080, at desk and phone width: the figures,
the treemap (or the map once boundaries are imported), today's counters, the ranking and the
trend drawn by ECharts; the data-freshness stamp moving with the auto-refresh; a share link opened
by a browser that is not logged in; all under the content-security policy."""

import json
import re

import pytest
from django.core.management import call_command

from jiceng.appeals.models import Channel, ResponsibleLevel
from jiceng.appeals.services import create_appeal, create_category
from jiceng.core.models import Rule
from jiceng.core.rules import forget_rule
from jiceng.dashboards.rules import KIOSK_REFRESH_SECONDS
from tests.browser.harness import DESK, PHONE, assert_fits, login, new_page, shot
from tests.browser.test_csp import Watch

pytestmark = pytest.mark.browser

PASSWORD = "Kanban-Dapin-2026"
KIOSK = {"width": 1920, "height": 1080}
VIEWPORTS = [pytest.param(KIOSK, id="kiosk"), pytest.param(DESK, id="desk"), pytest.param(PHONE, id="phone")]
STAMP = re.compile(r"^\d{2}:\d{2}:\d{2}$")


def name_of(viewport) -> str:
    return {KIOSK["width"]: "kiosk", DESK["width"]: "desk", PHONE["width"]: "phone"}[viewport["width"]]


@pytest.fixture
def city(transactional_db, tree, make_user, cheap_argon2):
    lamp = create_category(None, name="路灯不亮", responsible_level=ResponsibleLevel.GRID)
    resident = make_user(
        "resident_zhang", role="resident", area=tree.beianmen, display_name="张三", phone="13812345678"
    )
    make_user("meiyuan_street", role="street", area=tree.meiyuan, password=PASSWORD)
    for area, n in ((tree.grid1, 3), (tree.meiyuan_grid, 1)):
        for i in range(n):
            create_appeal(resident, channel=Channel.RESIDENT, category=lamp, description=f"路灯不亮{i}。", area=area)
    return tree


def chart_option(page, name: str) -> dict:
    return page.evaluate(
        """(name) => {
            const chart = echarts.getInstanceByDom(document.querySelector(`[data-kiosk-chart="${name}"]`));
            const option = chart.getOption();
            const series = option.series[0];
            return {type: series.type, data: series.data, x: (option.xAxis || [{}])[0].data || null};
        }""",
        name,
    )


def wait_drawn(page, name: str) -> None:
    page.locator(f'[data-kiosk-chart="{name}"] canvas').first.wait_for(state="visible")
    page.wait_for_function(
        '(name) => { const el = document.querySelector(`[data-kiosk-chart="${name}"]`);'
        " const c = el && window.echarts && echarts.getInstanceByDom(el);"
        " return !!(c && c.getOption().series.length); }",
        arg=name,
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_kiosk_draws_the_node(live_server, city, browser, viewport):
    page = new_page(browser, viewport)
    watch = Watch(page)
    login(page, live_server, "meiyuan_street", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/areas/320102002/")
    with page.expect_navigation(url=re.compile(r".*/dashboard/areas/320102002/screen/.*")):
        page.get_by_role("link", name="大屏", exact=True).click()
    page.locator("[data-kiosk-node]").wait_for(state="visible")
    wait_drawn(page, "map")
    wait_drawn(page, "trend")
    page.wait_for_timeout(800)  # ECharts' entry animation, for the screenshot
    # The figures, today's counters and the ranking, from the page's data.
    received = page.locator('.kiosk-value[data-metric="appeals.received"]')
    assert received.inner_text().startswith("4")
    assert page.locator('[data-kiosk-today="received"]').inner_text() == "4"
    assert page.locator("[data-kiosk-ranking] li").first.inner_text().startswith("北安门社区")
    assert STAMP.match(page.locator("[data-kiosk-updated]").inner_text())
    # The charts hold the data: the treemap of the two communities, twelve months of trend.
    treemap = chart_option(page, "map")
    assert treemap["type"] == "treemap"
    assert {item["name"] for item in treemap["data"]} == {"北安门社区", "梅园新村社区"}
    trend = chart_option(page, "trend")
    assert trend["type"] == "line" and len(trend["data"]) == 12 and trend["data"][-1] == 4
    html = page.content()
    assert "张三" not in html and "13812345678" not in html
    shot(page, f"kiosk-street-{name_of(viewport)}")
    if viewport == KIOSK:
        # One screen, nothing to scroll on the wall.
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= KIOSK["height"] + 4, height
    assert_fits(page)
    watch.check()


def test_the_kiosk_refreshes_and_shows_the_map_after_an_import(live_server, city, browser, tmp_path):
    square = [[118.80, 32.05], [118.81, 32.05], [118.81, 32.06], [118.80, 32.05]]
    other = [[118.81, 32.05], [118.82, 32.05], [118.82, 32.06], [118.81, 32.05]]
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
            for code, ring in (("320102002011", square), ("320102002001", other))
        ],
    }
    path = tmp_path / "meiyuan.geojson"
    path.write_text(json.dumps(geojson), encoding="utf-8")
    call_command("import_boundaries", str(path))
    Rule.objects.update_or_create(key=KIOSK_REFRESH_SECONDS, defaults={"value": 10})
    forget_rule(KIOSK_REFRESH_SECONDS)
    page = new_page(browser, KIOSK)
    watch = Watch(page)
    login(page, live_server, "meiyuan_street", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/areas/320102002/screen/?rank=appeals.received")
    wait_drawn(page, "map")
    option = chart_option(page, "map")
    assert option["type"] == "map"
    assert {d["name"]: d["value"] for d in option["data"]} == {"北安门社区": 3, "梅园新村社区": 1}
    first = page.evaluate("document.body.dataset.kioskDrawn")
    # The page fetches its JSON again after 10 s and redraws: the stamp moves.
    page.wait_for_function("(first) => document.body.dataset.kioskDrawn !== first", arg=first, timeout=25000)
    assert STAMP.match(page.locator("[data-kiosk-updated]").inner_text())
    page.wait_for_timeout(800)
    shot(page, "kiosk-map-kiosk")
    watch.check()


def test_a_share_link_opens_without_login(live_server, city, browser):
    page = new_page(browser, DESK)
    watch = Watch(page)
    login(page, live_server, "meiyuan_street", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/areas/320102002/")
    page.get_by_role("link", name="分享大屏").click()
    page.get_by_label("有效期（天）").fill("90")
    page.get_by_label("用途").fill("街道指挥中心")
    page.get_by_role("button", name="生成链接").click()
    page.locator(".invalid-feedback").wait_for(state="visible")
    assert "有效期最长 30 天" in page.locator(".invalid-feedback").inner_text()
    page.get_by_label("有效期（天）").fill("7")
    page.get_by_role("button", name="生成链接").click()
    link = page.locator("[data-share-url]").first
    link.wait_for(state="visible")
    url = link.input_value()
    assert "/screen/" in url
    shot(page, "kiosk-share-desk")
    watch.check()
    # The wall screen's browser: a fresh context, never logged in.
    screen = new_page(browser, KIOSK)
    screen_watch = Watch(screen)
    screen.goto(url)
    wait_drawn(screen, "map")
    assert "只读分享" in screen.locator(".kiosk-sub").inner_text()
    assert screen.get_by_role("link", name="返回看板").count() == 0
    screen.wait_for_timeout(800)
    shot(screen, "kiosk-shared-kiosk")
    screen_watch.check()
    # Revoked: the next load says so in Chinese.
    page.get_by_role("button", name="撤销").first.click()
    page.locator(".alert-success, .alert").first.wait_for(state="visible")
    screen.goto(url)
    screen.locator("[data-gone]").wait_for(state="visible")
    assert "撤销" in screen.locator("[data-gone]").inner_text()


@pytest.mark.parametrize("viewport", [pytest.param(DESK, id="desk"), pytest.param(PHONE, id="phone")])
def test_the_dashboard_offers_the_kiosk_the_reports_and_the_snapshot_toggle(live_server, city, browser, viewport):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from jiceng.core.metrics import Period
    from jiceng.dashboards.services import date_minus_month
    from jiceng.dashboards.snapshots import create_snapshot

    last = Period.month_of(date_minus_month(timezone.localdate()))
    create_snapshot(None, "areas", "320102002", last)
    page = new_page(browser, viewport)
    watch = Watch(page)
    login(page, live_server, "meiyuan_street", PASSWORD)
    page.goto(f"{live_server.url}/dashboard/areas/320102002/?period={last.text}")
    # The filter form as it loads.
    with page.expect_navigation():
        page.get_by_role("button", name="查询").click()
    toggle = page.locator("[data-source-toggle]")
    toggle.get_by_role("link", name="月报数据").click()
    page.locator("[data-snapshot-note]").wait_for(state="visible")
    assert "此处显示冻结时的数字" in page.locator("[data-snapshot-note]").inner_text()
    assert page.locator('[data-report="minhu"]').is_visible()
    assert page.get_by_role("link", name="导出 Excel").is_visible()
    page.locator('[data-chart="children"] canvas').wait_for(state="visible")
    assert_fits(page)
    shot(page, f"dashboard-snapshot-{name_of(viewport)}")
    if viewport == DESK:
        with page.expect_download() as download:
            page.get_by_role("link", name="导出 Excel").click()
        assert download.value.suggested_filename.endswith(".xlsx")
        href = page.locator('[data-report="minhu"]').get_attribute("href")
        response = page.request.get(live_server.url + href)
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    watch.check()
    assert get_user_model().objects.filter(username="meiyuan_street").exists()

"""The 数据看板 in a real browser at desk and phone width: the figures, a chart of the children that
drills down on click, the breadcrumb back up, keeping the period; under the content-security policy."""

import re

import pytest

from jiceng.appeals.models import Channel, ResponsibleLevel
from jiceng.appeals.services import create_appeal, create_category
from tests.browser.harness import DESK, PHONE, assert_fits, login, menu_to, new_page, shot
from tests.browser.test_csp import Watch

pytestmark = pytest.mark.browser

PASSWORD = "Kanban-Shuju-2026"
VIEWPORTS = [pytest.param(DESK, id="desk"), pytest.param(PHONE, id="phone")]


@pytest.fixture
def city(transactional_db, tree, make_user, cheap_argon2):
    lamp = create_category(None, name="路灯不亮", responsible_level=ResponsibleLevel.GRID)
    resident = make_user("resident_zhang", role="resident", area=tree.beianmen)
    make_user("meiyuan_street", role="street", area=tree.meiyuan, password=PASSWORD)
    for area, n in ((tree.grid1, 3), (tree.meiyuan_grid, 1)):
        for i in range(n):
            create_appeal(resident, channel=Channel.RESIDENT, category=lamp, description=f"路灯不亮{i}。", area=area)
    return tree


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_street_drills_down_from_its_dashboard(live_server, city, browser, viewport):
    page = new_page(browser, viewport)
    watch = Watch(page)
    login(page, live_server, "meiyuan_street", PASSWORD)
    menu_to(page, "数据看板", re.compile(r".*/dashboard/areas/320102002/"))
    assert page.locator('[data-metric="appeals.received"]').inner_text().startswith("4")
    chart = page.locator('[data-chart="children"] canvas')
    chart.wait_for(state="visible")
    assert_fits(page)
    shot(page, f"dashboard-street-{'phone' if viewport == PHONE else 'desk'}")
    # The children are ranked by the first metric; 北安门社区 (3 requests) comes first in the table.
    page.goto(f"{live_server.url}/dashboard/areas/320102002/?period=&rank=appeals.received")
    first = page.locator("table tbody tr").first
    assert "北安门社区" in first.inner_text()
    target = re.compile(r".*/dashboard/areas/320102002011/.*rank=appeals.received")
    if viewport == PHONE:
        # On a phone the table's names lead down (a bar is a small target for a finger).
        with page.expect_navigation(url=target):
            first.get_by_role("link", name="北安门社区").click()
    else:
        # A click on the first bar opens that community's dashboard, with the same metric.
        page.locator('[data-chart="children"] canvas').wait_for(state="visible")
        # Below the headline figures (every app's metrics): bring the chart into the window first.
        page.locator('[data-chart="children"]').scroll_into_view_if_needed()
        page.wait_for_timeout(500)  # ECharts' entry animation
        box = page.locator('[data-chart="children"]').bounding_box()
        # The middle of the first bar (北安门社区, ranked first), from the chart's own coordinates.
        top, bottom = page.evaluate(
            """() => {
                const chart = echarts.getInstanceByDom(document.querySelector('[data-chart="children"]'));
                const value = chart.getOption().series[0].data[0];
                const at = (v) => chart.convertToPixel({seriesIndex: 0}, [0, v]);
                return [at(value), at(0)];
            }"""
        )
        with page.expect_navigation(url=target):
            page.mouse.click(box["x"] + top[0], box["y"] + (top[1] + bottom[1]) / 2)
    assert page.locator('[data-metric="appeals.received"]').inner_text().startswith("3")
    # The breadcrumb leads back up to the street.
    with page.expect_navigation(url=re.compile(r".*/dashboard/areas/320102002/.*")):
        page.locator(".jc-breadcrumb").get_by_role("link", name="梅园新村街道").click()
    watch.check()

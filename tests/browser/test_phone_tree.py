"""A community secretary on a phone (375 px): the tree shows their community and its grids, and
nothing beside it (the sibling community) or above it (street, district, city).

Drives Debian's ``/usr/bin/chromium`` through Playwright against pytest-django's live server; no
browser is ever downloaded. Without Chromium the test is a loud skip, and with ``CI=true`` a failure.
"""

import re

import pytest

from jiceng.accounts.services import assign_role, create_user
from jiceng.areas.models import Level
from jiceng.areas.services import create_area
from tests.browser.harness import OVERFLOW_JS, PHONE, menu_to, new_page, shot

pytestmark = pytest.mark.browser

PASSWORD = "Beianmen-2026-phone"


@pytest.fixture
def phone_tree(transactional_db):
    """南京市 → 玄武区 → 梅园新村街道 → 北安门社区 (three grids) and its sibling 梅园新村社区 (one grid).

    ``transactional_db``: the live server runs in another thread (on PostgreSQL, another
    connection), so the rows must be committed, not held in a test transaction.
    """
    city = create_area(None, parent=None, level=Level.CITY, code="3201", name="南京市", kind="city")
    district = create_area(None, parent=city, level=Level.DISTRICT, code="320102", name="玄武区")
    street = create_area(None, parent=district, level=Level.STREET, code="320102002", name="梅园新村街道")
    beianmen = create_area(None, parent=street, level=Level.COMMUNITY, code="320102002011", name="北安门社区")
    grids = [
        create_area(None, parent=beianmen, level=Level.GRID, name=name, households=households, population=people)
        for name, households, people in [
            ("北安门社区第一网格", 388, 1012),
            ("北安门社区第二网格", 435, 1144),
            ("北安门社区第三网格", 327, 832),
        ]
    ]
    sibling = create_area(None, parent=street, level=Level.COMMUNITY, code="320102002001", name="梅园新村社区")
    sibling_grid = create_area(
        None, parent=sibling, level=Level.GRID, name="梅园新村社区第一网格", households=439, population=1118
    )
    user = create_user(None, username="beianmen", password=PASSWORD, display_name="北安门社区党委")
    assign_role(None, user, "community", beianmen)
    return {
        "ancestors": [city, district, street],
        "community": beianmen,
        "grids": grids,
        "sibling": sibling,
        "sibling_grid": sibling_grid,
    }


@pytest.fixture
def phone_page(browser):
    return new_page(browser, PHONE)


def test_community_secretary_sees_only_own_community_on_a_phone(live_server, phone_tree, phone_page):
    page = phone_page
    community, grids = phone_tree["community"], phone_tree["grids"]

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "beianmen")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # The menu is folded behind the hamburger on a phone; open it and go to the tree.
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible(), "the phone layout shows a menu button"
    menu_to(page, "区划与网格", f"{live_server.url}/areas/{community.code}/")

    shot(page, "phone-tree")

    # Its own community and every one of its grids, with the roll-ups formatted for reading.
    assert page.locator("h2.page-title").inner_text().strip() == "北安门社区"
    rows = page.locator("#children tbody tr")
    assert rows.count() == len(grids)
    for grid in grids:
        link = page.locator(f'#children a[href="/areas/{grid.code}/"]')
        assert link.inner_text().strip() == grid.name
        assert link.is_visible()
    assert "1,144" in rows.nth(1).inner_text()  # 第二网格's population, with a thousands separator

    # Nothing beside it and nothing above it: not as text, not as a link.
    text = page.locator("body").inner_text()
    for other in (phone_tree["sibling"], phone_tree["sibling_grid"], *phone_tree["ancestors"]):
        assert other.name not in text, f"{other.name} must not be shown to a community user"
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    area_links = [(h, m.group(1)) for h in hrefs if (m := re.match(r"/areas/(\d+)/", h))]
    assert len(area_links) >= len(grids), "the grids are links"
    outside = [h for h, code in area_links if not code.startswith(community.code)]
    assert outside == [], f"links outside 北安门社区: {outside}"

    # The layout fits the phone: the stylesheet is in force and nothing makes the page scroll sideways.
    assert page.evaluate("getComputedStyle(document.querySelector('#children thead')).display") == "none"
    overflow = page.evaluate(OVERFLOW_JS)
    assert overflow["scrollWidth"] <= overflow["vw"], overflow
    assert overflow["wide"] == [], f"elements wider than the {overflow['vw']} px screen: {overflow['wide']}"

    # Drilling down keeps the scope: on a grid the breadcrumbs start at the community.
    page.locator(f'#children a[href="/areas/{grids[0].code}/"]').click()
    page.wait_for_url(f"{live_server.url}/areas/{grids[0].code}/")
    crumbs = page.locator(".breadcrumb .breadcrumb-item").all_inner_texts()
    assert [c.strip() for c in crumbs] == ["北安门社区", grids[0].name]
    assert page.evaluate(OVERFLOW_JS)["wide"] == []

"""The lists of 组织生活, 双报到 and the 数据看板's period form in a browser: each filter form submits
cleanly as it loads (no field error, the same rows), as a user presses 查询 without touching it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.orglife import services as orglife
from jiceng.orgs.tests.conftest import build_orgs, make_members
from tests.browser.harness import DESK, PHONE, login, new_page

pytestmark = pytest.mark.browser

PASSWORD = "Liebiao-Xin-2026"
LISTS = [
    "orglife:meeting_list",
    "orglife:compliance",
    "dualreport:registration_list",
    "dualreport:post_list",
    "dualreport:service_list",
    "dualreport:below_target",
]


@pytest.fixture
def branch(transactional_db, tree, make_user, cheap_argon2):
    orgs = build_orgs(tree)
    make_members(orgs.grid1, 3)
    for days, topic in ((3, "主题党日：学习全会精神"), (-10, "支部党员大会：发展党员")):
        orglife.create_meeting(
            None,
            org=orgs.grid1,
            types=["theme_day" if days > 0 else "congress"],
            topic=topic,
            planned_start=timezone.now() + timedelta(days=days),
        )
    make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    return tree


def rows(page) -> list[str]:
    return page.locator(".page-body table tbody tr").all_inner_texts()


@pytest.mark.parametrize("viewport", [pytest.param(DESK, id="desk"), pytest.param(PHONE, id="phone")])
def test_each_filter_form_submits_as_it_loads(live_server, branch, browser, viewport):
    page = new_page(browser, viewport)
    login(page, live_server, "beianmen", PASSWORD)
    urls = [reverse(name) for name in LISTS] + [reverse("dashboards:dashboard", args=["areas", branch.beianmen.code])]
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        loaded = rows(page)
        form = page.locator(".page-body form[method=get]").first
        with page.expect_navigation():
            form.locator("button[type=submit]").first.click()
        assert "?" in page.url, url  # the form was sent
        assert page.locator(".is-invalid, .invalid-feedback:visible, .alert-danger").count() == 0, url
        assert rows(page) == loaded, url
    # The meeting list is not empty: the form's defaults do not filter the branch's meetings away.
    page.goto(f"{live_server.url}{reverse('orglife:meeting_list')}")
    assert any("主题党日" in row for row in rows(page))

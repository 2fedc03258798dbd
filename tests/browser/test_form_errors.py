"""A form sent low on a long page comes back with its error in view: on a phone (375×812), the
党费基数 form below 登记交纳 answers "请填写此项" next to its field, on screen, with the cursor in it
(before, the page reloaded at its top and the message was two screens down)."""

import pytest
from django.urls import reverse

from jiceng.orgs.tests.conftest import build_orgs, make_members
from tests.browser.harness import PHONE, login, new_page, shot

pytestmark = pytest.mark.browser

PASSWORD = "Xuanwu-2026-forms"


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def test_the_error_of_a_form_low_on_a_phone_page_is_in_view(live_server, tree, make_user, cheap_argon2, browser):
    member = make_members(build_orgs(tree).grid1, 1)[0]
    make_user("xuanwu_org", role="district_org", area=tree.xuanwu, password=PASSWORD)
    page = new_page(browser, PHONE)
    login(page, live_server, "xuanwu_org", PASSWORD)
    page.goto(f"{live_server.url}{reverse('members:member_dues', args=[member.pk])}")
    base = page.locator("input[name=base-dues_base]")
    base.scroll_into_view_if_needed()
    base.fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="保存基数").click()
    page.wait_for_load_state("load")
    error = page.locator(".invalid-feedback", has_text="请填写此项。")
    assert error.count() == 1
    assert page.evaluate("window.scrollY") > 0  # the form is below the first screen
    assert in_view(page, error) and in_view(page, base)
    assert page.evaluate("document.activeElement.name") == "base-dues_base"
    shot(page, "form-error-in-view-phone")

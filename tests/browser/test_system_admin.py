"""系统管理 in a browser, at desk (1280×800) and phone (375×812) width: a street administrator
creates an account, grants it a role on the street, unlocks it after a lockout and disables it;
the account's owner sees the effect at the login page."""

import re

import pytest
from django.conf import settings

from jiceng.accounts.models import User
from tests.browser.harness import PHONE, assert_fits, login, menu_to, new_page, pick, shot

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 800}
ADMIN_PASSWORD = "Meiyuan-Street-2026"
NEW_PASSWORD = "Wangwu-Start-2026"


def submit(page, selector: str = "form.jc-form") -> None:
    with page.expect_navigation():
        page.click(f"{selector} button[type=submit]")


def status(page) -> str:
    return page.locator("#status").inner_text().strip()


def failed_logins(browser, live_server, username: str, count: int) -> None:
    other = new_page(browser, DESK)
    for _ in range(count):
        other.goto(f"{live_server.url}/accounts/login/")
        other.fill("#id_username", username)
        other.fill("#id_password", "wrong-password")
        other.click("button[type=submit]")
        other.wait_for_load_state()
    other.context.close()


def can_log_in(browser, live_server, username: str) -> str:
    """What the login page answers the account with its right password: "" when it gets in."""
    other = new_page(browser, DESK)
    other.goto(f"{live_server.url}/accounts/login/")
    other.fill("#id_username", username)
    other.fill("#id_password", NEW_PASSWORD)
    with other.expect_navigation():
        other.click("button[type=submit]")
    answer = "" if other.url == f"{live_server.url}/" else other.locator("body").inner_text()
    other.context.close()
    return answer


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_street_admin_creates_grants_unlocks_and_disables(
    live_server, tree, make_user, cheap_argon2, browser, viewport
):
    width = "phone" if viewport == PHONE else "desk"
    make_user("meiyuan_street", role="street", area=tree.meiyuan, password=ADMIN_PASSWORD)
    make_user("gongyuan_staff", role="community", area=tree.gongyuan)  # beside the street: never listed
    page = new_page(browser, viewport)
    login(page, live_server, "meiyuan_street", ADMIN_PASSWORD)

    users_url = f"{live_server.url}/system/users/"
    menu_to(page, "用户管理", users_url)
    submit(page, "#user-filter")  # the filter as it loads
    listed = page.locator("#users").inner_text()
    assert "meiyuan_street" in listed and "gongyuan_staff" not in listed
    shot(page, f"system-users-{width}")

    # Create an account on a community of the street, every error first reported at once.
    page.get_by_role("link", name="新建用户").click()
    page.wait_for_url(f"{live_server.url}/system/users/add/")
    page.fill("#id_username", "wangwu")
    page.fill("#id_phone", "12345")
    submit(page)
    assert page.locator("#form-errors").is_visible()
    errors = page.locator(".invalid-feedback").all_inner_texts()
    assert {"请填写姓名。", "请选择所属区划。", "请填写密码。"} <= set(errors), errors
    assert any("手机号为11位数字" in e for e in errors)  # the platform's one phone message (core.phones)
    shot(page, f"system-user-add-errors-{width}")
    page.fill("#id_display_name", "王五")
    page.fill("#id_phone", "13912345678")
    pick(page, "id_area", "北安门", "北安门社区")
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    submit(page)
    account = User.objects.get(username="wangwu")
    page.wait_for_url(f"{live_server.url}/system/users/{account.pk}/")
    assert status(page) == "正常"

    # Grant 街道党工委 on the street.
    with page.expect_navigation(url=re.compile(r".*/grants/add/$")):
        page.get_by_role("link", name="授予角色").click()
    page.wait_for_load_state("load")  # grant-form.js is listening (DOMContentLoaded) before the choice
    page.select_option("#id_role", "street")
    # grant-form.js: the area picker only (waited for: a busy machine runs the script a little late).
    page.locator('[data-field="department"]').wait_for(state="hidden")
    assert not page.locator('[data-field="department"]').is_visible()
    pick(page, "id_area", "梅园新村街道")
    submit(page)
    page.wait_for_url(f"{live_server.url}/system/users/{account.pk}/")
    assert "街道党工委" in page.locator("#grants").inner_text()
    assert "梅园新村街道" in page.locator("#grants").inner_text()

    # Locked out after failed logins; the administrator unlocks, and the owner gets in again.
    failed_logins(browser, live_server, "wangwu", settings.AXES_FAILURE_LIMIT)
    assert "锁定" in can_log_in(browser, live_server, "wangwu")
    page.reload()
    assert status(page) == "已锁定"
    shot(page, f"system-user-locked-{width}")
    with page.expect_navigation():
        page.get_by_role("button", name="解除锁定").click()
    assert status(page) == "正常"
    assert "已解除" in page.locator(".alert-success").inner_text()
    assert can_log_in(browser, live_server, "wangwu") == ""

    # Disabled: the owner can no longer log in.
    with page.expect_navigation():
        page.get_by_role("button", name="停用账号").click()
    assert status(page) == "已停用"
    if viewport == PHONE:
        assert_fits(page)
    shot(page, f"system-user-disabled-{width}")
    assert can_log_in(browser, live_server, "wangwu") != ""
    account.refresh_from_db()
    assert not account.is_active

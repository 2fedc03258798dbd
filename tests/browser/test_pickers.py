"""The area and org pickers in a browser (static/jiceng/picker.js): a street user types part of a
name, chooses with the keyboard or goes down the tree, and the list's filter form then shows that
node's rows; the suggestions never name another street's nodes; a chosen node comes back by name."""

import re

import pytest

from jiceng.orgs.tests.conftest import build_orgs, make_members
from tests.browser.harness import DESK, PHONE, assert_fits, login, new_page, pick, shot

pytestmark = pytest.mark.browser

PASSWORD = "Meiyuan-2026-picker"


def names(page) -> list[str]:
    return sorted(page.locator("#members tbody tr td[data-label=姓名] a").all_inner_texts())


def suggestions(page, field: str) -> list[str]:
    listbox = page.locator(f"#{field}-list")
    listbox.wait_for(state="visible")
    page.wait_for_function(
        "id => document.querySelectorAll(`#${id} .jc-picker-option, #${id} .jc-picker-empty`).length > 0",
        arg=f"{field}-list",
    )
    return listbox.locator(".jc-picker-option .jc-picker-name").all_inner_texts()


def search(page, live_server):
    with page.expect_navigation(url=re.compile(rf"{re.escape(live_server.url)}/members/\?.*")):
        page.click("#member-filters button[type=submit]")


@pytest.fixture
def street(live_server, tree, make_user, cheap_argon2):
    orgs = build_orgs(tree)
    groups = {
        "grid1": {m.name for m in make_members(orgs.grid1, 3)},
        "grid2": {m.name for m in make_members(orgs.grid2, 2)},
        "meiyuan_cm": {m.name for m in make_members(orgs.meiyuan_cm, 2)},
        "gongyuan": {m.name for m in make_members(orgs.gongyuan_branch, 2)},
    }
    make_user("meiyuan_street", role="street", area=tree.meiyuan, password=PASSWORD)
    return orgs, groups


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_pick_an_org_and_an_area_by_name_and_filter_the_roster(live_server, browser, tree, street, viewport):
    orgs, groups = street
    width = "desk" if viewport == DESK else "phone"
    page = new_page(browser, viewport)
    login(page, live_server, "meiyuan_street", PASSWORD)
    page.goto(f"{live_server.url}/members/")
    everyone = groups["grid1"] | groups["grid2"] | groups["meiyuan_cm"]
    assert set(names(page)) == everyone  # not 贡院's members

    # Type part of an org's name; the suggestions are the street's own, with their path.
    page.locator("#filter-org").press_sequentially("党支部", delay=30)
    assert suggestions(page, "filter-org") == ["第一网格党支部", "第二网格党支部"]  # not 贡院社区第一党支部
    path = page.locator("#filter-org-list .jc-picker-option").nth(1).locator(".jc-picker-path").inner_text()
    assert path == "梅园新村街道党工委 / 北安门社区党委 / 第二网格党支部"
    shot(page, f"picker-org-suggestions-{width}")
    assert_fits(page)
    # Keyboard: ↓ to the second, Enter chooses (and does not send the form yet).
    page.locator("#filter-org").press("ArrowDown")
    page.locator("#filter-org").press("Enter")
    assert page.locator("#filter-org").input_value() == "第二网格党支部"
    assert page.locator("#filter-org-list").is_hidden()
    assert page.url.endswith("/members/")
    search(page, live_server)
    assert f"org={orgs.grid2.code}" in page.url  # the form still sends the code
    assert set(names(page)) == groups["grid2"]
    # The chosen org comes back by its name, not its code.
    page.wait_for_function("() => document.querySelector('#filter-org').value === '第二网格党支部'")
    shot(page, f"picker-org-filtered-{width}")

    # Another street's areas are never suggested.
    page.goto(f"{live_server.url}/members/")
    page.locator("#filter-area").press_sequentially("社区", delay=30)
    offered = suggestions(page, "filter-area")
    assert offered[:2] == ["梅园新村社区", "北安门社区"] and "贡院社区" not in offered
    page.locator("#filter-area").fill("")
    page.locator("#filter-area").press_sequentially("贡院", delay=30)
    page.locator("#filter-area-list .jc-picker-empty").wait_for()
    assert suggestions(page, "filter-area") == []
    assert "没有找到" in page.locator("#filter-area-list").inner_text()

    # Down the tree: 选择 opens the street, 下级 its communities; choose 北安门社区.
    page.locator("#filter-area").fill("")
    page.locator(".jc-picker-browse").nth(1).click()
    assert suggestions(page, "filter-area") == ["梅园新村街道"]
    page.locator("#filter-area-list .jc-picker-down").first.click()
    page.locator("#filter-area-list .jc-picker-head").wait_for()
    assert page.locator("#filter-area-list .jc-picker-name").all_inner_texts() == [
        "全部（梅园新村街道）",
        "梅园新村社区",
        "北安门社区",
    ]
    shot(page, f"picker-area-tree-{width}")
    assert_fits(page)
    page.locator("#filter-area-list .jc-picker-option", has_text="北安门社区").click()
    assert page.locator("#filter-area").input_value() == "北安门社区"
    search(page, live_server)
    assert f"area={tree.beianmen.code}" in page.url
    assert set(names(page)) == groups["grid1"] | groups["grid2"]


def test_a_name_typed_but_not_chosen_is_not_sent(live_server, browser, tree, street):
    page = new_page(browser, DESK)
    login(page, live_server, "meiyuan_street", PASSWORD)
    page.goto(f"{live_server.url}/members/")
    page.locator("#filter-area").press_sequentially("北安", delay=30)
    suggestions(page, "filter-area")
    page.locator("#filter-area").press("Escape")
    page.click("#member-filters button[type=submit]")
    # The form is held back with a message instead of silently ignoring the typed name.
    assert page.url.endswith("/members/")
    message = page.locator("#filter-area").evaluate("el => el.validationMessage")
    assert message == "请从下拉列表中选择一项，或清空此项。"
    # A whole code typed in is sent as it is (what staff who know the codes do).
    page.locator("#filter-area").fill(tree.meiyuan_cm.code)
    suggestions(page, "filter-area")
    page.locator("#filter-area").press("Escape")
    search(page, live_server)
    assert f"area={tree.meiyuan_cm.code}" in page.url


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_a_form_takes_the_area_and_org_by_name(live_server, browser, tree, street, viewport):
    from jiceng.orgs.models import ResidentUnit

    orgs, _ = street
    width = "desk" if viewport == DESK else "phone"
    page = new_page(browser, viewport)
    login(page, live_server, "meiyuan_street", PASSWORD)
    page.goto(f"{live_server.url}/orgs/units/add/")
    page.fill("#id_name", "北安门卫生服务中心")
    page.select_option("#id_kind", index=1)
    pick(page, "id_area", "第一网格", "北安门社区第一网格")
    pick(page, "id_party_org", "第一网格")
    assert page.locator("#id_area").input_value() == "北安门社区第一网格"
    assert page.locator("#id_party_org").input_value() == "第一网格党支部"
    shot(page, f"picker-unit-form-{width}")
    assert_fits(page)
    with page.expect_navigation(url=f"{live_server.url}/orgs/units/"):
        page.locator(".page-body button.btn-primary[type=submit]").first.click()
    unit = ResidentUnit.objects.get(name="北安门卫生服务中心")
    assert (unit.area_id, unit.party_org_id) == (tree.grid1.pk, orgs.grid1.pk)
    # Editing shows the stored area and org by name.
    page.goto(f"{live_server.url}/orgs/units/{unit.pk}/edit/")
    page.wait_for_function("() => document.querySelector('#id_area').value === '北安门社区第一网格'")
    page.wait_for_function("() => document.querySelector('#id_party_org').value === '第一网格党支部'")

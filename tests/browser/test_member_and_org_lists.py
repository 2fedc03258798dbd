"""The member roster, the resident-unit and the department lists in a browser: the filter forms work when submitted
as they load and when changed, keyset pages walk forward and back, and "导出 Excel" exports the
rows the list shows (the same filter), never rows outside the user's scope."""

import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from jiceng.members.models import Status
from jiceng.orgs import services
from jiceng.orgs.tests.conftest import build_orgs, make_members
from tests.browser.harness import DESK, login, new_page, pick, shot

pytestmark = pytest.mark.browser

PASSWORD = "Beianmen-2026-desk"


def names(page) -> list[str]:
    return page.locator("#members tbody tr td[data-label=姓名] a").all_inner_texts()


def submit(page, form: str) -> None:
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")


@pytest.fixture
def desk(live_server, tree, make_user, cheap_argon2, browser):
    """北安门 has 55 members (52 full, 3 probationary) and two units; 贡院 has 4 members and a unit."""
    orgs = build_orgs(tree)
    make_members(orgs.grid1, 52)
    make_members(orgs.grid2, 3, status=Status.PROBATIONARY)
    outside = make_members(orgs.gongyuan_branch, 4)
    services.create_resident_unit(None, name="北安门医院", kind="hospital", area=tree.grid1, party_org=orgs.grid1)
    services.create_resident_unit(None, name="北安门小学", kind="school", area=tree.grid2)
    services.create_resident_unit(None, name="贡院中学", kind="school", area=tree.gongyuan)
    make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    page = new_page(browser, DESK)
    login(page, live_server, "beianmen", PASSWORD)
    return page, {m.name for m in outside}


def test_member_roster_filters_pages_and_exports_what_it_lists(live_server, desk):
    page, outside = desk
    page.goto(f"{live_server.url}/members/")
    first = names(page)
    assert len(first) == 50 and not outside & set(first)
    assert page.locator("#list-total").inner_text() == "55"  # all pages, not this one

    submit(page, "#member-filters")  # as it loads: the same rows
    assert names(page) == first

    page.get_by_role("link", name="下一页").click()
    page.wait_for_url(re.compile(r".*after=.*"))
    second = names(page)
    assert len(second) == 5 and not set(second) & set(first) and not outside & set(second)
    page.get_by_role("link", name="回到第一页").click()
    page.wait_for_url(re.compile(r"^(?!.*after=).*$"))
    assert names(page) == first

    page.select_option("#member-filters select[name=status]", "probationary")
    submit(page, "#member-filters")
    probationary = names(page)
    assert len(probationary) == 3
    assert set(page.locator("#members tbody tr td[data-label=状态]").all_inner_texts()) == {"预备党员"}
    shot(page, "member-roster-filtered")

    with page.expect_download() as download:
        page.click("#member-export")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    exported = [dict(zip(rows[0], row, strict=True))["姓名"] for row in rows[1:]]
    assert sorted(exported) == sorted(probationary)


def test_unit_list_filter_form_works_as_loaded_and_changed(live_server, desk):
    page, _ = desk
    page.goto(f"{live_server.url}{reverse('orgs:unit_list')}")
    loaded = page.locator("#units tbody tr td:first-child").all_inner_texts()
    assert sorted(loaded) == ["北安门医院", "北安门小学"]
    submit(page, "form[role=search]")
    assert page.locator("#units tbody tr td:first-child").all_inner_texts() == loaded
    page.select_option("form[role=search] select[name=has_org]", "no")
    submit(page, "form[role=search]")
    assert page.locator("#units tbody tr td:first-child").all_inner_texts() == ["北安门小学"]
    page.select_option("form[role=search] select[name=kind]", "hospital")
    page.select_option("form[role=search] select[name=has_org]", "")
    submit(page, "form[role=search]")
    assert page.locator("#units tbody tr td:first-child").all_inner_texts() == ["北安门医院"]


def test_department_list_filter_form_works_as_loaded_and_changed(live_server, tree, make_user, cheap_argon2, browser):
    """玄武区 sees its own two departments, never 秦淮区's; the form as it loads lists the same rows,
    and an area code narrows the list to that subtree."""
    from jiceng.orgs.models import DepartmentLevel

    services.create_department(None, name="玄武区城管局", level=DepartmentLevel.DISTRICT, area=tree.xuanwu)
    services.create_department(None, name="梅园新村街道城管科", level=DepartmentLevel.STREET, area=tree.meiyuan)
    services.create_department(None, name="秦淮区城管局", level=DepartmentLevel.DISTRICT, area=tree.qinhuai)
    make_user("xuanwu_admin", role="district_org", area=tree.xuanwu, password=PASSWORD)
    page = new_page(browser, DESK)
    login(page, live_server, "xuanwu_admin", PASSWORD)
    page.goto(f"{live_server.url}{reverse('orgs:department_list')}")
    rows = "#departments tbody tr td:first-child"
    loaded = page.locator(rows).all_inner_texts()
    assert sorted(loaded) == ["梅园新村街道城管科", "玄武区城管局"]
    submit(page, "form[role=search]")
    assert page.locator(rows).all_inner_texts() == loaded
    pick(page, "filter-area", "梅园新村", "梅园新村街道")
    submit(page, "form[role=search]")
    assert page.locator(rows).all_inner_texts() == ["梅园新村街道城管科"]

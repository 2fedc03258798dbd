"""组织生活落实情况 in a browser: the community opens it from the menu, reads the counts and
filters the branches that have not held the 支部党员大会 (desk and phone)."""

from datetime import date

import pytest
from django.utils import timezone

from jiceng.orglife.compliance import Period
from jiceng.orglife.models import HeldMonth, MeetingType
from jiceng.orgs.models import Org
from jiceng.orgs.tests.conftest import build_orgs
from tests.browser.harness import DESK, PHONE, assert_fits, login, menu_to, new_page, shot

pytestmark = pytest.mark.browser

PASSWORD = "Zuzhi-2026-life"


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_community_reads_and_filters_compliance(
    live_server, browser, transactional_db, tree, make_user, cheap_argon2, viewport
):
    orgs = build_orgs(tree)
    Org.objects.filter(pk__in=[orgs.grid1.pk, orgs.grid2.pk]).update(founded_on=date(2020, 1, 1))
    month = Period.containing("quarter", timezone.localdate()).start
    HeldMonth.objects.create(
        org=orgs.grid1,
        org_path=orgs.grid1.code,
        area_path=orgs.grid1.area_path,
        type=MeetingType.CONGRESS,
        month=month,
        held=1,
        first_held_on=month,
    )
    make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    width = "phone" if viewport == PHONE else "desk"
    page = new_page(browser, viewport)
    login(page, live_server, "beianmen", PASSWORD)
    menu_to(page, "落实情况", f"{live_server.url}/orglife/compliance/")
    cards = page.locator("#compliance-counts").inner_text()
    assert "支部党员大会" in cards and "党支部 2 个：按期召开 1，逾期召开 0，未召开 1" in cards
    assert_fits(page)
    shot(page, f"orglife-compliance-{width}")
    page.select_option("#id_status", "missed")
    with page.expect_navigation():
        page.locator("#compliance-filters button[type=submit]").click()
    table = page.locator("#compliance").inner_text()
    assert "第二网格党支部" in table and "第一网格党支部" not in table
    shot(page, f"orglife-compliance-missed-{width}")
    export = page.locator("#compliance-export")
    assert "status=missed" in (export.get_attribute("href") or "")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_branch_asks_for_an_exemption_and_the_community_approves(
    live_server, browser, transactional_db, tree, make_user, cheap_argon2, viewport
):
    from jiceng.accounts.services import assign_role

    orgs = build_orgs(tree)
    secretary = make_user("grid1_shuji", password=PASSWORD)
    assign_role(None, secretary, "branch_secretary", org=orgs.grid1)
    make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    width = "phone" if viewport == PHONE else "desk"
    page = new_page(browser, viewport)
    login(page, live_server, "grid1_shuji", PASSWORD)
    page.goto(f"{live_server.url}/orglife/exemptions/")
    page.fill("#id_org", orgs.grid1.code)
    page.select_option("#id_kind", "postpone")
    page.fill("#id_period", "2026-Q9")
    with page.expect_navigation():
        page.locator("#exemption-form button[type=submit]").click()
    errors = page.locator("#exemption-form .invalid-feedback")
    errors.first.wait_for(state="visible")
    text = page.locator("#exemption-form").inner_text()
    assert "考核期格式" in text and "延期召开须选择会议类型" in text and "请填写申请理由" in text
    shot(page, f"orglife-exemption-errors-{width}")
    period = Period.containing("quarter", timezone.localdate()).key
    page.fill("#id_period", period)
    page.select_option("#id_type", "congress")
    page.fill("#id_reason", "支部书记调整，党员大会延期召开")
    with page.expect_navigation():
        page.locator("#exemption-form button[type=submit]").click()
    row = page.locator("#exemptions tbody tr").first
    row.wait_for(state="visible")
    assert "待审批" in row.inner_text()
    page.context.clear_cookies()
    login(page, live_server, "beianmen", PASSWORD)
    page.goto(f"{live_server.url}/orglife/exemptions/")
    assert_fits(page)
    shot(page, f"orglife-exemption-pending-{width}")
    with page.expect_navigation():
        page.locator("#exemptions button[value=approve]").first.click()
    page.locator("#exemptions tbody tr").first.wait_for(state="visible")
    assert "已批准" in page.locator("#exemptions").inner_text()
    shot(page, f"orglife-exemption-approved-{width}")

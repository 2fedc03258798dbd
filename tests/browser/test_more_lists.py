"""The other list pages in a browser: each filter form submits cleanly as it loads (the same rows)
and with each of its filters (the rows that filter names): the org search, 组织关系转接, 党费 (the
branch search and a member's 登记交纳 form with its pre-filled date), 组织设置检查, 操作日志 (its
dates), 吹哨记录, 部门考核 and 三率排名."""

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.models import AuditLog
from jiceng.appeals.models import WhistleCase
from jiceng.appeals.services.whistles import blow_whistle
from jiceng.members.models import DuesPayment
from jiceng.members.services import request_transfer
from jiceng.orgs import services
from jiceng.orgs.models import DepartmentLevel
from jiceng.orgs.tests.conftest import build_orgs, make_members
from tests.browser.harness import DESK, login, new_page, shot

pytestmark = pytest.mark.browser

PASSWORD = "Xuanwu-2026-lists"


def texts(page, selector: str) -> list[str]:
    return page.locator(selector).all_inner_texts()


def submit(page, form: str) -> None:
    with page.expect_navigation():
        page.click(f"{form} button[type=submit]")


@pytest.fixture
def city(live_server, tree, make_user, cheap_argon2, browser):
    """玄武区's org department and 梅园新村街道, with orgs, members, two transfers and two whistles."""
    orgs = build_orgs(tree)
    district = make_user("xuanwu_org", role="district_org", area=tree.xuanwu, password=PASSWORD)
    street = make_user("meiyuan_street", role="street", area=tree.meiyuan, password=PASSWORD)
    movers = make_members(orgs.grid1, 3)
    make_members(orgs.grid2, 2)
    moving = request_transfer(district, movers[0], orgs.grid2)
    request_transfer(district, movers[1], orgs.grid2)
    from jiceng.members.services import reject_transfer

    reject_transfer(district, moving, reason="介绍信信息有误")
    bureau = services.create_department(None, name="玄武区城市管理局", level=DepartmentLevel.DISTRICT, area=tree.xuanwu)
    for title in ("占道经营整治", "违章搭建拆除"):
        blow_whistle(street, area=tree.meiyuan, case=WhistleCase.ENFORCEMENT, title=title, departments=[bureau])
    return {"tree": tree, "orgs": orgs, "movers": movers, "moving": moving, "browser": browser}


def _page(city, live_server, username):
    page = new_page(city["browser"], DESK)
    login(page, live_server, username, PASSWORD)
    return page


def test_org_search_submits_as_loaded_and_with_a_name(live_server, city):
    """A user with one root org lands on it; its search page (the form's own target) works both ways."""
    page = _page(city, live_server, "xuanwu_org")
    page.goto(f"{live_server.url}{reverse('orgs:org_tree')}?q=党")
    found = "#orgs tbody tr td:first-child a"
    loaded = texts(page, found)
    assert "第一网格党支部" in loaded and "贡院社区第一党支部" not in loaded
    submit(page, "#org-search")
    assert texts(page, found) == loaded
    page.fill("#org-search input[name=q]", "网格")
    submit(page, "#org-search")
    assert sorted(texts(page, found)) == ["第一网格党支部", "第二网格党支部"]
    with page.expect_download() as download:  # 导出 Excel: exactly the rows found
        page.click("#org-export")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sorted(dict(zip(rows[0], row, strict=True))["名称"] for row in rows[1:]) == [
        "第一网格党支部",
        "第二网格党支部",
    ]
    page.fill("#org-search input[name=q]", "")
    submit(page, "#org-search")  # an empty search: back to the user's own tree
    assert page.locator(".page-title").first.inner_text().startswith("中共玄武区委员会")


def test_transfer_list_filters_by_status_and_name(live_server, city):
    page = _page(city, live_server, "xuanwu_org")
    page.goto(f"{live_server.url}{reverse('members:transfer_list')}?tab=all")
    names = "#transfers tbody tr td:nth-child(3)"
    loaded = texts(page, names)
    assert sorted(loaded) == sorted(m.name for m in city["movers"][:2])
    assert page.locator("#list-total").inner_text() == "2"
    submit(page, "#transfer-filters")
    assert texts(page, names) == loaded and "tab=all" in page.url
    page.select_option("#transfer-status", "rejected")
    submit(page, "#transfer-filters")
    assert texts(page, names) == [city["moving"].person_name]
    page.select_option("#transfer-status", "")
    page.fill("#transfer-q", city["movers"][1].name)
    submit(page, "#transfer-filters")
    assert texts(page, names) == [city["movers"][1].name]
    assert page.locator("#list-total").inner_text() == "1"
    shot(page, "transfer-list-filtered")


def test_dues_branch_search_and_the_payment_form_as_prefilled(live_server, city):
    page = _page(city, live_server, "xuanwu_org")
    page.goto(f"{live_server.url}{reverse('members:dues')}")
    branches = "#branches a span:first-child"
    loaded = texts(page, branches)
    submit(page, "#branch-search")
    assert texts(page, branches) == loaded
    page.fill("#branch-search input[name=q]", "第二")
    submit(page, "#branch-search")
    assert texts(page, branches) == ["第二网格党支部"]

    # 登记交纳 as it loads: the date box shows today's date and the form accepts what it offered.
    member = city["movers"][2]
    page.goto(f"{live_server.url}{reverse('members:member_dues', args=[member.pk])}")
    paid_on = page.locator("input[name=pay-paid_on]")
    assert paid_on.input_value() == timezone.localdate().isoformat()
    page.fill("input[name=pay-amount]", "12.50")
    with page.expect_navigation():
        page.get_by_role("button", name="登记", exact=True).click()
    assert "不是有效" not in texts(page, "body")[0]
    payment = DuesPayment.objects.get(member=member)
    assert payment.paid_on == timezone.localdate()


def test_check_list_filters_by_severity_and_kind(live_server, city):
    page = _page(city, live_server, "xuanwu_org")
    page.goto(f"{live_server.url}{reverse('orgs:check_list')}")
    rows = "#findings tbody tr"
    loaded = texts(page, rows)
    assert loaded
    submit(page, "#check-filters")
    assert texts(page, rows) == loaded
    severity = page.locator(f"{rows} td:first-child").first.inner_text().strip()
    value = page.locator("#check-filters select[name=severity] option", has_text=severity).get_attribute("value")
    page.select_option("#check-filters select[name=severity]", value)
    submit(page, "#check-filters")
    assert {s.strip() for s in texts(page, f"{rows} td:first-child")} == {severity}
    kind = page.locator(f"{rows} td:nth-child(2)").first.inner_text().strip()
    page.select_option("#check-filters select[name=severity]", "")
    page.select_option("#check-filters select[name=kind]", label=kind)
    submit(page, "#check-filters")
    assert {k.strip() for k in texts(page, f"{rows} td:nth-child(2)")} == {kind}


def test_audit_log_filters_by_its_dates(live_server, city):
    old = AuditLog.objects.filter(object_repr="第二网格党支部").order_by("id").first()
    AuditLog.objects.filter(pk=old.pk).update(at=timezone.make_aware(datetime(2026, 1, 15, 10, 0)))
    page = _page(city, live_server, "xuanwu_org")
    page.goto(f"{live_server.url}{reverse('accounts:audit_list')}")
    objects = "#audit tbody tr td:nth-child(3) span.text-body"
    loaded = texts(page, objects)
    assert "第二网格党支部" in loaded
    submit(page, "#audit-filters")
    assert texts(page, objects) == loaded
    page.fill("#audit-start", "2026-01-15")
    page.fill("#audit-end", "2026-01-15")
    submit(page, "#audit-filters")
    assert texts(page, objects) == ["第二网格党支部"]
    assert page.locator("#audit-start").input_value() == "2026-01-15"
    submit(page, "#audit-filters")  # the dates as the page shows them submit back
    assert texts(page, objects) == ["第二网格党支部"]
    page.fill("#audit-start", (date(2026, 1, 15) + timedelta(days=1)).isoformat())
    page.fill("#audit-end", "")
    submit(page, "#audit-filters")
    assert "第二网格党支部" not in texts(page, objects) or len(texts(page, objects)) < len(loaded)


def test_whistle_list_filters_by_title(live_server, city):
    page = _page(city, live_server, "meiyuan_street")
    page.goto(f"{live_server.url}{reverse('appeals:whistle_list')}")
    titles = "#whistles tbody tr td:first-child strong"
    loaded = texts(page, titles)
    assert sorted(loaded) == ["占道经营整治", "违章搭建拆除"]
    submit(page, "#whistle-filters")
    assert texts(page, titles) == loaded
    page.fill("#whistle-q", "占道")
    submit(page, "#whistle-filters")
    assert texts(page, titles) == ["占道经营整治"]
    assert page.locator("#list-total").inner_text() == "1"


def test_scorecard_and_rates_month_forms(live_server, city):
    page = _page(city, live_server, "meiyuan_street")
    this_month = timezone.localdate().strftime("%Y-%m")
    for url, form, table in (
        (f"{reverse('appeals:scorecard')}?active=0", "#scorecard-filters", "#scorecard"),
        (reverse("appeals:rates"), "#rates-filters", "#rates"),
    ):
        page.goto(f"{live_server.url}{url}")
        month = page.locator(f"{form} input[name=month]")
        assert month.input_value() == this_month
        loaded = texts(page, f"{table} tbody tr")
        submit(page, form)
        assert texts(page, f"{table} tbody tr") == loaded and month.input_value() == this_month
        page.fill(f"{form} input[name=month]", "2026-01")
        submit(page, form)
        assert re.search(r"month=2026-01", page.url) and month.input_value() == "2026-01"
        assert "2026年1月" in page.locator(".page-pretitle, .page-header").first.inner_text()

"""The print buttons in a browser, at desk and phone width: each is visible where the user works
(the member page, the dues ledger with its month, the transfer letter, the request page), fits
the screen, and gives an A4 PDF of the right document with the session of the logged-in user."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from jiceng.members import services as member_services
from jiceng.members.tests.conftest import make_id
from jiceng.orgs.tests.conftest import build_orgs
from tests.browser.harness import DESK, PHONE, assert_fits, login, new_page, shot
from tests.pdf import pdf_text

pytestmark = pytest.mark.browser

PASSWORD = "Print-2026-desk"


@pytest.fixture
def printed(tree, make_user, cheap_argon2):
    orgs = build_orgs(tree)
    member = member_services.create_member(
        None,
        org=orgs.grid1,
        name="孙明",
        id_number=make_id(date(1980, 1, 9), seq=31),
        status="full",
        application_date=date(2010, 3, 1),
        activist_date=date(2010, 6, 1),
        candidate_date=date(2011, 6, 1),
        admission_date=date(2011, 9, 1),
        approval_date=date(2011, 10, 1),
        full_member_date=date(2012, 9, 1),
        dues_category="retired",
        dues_base=Decimal("5000"),
    )
    member_services.record_payment(None, member, "2026-11-01", "25.00", paid_on=date(2026, 11, 12))
    transfer = member_services.issue_outgoing(
        None, member, external_org_name="中共苏州市姑苏区某社区支部", letter_no="宁组转2026009"
    )
    make_user("xuanwu_desk", role="district_org", area=tree.xuanwu, password=PASSWORD)
    return orgs, member, transfer


def _fetch_pdf(page, href: str) -> str:
    origin = "/".join(page.url.split("/")[:3])
    response = page.request.get(origin + href)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    return pdf_text(response.body())


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_print_buttons_give_the_documents(live_server, browser, printed, viewport):
    orgs, member, transfer = printed
    width = "phone" if viewport == PHONE else "desk"
    page = new_page(browser, viewport)
    login(page, live_server, "xuanwu_desk", PASSWORD)

    page.goto(live_server.url + reverse("members:member_detail", args=[member.pk]))
    button = page.get_by_role("link", name="打印党员信息表")
    assert button.is_visible()
    shot(page, f"print-member-{width}")
    assert_fits(page)
    text = _fetch_pdf(page, button.get_attribute("href"))
    assert "党员信息表" in text and "孙明" in text and "第1页共" in text

    page.goto(live_server.url + reverse("members:dues_ledger", args=[orgs.grid1.code]) + "?year=2026")
    page.select_option("#print-month", "2026-11")
    form = page.locator("form:has(#print-month)")
    assert form.get_by_role("button", name="打印收缴清单").is_visible()
    shot(page, f"print-dues-{width}")
    assert_fits(page)
    text = _fetch_pdf(page, form.get_attribute("action") + "?month=2026-11")
    assert "党费收缴清单" in text and "2026年11月" in text and "孙明" in text and "25.00" in text

    page.goto(live_server.url + reverse("members:transfer_detail", args=[transfer.pk]))
    button = page.get_by_role("link", name="打印介绍信")
    assert button.is_visible()
    text = _fetch_pdf(page, button.get_attribute("href"))
    assert "宁组转2026009" in text and "特此回执" in text
    page.context.close()

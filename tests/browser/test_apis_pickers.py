"""The pickers of the 免于考核 form (the branch by name) and the 兑换服务 form (the beneficiary and
the serving volunteer by name), at desk and phone width: a user types part of a name, chooses
from the suggestions, and the form records the chosen rows."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.orglife.compliance import Period
from jiceng.orglife.models import Exemption
from jiceng.orgs.tests.conftest import build_orgs
from jiceng.timebank.models import Account, Redemption
from jiceng.volunteers import services as vs
from tests.browser.harness import DESK, PHONE, assert_fits, login, new_page, pick, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Apis-2026-pickers"


def _width(viewport) -> str:
    return "phone" if viewport == PHONE else "desk"


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_exemption_form_takes_the_branch_by_name(
    live_server, browser, transactional_db, tree, make_user, cheap_argon2, viewport
):
    orgs = build_orgs(tree)
    make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    page = new_page(browser, viewport)
    login(page, live_server, "beianmen", PASSWORD)
    url = f"{live_server.url}{reverse('orglife:exemption_list')}"
    page.goto(url)
    # The community's two branches are suggested by a part of their name; the 贡院 one is not.
    box = page.locator("#id_org")
    box.press_sequentially("网格", delay=20)
    page.locator("#id_org-list .jc-picker-option").first.wait_for()
    names = page.locator("#id_org-list .jc-picker-name").all_inner_texts()
    assert "第二网格党支部" in names and not any("贡院" in n for n in names)
    box.press("Escape")
    pick(page, "id_org", "第二网格", "第二网格党支部")
    assert box.input_value() == "第二网格党支部"
    page.select_option("#id_kind", "postpone")
    page.select_option("#id_type", "congress")
    page.fill("#id_period", Period.containing("quarter", timezone.localdate()).key)
    page.fill("#id_reason", "支部书记调整，党员大会延期召开")
    assert_fits(page)
    shot(page, f"apis-exemption-picker-{_width(viewport)}")
    submit(page, page.locator("#exemption-form button[type=submit]"), url)
    page.locator(".alert", has_text="已提交“第二网格党支部”的免于考核申请").wait_for(state="visible")
    row = Exemption.objects.get()
    assert (row.org_id, row.type) == (orgs.grid2.pk, "congress")
    # The requesting side may withdraw (撤销) its pending request, with a reason.
    page.fill("#exemptions input[name=note]", "已如期召开")
    submit(page, page.locator("#exemptions button[value=revoke]"), url)
    page.locator("#exemptions .badge", has_text="已撤销").wait_for(state="visible")
    assert_fits(page)
    shot(page, f"apis-exemption-revoked-{_width(viewport)}")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_redemption_form_takes_the_volunteers_by_name(
    live_server, browser, transactional_db, tree, make_user, cheap_argon2, viewport
):
    community = make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    other = make_user("gongyuan", role="community", area=tree.gongyuan)
    elder = vs.register_volunteer(community, tree.beianmen, "赵老人", birth_date=date(1950, 1, 1))
    vs.register_volunteer(community, tree.beianmen, "赵小妹", birth_date=date(1995, 1, 1))
    server = vs.register_volunteer(other, tree.gongyuan, "钱志愿", birth_date=date(1990, 1, 1))
    record = vs.report_hours(community, elder, "3", timezone.localdate(), "助老陪伴")
    vs.approve_hours(community, record)

    page = new_page(browser, viewport)
    login(page, live_server, "beianmen", PASSWORD)
    url = f"{live_server.url}{reverse('timebank:redeem')}"
    page.goto(url)
    # The beneficiary: the community's volunteers, with their age (the rule reads it).
    box = page.locator("#id_beneficiary")
    box.press_sequentially("赵", delay=20)
    page.locator("#id_beneficiary-list .jc-picker-option").first.wait_for()
    paths = page.locator("#id_beneficiary-list .jc-picker-path").all_inner_texts()
    age = timezone.localdate().year - 1950  # born on 1 January
    assert any(p.startswith("赵老人") and f"{age}岁" in p for p in paths), paths
    box.press("Escape")
    pick(page, "id_beneficiary", "赵老", "赵老人")
    # The serving volunteer: any community's (通存通兑), found by name.
    pick(page, "id_server", "钱志愿", "钱志愿")
    assert page.locator("#id_server-list").get_attribute("hidden") is not None
    page.fill("#id_hours", "2")
    page.fill("#id_content", "陪同就医")
    assert_fits(page)
    shot(page, f"apis-redeem-picker-{_width(viewport)}")
    submit(page, page.get_by_role("button", name="登记兑换"), url)
    shot(page, f"apis-redeem-done-{_width(viewport)}")
    page.locator(".alert", has_text="已登记兑换：赵老人 2 小时，由钱志愿服务").wait_for(state="visible")
    redemption = Redemption.objects.get()
    assert (redemption.beneficiary_id, redemption.server_id) == (elder.pk, server.pk)
    assert Account.objects.get(volunteer=elder).balance == Decimal("1.0")
    # A name typed but not chosen is not sent: the form says so and records nothing.
    page.locator("#id_beneficiary").fill("不存在的人")
    page.fill("#id_hours", "1")
    page.fill("#id_content", "助餐")
    page.get_by_role("button", name="登记兑换").click()
    page.wait_for_function("() => !document.querySelector('#id_beneficiary').checkValidity()")
    assert Redemption.objects.count() == 1
    shot(page, f"apis-redeem-unchosen-{_width(viewport)}")

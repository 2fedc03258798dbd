"""民主评议党员 in the browser: the member self-assesses and votes on the phone (an incomplete ballot
first), the secretary closes the ballot, proposes grades (the 双报到 cap refused with the reason)
and records the branch meeting's decision; the round list's filter form submits as it loads. At
desk and phone width, with screenshots."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.services import assign_role
from jiceng.appraisal import services
from jiceng.appraisal.models import Ballot, Receipt, Round, RoundStatus
from jiceng.members.models import Member
from jiceng.orglife.tests.conftest import add_member
from jiceng.orgs.tests.conftest import build_orgs
from tests.browser.harness import DESK, PHONE, assert_fits, login, menu_to, new_page, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Beianmen-2026-review"


@pytest.fixture
def branch(tree, make_user):
    orgs = build_orgs(tree)
    members = [add_member(orgs.grid1, f"{n}党员", seq=700 + i) for i, n in enumerate("甲乙丙丁")]
    user = make_user("dangyuan", role="member", area=tree.beianmen, password=PASSWORD, display_name="甲党员")
    Member.objects.filter(pk=members[0].pk).update(user=user)
    Member.objects.filter(pk=members[1].pk).update(is_employed=True)  # 乙: employed, no 双报到 service
    secretary = make_user("grid1_shuji", password=PASSWORD)
    assign_role(None, secretary, "branch_secretary", org=orgs.grid1)
    round_ = services.open_round(secretary, orgs.grid1, timezone.localdate().year)
    return round_, members, secretary


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_member_self_assesses_and_votes(live_server, branch, cheap_argon2, browser, viewport):
    round_, _, _ = branch
    size = "phone" if viewport == PHONE else "desk"
    page = new_page(browser, viewport)
    login(page, live_server, "dangyuan", PASSWORD)
    assert "民主评议 · 待个人自评、民主测评投票" in page.content()  # on the member's 待办
    menu_to(page, "我的评议", f"{live_server.url}{reverse('appraisal:my_rounds')}")
    mine = f"{live_server.url}{reverse('appraisal:my_round', args=[round_.pk])}"
    with page.expect_navigation(url=mine):
        page.locator("#my-rounds a").first.click()
    # An incomplete ballot: every missing member is named, nothing is stored.
    ballot = page.locator("#ballot-form")
    ballot.locator("fieldset").first.get_by_label("优秀").check()
    submit(page, ballot.get_by_role("button", name="提交选票"), mine)
    page.locator("#ballot-errors").wait_for(state="visible")
    assert page.locator("#ballot-errors").inner_text().count("请为") == 3
    assert not Ballot.objects.exists()
    assert_fits(page)
    shot(page, f"appraisal-ballot-error-{size}")
    page.fill("#self-form textarea[name=text]", "一年来坚持学习，按时参加组织生活，服务群众还需加强。")
    submit(page, page.get_by_role("button", name="提交自评"), mine)
    assert "已保存个人自评" in page.content()
    for fieldset in page.locator("#ballot-form fieldset").all():
        fieldset.get_by_label("合格", exact=True).check()
    submit(page, page.get_by_role("button", name="提交选票"), mine)
    page.locator("#voted-note").wait_for(state="visible")
    assert Receipt.objects.filter(round=round_).count() == 1 and Ballot.objects.count() == 1
    assert_fits(page)
    shot(page, f"appraisal-voted-{size}")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_secretary_proposes_and_the_branch_meeting_decides(live_server, branch, cheap_argon2, browser, viewport):
    round_, members, _ = branch
    size = "phone" if viewport == PHONE else "desk"
    page = new_page(browser, viewport)
    login(page, live_server, "grid1_shuji", PASSWORD)
    listing = f"{live_server.url}{reverse('appraisal:round_list')}"
    menu_to(page, "民主评议", listing)
    # The filter form submits as it loads.
    submit(page, page.locator("#round-filters").get_by_role("button", name="查询"), f"{listing}?**")
    assert page.locator("#rounds").inner_text().count("年度") >= 1
    detail = f"{live_server.url}{reverse('appraisal:round_detail', args=[round_.pk])}"
    with page.expect_navigation(url=detail):
        page.locator("#rounds a").first.click()
    submit(page, page.get_by_role("button", name="结束民主测评"), detail)
    assert "已结束民主测评" in page.content()
    # 乙 is employed without a 双报到 service: 优秀 is not offered, and the cap is explained.
    yi = page.locator(f"#participant-{round_.participants.get(member=members[1]).pk}")
    assert yi.locator("select[name=grade] option[value=excellent]").is_disabled()
    assert "未参加服务" in yi.inner_text()
    count = page.locator("form.jc-proposal").count()
    for i in range(count):
        form = page.locator("form.jc-proposal").nth(i)
        submit(page, form.get_by_role("button"), detail)
    assert page.locator("#decision-form").is_visible()
    assert_fits(page)
    shot(page, f"appraisal-proposals-{size}")
    submit(page, page.get_by_role("button", name="记录决定并锁定"), detail)
    page.locator("#decided-note").wait_for(state="visible")
    assert Round.objects.get(pk=round_.pk).status == RoundStatus.DECIDED
    assert page.locator("form.jc-proposal").count() == 0
    assert_fits(page)
    shot(page, f"appraisal-decided-{size}")

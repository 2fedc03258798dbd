"""Issue 10's leftovers in the browser: 补录 a past meeting (the day's roster, attendance, a
refusal first), and the member's own 取消报名 and 结束报到 for 双报到. Desk and phone width."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.dualreport import services as dual
from jiceng.dualreport.models import Registration, RegistrationStatus, SignUp
from jiceng.dualreport.tests.conftest import employed_member
from jiceng.orglife.models import AttendanceStatus, Meeting
from jiceng.orglife.tests.conftest import add_member
from jiceng.orgs.tests.conftest import build_orgs
from tests.browser.harness import DESK, PHONE, assert_fits, login, new_page, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Beianmen-2026-left"


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_community_backfills_a_past_meeting(live_server, tree, make_user, cheap_argon2, browser, viewport):
    size = "phone" if viewport == PHONE else "desk"
    orgs = build_orgs(tree)
    members = [add_member(orgs.grid1, f"{n}党员", seq=800 + i) for i, n in enumerate("甲乙丙")]
    make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    page = new_page(browser, viewport)
    login(page, live_server, "beianmen", PASSWORD)
    page.goto(f"{live_server.url}{reverse('orglife:meeting_list')}")
    # The list's filter form submits as it loads.
    listing = f"{live_server.url}{reverse('orglife:meeting_list')}"
    submit(page, page.locator("#meeting-filters").get_by_role("button", name="查询"), f"{listing}?**")
    base = f"{live_server.url}{reverse('orglife:meeting_backfill')}"
    with page.expect_navigation(url=base):
        page.locator("#backfill-link").click()
    with page.expect_navigation(url=f"{base}?org={orgs.grid1.code}"):
        page.get_by_role("link", name="第一网格党支部").click()
    day = timezone.localdate() - timedelta(days=12)
    page.fill("#backfill-day", day.isoformat())
    submit(page, page.locator("#backfill-day-form button"), f"{base}?**")
    form = page.locator("#backfill-form")
    form.wait_for(state="visible")
    # No type, no topic: both said at once, nothing written.
    page.fill("#backfill-form input[name=time]", "09:30")
    submit(page, form.get_by_role("button", name="补录"), f"{base}?**")
    assert page.locator("#backfill-form .invalid-feedback").count() >= 2
    assert not Meeting.objects.exists()
    assert_fits(page)
    shot(page, f"orglife-backfill-error-{size}")
    form = page.locator("#backfill-form")
    form.get_by_label("支部党员大会").check()
    form.locator("input[name=topic]").fill("补录：十月支部党员大会")
    form.locator("input[name=time]").fill("09:30")
    form.get_by_label("甲党员").check()
    form.get_by_label("乙党员").check()
    with page.expect_navigation(url=f"{live_server.url}/orglife/*/"):
        form.get_by_role("button", name="补录").click()
    meeting = Meeting.objects.get()
    assert "已补录" in page.content() and "补录：" in page.content()
    statuses = dict(meeting.attendances.values_list("member_id", "status"))
    assert statuses[members[2].pk] == AttendanceStatus.ABSENT
    assert_fits(page)
    shot(page, f"orglife-backfilled-{size}")


@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["phone", "desk"])
def test_member_cancels_a_sign_up_and_ends_the_registration(
    live_server, tree, make_user, cheap_argon2, browser, viewport
):
    size = "phone" if viewport == PHONE else "desk"
    orgs = build_orgs(tree)
    user = make_user("dangyuan", role="member", area=tree.beianmen, password=PASSWORD)
    member = employed_member(orgs.gongyuan_branch, "张在职", residence=tree.building, user=user)
    registration = dual.register_member(None, member, tree.beianmen)
    dual.confirm_registration(None, registration)
    today = timezone.localdate()
    post = dual.create_post(
        None,
        tree.beianmen,
        title="周末值守",
        needs="值守",
        starts_on=today,
        ends_on=today + timedelta(days=9),
        places=3,
    )
    dual.sign_up(None, post, member)
    page = new_page(browser, viewport)
    login(page, live_server, "dangyuan", PASSWORD)
    mine = f"{live_server.url}{reverse('dualreport:mine')}"
    page.goto(mine)
    submit(page, page.get_by_role("button", name="取消报名"), mine)
    assert "已取消报名“周末值守”" in page.content()
    assert not SignUp.objects.exists()
    page.locator("#end-registration summary").click()
    # No reason: refused with the message, the registration stands.
    submit(page, page.get_by_role("button", name="结束报到"), mine)
    assert "结束原因" in page.content()
    assert Registration.objects.get().status == RegistrationStatus.CONFIRMED
    page.locator("#end-registration summary").click()
    page.fill("#end-reason", "已搬离该社区")
    assert_fits(page)
    shot(page, f"dual-end-form-{size}")
    submit(page, page.get_by_role("button", name="结束报到"), mine)
    assert "已结束在北安门社区的报到" in page.content()
    assert Registration.objects.get().status == RegistrationStatus.ENDED
    page.locator("#register-form").wait_for(state="visible")
    assert_fits(page)
    shot(page, f"dual-ended-{size}")

"""组织生活 in a browser: the host opens sign-in and shows the QR code (desk), a member opens the
code's URL on the phone and is signed in; the minutes go from the recorder to the street's
approval; the meeting form's errors read well at phone width."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.members.models import Member
from jiceng.orglife import services
from jiceng.orglife.models import AttendanceStatus, Meeting, MinutesStatus
from jiceng.orglife.tests.conftest import add_member
from jiceng.orgs.tests.conftest import build_orgs
from tests.browser.harness import DESK, PHONE, assert_fits, login, menu_to, new_page, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Zuzhi-2026-life"


@pytest.fixture
def branch(transactional_db, tree, make_user, cheap_argon2):
    orgs = build_orgs(tree)
    members = [add_member(orgs.grid1, f"{n}党员") for n in "甲乙丙丁戊"]
    member_user = make_user("beianmen_dangyuan", role="member", area=tree.beianmen, password=PASSWORD)
    Member.objects.filter(pk=members[0].pk).update(user=member_user)
    community = make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    make_user("meiyuan_street", role="street", area=tree.meiyuan, password=PASSWORD)
    meeting = services.create_meeting(
        community,
        org=orgs.grid1,
        types=["theme_day", "congress"],
        topic="主题党日：学习贯彻全会精神",
        planned_start=timezone.now() + timedelta(minutes=5),
        place="北安门社区党群服务中心",
        host=members[1],
        recorder=members[2],
    )
    return orgs, members, meeting


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_host_shows_the_qr_code_and_the_member_signs_in_by_phone(live_server, browser, branch, viewport):
    _, _, meeting = branch
    width = "phone" if viewport == PHONE else "desk"
    host = new_page(browser, DESK)
    login(host, live_server, "beianmen", PASSWORD)
    host.goto(f"{live_server.url}/orglife/{meeting.pk}/")
    assert host.locator("#action-close").count() == 0  # not before sign-in opens
    submit(host, host.locator("#action-open-signin button[type=submit]"), f"{live_server.url}/orglife/{meeting.pk}/")
    assert "已开始签到" in host.locator(".alert-success").inner_text()
    with host.expect_navigation():
        host.locator("#open-qr").click()
    qr = host.locator("#qr-code svg")
    qr.wait_for(state="visible")
    assert "已签到 0 / 应到 5 人" in host.locator("#qr-counts").inner_text()
    shot(host, f"orglife-qr-host-{width}")
    url = host.locator("#qr-code").get_attribute("data-code-url")
    assert url and "/orglife/s/" in url

    phone = new_page(browser, viewport)
    login(phone, live_server, "beianmen_dangyuan", PASSWORD)
    phone.goto(url)
    assert "主题党日：学习贯彻全会精神" in phone.locator(".card").inner_text()
    shot(phone, f"orglife-signin-confirm-{width}")
    assert_fits(phone)
    submit(phone, phone.locator("#signin-form button"), f"{live_server.url}/orglife/my/{meeting.pk}/")
    assert "签到成功" in phone.locator(".alert-success").inner_text()
    assert "本人：出席" in phone.locator("#my-status").inner_text()
    shot(phone, f"orglife-signin-done-{width}")
    assert_fits(phone)
    # Scanning again signs in no second time.
    phone.goto(url)
    submit(phone, phone.locator("#signin-form button"), f"{live_server.url}/orglife/my/{meeting.pk}/")
    assert "无需重复签到" in phone.locator(".alert").first.inner_text()
    assert meeting.attendances.filter(status=AttendanceStatus.PRESENT).count() == 1

    host.reload()
    assert "已签到 1 / 应到 5 人" in host.locator("#qr-counts").inner_text()
    assert "甲党员" in host.locator("#qr-recent").inner_text()
    host.context.close()
    phone.context.close()


def test_minutes_from_the_recorder_to_the_streets_approval(live_server, browser, branch):
    _, members, meeting = branch
    services.open_signin(None, meeting)
    for member in members[:2]:
        services.proxy_sign_in(None, meeting, member, "到会")
    services.close_meeting(None, meeting)
    minutes_url = f"{live_server.url}/orglife/{meeting.pk}/minutes/"
    page = new_page(browser, DESK)
    login(page, live_server, "beianmen", PASSWORD)
    page.goto(minutes_url)
    page.fill("#id_write_minutes-topics", "学习全会公报；讨论为民办实事项目。")
    page.fill("#id_write_minutes-discussion", "与会党员逐一发言。")
    page.fill("#id_write_minutes-resolutions", "确定楼道微更新项目。")
    submit(page, page.locator("#action-write-minutes button[type=submit]"), minutes_url)
    assert "学习全会公报" in page.locator("#minutes-text").inner_text()
    # 2 of 5 full members present: the 党员大会 cannot decide, and the page says why.
    page.fill("#id_decision-subject", "确定为民办实事项目")
    page.fill("#id_decision-votes_for", "2")
    page.fill("#id_decision-votes_against", "0")
    page.fill("#id_decision-votes_abstain", "0")
    submit(page, page.locator("#action-decision button[type=submit]"), minutes_url)
    warning = page.locator(".alert-warning").inner_text()
    assert "未通过" in warning and "应到5人、实到2人，未超过半数" in warning
    assert "未通过" in page.locator("#decisions").inner_text()
    submit(page, page.locator("#action-submit-minutes button[type=submit]"), minutes_url)
    assert "待审核" in page.locator("#minutes-status").inner_text()
    assert page.locator("#action-approve").count() == 0  # the community does not review

    login(page, live_server, "meiyuan_street", PASSWORD)
    page.goto(minutes_url)
    # 退回 without a reason: the form says so, and nothing changes.
    back = f"{live_server.url}/orglife/{meeting.pk}/act/return-minutes/"
    submit(page, page.locator("#action-return-minutes button[type=submit]"), back)
    assert "请填写此项" in page.locator("#action-return-minutes").inner_text()
    assert "待审核" in page.locator("#minutes-status").inner_text()
    submit(page, page.locator("#action-approve button[type=submit]"), minutes_url)
    assert "已通过" in page.locator("#minutes-status").inner_text()
    shot(page, "orglife-minutes-approved-desk")
    assert Meeting.objects.get(pk=meeting.pk).minutes.status == MinutesStatus.APPROVED
    page.context.close()


def test_meeting_form_errors_at_phone_width(live_server, browser, branch):
    orgs, _, _ = branch
    page = new_page(browser, PHONE)
    login(page, live_server, "beianmen", PASSWORD)
    url = f"{live_server.url}/orglife/add/?org={orgs.grid1.code}"
    page.goto(url)
    page.fill("#id_topic", "年度组织生活会")
    page.check("input[name=types][value=life]")
    page.fill("#id_planned_start", "1999-12-01T09:00")
    submit(page, page.locator("#meeting-form button[type=submit]"), url)
    errors = page.locator(".invalid-feedback").all_inner_texts()
    assert any("早于今天" in e for e in errors), errors
    shot(page, "orglife-form-errors-phone")
    assert_fits(page)
    assert Meeting.objects.count() == 1
    page.context.close()


def test_member_phone_pages_my_meetings_code_and_makeup(live_server, browser, branch):
    _, _, meeting = branch
    services.open_signin(None, meeting)
    services.close_meeting(None, meeting)  # 甲 did not sign in: 缺席, a 补学 task
    services.save_minutes(None, meeting, topics="学习全会公报。", discussion="逐一发言。", resolutions="照办。")
    services.submit_minutes(None, meeting)
    services.review_minutes(None, meeting, approve=True)
    page = new_page(browser, PHONE)
    login(page, live_server, "beianmen_dangyuan", PASSWORD)
    assert "补学" in page.locator("#todo").inner_text()  # on the 待办 list
    menu_to(page, "我的会议", f"{live_server.url}/orglife/my/")
    assert "主题党日：学习贯彻全会精神" in page.locator("#my-meetings").inner_text()
    assert "缺席" in page.locator("#my-meetings").inner_text()
    shot(page, "orglife-my-meetings-phone")
    assert_fits(page)
    page.goto(f"{live_server.url}/orglife/my/code/")
    page.locator("#my-code svg").wait_for(state="visible")
    shot(page, "orglife-my-code-phone")
    assert_fits(page)
    page.goto(f"{live_server.url}/orglife/my/makeup/")
    with page.expect_navigation():
        page.locator("#my-makeup a").first.click()
    assert "学习全会公报" in page.locator("#makeup-minutes").inner_text()
    page.fill("#id_note", "认真学习了会议纪要。")
    submit(page, page.locator("#makeup-form button[type=submit]"), f"{live_server.url}/orglife/my/makeup/")
    assert "已完成补学" in page.locator(".alert-success").inner_text()
    assert "已完成" in page.locator("#my-makeup").inner_text()
    shot(page, "orglife-my-makeup-phone")
    assert_fits(page)
    page.context.close()

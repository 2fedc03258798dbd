"""志愿服务 and 时间银行 in the browser: a volunteer signs up on the phone (the last place, then the
waiting list), scans the activity's code to sign in and out, reports hours over the daily cap (the
refusal) and within it; the community approves at the desk, records a redemption for an elder
(spend beyond the balance refused first), and reads the statement. Desk and phone widths."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.orglife import signin
from jiceng.timebank.models import Account
from jiceng.volunteers import services
from jiceng.volunteers.models import HoursRecord
from tests.browser.harness import DESK, PHONE, assert_fits, login, menu_to, new_page, pick, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Beianmen-2026-vol"


@pytest.fixture
def world(tree, make_user):
    community = make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    me_user = make_user("zhiyuan", role="resident", area=tree.beianmen, password=PASSWORD, display_name="李志愿")
    other_user = make_user("other", role="resident", area=tree.beianmen)
    elder_user = make_user("laoren", role="resident", area=tree.beianmen)
    me = services.register_volunteer(community, tree.beianmen, "李志愿", user=me_user, birth_date=date(1990, 1, 1))
    other = services.register_volunteer(community, tree.beianmen, "王先到", user=other_user)
    elder = services.register_volunteer(
        community, tree.beianmen, "赵老人", user=elder_user, birth_date=date(1950, 1, 1)
    )
    team = services.create_team(community, tree.beianmen, "北安门红心志愿服务队")
    start = timezone.now() - timedelta(minutes=20)
    now_activity = services.create_activity(
        community,
        team,
        title="助老陪伴",
        place="北安门社区服务中心",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        places=1,
    )
    later = services.create_activity(
        community,
        team,
        title="垃圾分类督导",
        place="3号投放点",
        starts_at=start + timedelta(days=1),
        ends_at=start + timedelta(days=1, hours=2),
        places=1,
    )
    services.sign_up(other_user, later, other)  # the later one is full: the volunteer waits
    return {"community": community, "me": me, "elder": elder, "now": now_activity, "later": later, "team": team}


def test_volunteer_on_the_phone_and_the_community_at_the_desk(live_server, tree, world, cheap_argon2, browser):
    page = new_page(browser, PHONE)
    login(page, live_server, "zhiyuan", PASSWORD)
    mine = f"{live_server.url}{reverse('volunteers:mine')}"
    menu_to(page, "我的志愿服务", mine)
    board = page.locator("#board")
    board.wait_for(state="visible")
    # Sign up for the last place of the activity now on, and join the waiting list of the full one.
    submit(page, board.locator(".list-group-item", has_text="助老陪伴").get_by_role("button", name="报名"), mine)
    page.locator(".alert", has_text="报名成功").wait_for(state="visible")
    submit(
        page,
        page.locator("#board .list-group-item", has_text="垃圾分类督导").get_by_role("button", name="报名候补"),
        mine,
    )
    page.locator(".alert", has_text="已进入候补").wait_for(state="visible")
    signups = page.locator("#my-signups").inner_text()
    assert "助老陪伴" in signups and "候补" in signups
    assert_fits(page)
    shot(page, "volunteers-mine-phone")

    # Scan the activity's code (the host's screen): sign in, then out.
    code = signin.object_code("activity", world["now"])
    scan = f"{live_server.url}{reverse('volunteers:scan', args=[code])}"
    page.goto(scan)
    submit(page, page.get_by_role("button", name="确认签到"), mine)
    page.locator(".alert", has_text="签到成功").wait_for(state="visible")
    page.goto(scan)
    page.get_by_role("button", name="确认签退").wait_for(state="visible")
    shot(page, "volunteers-scan-phone")
    submit(page, page.get_by_role("button", name="确认签退"), mine)
    page.locator(".alert", has_text="签退成功").wait_for(state="visible")

    # Report hours over the daily cap: refused with the hours left, nothing written; then within it.
    report = f"{live_server.url}{reverse('volunteers:mine_report')}"
    page.goto(report)
    page.fill("input[name=served_on]", timezone.localdate().isoformat())
    page.fill("input[name=hours]", "9")
    page.fill("input[name=content]", "楼道清扫")
    submit(page, page.get_by_role("button", name="提交"), report)
    page.locator(".invalid-feedback", has_text="超过每日时长上限").wait_for(state="visible")
    assert not HoursRecord.objects.filter(source="self").exists()
    assert_fits(page)
    shot(page, "volunteers-report-error-phone")
    page.fill("input[name=hours]", "1.5")
    submit(page, page.get_by_role("button", name="提交"), mine)
    page.locator("#my-hours", has_text="待审核").wait_for(state="visible")

    # The community approves at the desk: the hours go to the volunteer's account.
    desk = new_page(browser, DESK)
    login(desk, live_server, "beianmen", PASSWORD)
    hours = f"{live_server.url}{reverse('volunteers:hours_list')}"
    menu_to(desk, "时长审核", hours)
    submit(desk, desk.locator("#hours-filter").get_by_role("button", name="查询"), f"{hours}?status=")
    pending = f"{hours}?status=pending"
    desk.goto(pending)
    submit(desk, desk.locator("#hours tr", has_text="楼道清扫").get_by_role("button", name="通过"), pending)
    desk.locator(".alert", has_text="已审核通过").wait_for(state="visible")
    assert_fits(desk)
    shot(desk, "volunteers-hours-desk")
    balance = Account.objects.get(volunteer=world["me"]).balance
    assert balance > 1

    # Redemption for the elder: beyond the balance first (refused), then within it after a donation.
    redeem = f"{live_server.url}{reverse('timebank:redeem')}"
    menu_to(desk, "兑换服务", redeem)
    pick(desk, "id_beneficiary", "赵老人")
    pick(desk, "id_server", "李志愿")
    desk.fill("input[name=hours]", "2")
    desk.fill("input[name=content]", "陪同就医")
    submit(desk, desk.get_by_role("button", name="登记兑换"), redeem)
    desk.locator(".invalid-feedback, .alert-danger", has_text="余额不足").first.wait_for(state="visible")
    shot(desk, "timebank-redeem-refused-desk")

    # The volunteer donates 1 h to the elder on the phone; the statement shows it.
    donate = f"{live_server.url}{reverse('timebank:donate')}"
    page.goto(donate)
    page.select_option("select[name=target]", "relative")
    page.fill("input[name=relative]", str(world["elder"].pk))
    page.fill("input[name=hours]", "1")
    submit(page, page.get_by_role("button", name="捐赠"), mine)
    page.locator(".alert", has_text="捐赠成功").wait_for(state="visible")
    account = Account.objects.get(volunteer=world["me"])
    statement = f"{live_server.url}{reverse('timebank:account_detail', args=[account.pk])}"
    page.goto(statement)
    page.locator("#statement", has_text="赵老人").wait_for(state="visible")
    assert_fits(page)
    shot(page, "timebank-statement-phone")

    desk.fill("input[name=hours]", "1")
    submit(desk, desk.get_by_role("button", name="登记兑换"), redeem)
    desk.locator(".alert", has_text="已登记兑换").wait_for(state="visible")
    assert Account.objects.get(volunteer=world["elder"]).balance == 0

    # The desk's lists submit as they load.
    for name in ("volunteers:team_list", "volunteers:activity_list", "timebank:account_list"):
        url = f"{live_server.url}{reverse(name)}"
        desk.goto(url)
        form = desk.locator("form[role=search]")
        with desk.expect_navigation():
            form.get_by_role("button", name="查询").click()
        desk.locator("table").first.wait_for(state="visible")
    shot(desk, "timebank-accounts-desk")

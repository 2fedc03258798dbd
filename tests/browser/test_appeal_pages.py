"""民呼我应 pages in a real browser, on a desk (1280 px) and a phone (375 px).

* A street blows an incident whistle from 吹哨记录 → 吹哨 and picks the departments; a department
  reports (报到) and feeds back on its desk on a phone; the street rates the department on the
  whistle page and ends the whistle; 部门考核 shows the department's 报到率, 按时报到率 and rating.
* A grid worker asks for an extension on the appeal page and the community approves it (the new
  deadline shown); the community merges a duplicate into the first request by its number.

Every page is also looked at on a phone and must not scroll sideways. Drives Debian's
``/usr/bin/chromium`` through Playwright against pytest-django's live server (see harness.py).
"""

import re

import pytest
from django.utils import timezone

from jiceng.accounts.services import assign_role
from jiceng.appeals import services
from jiceng.appeals.models import Appeal, ResponsibleLevel, Status, SummonsStatus, Whistle, WhistleStatus
from jiceng.appeals.services import create_category
from jiceng.orgs.models import Department, DepartmentLevel
from tests.browser.harness import DESK, PHONE, assert_fits, login, menu_to, new_page, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Minhu-Woying-2026"


@pytest.fixture
def town(transactional_db, tree, make_user, cheap_argon2):
    """The repo's Nanjing slice, a small catalogue, two 玄武区 bureaus, and one person per role."""
    look = create_category(None, name="市容环境", responsible_level=ResponsibleLevel.COMMUNITY)
    stall = create_category(None, name="占道经营", parent=look, responsible_level=ResponsibleLevel.GRID)
    bureaus = {
        key: Department.objects.create(
            name=name, level=DepartmentLevel.DISTRICT, area=tree.xuanwu, area_path=tree.xuanwu.code
        )
        for key, name in (("chengguan", "玄武区城市管理局"), ("water", "玄武区水务局"))
    }
    people = {
        "resident": make_user("resident_zhang", display_name="张三", phone="13812345678"),
        "neighbour": make_user("resident_li", display_name="李四", phone="13912345678"),
        "grid": make_user("beianmen_grid1", role="grid_worker", area=tree.grid1, password=PASSWORD),
        "community": make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD),
        "street": make_user("meiyuan_street", role="street", area=tree.meiyuan, password=PASSWORD),
        "chengguan": make_user("xw_chengguan", password=PASSWORD),
    }
    assign_role(None, people["resident"], "resident", tree.beianmen)
    assign_role(None, people["neighbour"], "resident", tree.beianmen)
    assign_role(None, people["chengguan"], "department", department=bureaus["chengguan"])
    return {"tree": tree, "stall": stall, "bureaus": bureaus, "people": people}


def _login(page, live_server, username):
    login(page, live_server, username, PASSWORD)


def _shot(page, name):
    shot(page, f"pages-{name}")


def _same_user(browser, page, viewport):
    """The user of ``page`` on another screen (a desk after a phone …): same session, no new login."""
    other = new_page(browser, viewport)
    other.context.add_cookies(page.context.cookies())
    return other


def _text(page, selector="body") -> str:
    return page.locator(selector).inner_text()


def test_incident_whistle_report_rate_close_and_scorecard(live_server, town, browser):
    tree, bureaus = town["tree"], town["bureaus"]
    base = live_server.url

    # The street, on a phone at the scene: 吹哨记录 from the menu, then 吹哨.
    phone = new_page(browser, PHONE)
    _login(phone, live_server, "meiyuan_street")
    menu_to(phone, "吹哨记录", f"{base}/appeals/whistles/")
    assert "暂无吹哨记录" in _text(phone)
    phone.locator(".page-header").get_by_role("link", name="吹哨", exact=True).click()
    phone.wait_for_url(f"{base}/appeals/whistles/new/")
    assert phone.locator("#id_area").input_value() == str(tree.meiyuan.pk)
    phone.select_option("#id_case", "emergency")
    phone.fill("#id_title", "北安门街地面塌陷")
    phone.fill("#id_description", "路面下陷约1米，已拉警戒线，需城管、水务到场。")
    phone.fill("#id_address", "北安门街2栋东侧")
    phone.get_by_label("玄武区城市管理局").check()
    phone.get_by_label("玄武区水务局").check()
    assert_fits(phone)
    _shot(phone, "1-whistle-new-phone")
    submit(phone, phone.get_by_role("button", name="吹哨", exact=True), re.compile(r"/appeals/whistles/\d+/$"))
    whistle = Whistle.objects.get()
    assert phone.url == f"{base}/appeals/whistles/{whistle.pk}/"
    body = _text(phone)
    assert "已吹哨，等待部门报到。" in body and "路面下陷约1米" in body and "北安门街2栋东侧" in body
    assert _text(phone, "#summons").count("未报到") == 2
    assert_fits(phone)
    _shot(phone, "2-whistle-blown-phone")
    # On a phone the departments come before the 结束吹哨 form.
    assert phone.locator("#summons").bounding_box()["y"] < phone.locator("#close-form").bounding_box()["y"]

    # 玄武区城市管理局 on a phone: 吹哨报到 from the menu, 报到 with the plan, then 反馈.
    dept = new_page(browser, PHONE)
    _login(dept, live_server, "xw_chengguan")
    menu_to(dept, "吹哨报到", f"{base}/appeals/department/")
    assert "北安门街地面塌陷" in _text(dept, "#summons")
    assert_fits(dept)
    _shot(dept, "3-department-desk-phone")
    dept.fill('#summons input[name="plan"]', "执法中队30分钟内到场，设置围挡")
    submit(dept, dept.get_by_role("button", name="报到", exact=True), f"{base}/appeals/department/")
    assert "已报到。" in _text(dept)
    dept.fill('#summons input[name="feedback"]', "已围挡，水务局抢修管道")
    submit(dept, dept.get_by_role("button", name="反馈", exact=True), f"{base}/appeals/department/")
    assert "已反馈。" in _text(dept)
    assert_fits(dept)
    chengguan = whistle.summons.get(department=bureaus["chengguan"])
    assert chengguan.status == SummonsStatus.FED_BACK and chengguan.on_time

    # The street at the desk: the whistle page shows each department; rate 城管, end the whistle.
    desk = _same_user(browser, phone, DESK)
    desk.goto(f"{base}/appeals/whistles/")
    assert "1/2" in _text(desk, "#whistles") and "1个待评价" in _text(desk, "#whistles")
    _shot(desk, "5-whistle-list-desk")
    desk.get_by_role("link", name="北安门街地面塌陷").click()
    desk.wait_for_url(f"{base}/appeals/whistles/{whistle.pk}/")
    card = desk.locator(f"#summons-{chengguan.pk}")
    assert "执法中队30分钟内到场" in card.inner_text() and "已围挡" in card.inner_text()
    assert "按时报到" in card.inner_text()
    card.locator(".jc-rating").get_by_text("4分", exact=True).click()  # a row of buttons: tap one
    assert card.get_by_label("4分", exact=True).is_checked()
    card.get_by_label("评价意见").fill("到场及时，围挡规范")
    _shot(desk, "6-whistle-to-rate-desk")
    submit(desk, card.get_by_role("button", name="提交评价"), f"{base}/appeals/whistles/{whistle.pk}/")
    assert "已评价玄武区城市管理局：4分。" in _text(desk)
    assert "4分：到场及时，围挡规范" in _text(desk, f"#summons-{chengguan.pk}")
    desk.get_by_label("结束说明").fill("险情已排除")
    submit(desk, desk.get_by_role("button", name="结束吹哨"), f"{base}/appeals/whistles/{whistle.pk}/")
    assert "吹哨已结束。" in _text(desk) and "险情已排除" in _text(desk)
    assert _text(desk, "#whistle-status") == "已结束"
    _shot(desk, "7-whistle-closed-desk")
    whistle.refresh_from_db()
    assert whistle.status == WhistleStatus.CLOSED

    # 部门考核: the desk table, then the same on the phone as cards.
    desk.goto(f"{base}/appeals/scorecard/")
    row = desk.locator("#scorecard tbody tr", has_text="玄武区城市管理局")
    cells = row.locator("td").all_inner_texts()
    # 综合得分: 按时报到 1 (weight 15) and 4 on 1–5 = 0.75 (15): 100 × (15 + 11.25) / 30 = 87.5.
    assert cells == ["玄武区城市管理局", "1", "1", "100%", "1", "100%", "0", "1", "4.0分", "87.5"], cells
    water = desk.locator("#scorecard tbody tr", has_text="玄武区水务局").locator("td").all_inner_texts()
    assert water[1:4] == ["1", "0", "0%"], water
    _shot(desk, "8-scorecard-desk")
    menu_to(phone, "部门考核", f"{base}/appeals/scorecard/")
    assert "4.0分" in _text(phone, "#scorecard") and "100%" in _text(phone, "#scorecard")
    assert phone.locator("#scorecard thead").is_hidden()  # a card per department
    assert_fits(phone)
    _shot(phone, "9-scorecard-phone")
    for url, name in (
        (f"/appeals/whistles/{whistle.pk}/", "10-whistle-closed"),
        ("/appeals/whistles/?tab=all", "11-list"),
    ):
        phone.goto(base + url)
        assert_fits(phone)
        _shot(phone, f"{name}-phone")


def test_extension_approved_and_duplicate_merged(live_server, town, browser):
    tree, people = town["tree"], town["people"]
    base = live_server.url
    first = services.create_appeal(
        people["resident"],
        channel="resident",
        category=town["stall"],
        description="北安门街1栋楼下有人占道摆摊，早晚高峰堵住通道。",
        area=tree.building,
    )
    duplicate = services.create_appeal(
        people["neighbour"],
        channel="resident",
        category=town["stall"],
        description="1栋门口摆摊堵路，请管一管。",
        area=tree.building,
    )
    services.dispatch_appeal(people["community"], first, area=tree.grid1)
    old_due = timezone.localtime(first.answer_due)

    # The grid worker, on a phone: asks for 3 more workdays.
    grid = new_page(browser, PHONE)
    _login(grid, live_server, "beianmen_grid1")
    grid.goto(f"{base}/appeals/{first.pk}/")
    assert grid.get_by_label("延长工作日").is_hidden()  # a rare action: folded until asked for
    grid.locator("#extend-fold > summary").click()
    grid.get_by_label("延长工作日").fill("3")
    grid.get_by_label("延期理由").fill("需等待物业提供监控录像")
    assert_fits(grid)
    _shot(grid, "12-extend-phone")
    submit(grid, grid.get_by_role("button", name="提交延期申请"), f"{base}/appeals/{first.pk}/")
    assert "已申请延长3个工作日，等待派单单位审批。" in _text(grid)
    assert (
        "延期待批" in _text(grid)
        and "等待派单单位审批" in grid.locator(".card", has=grid.locator("#pending-extension")).inner_text()
    )
    assert_fits(grid)

    # The community at the desk: the request is on the appeal page; approve it.
    desk = new_page(browser, DESK)
    _login(desk, live_server, "beianmen")
    desk.goto(f"{base}/appeals/{first.pk}/")
    pending = _text(desk, "#pending-extension")
    assert "3个工作日" in pending and "需等待物业提供监控录像" in pending
    assert old_due.strftime("%Y-%m-%d %H:%M") in pending  # 原答复时限
    desk.get_by_label("审批意见").fill("同意，请尽快办理")
    _shot(desk, "14-decide-extension-desk")
    submit(desk, desk.get_by_role("button", name="批准延期"), f"{base}/appeals/{first.pk}/")
    first.refresh_from_db()
    new_due = timezone.localtime(first.answer_due).strftime("%Y-%m-%d %H:%M")
    assert first.answer_due > old_due and first.extension_count == 1
    body = _text(desk)
    assert f"已批准延期，答复时限延至{new_due}。" in body
    assert new_due in _text(desk, ".jc-appeal-summary") and "已延期1次" in body
    assert desk.locator("#decide-extension-form").count() == 0
    _shot(desk, "15-extension-approved-desk")

    # The community on a phone: the duplicate is merged into the first by its number.
    phone = _same_user(browser, desk, PHONE)
    phone.goto(f"{base}/appeals/{duplicate.pk}/")
    assert_fits(phone)
    _shot(phone, "16-duplicate-phone")
    assert phone.get_by_label("合并到工单编号").is_hidden()  # folded until asked for
    phone.locator("#merge-fold > summary").click()
    # A mistyped number is refused; the form stays open with what was typed.
    phone.get_by_label("合并到工单编号").fill("2099")
    submit(phone, phone.get_by_role("button", name="合并到该工单"), f"{base}/appeals/{duplicate.pk}/merge/")
    assert "操作未完成：未找到工单编号为“2099”的诉求" in _text(phone)
    assert phone.get_by_label("合并到工单编号").input_value() == "2099"
    phone.get_by_label("合并到工单编号").fill(first.number)
    phone.get_by_label("合并说明").fill("同一摊点")
    submit(phone, phone.get_by_role("button", name="合并到该工单"), f"{base}/appeals/{duplicate.pk}/")
    body = _text(phone)
    assert f"已作为重复件合并到工单{first.number}。" in body
    assert f"重复件，已合并到工单 {first.number} 办理" in body
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into_id == first.pk
    assert_fits(phone)
    _shot(phone, "17-merged-phone")
    phone.get_by_role("link", name=first.number).click()
    phone.wait_for_url(f"{base}/appeals/{first.pk}/")
    assert Appeal.objects.get(pk=first.pk).status == Status.DISPATCHED
    assert_fits(phone)

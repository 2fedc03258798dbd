"""民呼我应 in a real browser: a resident submits on a 375 px phone → the grid worker signs for and
answers → the resident rates; and a street blows the whistle → a department reports (报到).

Drives Debian's ``/usr/bin/chromium`` through Playwright against pytest-django's live server; no
browser is ever downloaded. Without Chromium the test is a loud skip, and with ``CI=true`` a failure.
"""

import pytest

from jiceng.accounts.services import assign_role
from jiceng.appeals import services
from jiceng.appeals.models import Appeal, ResponsibleLevel, Status, SummonsStatus, WhistleSummons
from jiceng.appeals.services import create_category
from jiceng.orgs.models import Department, DepartmentLevel
from tests.browser.harness import DESK, PHONE, assert_fits, login, menu_to, new_page, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Minhu-Woying-2026"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def city(transactional_db, tree, make_user, settings, tmp_path):
    """The repo's Nanjing slice, a small catalogue, 玄武区城市管理局, and one person per role."""
    settings.MEDIA_ROOT = tmp_path / "media"
    look = create_category(None, name="市容环境", responsible_level=ResponsibleLevel.COMMUNITY)
    stall = create_category(None, name="占道经营", parent=look, responsible_level=ResponsibleLevel.GRID)
    chengguan = Department.objects.create(
        name="玄武区城市管理局", level=DepartmentLevel.DISTRICT, area=tree.xuanwu, area_path=tree.xuanwu.code
    )
    people = {
        "resident": make_user("resident_zhang", password=PASSWORD, display_name="张三", phone="13812345678"),
        "grid": make_user("beianmen_grid1", role="grid_worker", area=tree.grid1, password=PASSWORD),
        "community": make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD),
        "street": make_user("meiyuan_street", role="street", area=tree.meiyuan, password=PASSWORD),
        "chengguan": make_user("xw_chengguan", password=PASSWORD),
    }
    assign_role(None, people["resident"], "resident", tree.beianmen)
    assign_role(None, people["chengguan"], "department", department=chengguan)
    photo = tmp_path / "site.png"
    photo.write_bytes(PNG)
    return {"tree": tree, "stall": stall, "chengguan": chengguan, "people": people, "photo": photo}


def _login(page, live_server, username):
    login(page, live_server, username, PASSWORD)


def _shot(page, name):
    shot(page, f"appeal-{name}")


def test_resident_submits_grid_worker_answers_resident_rates(live_server, city, browser):
    tree, people = city["tree"], city["people"]
    page = new_page(browser, PHONE)

    # The resident, on a phone: 我的诉求 from the menu, then 我要反映.
    _login(page, live_server, "resident_zhang")
    menu_to(page, "我的诉求", f"{live_server.url}/appeals/mine/")
    page.get_by_role("link", name="我要反映").click()
    page.wait_for_url(f"{live_server.url}/appeals/new/")
    page.select_option("#id_category", str(city["stall"].pk))
    page.fill("#id_description", "1栋楼下有人占道摆摊，早晚高峰堵住通道。")
    page.select_option("#id_area", str(tree.building.pk))
    page.set_input_files("#id_photo", str(city["photo"]))
    assert_fits(page)
    _shot(page, "1-submit")
    submit(page, page.get_by_role("button", name="提交诉求"), f"{live_server.url}/appeals/*/")
    assert "诉求已提交" in page.locator("body").inner_text()
    appeal = Appeal.objects.get()
    assert appeal.reporter == people["resident"] and appeal.photos.count() == 1
    assert page.locator("#timeline li").count() == 1
    assert_fits(page)
    _shot(page, "2-followed")

    # The community dispatches (the suggestion is the grid) — a desk step, done through the service.
    services.dispatch_appeal(people["community"], appeal, area=tree.grid1)

    # The grid worker on a phone: the workbench, sign for, a visit with a photo, the answer.
    _login(page, live_server, "beianmen_grid1")
    page.goto(f"{live_server.url}/appeals/workbench/")
    assert_fits(page)
    _shot(page, "2b-workbench")
    page.locator(f'#appeals a[href="/appeals/{appeal.pk}/"]').click()
    submit(page, page.get_by_role("button", name="签收"), f"{live_server.url}/appeals/{appeal.pk}/")
    assert "已签收" in page.locator("body").inner_text()
    page.fill("#id_progress-note", "已到现场，劝离摊贩。")
    page.set_input_files("#id_progress-photos", str(city["photo"]))
    submit(page, page.get_by_role("button", name="保存记录"), f"{live_server.url}/appeals/{appeal.pk}/")
    page.fill("#id_answer-text", "摊贩已劝离，通道已清理，网格员将持续巡查。")
    page.select_option("#id_answer-result", "resolved")
    assert_fits(page)
    _shot(page, "3-grid-worker")
    submit(page, page.get_by_role("button", name="答复", exact=True), f"{live_server.url}/appeals/{appeal.pk}/")
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED

    # The resident rates.
    _login(page, live_server, "resident_zhang")
    page.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    assert "摊贩已劝离" in page.locator("body").inner_text()
    page.get_by_label("解决", exact=True).check()
    page.get_by_label("基本满意", exact=True).check()
    assert_fits(page)
    _shot(page, "4-rate")
    submit(page, page.get_by_role("button", name="提交评价"), f"{live_server.url}/appeals/{appeal.pk}/")
    assert "感谢您的评价" in page.locator("body").inner_text()
    appeal.refresh_from_db()
    assert (appeal.outcome, appeal.satisfaction) == ("resolved", "basically")
    assert appeal.status in (Status.RATED, Status.CLOSED)
    _shot(page, "5-rated")


def test_street_whistles_and_department_reports(live_server, city, browser):
    tree, people = city["tree"], city["people"]
    appeal = services.create_appeal(
        people["resident"],
        channel="resident",
        category=city["stall"],
        description="夜市占道，多次反映未解决。",
        area=tree.building,
    )
    services.dispatch_appeal(people["community"], appeal, area=tree.grid1)

    desk = new_page(browser, DESK)
    _login(desk, live_server, "meiyuan_street")
    desk.goto(f"{live_server.url}/appeals/queue/?tab=open")
    assert desk.locator(f'#appeals a[href="/appeals/{appeal.pk}/"]').is_visible()
    _shot(desk, "5b-queue")
    desk.goto(f"{live_server.url}/appeals/rates/")
    desk.get_by_role("link", name="北安门社区").click()
    desk.wait_for_url(f"{live_server.url}/appeals/rates/?code={tree.beianmen.code}*")
    _shot(desk, "5c-rates")
    desk.goto(f"{live_server.url}/appeals/{appeal.pk}/")
    desk.select_option("#id_whistle-case", "enforcement")
    desk.fill("#id_whistle-title", "夜市占道联合执法")
    desk.get_by_label("玄武区城市管理局").check()
    _shot(desk, "6-whistle")
    submit(desk, desk.get_by_role("button", name="吹哨", exact=True), f"{live_server.url}/appeals/{appeal.pk}/")
    assert "已吹哨" in desk.locator("body").inner_text()
    summons = WhistleSummons.objects.get()

    phone = new_page(browser, PHONE)
    _login(phone, live_server, "xw_chengguan")
    menu_to(phone, "吹哨报到", f"{live_server.url}/appeals/department/")
    assert "夜市占道联合执法" in phone.locator("#summons").inner_text()
    phone.fill('#summons input[name="plan"]', "执法中队30分钟内到场")
    submit(phone, phone.get_by_role("button", name="报到"), f"{live_server.url}/appeals/department/")
    assert "已报到" in phone.locator("body").inner_text()
    summons.refresh_from_db()
    assert summons.status == SummonsStatus.REPORTED and summons.plan == "执法中队30分钟内到场"
    assert_fits(phone)
    _shot(phone, "7-department")

"""共建清单 in the browser: the community publishes a need, a member claims part of it on the
phone (a claim beyond the quantity first: refused with the reason), the community confirms,
records completion with a photo and both sides rate; the board on a phone; the lists' filter
forms submitted as they load. Each at desk and phone width."""

import pytest
from django.urls import reverse

from jiceng.cobuild import services
from jiceng.cobuild.models import Claim, Evidence, Item, Kind
from jiceng.cobuild.tests.conftest import leaf, make_unit
from jiceng.dualreport.tests.conftest import employed_member
from jiceng.orgs.tests.conftest import build_orgs
from tests.browser.harness import DESK, PHONE, assert_fits, login, menu_to, new_page, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Beianmen-2026-cobuild"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def people(tree, make_user):
    orgs = build_orgs(tree)
    member_user = make_user("dangyuan", role="member", area=tree.beianmen, password=PASSWORD, display_name="张在职")
    member = employed_member(orgs.gongyuan_branch, "张在职", residence=tree.building, user=member_user)
    community = make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    street = make_user("meiyuan_street", role="street", area=tree.meiyuan, password=PASSWORD)
    resident = make_user("jumin", role="resident", area=tree.beianmen, password=PASSWORD)
    return member, member_user, community, street, resident


def _tag(viewport) -> str:
    return "phone" if viewport == PHONE else "desk"


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_publish_claim_confirm_complete_rate(live_server, tree, people, cheap_argon2, browser, viewport):
    member = people[0]
    leaf()  # the seeded categories
    staff = new_page(browser, viewport)
    login(staff, live_server, "beianmen", PASSWORD)
    items = f"{live_server.url}{reverse('cobuild:item_list')}"
    menu_to(staff, "清单管理", items)
    add = f"{live_server.url}{reverse('cobuild:item_add')}"
    with staff.expect_navigation(url=add):
        staff.get_by_role("link", name="发布").click()
    staff.select_option("select[name=kind]", "need")
    staff.fill("input[name=title]", "重阳节助老送餐")
    staff.select_option("select[name=category]", label="为老服务 › 助餐送餐")
    staff.select_option("select[name=area]", tree.beianmen.code)
    staff.fill("input[name=quantity]", "5")
    staff.fill("input[name=unit_label]", "份")
    staff.fill("textarea[name=description]", "为独居老人送午餐")
    with staff.expect_navigation():
        staff.get_by_role("button", name="提交").click()
    item = Item.objects.get(title="重阳节助老送餐")
    assert "已发布需求“重阳节助老送餐”" in staff.content()
    assert_fits(staff)
    shot(staff, f"cobuild-published-{_tag(viewport)}")

    phone = new_page(browser, viewport)
    login(phone, live_server, "dangyuan", PASSWORD)
    board = f"{live_server.url}{reverse('cobuild:board')}"
    menu_to(phone, "服务公告栏", board)
    detail = f"{live_server.url}{reverse('cobuild:item_detail', args=[item.pk])}"
    with phone.expect_navigation(url=detail):
        phone.get_by_role("link", name="重阳节助老送餐").click()
    phone.fill("#claim-form input[name=quantity]", "9")
    submit(phone, phone.get_by_role("button", name="提交认领"), detail)
    phone.locator(".alert", has_text="只剩5份，不能认领9份").wait_for(state="visible")
    assert not Claim.objects.exists()
    phone.fill("#claim-form input[name=quantity]", "2")
    submit(phone, phone.get_by_role("button", name="提交认领"), detail)
    phone.locator(".alert", has_text="已提交认领意向").wait_for(state="visible")
    assert "已认领 2/5份" in phone.locator("#item-taken").inner_text()
    assert_fits(phone)
    shot(phone, f"cobuild-claimed-{_tag(viewport)}")
    claim = Claim.objects.get(member=member)

    staff.goto(f"{live_server.url}/")
    staff.get_by_text("张在职 认领“重阳节助老送餐”").first.wait_for(state="visible")  # on the 待办 list
    claim_url = f"{live_server.url}{reverse('cobuild:claim_detail', args=[claim.pk])}"
    staff.goto(claim_url)
    submit(staff, staff.get_by_role("button", name="确认认领"), claim_url)
    assert staff.locator("#claim-status").inner_text() == "已确认"
    staff.fill("input[name=complete-result]", "送餐两周，老人满意")
    staff.fill("input[name=complete-served]", "14")
    staff.set_input_files(
        "input[name=complete-files]", files=[{"name": "现场.png", "mimeType": "image/png", "buffer": PNG}]
    )
    submit(staff, staff.get_by_role("button", name="登记完成"), claim_url)
    assert staff.locator("#claim-status").inner_text() == "已完成"
    assert Evidence.objects.filter(claim=claim).count() == 1
    staff.select_option("select[name=rate_publisher-rating]", "5")
    submit(staff, staff.get_by_role("button", name="发布方评价"), claim_url)
    staff.select_option("select[name=rate_beneficiary-rating]", "4")
    submit(staff, staff.get_by_role("button", name="受益方评价"), claim_url)
    assert staff.locator("#claim-status").inner_text() == "已评价"
    assert "现场.png" in staff.locator("#claim-evidence").inner_text()
    assert_fits(staff)
    shot(staff, f"cobuild-rated-{_tag(viewport)}")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_board_for_residents_and_the_street(live_server, tree, people, cheap_argon2, browser, viewport):
    community = people[2]
    unit = make_unit(tree.beianmen, "南京某供电公司")
    need = services.publish_item(
        community,
        kind=Kind.NEED,
        title="楼道清扫志愿者",
        category=leaf(),
        area=tree.beianmen,
        quantity=10,
        unit_label="人",
    )
    services.claim_item(community, need, quantity=4, unit=unit)
    services.publish_item(
        community,
        kind=Kind.RESOURCE,
        title="单位会议室周末开放",
        category=leaf(),
        area=tree.beianmen,
        quantity=8,
        unit_label="场",
    )
    project = services.publish_item(
        community,
        kind=Kind.PROJECT,
        title="邻里食堂",
        category=leaf(),
        area=tree.beianmen,
        owner_name="王书记",
        matches=[need],
    )
    services.update_progress(community, project, progress=40)

    page = new_page(browser, viewport)
    login(page, live_server, "jumin", PASSWORD)
    board = f"{live_server.url}{reverse('cobuild:board')}"
    menu_to(page, "服务公告栏", board)
    items = page.locator("#board-items")
    items.wait_for(state="visible")
    text = items.inner_text()
    assert "楼道清扫志愿者" in text and "已认领 4/10人" in text and "进度 40%" in text
    assert_fits(page)
    shot(page, f"cobuild-board-resident-{_tag(viewport)}")
    with page.expect_navigation():
        page.locator("#board-tabs").get_by_role("link", name="项目").click()
    assert page.locator("#board-items .cobuild-item").count() == 1

    street = new_page(browser, viewport)
    login(street, live_server, "meiyuan_street", PASSWORD)
    street.goto(board)
    figures = street.locator("#board-figures")
    figures.wait_for(state="visible")
    assert "北安门社区" in figures.inner_text()
    assert_fits(street)
    shot(street, f"cobuild-board-street-{_tag(viewport)}")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_filter_forms_submit_as_they_load(live_server, tree, people, cheap_argon2, browser, viewport):
    community = people[2]
    services.publish_item(community, kind=Kind.NEED, title="助老送餐", category=leaf(), area=tree.beianmen)
    page = new_page(browser, viewport)
    login(page, live_server, "meiyuan_street", PASSWORD)
    for name, form, table in (
        ("cobuild:item_list", "#item-filter", "#items"),
        ("cobuild:claim_list", "#claim-filter", None),
    ):
        url = f"{live_server.url}{reverse(name)}"
        page.goto(url)
        with page.expect_navigation():
            page.locator(form).get_by_role("button", name="查询").click()
        assert page.locator(f"{form} .text-danger").count() == 0
        if table:
            page.locator(table).wait_for(state="visible")
        assert_fits(page)
    shot(page, f"cobuild-item-list-{_tag(viewport)}")

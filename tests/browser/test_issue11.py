"""微心愿, 党员积分, 共建协议 and 协商议事 in the browser: the grid worker publishes a wish at the desk
(refused first for a bad phone number), a member browses it masked on the phone,
claims it and delivers it with a photo, the grid worker confirms it for the beneficiary, and the
member sees the points on 我的积分; each new list's filter form submits cleanly as it loads."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.consult import services as consult
from jiceng.dualreport.tests.conftest import employed_member
from jiceng.orgs.models import UnitKind
from jiceng.orgs.services.units import create_resident_unit
from jiceng.orgs.tests.conftest import build_orgs
from jiceng.partners import services as partners
from jiceng.points import services as points
from jiceng.wishes import services as wishes
from jiceng.wishes.models import Wish, WishStatus
from tests.browser.harness import DESK, PHONE, assert_fits, login, menu_to, new_page, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Weixinyuan-2026-h11"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def people(transactional_db, tree, make_user, cheap_argon2):
    orgs = build_orgs(tree)
    grid = make_user("beianmen_grid1", role="grid_worker", area=tree.grid1, password=PASSWORD)
    member_user = make_user("dangyuan", role="member", area=tree.beianmen, password=PASSWORD, display_name="李认领")
    member = employed_member(orgs.grid1, "李认领", residence=tree.building, user=member_user)
    community = make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    unit = create_resident_unit(
        None, name="北安门供电所", kind=UnitKind.STATE_ENTERPRISE, area=tree.grid1, party_org=orgs.grid2
    )
    today = timezone.localdate()
    partners.sign(
        None,
        orgs.beianmen,
        unit,
        title="供电所共建协议",
        content="共同开展志愿服务",
        community_contact="王书记",
        unit_contact="李主任",
        signed_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=300),
        duties=[("unit", "每季度组织一次义诊", today + timedelta(days=5))],
    )
    consult.record(
        None,
        tree.beianmen,
        kind="council",
        held_on=today - timedelta(days=2),
        title="加装电梯议事会",
        topics="费用分摊",
        residents=12,
        member_reps=3,
    )
    return {"grid": grid, "member": member, "member_user": member_user, "community": community, "orgs": orgs}


def test_wish_published_claimed_delivered_and_confirmed(live_server, tree, people, browser, tmp_path):
    desk = new_page(browser, DESK)
    login(desk, live_server, "beianmen_grid1", PASSWORD)
    add = f"{live_server.url}{reverse('wishes:wish_add')}"
    menu_to(desk, "微心愿", f"{live_server.url}{reverse('wishes:wish_list')}")
    desk.goto(add)
    desk.select_option("select[name=community]", tree.beianmen.code)
    desk.fill("input[name=title]", "一台助听器")
    desk.fill("input[name=name]", "王秀英")
    desk.fill("input[name=phone]", "12345")
    desk.fill("input[name=address]", "北安门街12号3-201")
    submit(desk, desk.get_by_role("button", name="发布"), add)
    desk.locator(".invalid-feedback").first.wait_for(state="visible")
    assert "心愿人电话" in desk.content() and not Wish.objects.exists()
    shot(desk, "wish-publish-error-desk")
    desk.select_option("select[name=beneficiary_area]", tree.grid1.code)
    desk.fill("input[name=phone]", "13955556666")
    wish_url = f"{live_server.url}/wishes/"
    with desk.expect_navigation():
        desk.get_by_role("button", name="发布").click()
    wish = Wish.objects.get()
    assert desk.url.endswith(reverse("wishes:wish_detail", args=[wish.pk]))
    assert "13955556666" in desk.content()  # the grid worker sees the beneficiary in full
    assert_fits(desk)
    shot(desk, "wish-published-desk")

    phone = new_page(browser, PHONE)
    login(phone, live_server, "dangyuan", PASSWORD)
    menu_to(phone, "微心愿", wish_url)
    listed = phone.locator("#wishes").inner_text()
    assert "王**" in listed and "王秀英" not in listed
    assert_fits(phone)
    shot(phone, "wish-list-phone")
    detail = f"{live_server.url}{reverse('wishes:wish_detail', args=[wish.pk])}"
    phone.goto(detail)
    assert "13955556666" not in phone.content() and "北安门街12号" not in phone.content()
    submit(phone, phone.get_by_role("button", name="我来认领"), detail)
    phone.locator("#claimer", has_text="李认领").wait_for()
    deliver = f"{live_server.url}{reverse('wishes:wish_deliver', args=[wish.pk])}"
    with phone.expect_navigation(url=deliver):
        phone.locator("#deliver-link").click()
    # No photo: refused with the reason on the field, nothing changed.
    submit(phone, phone.get_by_role("button", name="提交送达"), deliver)
    phone.locator(".invalid-feedback", has_text="请上传送达照片").wait_for()
    assert Wish.objects.get().status == WishStatus.CLAIMED
    shot(phone, "wish-deliver-error-phone")
    photo = tmp_path / "送达.png"
    photo.write_bytes(PNG)
    phone.set_input_files("input[name=photo]", str(photo))
    phone.fill("input[name=note]", "已送到老人家中")
    submit(phone, phone.get_by_role("button", name="提交送达"), detail)
    phone.locator("#wish-status", has_text="已送达").wait_for()
    assert phone.locator("img.wish-photo").count() == 1
    assert_fits(phone)
    shot(phone, "wish-delivered-phone")

    grid_phone = new_page(browser, PHONE)
    login(grid_phone, live_server, "beianmen_grid1", PASSWORD)
    grid_phone.goto(detail)
    submit(grid_phone, grid_phone.get_by_role("button", name="确认心愿已实现"), detail)
    grid_phone.locator("#wish-status", has_text="已确认").wait_for()
    assert Wish.objects.get().confirmed_for

    mine = f"{live_server.url}{reverse('points:mine')}"
    menu_to(phone, "我的积分", mine)
    phone.locator("#my-total", has_text="2.0 分").wait_for()
    assert "认领并完成微心愿" in phone.locator("#my-awards").inner_text()
    assert_fits(phone)
    shot(phone, "points-mine-phone")


LISTS = ["wishes:wish_list", "partners:agreement_list", "consult:consultation_list", "points:award_list"]


def rows(page) -> list[str]:
    return page.locator(".page-body table tbody tr").all_inner_texts()


@pytest.mark.parametrize("viewport", [pytest.param(DESK, id="desk"), pytest.param(PHONE, id="phone")])
def test_each_filter_form_submits_as_it_loads(live_server, tree, people, browser, viewport):
    wishes.publish(None, tree.beianmen, tree.grid1, title="一套课外书", name="王小明", address="北安门街1号")
    points.award("dual_service", 1, people["member"], 1, timezone.localdate(), note="社区值守")
    page = new_page(browser, viewport)
    login(page, live_server, "beianmen", PASSWORD)
    for name in LISTS:
        url = reverse(name)
        page.goto(f"{live_server.url}{url}")
        loaded = rows(page)
        assert loaded, url
        form = page.locator(".page-body form[method=get]").first
        with page.expect_navigation():
            form.locator("button[type=submit]").first.click()
        assert "?" in page.url, url
        assert page.locator(".is-invalid, .invalid-feedback:visible, .alert-danger").count() == 0, url
        assert rows(page) == loaded, url
        assert_fits(page)
    width = "desk" if viewport is DESK else "phone"
    page.goto(f"{live_server.url}{reverse('consult:consultation_list')}")
    shot(page, f"consult-list-{width}")
    agreement = f"{live_server.url}{reverse('partners:agreement_list')}"
    page.goto(agreement)
    with page.expect_navigation():
        page.get_by_role("link", name="供电所共建协议").click()
    page.locator("#duties", has_text="每季度组织一次义诊").wait_for()
    assert_fits(page)
    shot(page, f"partners-agreement-{width}")

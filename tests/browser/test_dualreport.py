"""双报到 in the browser: the member registers on the phone (a form with an error first), the
community confirms the registration and records a service at the desk, and the member's branch
reads the feedback, at desk and phone width."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.services import assign_role
from jiceng.dualreport import services
from jiceng.dualreport.models import Registration, Service
from jiceng.dualreport.tests.conftest import employed_member
from jiceng.orgs.tests.conftest import build_orgs
from tests.browser.harness import DESK, PHONE, assert_fits, login, menu_to, new_page, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Beianmen-2026-dual"


@pytest.fixture
def people(tree, make_user):
    orgs = build_orgs(tree)
    member_user = make_user("dangyuan", role="member", area=tree.beianmen, password=PASSWORD, display_name="张在职")
    member = employed_member(orgs.gongyuan_branch, "张在职", residence=tree.building, user=member_user)
    community = make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    secretary = make_user("gongyuan_shuji", password=PASSWORD)
    assign_role(None, secretary, "branch_secretary", org=orgs.gongyuan_branch)
    return member, member_user, community, secretary


def test_member_registers_on_the_phone_and_the_community_confirms(live_server, tree, people, cheap_argon2, browser):
    member = people[0]
    page = new_page(browser, PHONE)
    login(page, live_server, "dangyuan", PASSWORD)
    mine = f"{live_server.url}{reverse('dualreport:mine')}"
    menu_to(page, "我的双报到", mine)
    form = page.locator("#register-form")
    # No community chosen: the form says so next to the field and nothing is written.
    form.locator("select[name=community]").select_option("")
    submit(page, form.get_by_role("button", name="提交报到"), mine)
    assert page.locator(".invalid-feedback", has_text="请填写此项。").count() == 1
    assert not Registration.objects.exists()
    assert_fits(page)
    shot(page, "dual-register-error-phone")
    page.locator("#register-form select[name=community]").select_option("320102002011")
    page.locator("#register-form input[name=skills]").fill("法律咨询")
    submit(page, page.get_by_role("button", name="提交报到"), mine)
    assert "已提交报到，等待社区确认" in page.content()
    assert page.locator("#my-registration").inner_text().count("待确认") == 1
    assert_fits(page)
    shot(page, "dual-registered-phone")
    registration = Registration.objects.get(member=member)

    desk = new_page(browser, DESK)
    login(desk, live_server, "beianmen", PASSWORD)
    # The registration waits on the community's 待办 list.
    assert "张在职 向北安门社区报到" in desk.content()
    menu_to(desk, "报到登记", f"{live_server.url}{reverse('dualreport:registration_list')}")
    detail = f"{live_server.url}{reverse('dualreport:registration_detail', args=[registration.pk])}"
    with desk.expect_navigation(url=detail):
        desk.get_by_role("link", name="张在职").click()
    assert "138****5678" in desk.content() and "13812345678" not in desk.content()
    submit(desk, desk.get_by_role("button", name="确认报到"), detail)
    assert desk.locator("#registration-status").inner_text() == "已报到"
    desk.fill("input[name=service-served_on]", timezone.localdate().isoformat())
    desk.fill("input[name=service-hours]", "2.5")
    desk.fill("input[name=service-content]", "垃圾分类督导")
    submit(desk, desk.get_by_role("button", name="登记并确认"), detail)
    assert "已登记并确认服务，记录已锁定" in desk.content()
    assert desk.locator("#services").inner_text().count("垃圾分类督导") == 1
    assert Service.objects.get().status == "confirmed"
    assert_fits(desk)
    shot(desk, "dual-community-confirmed-desk")

    # Back on the phone: the member sees the confirmed service and the year's progress.
    page.goto(mine)
    assert "垃圾分类督导" in page.locator("#my-services").inner_text()
    assert "已确认服务 1 次，目标 2 次" in page.locator("#my-progress").inner_text()
    assert_fits(page)
    shot(page, "dual-my-services-phone")


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_branch_reads_the_feedback(live_server, tree, people, cheap_argon2, browser, viewport):
    member, member_user, community, _ = people
    registration = services.register_member(member_user, member, tree.beianmen)
    services.confirm_registration(community, registration)
    services.record_service(
        community, registration, served_on=timezone.localdate(), hours="2", content="看望独居老人", confirm=True
    )
    services.send_feedback(
        community, registration, year=timezone.localdate().year, comment="积极参加，请支部督促完成全年服务"
    )
    page = new_page(browser, viewport)
    login(page, live_server, "gongyuan_shuji", PASSWORD)
    assert "北安门社区反馈：张在职" in page.content()  # on the branch's 待办
    menu_to(page, "服务情况反馈", f"{live_server.url}{reverse('dualreport:feedback_list')}")
    assert "未读" in page.locator("#feedbacks").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="张在职").click()
    summary = page.locator("#feedback-summary").inner_text()
    assert "服务共 1 次" in summary and "未达标" in summary and "积极参加" in summary
    assert "看望独居老人" in page.locator("#feedback-services").inner_text()
    assert page.get_by_role("link", name="打印反馈函").is_visible()
    assert_fits(page)
    shot(page, f"dual-branch-feedback-{'phone' if viewport == PHONE else 'desk'}")

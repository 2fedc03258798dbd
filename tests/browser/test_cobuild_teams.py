"""共建清单 team claims in the browser: a volunteer team's 队长 (a resident) opens a need from the
服务公告栏, chooses 以志愿队名义认领 (only their own team is offered), claims; after the community
confirmed and recorded completion, the 队长 records the hours of the members who took part, which
wait for the community's approval. At desk and phone width, with screenshots."""

import pytest
from django.urls import reverse

from jiceng.cobuild import services
from jiceng.cobuild.models import Claim, ClaimerKind
from jiceng.cobuild.tests.conftest import publish
from jiceng.volunteers import services as vol_services
from jiceng.volunteers.models import HoursRecord, HoursSource, HoursStatus
from tests.browser.harness import DESK, PHONE, assert_fits, login, menu_to, new_page, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Beianmen-2026-teams"


@pytest.fixture
def teams(tree, make_user):
    community = make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    leader_user = make_user("duizhang", role="resident", area=tree.beianmen, password=PASSWORD, display_name="王队长")
    leader = vol_services.register_volunteer(community, tree.beianmen, "王队长", user=leader_user)
    helper = vol_services.register_volunteer(community, tree.beianmen, "李队员")
    team = vol_services.create_team(community, tree.beianmen, "北安门红心志愿服务队")
    vol_services.add_team_member(community, team, leader, is_leader=True)
    vol_services.add_team_member(community, team, helper)
    vol_services.create_team(community, tree.beianmen, "北安门银发服务队")  # led by nobody here
    return community, team


@pytest.mark.parametrize("viewport", [DESK, PHONE], ids=["desk", "phone"])
def test_leader_claims_for_the_team_and_records_hours(live_server, tree, teams, cheap_argon2, browser, viewport):
    community, team = teams
    tag = "phone" if viewport == PHONE else "desk"
    item = publish(community, tree.beianmen, title="重阳节助老送餐", quantity=10)

    page = new_page(browser, viewport)
    login(page, live_server, "duizhang", PASSWORD)
    board = f"{live_server.url}{reverse('cobuild:board')}"
    menu_to(page, "服务公告栏", board)
    detail = f"{live_server.url}{reverse('cobuild:item_detail', args=[item.pk])}"
    with page.expect_navigation(url=detail):
        page.get_by_role("link", name="重阳节助老送餐").click()
    claimer = page.locator("#claim-form select[name=unit]")
    claimer.wait_for(state="visible")
    group = page.locator('#claim-form optgroup[label="以志愿队名义认领"] option')
    assert group.all_inner_texts() == ["北安门红心志愿服务队"]  # their own team only, not 北安门银发服务队
    claimer.select_option(label="北安门红心志愿服务队")
    page.fill("#claim-form input[name=quantity]", "4")
    page.fill("#claim-form input[name=note]", "队员周末分两批送餐")
    shot(page, f"cobuild-team-claim-form-{tag}")
    submit(page, page.get_by_role("button", name="提交认领"), detail)
    page.locator(".alert", has_text="已以“北安门红心志愿服务队”名义提交认领意向（4份）").wait_for(state="visible")
    page.locator("#item-claims", has_text="北安门红心志愿服务队（志愿服务队）").wait_for(state="visible")
    assert "已认领 4/10份" in page.locator("#item-taken").inner_text()
    assert_fits(page)
    shot(page, f"cobuild-team-claimed-{tag}")
    claim = Claim.objects.get()
    assert (claim.claimer_kind, claim.team_id, claim.quantity) == (ClaimerKind.TEAM, team.pk, 4)

    services.confirm_claim(community, claim)
    services.complete_claim(community, claim, result="40份午餐已送到户", served=40)
    claim_url = f"{live_server.url}{reverse('cobuild:claim_detail', args=[claim.pk])}"
    page.goto(claim_url)
    form = page.locator("#action-team-hours")
    form.wait_for(state="visible")
    form.get_by_label("王队长（队长）").check()
    form.get_by_label("李队员").check()
    form.locator("input[name='team_hours-hours']").fill("2.5")
    submit(page, form.get_by_role("button", name="登记队员服务时长"), claim_url)
    page.locator(".alert", has_text="已为2名队员登记服务时长").wait_for(state="visible")
    hours = page.locator("#claim-team-hours")
    hours.wait_for(state="visible")
    assert "王队长 · 2.5 小时 · 待审核" in hours.inner_text() and "李队员 · 2.5 小时 · 待审核" in hours.inner_text()
    assert_fits(page)
    shot(page, f"cobuild-team-hours-{tag}")
    records = HoursRecord.objects.filter(team=team, source=HoursSource.CLAIM, status=HoursStatus.PENDING)
    assert sorted(records.values_list("volunteer__name", flat=True)) == ["李队员", "王队长"]

    mine = f"{live_server.url}{reverse('cobuild:mine')}"
    page.goto(mine)
    page.locator("#my-claims", has_text="北安门红心志愿服务队 · 4份").wait_for(state="visible")

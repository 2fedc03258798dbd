"""协商议事 → 共建清单 in the browser: the community opens a meeting's page, presses 转为需求, is
refused with every bad field at once, then publishes the need, which is listed on the meeting and
names the meeting as its source; the same community links an agreement's committed resources to
资源清单 items. At desk and phone width."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.cobuild.models import Item, Kind
from jiceng.cobuild.tests.conftest import leaf, publish
from jiceng.consult import services as consult
from jiceng.orgs.models import UnitKind
from jiceng.orgs.services.units import create_resident_unit
from jiceng.orgs.tests.conftest import build_orgs
from jiceng.partners import services as partners
from tests.browser.harness import DESK, PHONE, assert_fits, login, new_page, shot, submit

pytestmark = pytest.mark.browser

PASSWORD = "Yishihui-2026-h11link"


@pytest.fixture
def world(transactional_db, tree, make_user, cheap_argon2):
    orgs = build_orgs(tree)
    community = make_user("beianmen", role="community", area=tree.beianmen, password=PASSWORD)
    today = timezone.localdate()
    meeting = consult.record(
        None,
        tree.grid1,
        kind="council",
        held_on=today - timedelta(days=2),
        title="楼道堆物整治议事会",
        topics="1栋楼道堆物",
        decisions="招募志愿者每月清理一次楼道",
        residents=12,
        member_reps=3,
    )
    unit = create_resident_unit(
        None, name="北安门供电所", kind=UnitKind.STATE_ENTERPRISE, area=tree.grid1, party_org=orgs.grid2
    )
    agreement = partners.sign(
        None,
        orgs.beianmen,
        unit,
        title="供电所共建协议",
        content="共同开展志愿服务",
        resources="会议室一间",
        community_contact="王书记",
        unit_contact="李主任",
        signed_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=300),
        duties=[("unit", "每季度组织一次义诊", today + timedelta(days=5))],
    )
    leaf()
    room = publish(community, tree.beianmen, kind=Kind.RESOURCE, title="供电所会议室", quantity=4, unit_label="次")
    return type("W", (), {"community": community, "meeting": meeting, "agreement": agreement, "room": room})


@pytest.mark.parametrize("viewport", [pytest.param(DESK, id="desk"), pytest.param(PHONE, id="phone")])
def test_need_from_a_consultation_and_resources_of_an_agreement(live_server, world, browser, viewport):
    width = "desk" if viewport is DESK else "phone"
    page = new_page(browser, viewport)
    login(page, live_server, "beianmen", PASSWORD)
    detail = f"{live_server.url}{reverse('consult:consultation_detail', args=[world.meeting.pk])}"
    page.goto(detail)
    page.locator("#decision-items", has_text="议定事项尚未转为需求或项目").wait_for()
    form_url = f"{live_server.url}{reverse('consult:consultation_item', args=[world.meeting.pk, 'need'])}"
    with page.expect_navigation(url=form_url):
        page.locator("#to-need").click()
    assert page.locator("input[name=title]").input_value() == "楼道堆物整治议事会"
    page.fill("input[name=title]", "")
    page.fill("input[name=quantity]", "0")
    submit(page, page.get_by_role("button", name="提交"), form_url)
    page.locator(".alert-danger").wait_for(state="visible")
    errors = page.locator(".invalid-feedback").all_inner_texts()
    assert len(errors) >= 3, errors  # 名称, 类别, 数量 at once
    assert not Item.objects.filter(kind=Kind.NEED).exists()
    assert_fits(page)
    shot(page, f"consult-to-need-error-{width}")
    page.fill("input[name=title]", "楼道清理志愿者")
    page.select_option("select[name=category]", str(leaf().pk))
    page.fill("input[name=quantity]", "6")
    page.fill("input[name=unit_label]", "人")
    submit(page, page.get_by_role("button", name="提交"), detail)
    page.locator("#decision-items", has_text="楼道清理志愿者").wait_for()
    assert_fits(page)
    shot(page, f"consult-linked-need-{width}")
    need = Item.objects.get(kind=Kind.NEED)
    with page.expect_navigation(url=f"{live_server.url}{reverse('cobuild:item_detail', args=[need.pk])}"):
        page.locator("#decision-items").get_by_role("link", name="楼道清理志愿者").click()
    page.locator(".item-source", has_text="楼道堆物整治议事会").wait_for()
    assert_fits(page)
    shot(page, f"cobuild-item-source-{width}")

    agreement = f"{live_server.url}{reverse('partners:agreement_detail', args=[world.agreement.pk])}"
    page.goto(agreement)
    page.locator("#resources-form").get_by_text("供电所会议室").click()
    submit(page, page.locator("#resources-form button[type=submit]"), agreement)
    page.locator("#resource-items a", has_text="供电所会议室").wait_for()
    assert list(world.agreement.resource_items.all()) == [world.room]
    assert_fits(page)
    shot(page, f"partners-resources-{width}")
    page.goto(f"{live_server.url}{reverse('cobuild:item_detail', args=[world.room.pk])}")
    page.locator(".item-agreement", has_text="供电所共建协议").wait_for()

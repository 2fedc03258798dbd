"""The 双报到 verbs: who may act, the refusals (clear Chinese, nothing written) and the tallies."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from jiceng.accounts.models import AuditLog
from jiceng.core.models import Rule
from jiceng.dualreport import services
from jiceng.dualreport.models import (
    Delivery,
    Feedback,
    Registration,
    RegistrationStatus,
    Service,
    ServiceCorrection,
    ServicePost,
    ServiceStatus,
    SignUp,
    YearTally,
)
from jiceng.dualreport.services import DualError
from jiceng.orgs.models import UnitKind
from jiceng.orgs.services import create_resident_unit

from .conftest import employed_member

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def confirmed(world, member=None, community=None):
    member = member or world.member
    actor = member.user if member.user_id else world.users.community
    registration = services.register_member(actor, member, community or world.tree.beianmen)
    return services.confirm_registration(world.users.community, registration)


# --------------------------------------------------------------------------- registration


def test_member_registers_on_their_own_and_the_community_confirms(world):
    registration = services.register_member(world.member_user, world.member, world.tree.beianmen, skills="法律咨询")
    assert registration.status == RegistrationStatus.PENDING
    assert (registration.area_path, registration.org_path) == (
        world.tree.beianmen.code,
        world.orgs.gongyuan_branch.code,
    )
    assert registration.branch_area_path == world.orgs.gongyuan_branch.area_path
    assert registration.phone == "13812345678"
    services.confirm_registration(world.users.community, registration)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.decided_by == world.users.community
    # Confirming opens the member's tally for the year at 0: the below-target list counts them.
    assert YearTally.objects.get(member=world.member, year=today().year).services == 0
    assert AuditLog.objects.filter(action__in=["dual_register", "dual_confirm"]).count() == 2


def test_only_the_community_registered_with_confirms(world):
    registration = services.register_member(world.member_user, world.member, world.tree.beianmen)
    for outsider in (world.users.other_community, world.secretary, world.member_user):
        with pytest.raises(DualError, match="只有报到社区可以确认报到"):
            services.confirm_registration(outsider, registration)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING


def test_a_second_active_registration_is_refused(world):
    services.register_member(world.member_user, world.member, world.tree.beianmen)
    with pytest.raises(DualError, match="已向“北安门社区”报到（待确认），同一时间只能有一个有效的报到"):
        services.register_member(world.member_user, world.member, world.tree.meiyuan_cm)
    assert Registration.objects.filter(member=world.member).count() == 1


def test_after_a_rejection_the_member_may_register_again(world):
    registration = services.register_member(world.member_user, world.member, world.tree.beianmen)
    with pytest.raises(DualError, match="请填写退回原因"):
        services.reject_registration(world.users.community, registration, "  ")
    services.reject_registration(world.users.community, registration, "不住本社区")
    again = services.register_member(world.member_user, world.member, world.tree.meiyuan_cm)
    assert again.status == RegistrationStatus.PENDING
    assert Registration.objects.get(pk=registration.pk).reason == "不住本社区"


def test_a_registration_to_a_street_or_a_grid_is_refused(world):
    with pytest.raises(DualError, match="“梅园新村街道”是街道，只能向社区报到"):
        services.register_member(world.member_user, world.member, world.tree.meiyuan)
    with pytest.raises(DualError, match="是网格，只能向社区报到"):
        services.register_member(world.member_user, world.member, world.tree.grid1)
    assert not Registration.objects.exists()


def test_a_registration_to_a_community_outside_the_city_is_refused(world, other_city):
    with pytest.raises(DualError, match="“平江社区”不在本市，只能向本市的社区报到"):
        services.register_member(world.member_user, world.member, other_city.community)
    assert not Registration.objects.exists()
    assert not AuditLog.objects.filter(action="dual_register").exists()


def test_only_employed_party_members_register(world):
    retired = employed_member(world.orgs.grid1, "李退休", residence=world.tree.building, employed=False)
    with pytest.raises(DualError, match="李退休不是在职党员"):
        services.register_member(world.users.community, retired, world.tree.beianmen)
    assert not Registration.objects.exists()


def test_staff_register_for_members_of_their_own_side_only(world):
    # The member's own branch secretary may; the other branch's may not; the community lived in may.
    services.register_member(world.secretary, world.member, world.tree.beianmen)
    other = employed_member(world.orgs.grid2, "王同志", residence=world.tree.grid2)
    with pytest.raises(DualError, match="您无权为该党员登记双报到"):
        services.register_member(world.other_secretary, other, world.tree.beianmen)
    assert (
        services.register_member(world.users.community, other, world.tree.beianmen).created_by == world.users.community
    )


def test_a_resident_units_party_org_registers_with_its_community(world):
    unit = create_resident_unit(
        None, name="玄武区某局", kind=UnitKind.ORGAN, area=world.tree.beianmen, party_org=world.orgs.grid1
    )
    bare = create_resident_unit(None, name="某商店", kind=UnitKind.PRIVATE_ENTERPRISE, area=world.tree.beianmen)
    registration = services.register_unit(world.users.community, unit, world.tree.beianmen)
    assert (registration.kind, registration.org, registration.org_path) == (
        "unit",
        world.orgs.grid1,
        world.orgs.grid1.code,
    )
    with pytest.raises(DualError, match="已有一个有效的组织报到"):
        services.register_unit(world.users.community, unit, world.tree.beianmen)
    with pytest.raises(DualError, match="“某商店”尚未建立党组织"):
        services.register_unit(world.users.community, bare, world.tree.beianmen)
    assert Registration.objects.count() == 1


# --------------------------------------------------------------------------- posts and sign-ups


def make_post(world, places=2, **extra):
    values = {
        "title": "周末助老",
        "needs": "陪伴独居老人",
        "starts_on": today(),
        "ends_on": today() + timedelta(days=30),
        "places": places,
    }
    values.update(extra)
    return services.create_post(world.users.community, world.tree.beianmen, **values)


def test_post_input_is_checked(world):
    with pytest.raises(DualError, match="结束日期不能早于开始日期"):
        make_post(world, starts_on=today(), ends_on=today() - timedelta(days=1))
    with pytest.raises(DualError, match="招募人数应为1至500之间的整数"):
        make_post(world, places=0)
    with pytest.raises(DualError, match="您无权在该社区发布服务岗位"):
        services.create_post(
            world.users.other_community,
            world.tree.beianmen,
            title="x",
            needs="y",
            starts_on=today(),
            ends_on=today(),
            places=1,
        )
    assert not ServicePost.objects.exists()


def test_sign_up_needs_a_confirmed_registration_and_a_free_place(world):
    post = make_post(world, places=1)
    registration = services.register_member(world.member_user, world.member, world.tree.beianmen)
    with pytest.raises(DualError, match="只有已向该社区报到（并经社区确认）的党员可以报名"):
        services.sign_up(world.member_user, post, world.member)
    services.confirm_registration(world.users.community, registration)
    services.sign_up(world.member_user, post, world.member)
    with pytest.raises(DualError, match="您已报名“周末助老”"):
        services.sign_up(world.member_user, post, world.member)
    neighbour = employed_member(world.orgs.grid1, "赵邻居", residence=world.tree.grid1)
    confirmed(world, neighbour)
    with pytest.raises(DualError, match="岗位“周末助老”的1个名额已满"):
        services.sign_up(world.users.community, post, neighbour)
    post.refresh_from_db()
    assert (post.taken, SignUp.objects.count()) == (1, 1)


# --------------------------------------------------------------------------- services and tallies


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "服务时长应大于0小时"),
        ("-2", "服务时长应大于0小时"),
        ("24.5", "一次服务时长不能超过一天（24小时）"),
        ("abc", "服务时长应为数字"),
        ("NaN", "服务时长应为数字"),
        ("1.25", "服务时长最多保留一位小数"),
    ],
)
def test_bad_hours_are_refused(world, hours, message):
    registration = confirmed(world)
    with pytest.raises(DualError, match=message):
        services.record_service(world.member_user, registration, served_on=today(), hours=hours, content="助老")
    assert not Service.objects.exists()


def test_a_service_date_in_the_future_or_before_the_registration_is_refused(world):
    registration = confirmed(world)
    with pytest.raises(DualError, match="服务日期不能晚于今天"):
        services.record_service(
            world.member_user, registration, served_on=today() + timedelta(days=1), hours="2", content="x"
        )
    with pytest.raises(DualError, match="服务日期不能早于报到日期"):
        services.record_service(
            world.member_user, registration, served_on=today() - timedelta(days=1), hours="2", content="x"
        )
    assert not Service.objects.exists()


def test_services_are_recorded_only_after_confirmation_and_by_the_right_people(world):
    registration = services.register_member(world.member_user, world.member, world.tree.beianmen)
    with pytest.raises(DualError, match="报到经社区确认后才能登记服务"):
        services.record_service(world.member_user, registration, served_on=today(), hours="2", content="x")
    services.confirm_registration(world.users.community, registration)
    with pytest.raises(DualError, match="服务须由社区确认"):
        services.record_service(
            world.member_user, registration, served_on=today(), hours="2", content="x", confirm=True
        )
    with pytest.raises(DualError, match="您无权登记该党员的服务"):
        services.record_service(world.users.other_community, registration, served_on=today(), hours="2", content="x")
    assert not Service.objects.exists()


def test_confirming_counts_the_service_once_and_locks_it(world):
    registration = confirmed(world)
    service = services.record_service(
        world.member_user, registration, served_on=today(), hours="2.5", content="清理楼道"
    )
    assert service.status == ServiceStatus.PENDING
    assert YearTally.objects.get(member=world.member, year=today().year).services == 0
    services.confirm_service(world.users.community, service)
    tally = YearTally.objects.get(member=world.member, year=today().year)
    assert (tally.services, tally.hours) == (1, Decimal("2.5"))
    with pytest.raises(DualError, match="该服务记录已确认，不能再确认"):
        services.confirm_service(world.users.community, service)
    with pytest.raises(DualError, match="该服务记录已确认，不能再处理"):
        services.reject_service(world.users.community, service, "重复")
    tally.refresh_from_db()
    assert tally.services == 1


def test_a_correction_of_a_locked_service_is_logged_and_moves_the_tally(world):
    registration = confirmed(world)
    service = services.record_service(
        world.users.community, registration, served_on=today(), hours="3", content="值守", confirm=True
    )
    with pytest.raises(DualError, match="请填写更正原因"):
        services.correct_service(world.users.community, service, reason="", hours="2")
    with pytest.raises(DualError, match="一次服务时长不能超过一天"):
        services.correct_service(world.users.community, service, reason="录错", hours="30")
    services.correct_service(world.users.community, service, reason="实际两小时", hours="2")
    service.refresh_from_db()
    assert service.hours == Decimal("2") and service.status == ServiceStatus.CONFIRMED
    correction = ServiceCorrection.objects.get(service=service)
    assert (correction.reason, correction.before["hours"], correction.after["hours"]) == ("实际两小时", "3.0", "2.0")
    tally = YearTally.objects.get(member=world.member, year=today().year)
    assert (tally.services, tally.hours) == (1, Decimal("2"))


def test_tallies_equal_a_recount_after_a_mixed_history(world):
    neighbour = employed_member(world.orgs.grid1, "赵邻居", residence=world.tree.grid1)
    first, second = confirmed(world), confirmed(world, neighbour)
    a = services.record_service(world.member_user, first, served_on=today(), hours="1", content="a")
    services.confirm_service(world.users.community, a)
    services.record_service(world.users.community, first, served_on=today(), hours="2", content="b", confirm=True)
    c = services.record_service(world.users.community, second, served_on=today(), hours="4", content="c", confirm=True)
    d = services.record_service(
        neighbour.user or world.users.community, second, served_on=today(), hours="1", content="d"
    )
    services.reject_service(world.users.community, d, "无人证明")
    services.correct_service(world.users.community, c, reason="改时长", hours="3.5")
    counted = services.recount()
    stored = {(t.member_id, t.year): (t.services, t.hours) for t in YearTally.objects.filter(services__gt=0)}
    assert stored == counted
    assert counted[(world.member.pk, today().year)] == (2, Decimal("3"))
    assert services.rebuild_tallies() == 0


# --------------------------------------------------------------------------- feedback


def test_feedback_to_a_branch_in_the_city_is_delivered_in_the_system(world):
    registration = confirmed(world)
    services.record_service(
        world.users.community, registration, served_on=today(), hours="2", content="助老", confirm=True
    )
    with pytest.raises(DualError, match="请填写社区评价"):
        services.send_feedback(world.users.community, registration, year=today().year, comment="")
    with pytest.raises(DualError, match="只有报到社区可以发送服务情况反馈"):
        services.send_feedback(world.secretary, registration, year=today().year, comment="好")
    feedback = services.send_feedback(world.users.community, registration, year=today().year, comment="积极参加")
    assert (feedback.delivery, feedback.services, feedback.target, feedback.org) == (
        Delivery.SYSTEM,
        1,
        2,
        world.orgs.gongyuan_branch,
    )
    assert feedback.below_target
    with pytest.raises(DualError, match="今天已发送过"):
        services.send_feedback(world.users.community, registration, year=today().year, comment="积极参加")
    assert Feedback.objects.count() == 1
    # The member's own branch sees it; another branch does not.
    assert list(Feedback.objects.visible_to(world.secretary)) == [feedback]
    assert not Feedback.objects.visible_to(world.other_secretary).exists()


def test_feedback_to_a_branch_outside_the_city_is_a_letter(world, far_branch):
    member = employed_member(far_branch, "钱异地", residence=world.tree.building)
    registration = confirmed(world, member)
    assert services.delivery_for(registration) == Delivery.LETTER
    feedback = services.send_feedback(world.users.community, registration, year=today().year, comment="按时服务")
    assert feedback.delivery == Delivery.LETTER


def test_a_city_rule_changes_the_target(world):
    Rule.objects.create(key="dualreport.yearly_target", value=1)
    cache.clear()
    registration = confirmed(world)
    services.record_service(
        world.users.community, registration, served_on=today(), hours="2", content="助老", confirm=True
    )
    feedback = services.send_feedback(world.users.community, registration, year=today().year, comment="好")
    assert (feedback.target, feedback.below_target) == (1, False)


def test_feedback_year_is_checked(world):
    registration = confirmed(world)
    with pytest.raises(DualError, match="反馈年度应在2000年至"):
        services.send_feedback(world.users.community, registration, year=today().year + 1, comment="好")
    assert not Feedback.objects.exists()


def test_old_backdated_services_are_refused(world):
    registration = confirmed(world)
    Registration.objects.filter(pk=registration.pk).update(registered_on=date(2000, 1, 1))
    registration.refresh_from_db()
    with pytest.raises(DualError, match="超过366天，不能补登"):
        services.record_service(
            world.users.community, registration, served_on=today() - timedelta(days=400), hours="1", content="x"
        )


def test_ending_a_registration_lets_the_member_register_elsewhere(world):
    registration = confirmed(world)
    with pytest.raises(DualError, match="只有报到社区或党员本人可以结束报到"):
        services.end_registration(world.users.other_community, registration, "搬家")
    with pytest.raises(DualError, match="请填写结束原因"):
        services.end_registration(world.member_user, registration, "")
    services.end_registration(world.member_user, registration, "搬离本社区")
    registration.refresh_from_db()
    assert (registration.status, registration.reason) == (RegistrationStatus.ENDED, "搬离本社区")
    with pytest.raises(DualError, match="该报到已结束，不能结束"):
        services.end_registration(world.users.community, registration, "again")
    assert services.register_member(world.member_user, world.member, world.tree.meiyuan_cm).is_active

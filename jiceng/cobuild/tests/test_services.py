"""共建清单's verbs: publish, claim within the quantity, the workflow, refusals that write nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.accounts.models import AuditLog
from jiceng.cobuild import services
from jiceng.cobuild.models import AreaMonth, Claim, ClaimStatus, Item, ItemStatus, Kind, Visibility
from jiceng.cobuild.rules import default_expiry, expiring_soon

from .conftest import leaf, publish

pytestmark = pytest.mark.django_db


def test_publish_sets_paths_expiry_and_counts_every_level(world):
    item = publish(world.users.community, world.tree.beianmen, visibility=Visibility.STREET)
    assert item.area_path == world.tree.beianmen.code
    assert item.visible_path == world.tree.meiyuan.code
    assert item.expires_on == default_expiry(Kind.NEED, timezone.localdate())
    month = timezone.localdate().replace(day=1)
    paths = set(AreaMonth.objects.filter(month=month, needs=1).values_list("path", flat=True))
    assert paths == {"3201", "320102", "320102002", world.tree.beianmen.code}


def test_publish_reports_every_bad_field_at_once_and_writes_nothing(world):
    with pytest.raises(services.ManyErrors) as caught:
        services.publish_item(
            world.users.community,
            kind=Kind.NEED,
            title="",
            category=None,
            area=world.tree.beianmen,
            quantity=0,
            expires_on=timezone.localdate() - timedelta(days=1),
        )
    codes = {e.code for e in caught.value.errors}
    assert {"title", "quantity", "category", "expires_on"} <= codes
    assert Item.objects.count() == 0 and AreaMonth.objects.count() == 0


def test_publish_outside_scope_is_refused(world):
    with pytest.raises(services.CobuildError) as caught:
        publish(world.users.community, world.tree.gongyuan)
    assert caught.value.code == "permission"


def test_claims_share_the_quantity_and_never_go_beyond(world):
    item = publish(world.users.community, world.tree.beianmen, quantity=10)
    services.claim_item(world.contact, item, quantity=6, unit=world.unit)
    services.claim_item(world.member_user, item, quantity=4, member=world.member)
    item.refresh_from_db()
    assert item.taken == 10 and item.left == 0
    with pytest.raises(services.CobuildError) as caught:
        services.claim_item(world.users.community, item, quantity=1, unit=world.far_unit)
    assert caught.value.code == "quantity"
    assert "已被认领完" in caught.value.message


def test_claim_beyond_what_is_left_says_how_much_is_left(world):
    item = publish(world.users.community, world.tree.beianmen, quantity=5)
    services.claim_item(world.contact, item, quantity=3, unit=world.unit)
    before = Claim.objects.count(), AuditLog.objects.count()
    with pytest.raises(services.CobuildError) as caught:
        services.claim_item(world.member_user, item, quantity=3, member=world.member)
    assert caught.value.message == "“助老送餐”只剩2份，不能认领3份。"
    assert (Claim.objects.count(), AuditLog.objects.count()) == before
    item.refresh_from_db()
    assert item.taken == 3


def test_claim_on_expired_or_closed_item_is_refused(world):
    item = publish(world.users.community, world.tree.beianmen)
    Item.objects.filter(pk=item.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(services.CobuildError) as caught:
        services.claim_item(world.member_user, item, member=world.member)
    assert caught.value.code == "expired" and "截止认领" in caught.value.message
    assert services.expire_items() == 1
    with pytest.raises(services.CobuildError) as caught:
        services.claim_item(world.member_user, item, member=world.member)
    assert caught.value.code == "status" and "已过期" in caught.value.message

    other = publish(world.users.community, world.tree.beianmen, title="加装电梯协调")
    services.close_item(world.users.community, other, "已由街道统筹")
    with pytest.raises(services.CobuildError) as caught:
        services.claim_item(world.member_user, other, member=world.member)
    assert "已关闭" in caught.value.message
    assert Claim.objects.count() == 0


def test_menu_event_items_cannot_be_claimed_before_it_opens(world):
    opens = timezone.now() + timedelta(days=2)
    event = services.create_event(
        world.users.community, area=world.tree.beianmen, title="民生菜单招亲会", opens_at=opens
    )
    item = publish(world.users.community, world.tree.beianmen, event=event)
    assert item.opens_at == opens
    with pytest.raises(services.CobuildError) as caught:
        services.claim_item(world.contact, item, unit=world.unit)
    assert caught.value.code == "not_open"
    claim = services.claim_item(world.contact, item, unit=world.unit, now=opens + timedelta(minutes=1))
    assert claim.status == ClaimStatus.INTENT


def test_the_whole_workflow_and_the_completed_hook(world):
    item = publish(world.users.community, world.tree.beianmen, quantity=3)
    heard = []

    def receiver(sender, claim, actor, **kwargs):
        heard.append((claim.pk, actor))

    services.claim_completed.connect(receiver)
    try:
        claim = services.claim_item(world.member_user, item, quantity=2, member=world.member)
        services.confirm_claim(world.users.community, claim)
        services.start_claim(world.member_user, claim)
        services.complete_claim(world.member_user, claim, result="送餐两周", served=12)
        services.rate_claim(world.users.community, claim, side="publisher", rating=5, comment="准时")
        claim = services.rate_claim(world.users.community, claim, side="beneficiary", rating=4)
    finally:
        services.claim_completed.disconnect(receiver)
    assert claim.status == ClaimStatus.RATED
    assert heard == [(claim.pk, world.member_user)]
    month = timezone.localdate().replace(day=1)
    assert AreaMonth.objects.get(path=world.tree.beianmen.code, month=month).completed == 1


def test_release_and_reject_give_the_quantity_back(world):
    item = publish(world.users.community, world.tree.beianmen, quantity=4)
    a = services.claim_item(world.contact, item, quantity=2, unit=world.unit)
    b = services.claim_item(world.member_user, item, quantity=2, member=world.member)
    services.release_claim(world.contact, a, "人手调整")
    services.reject_claim(world.users.community, b, "不在服务范围")
    item.refresh_from_db()
    assert item.taken == 0
    with pytest.raises(services.CobuildError):
        services.reject_claim(world.users.community, b, "再次退回")


def test_a_member_claims_only_for_themselves_and_not_twice(world, make_user):
    item = publish(world.users.community, world.tree.beianmen)
    with pytest.raises(services.CobuildError) as caught:
        services.claim_item(world.resident, item, member=world.member)
    assert caught.value.code == "permission"
    services.claim_item(world.member_user, item, member=world.member)
    with pytest.raises(services.CobuildError) as caught:
        services.claim_item(world.member_user, item, member=world.member)
    assert caught.value.code == "duplicate"


def test_community_visibility_hides_from_another_community(world):
    item = publish(world.users.community, world.tree.beianmen)
    assert Item.objects.visible_to(world.resident).filter(pk=item.pk).exists()
    assert not Item.objects.visible_to(world.far_resident).filter(pk=item.pk).exists()
    city_wide = publish(world.users.community, world.tree.beianmen, title="全市共享", visibility=Visibility.CITY)
    assert Item.objects.visible_to(world.far_resident).filter(pk=city_wide.pk).exists()
    services.close_item(world.users.community, item, "撤回")
    assert not Item.objects.visible_to(world.resident).filter(pk=item.pk).exists()


def test_need_from_appeal_links_back(world, submit):
    appeal = submit()
    item = services.need_from_appeal(world.users.community, appeal, category=leaf())
    assert item.source_appeal_id == appeal.pk and item.kind == Kind.NEED
    with pytest.raises(services.CobuildError) as caught:
        services.need_from_appeal(world.users.community, appeal, category=leaf())
    assert caught.value.code == "duplicate"


def test_project_progress_and_matches(world):
    need = publish(world.users.community, world.tree.beianmen, title="老年食堂")
    resource = publish(world.users.community, world.tree.beianmen, kind=Kind.RESOURCE, title="单位食堂餐位")
    project = publish(
        world.users.community,
        world.tree.beianmen,
        kind=Kind.PROJECT,
        title="邻里食堂",
        quantity=1,
        owner_name="王书记",
        matches=[need, resource],
        milestones=[("选址", timezone.localdate())],
    )
    assert set(project.matches.all()) == {need, resource}
    services.update_progress(world.users.community, project, progress=100, milestone=project.milestones.first())
    project.refresh_from_db()
    assert project.status == ItemStatus.DONE and project.milestones.first().done_on is not None


def test_expiring_soon_rule():
    today = timezone.localdate()
    assert expiring_soon(today + timedelta(days=3), today, 7)
    assert not expiring_soon(today + timedelta(days=8), today, 7)
    assert not expiring_soon(today - timedelta(days=1), today, 7)

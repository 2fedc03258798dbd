"""The member's own 结束报到 and 取消报名 on the phone page: with the reason, only while allowed,
the post's place freed, refusals in Chinese, nothing partial written."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.dualreport import services
from jiceng.dualreport.models import Registration, RegistrationStatus, ServicePost, SignUp

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(world):
    registration = services.register_member(None, world.member, world.tree.beianmen)
    services.confirm_registration(None, registration)
    today = timezone.localdate()
    post = services.create_post(
        None,
        world.tree.beianmen,
        title="周末值守",
        needs="值守",
        starts_on=today,
        ends_on=today + timedelta(days=9),
        places=2,
    )
    return registration, post


def test_the_member_cancels_a_sign_up_and_frees_the_place(world, confirmed, login):
    _, post = confirmed
    client = login(world.member_user)
    client.post(reverse("dualreport:mine_sign_up", args=[post.pk]))
    assert ServicePost.objects.get(pk=post.pk).taken == 1
    page = client.get(reverse("dualreport:mine")).content.decode()
    assert "取消报名" in page
    response = client.post(reverse("dualreport:mine_cancel_sign_up", args=[post.pk]), follow=True)
    assert "已取消报名" in response.content.decode()
    assert not SignUp.objects.exists() and ServicePost.objects.get(pk=post.pk).taken == 0
    again = client.post(reverse("dualreport:mine_cancel_sign_up", args=[post.pk]), follow=True)
    assert "您没有报名" in again.content.decode()


def test_a_sign_up_with_a_service_cannot_be_cancelled(world, confirmed):
    registration, post = confirmed
    services.sign_up(None, post, world.member)
    services.record_service(
        None, registration, served_on=timezone.localdate(), hours="2", content="值守", post=post, confirm=True
    )
    with pytest.raises(services.DualError, match="已申报"):
        services.cancel_sign_up(world.member_user, post, world.member)
    assert SignUp.objects.count() == 1 and ServicePost.objects.get(pk=post.pk).taken == 1


def test_another_member_cannot_cancel_for_someone(world, confirmed, make_user):
    _, post = confirmed
    services.sign_up(None, post, world.member)
    stranger = make_user("stranger_member", role="member", area=world.tree.gongyuan)
    with pytest.raises(services.DualError, match="无权取消"):
        services.cancel_sign_up(stranger, post, world.member)
    assert SignUp.objects.count() == 1


def test_the_member_ends_the_registration_with_a_reason(world, confirmed, login):
    registration, _ = confirmed
    client = login(world.member_user)
    page = client.get(reverse("dualreport:mine")).content.decode()
    assert 'id="end-form"' in page
    empty = client.post(reverse("dualreport:mine_end"), {"reason": " "}, follow=True)
    assert "请填写结束原因" in empty.content.decode() or "结束原因" in empty.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == RegistrationStatus.CONFIRMED
    done = client.post(reverse("dualreport:mine_end"), {"reason": "已搬离该社区"}, follow=True)
    assert "已结束在" in done.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.ENDED and registration.reason == "已搬离该社区"
    # The register form is back: a new registration may follow.
    assert 'id="register-form"' in done.content.decode()
    again = client.post(reverse("dualreport:mine_end"), {"reason": "再次结束"}, follow=True)
    assert "没有正在进行的报到" in again.content.decode()

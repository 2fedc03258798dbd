"""The 时间银行 forms carry one key per rendered form: submitting the same page twice (a double
click, the browser's resend) writes one donation and one redemption."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.timebank.models import Account, Movement, MovementKind, Redemption
from jiceng.timebank.tests.test_ledger import assert_consistent, earned

pytestmark = pytest.mark.django_db


def _key(page) -> str:
    found = re.search(r'name="request_key" value="([0-9a-f]{32})"', page.content.decode())
    assert found, "the form carries no submission key"
    return found.group(1)


def test_the_same_donation_form_submitted_twice_gives_the_hours_once(client, vol):
    earned(vol, vol.me, vol.my_user, "5")
    client.force_login(vol.my_user)
    url = reverse("timebank:donate")
    form = client.get(url)
    key = _key(form)
    assert _key(client.get(url)) != key  # every rendered form has its own key
    body = {"target": "relative", "relative": vol.far.pk, "hours": "1.5", "request_key": key}
    for _ in range(2):
        done = client.post(url, body, follow=True)
        assert "捐赠成功" in done.content.decode()
    assert Movement.objects.filter(kind=MovementKind.DONATE).count() == 1
    assert Account.objects.get(volunteer=vol.me).balance == Decimal("3.5")
    assert Account.objects.get(volunteer=vol.far).balance == Decimal("1.5")
    assert "3.5" in client.get(url).content.decode()
    assert_consistent()


def test_the_same_redemption_form_submitted_twice_spends_the_hours_once(client, vol):
    earned(vol, vol.elder, vol.elder_user, "5")
    client.force_login(vol.community)
    url = reverse("timebank:redeem")
    key = _key(client.get(url))
    body = {
        "beneficiary": vol.elder.pk,
        "server": vol.far.pk,
        "hours": "2",
        "content": "上门助餐",
        "served_on": timezone.localdate().isoformat(),
        "request_key": key,
    }
    for _ in range(2):
        assert "已登记兑换" in client.post(url, body, follow=True).content.decode()
    assert Redemption.objects.count() == 1
    assert Account.objects.get(volunteer=vol.elder).balance == Decimal("3.0")
    assert_consistent()

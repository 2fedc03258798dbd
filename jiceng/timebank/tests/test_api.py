"""The 时间银行 API's writes: 兑换服务 (/api/v1/timebank-redemptions/), 捐赠 and 冲正 from the action
tables; the same verbs as the pages, refusals in the error envelope with the Chinese reason and the
field, out of scope 404, and a double submit that spends the hours once."""

from decimal import Decimal

import pytest

from jiceng.timebank.actions import ACCOUNT_ACTIONS, MOVEMENT_ACTIONS, available
from jiceng.timebank.models import Account, AccountKind, Movement, MovementKind, Redemption
from jiceng.timebank.tests.test_ledger import assert_consistent, balance, earned

pytestmark = pytest.mark.django_db

URL = "/api/v1/timebank-redemptions/"


def _redeem(api_client, user, vol, **extra):
    api_client.force_authenticate(user)
    body = {"beneficiary": vol.elder.pk, "server": vol.far.pk, "hours": "2", "content": "上门助餐"}
    return api_client.post(URL, {**body, **extra}, format="json")


def test_redemption_spends_one_for_one_once_per_submission(api_client, vol):
    earned(vol, vol.elder, vol.elder_user, "5")
    done = _redeem(api_client, vol.community, vol, request_key="form-1")
    assert done.status_code == 201, done.content
    body = done.json()
    assert (body["beneficiary_name"], body["server_name"], body["server_community"]) == (
        "老人甲",
        "贡院志愿者",
        "贡院社区",
    )
    assert Decimal(body["hours"]) == 2 and balance(vol.elder) == Decimal("3.0")
    # The same submission again (a double click, a retry): the first redemption, hours spent once.
    again = _redeem(api_client, vol.community, vol, request_key="form-1")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert balance(vol.elder) == Decimal("3.0") and Redemption.objects.count() == 1
    # Listed for the community, for the beneficiary (their own) and the serving volunteer.
    assert [r["id"] for r in api_client.get(URL).json()["results"]] == [body["id"]]
    for user in (vol.elder_user, vol.far_user):
        api_client.force_authenticate(user)
        assert [r["id"] for r in api_client.get(URL).json()["results"]] == [body["id"]]
    api_client.force_authenticate(vol.my_user)
    assert api_client.get(URL).json()["results"] == []
    assert_consistent()


def test_refusals_name_the_field_and_write_nothing(api_client, vol):
    earned(vol, vol.elder, vol.elder_user, "1")
    earned(vol, vol.me, vol.my_user, "4")
    before = Movement.objects.count()
    short = _redeem(api_client, vol.community, vol, hours="1.5")
    assert short.status_code == 409 and short.json()["error"]["code"] == "amount"
    assert "余额不足" in short.json()["error"]["message"]
    young = _redeem(api_client, vol.community, vol, beneficiary=vol.me.pk, hours="1")
    assert young.status_code == 400 and "须年满60周岁" in young.json()["error"]["fields"]["beneficiary"][0]
    several = _redeem(api_client, vol.community, vol, server=vol.elder.pk, hours="0", served_on="2099-01-01")
    assert several.status_code == 400
    assert set(several.json()["error"]["fields"]) == {"hours", "server", "served_on"}
    blank = _redeem(api_client, vol.community, vol, content=" ")
    assert blank.status_code == 400 and "content" in blank.json()["error"]["fields"]
    assert Movement.objects.count() == before and not Redemption.objects.exists()
    assert balance(vol.elder) == Decimal("1.0")


def test_beneficiary_outside_the_scope_is_404(api_client, vol):
    earned(vol, vol.elder, vol.elder_user, "3")
    outside = _redeem(api_client, vol.other_community, vol)  # 贡院社区 records for a 北安门 resident
    assert outside.status_code == 404 and outside.json()["error"]["code"] == "not_found"
    missing = _redeem(api_client, vol.community, vol, server=999999)
    assert missing.status_code == 404 and "服务志愿者不存在" in missing.json()["error"]["message"]
    done = _redeem(api_client, vol.community, vol)
    api_client.force_authenticate(vol.other_community)
    assert api_client.get(f"{URL}{done.json()['id']}/").status_code == 404
    assert balance(vol.elder) == Decimal("1.0")


def test_donate_from_the_action_table(api_client, vol):
    earned(vol, vol.me, vol.my_user, "5")
    account = Account.objects.get(volunteer=vol.me)
    assert [a.key for a in available(ACCOUNT_ACTIONS, vol.my_user, account)] == ["donate"]
    assert available(ACCOUNT_ACTIONS, vol.community, account) == []
    api_client.force_authenticate(vol.my_user)
    url = f"/api/v1/timebank-accounts/{account.pk}/donate/"
    done = api_client.post(url, {"target": "relative", "relative": vol.far.pk, "hours": "1.5"}, format="json")
    assert done.status_code == 200, done.content
    assert Decimal(done.json()["balance"]) == Decimal("3.5") and balance(vol.far) == Decimal("1.5")
    too_much = api_client.post(url, {"target": "fund", "hours": "9"}, format="json")
    assert too_much.status_code == 409 and "余额不足" in too_much.json()["error"]["message"]
    no_relative = api_client.post(url, {"target": "relative", "hours": "1"}, format="json")
    assert no_relative.status_code == 400 and "relative" in no_relative.json()["error"]["fields"]
    # The community sees the account but may not give the volunteer's hours away.
    api_client.force_authenticate(vol.community)
    refused = api_client.post(url, {"target": "fund", "hours": "1"}, format="json")
    assert refused.status_code == 403 and "只能捐赠本人账户" in refused.json()["error"]["message"]
    # Another community does not see the account at all.
    api_client.force_authenticate(vol.other_community)
    assert api_client.post(url, {"target": "fund", "hours": "1"}, format="json").status_code == 404
    assert balance(vol.me) == Decimal("3.5")
    assert_consistent()


def test_reverse_through_the_table_twice_is_refused_with_its_code(api_client, vol):
    movement = earned(vol, vol.me, vol.my_user, "5")
    assert available(MOVEMENT_ACTIONS, vol.street, movement)[0].key == "reverse"
    assert available(MOVEMENT_ACTIONS, vol.community, movement) == []
    api_client.force_authenticate(vol.street)
    url = f"/api/v1/timebank-movements/{movement.pk}/reverse/"
    done = api_client.post(url, {"reason": "录入错误"}, format="json")
    assert done.status_code == 201 and done.json()["kind"] == "reversal"
    again = api_client.post(url, {"reason": "再来一次"}, format="json")
    # A state refusal is 409, as in every workflow, with the state's code and the Chinese reason.
    assert again.status_code == 409 and again.json()["error"]["code"] == "reversed"
    assert "已经冲正过" in again.json()["error"]["message"]
    reversal = api_client.post(
        f"/api/v1/timebank-movements/{done.json()['id']}/reverse/", {"reason": "再冲"}, format="json"
    )
    assert reversal.status_code == 409 and reversal.json()["error"]["code"] == "reversal"
    # A missing reason is the input's: 400 naming the field.
    blank = api_client.post(url, {"reason": " "}, format="json")
    assert blank.status_code == 400 and "reason" in blank.json()["error"]["fields"]
    assert Account.objects.get(volunteer=vol.me).balance == 0
    assert Account.objects.filter(kind=AccountKind.REDEEMED).count() == 0


def test_volunteer_pickers_are_scoped_and_name_no_phone(client, vol):
    from django.urls import reverse

    from jiceng.volunteers.models import Volunteer

    Volunteer.objects.filter(pk=vol.far.pk).update(phone="13912345678")
    beneficiary, server = reverse("timebank:pick_beneficiary"), reverse("timebank:pick_server")
    client.force_login(vol.community)
    found = client.get(beneficiary, {"q": "老人"}).json()["results"]
    assert [(r["code"], r["name"]) for r in found] == [(str(vol.elder.pk), "老人甲")]
    assert "岁" in found[0]["path"] and "北安门社区" in found[0]["path"]
    # 贡院's volunteer is no beneficiary of 北安门, but may serve (通存通兑), by two characters of a name.
    assert client.get(beneficiary, {"q": "贡院"}).json()["results"] == []
    served = client.get(server, {"q": "贡院志愿"}).json()["results"]
    assert [r["name"] for r in served] == ["贡院志愿者"] and "贡院社区" in served[0]["path"]
    assert client.get(server, {"q": "贡"}).json()["results"] == []  # one character finds no one city-wide
    assert client.get(server, {"code": str(vol.far.pk)}).json()["results"][0]["name"] == "贡院志愿者"
    # Browsing (选择) lists the user's own community only.
    browsed = {r["name"] for r in client.get(server, {"parent": ""}).json()["results"]}
    assert "老人甲" in browsed and "贡院志愿者" not in browsed
    assert "13912345678" not in client.get(server, {"q": "贡院志愿"}).content.decode()
    # A user who records no redemption finds no one.
    client.force_login(vol.my_user)
    assert client.get(server, {"q": "贡院志愿"}).json()["results"] == []
    assert client.get(beneficiary, {"q": "老人"}).json()["results"] == []


def test_donation_with_the_same_request_key_gives_the_hours_once(api_client, vol):
    earned(vol, vol.me, vol.my_user, "5")
    account = Account.objects.get(volunteer=vol.me)
    api_client.force_authenticate(vol.my_user)
    url = f"/api/v1/timebank-accounts/{account.pk}/donate/"
    body = {"target": "relative", "relative": vol.far.pk, "hours": "1.5", "request_key": "app-7f3a"}
    first = api_client.post(url, body, format="json")
    again = api_client.post(url, body, format="json")  # a retry after a lost answer
    assert first.status_code == again.status_code == 200, again.content
    assert Decimal(again.json()["balance"]) == Decimal("3.5") and balance(vol.far) == Decimal("1.5")
    assert Movement.objects.filter(kind=MovementKind.DONATE).count() == 1
    # Another key is another donation; a malformed key is refused by field.
    other = api_client.post(url, {**body, "request_key": "app-7f3b"}, format="json")
    assert Decimal(other.json()["balance"]) == Decimal("2.0") and balance(vol.far) == Decimal("3.0")
    bad = api_client.post(url, {**body, "request_key": "带空格 的"}, format="json")
    assert bad.status_code == 400 and "request_key" in bad.json()["error"]["fields"]
    assert Movement.objects.filter(kind=MovementKind.DONATE).count() == 2
    assert_consistent()


def test_a_repeated_redemption_is_200_whatever_the_first_ones_time(api_client, vol):
    """Created or not is the service's answer, not a clock comparison: a first redemption stamped
    later than the repeat began (another server's clock, a concurrent first submit) is still the first."""
    from datetime import timedelta

    from django.utils import timezone

    earned(vol, vol.elder, vol.elder_user, "5")
    first = _redeem(api_client, vol.community, vol, request_key="form-2")
    assert first.status_code == 201
    Redemption.objects.filter(pk=first.json()["id"]).update(created_at=timezone.now() + timedelta(minutes=5))
    again = _redeem(api_client, vol.community, vol, request_key="form-2")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert balance(vol.elder) == Decimal("3.0")

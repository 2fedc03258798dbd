"""Pages and API of 志愿服务 and 时间银行: scope, refusals with Chinese reasons, and query counts
that do not grow with the rows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.timebank.models import Account
from jiceng.volunteers import services
from jiceng.volunteers.models import SignUp
from tests.queries import query_count

pytestmark = pytest.mark.django_db


def earn(vol, person, user, hours, days_ago=0):
    record = services.report_hours(user, person, hours, timezone.localdate() - timedelta(days=days_ago), "助老陪伴")
    services.approve_hours(vol.community, record)


def test_api_sign_up_and_refusals(vol, make_activity, client):
    activity = make_activity(places=1)
    client.force_login(vol.my_user)
    url = reverse("api:volunteeractivity-sign-up", args=[activity.pk])
    assert client.post(url).status_code == 201
    again = client.post(url)
    assert again.status_code == 400 and again.json()["error"]["message"] == "您已报名该活动。"
    client.force_login(vol.users[1])
    waiting = client.post(url)
    assert waiting.status_code == 201 and waiting.json()["status"] == "waiting"
    # Another community's volunteer does not even see the activity.
    client.force_login(vol.far_user)
    assert client.post(url).status_code == 404


def test_api_hours_over_the_cap_and_statement(vol, client):
    client.force_login(vol.my_user)
    url = reverse("api:volunteerhours-list")
    today = timezone.localdate().isoformat()
    refused = client.post(url, {"served_on": today, "hours": "9", "content": "助老"}, content_type="application/json")
    assert refused.status_code == 400 and "超过每日时长上限" in refused.json()["error"]["message"]
    created = client.post(url, {"served_on": today, "hours": "2", "content": "助老"}, content_type="application/json")
    assert created.status_code == 201
    client.force_login(vol.community)
    approve = client.post(reverse("api:volunteerhours-approve", args=[created.json()["id"]]))
    assert approve.status_code == 200 and approve.json()["status"] == "approved"
    account = Account.objects.get(volunteer=vol.me)
    client.force_login(vol.my_user)
    statement = client.get(reverse("api:timebankaccount-statement", args=[account.pk])).json()
    assert statement["account"]["balance"] == "2.0" and len(statement["movements"]) == 1
    client.force_login(vol.far_user)
    assert client.get(reverse("api:timebankaccount-detail", args=[account.pk])).status_code == 404


def test_api_reversal_of_a_reversal_is_refused(vol, client):
    earn(vol, vol.me, vol.my_user, "2")
    movement = Account.objects.get(volunteer=vol.me).credits.get()
    client.force_login(vol.street)
    url = reverse("api:timebankmovement-reverse", args=[movement.pk])
    first = client.post(url, {"reason": "录入错误"}, content_type="application/json")
    assert first.status_code == 201
    second = client.post(
        reverse("api:timebankmovement-reverse", args=[first.json()["id"]]),
        {"reason": "再冲"},
        content_type="application/json",
    )
    assert second.status_code == 409 and "不能再冲正" in second.json()["error"]["message"]


def test_page_queries_do_not_grow_with_history(vol, make_activity, client):
    account_url = None
    client.force_login(vol.my_user)
    make_activity()
    earn(vol, vol.me, vol.my_user, "1")
    account = Account.objects.get(volunteer=vol.me)
    account_url = reverse("timebank:account_detail", args=[account.pk])
    mine_url = reverse("volunteers:mine")
    before = (query_count(client, mine_url), query_count(client, account_url))
    for day in range(1, 8):
        earn(vol, vol.me, vol.my_user, "1", days_ago=day)
        make_activity()
    after = (query_count(client, mine_url), query_count(client, account_url))
    assert after == before
    client.force_login(vol.community)
    for name in ("volunteers:activity_list", "volunteers:hours_list", "volunteers:team_list", "timebank:account_list"):
        assert query_count(client, reverse(name)) <= 20


def test_scan_page_signs_in_and_refuses_outside_time(vol, make_activity, client):
    from jiceng.orglife import signin

    later = make_activity(start_in=timedelta(hours=6))
    services.sign_up(vol.my_user, later, vol.me)
    client.force_login(vol.my_user)
    url = reverse("volunteers:scan", args=[signin.object_code("activity", later)])
    response = client.post(url)
    assert response.status_code == 200 and "不在活动签到时间内" in response.content.decode()
    assert SignUp.objects.get(activity=later).signed_in_at is None

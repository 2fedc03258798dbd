"""The pages and the API as users see them: buttons only where allowed, the host's QR screen, the
member's phone pages, Chinese refusals, JSON errors, and bounded queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jiceng.orglife import services, signin
from jiceng.orglife.models import AttendanceStatus, Meeting, MeetingStatus

from .conftest import soon

pytestmark = pytest.mark.django_db


def test_the_community_plans_a_meeting_from_the_form(login, people, orgs):
    client = login(people.community)
    page = client.get(reverse("orglife:meeting_add"))
    assert "第一网格党支部" in page.content.decode()
    url = reverse("orglife:meeting_add") + f"?org={orgs.grid1.code}"
    bad = client.post(url, {"types": ["congress"], "topic": "", "planned_start": "2099-01-01T09:00"})
    assert bad.status_code == 200
    text = bad.content.decode()
    assert "请填写此项" in text
    assert not Meeting.objects.exists()
    ok = client.post(
        url,
        {
            "types": ["theme_day", "congress"],
            "topic": "主题党日暨党员大会",
            "planned_start": (timezone.localtime() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
            "place": "党群服务中心",
            "host": people.full[1].pk,
        },
    )
    meeting = Meeting.objects.get()
    assert ok.status_code == 302 and ok.url == reverse("orglife:meeting_detail", args=[meeting.pk])
    assert meeting.host == people.full[1]


def test_a_bad_date_says_why_in_chinese(login, people, orgs):
    client = login(people.community)
    url = reverse("orglife:meeting_add") + f"?org={orgs.grid1.code}"
    page = client.post(url, {"types": ["congress"], "topic": "年会", "planned_start": "1990-01-01T09:00"})
    assert "早于今天" in page.content.decode()
    assert not Meeting.objects.exists()


def test_the_detail_page_shows_only_the_allowed_buttons(login, people, plan_meeting):
    meeting = plan_meeting()
    text = login(people.community).get(reverse("orglife:meeting_detail", args=[meeting.pk])).content.decode()
    assert 'id="action-open-signin"' in text and 'id="action-move"' in text
    assert 'id="action-close"' not in text and 'id="action-approve"' not in text
    services.open_signin(people.community, meeting)
    text = login(people.community).get(reverse("orglife:meeting_detail", args=[meeting.pk])).content.decode()
    assert 'id="action-close"' in text and 'id="action-open-signin"' not in text and "签到二维码" in text


def test_an_action_not_allowed_now_is_refused_with_a_message(login, people, plan_meeting):
    meeting = plan_meeting()
    client = login(people.community)
    response = client.post(reverse("orglife:meeting_act", args=[meeting.pk, "close"]), follow=True)
    assert "当前不能“结束会议”" in response.content.decode()
    assert Meeting.objects.get().status == MeetingStatus.PLANNED


def test_the_host_qr_screen_and_the_member_signs_in_from_the_phone(client, people, open_meeting):
    meeting = open_meeting()
    client.force_login(people.community)
    screen = client.get(reverse("orglife:meeting_qr", args=[meeting.pk])).content.decode()
    assert "<svg" in screen and 'hx-get="' in screen and "已签到 0 / 应到 6 人" in screen
    fragment = client.get(reverse("orglife:meeting_qr_code", args=[meeting.pk])).content.decode()
    assert fragment.startswith("<p") and "<svg" in fragment
    code = signin.meeting_code(meeting)
    client.force_login(people.member_user)
    url = reverse("orglife:signin", args=[code])
    confirm = client.get(url).content.decode()
    assert "确认签到" in confirm and meeting.topic in confirm
    done = client.post(url, follow=True).content.decode()
    assert "签到成功" in done and "本人：出席" in done
    again = client.post(url, follow=True).content.decode()
    assert "您已签到" in again
    assert meeting.attendances.get(member=people.me).status == AttendanceStatus.PRESENT


def test_a_stale_code_on_the_phone_is_refused_in_chinese(client, people, open_meeting):
    meeting = open_meeting()
    client.force_login(people.member_user)
    stale = signin.meeting_code(meeting, signin.current_window() - 5)
    response = client.post(reverse("orglife:signin", args=[stale]))
    assert response.status_code == 400 and "二维码已过期" in response.content.decode()
    garbage = client.get(reverse("orglife:signin", args=["nonsense"]))
    assert "二维码无效" in garbage.content.decode()


def test_a_member_cannot_open_the_host_screen_or_the_office_pages(client, people, open_meeting):
    meeting = open_meeting()
    client.force_login(people.member_user)
    assert client.get(reverse("orglife:meeting_qr", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("orglife:meeting_list")).status_code == 403
    # The office detail sends a member to their own view of the meeting.
    response = client.get(reverse("orglife:meeting_detail", args=[meeting.pk]))
    assert response.status_code == 302 and response.url == reverse("orglife:my_meeting", args=[meeting.pk])


def test_my_meetings_leave_and_makeup_on_the_phone(client, people, plan_meeting, open_meeting):
    future = plan_meeting(topic="下月主题党日", start=soon(600))
    client.force_login(people.member_user)
    text = client.get(reverse("orglife:my_meetings")).content.decode()
    assert "下月主题党日" in text
    bad = client.post(reverse("orglife:my_meeting", args=[future.pk]), {"reason": ""})
    assert bad.status_code == 400
    client.post(reverse("orglife:my_meeting", args=[future.pk]), {"reason": "出差"})
    assert future.attendances.get(member=people.me).status == AttendanceStatus.LEAVE
    held = open_meeting(topic="已开会议")
    services.close_meeting(people.community, held)
    text = client.get(reverse("orglife:my_makeup")).content.decode()
    assert "已开会议" in text and "待补学" in text
    # Another member's meeting page is not found.
    client.force_login(people.stranger_user)
    assert client.get(reverse("orglife:my_meeting", args=[future.pk])).status_code == 404


def test_the_meeting_list_is_scoped_and_bounded(login, people, plan_meeting):
    for i in range(5):
        plan_meeting(topic=f"会议{i}", start=soon(60 + i))
    client = login(people.street)
    with CaptureQueriesContext(connection) as ctx:
        text = client.get(reverse("orglife:meeting_list")).content.decode()
    assert all(f"会议{i}" in text for i in range(5))
    assert len(ctx.captured_queries) <= 20
    assert "会议0" not in login(people.other_community).get(reverse("orglife:meeting_list")).content.decode()


# --------------------------------------------------------------------------- API


def test_api_create_sign_in_and_workflow(api_client, people, orgs):
    api_client.force_authenticate(people.community)
    bad = api_client.post(
        "/api/v1/meetings/",
        {
            "org": orgs.grid1.code,
            "types": ["talk"],
            "topic": "谈心",
            "planned_start": (timezone.now() + timedelta(days=5)).isoformat(),
            "attendees": [people.outsider.pk],
        },
        format="json",
    )
    assert bad.status_code == 400 and "贡院党员壬" in str(bad.json()["error"]["fields"])
    created = api_client.post(
        "/api/v1/meetings/",
        {
            "org": orgs.grid1.code,
            "types": ["congress"],
            "topic": "党员大会",
            "planned_start": timezone.now().isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api_client.post(f"/api/v1/meetings/{pk}/close/").status_code == 409
    opened = api_client.post(f"/api/v1/meetings/{pk}/open-signin/")
    assert opened.json()["status"] == "signin"
    meeting = Meeting.objects.get(pk=pk)
    api_client.force_authenticate(people.member_user)
    first = api_client.post(f"/api/v1/meetings/{pk}/sign-in/", {"code": signin.meeting_code(meeting)}, format="json")
    assert first.status_code == 200 and first.json()["signed_now"] is True
    second = api_client.post(f"/api/v1/meetings/{pk}/sign-in/", {"code": signin.meeting_code(meeting)}, format="json")
    assert second.json()["signed_now"] is False
    mine = api_client.get("/api/v1/meetings/").json()
    assert [m["id"] for m in mine["results"]] == [pk]
    api_client.force_authenticate(people.community)
    api_client.post(f"/api/v1/meetings/{pk}/close/")
    api_client.force_authenticate(people.member_user)
    late = api_client.post(f"/api/v1/meetings/{pk}/sign-in/", {"code": signin.meeting_code(meeting)}, format="json")
    assert late.status_code == 400 and "会议已结束" in late.json()["error"]["fields"]["non_field_errors"][0]
    api_client.force_authenticate(people.community)
    detail = api_client.get(f"/api/v1/meetings/{pk}/").json()
    assert detail["minutes"]["status"] == "draft" and detail["attendance"]["signed"] == 1
    rows = api_client.get(f"/api/v1/attendances/?meeting={pk}").json()["results"]
    assert {r["member_name"]: r["status"] for r in rows}["甲党员"] == "present"


def test_api_out_of_scope_is_404(api_client, people, plan_meeting):
    meeting = plan_meeting()
    api_client.force_authenticate(people.other_community)
    assert api_client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/meetings/{meeting.pk}/open-signin/").status_code == 404


def test_the_meeting_page_costs_the_same_for_a_small_and_a_large_branch(login, people, orgs, open_meeting):
    from .conftest import add_member

    small = open_meeting(topic="小会")
    client = login(people.community)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("orglife:meeting_detail", args=[small.pk]))
    for i in range(15):
        add_member(orgs.grid1, f"新增党员{i}")
    large = open_meeting(topic="大会")
    assert large.attendances.count() > small.attendances.count() + 10
    with CaptureQueriesContext(connection) as after:
        text = client.get(reverse("orglife:meeting_detail", args=[large.pk])).content.decode()
    assert "新增党员14" in text
    assert len(after.captured_queries) == len(before.captured_queries) <= 25

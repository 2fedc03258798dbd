"""A member's sign-in over the API, as the phone sends it (``Authorization: Token``), is cheap
and stays so: a bounded number of SQL statements for the whole request (token, meeting, the
conditional UPDATE, the audit record), and every refusal still answers as before."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from jiceng.accounts.models import AuditLog
from jiceng.accounts.services import issue_token
from jiceng.core.rules import get_rule
from jiceng.orglife import services, signin
from jiceng.orglife.models import Attendance, AttendanceStatus, MakeupTask

from .conftest import soon
from .test_concurrency import race

# Token (with its once-a-minute last-used write), the meeting with the caller's roster entry, the
# conditional UPDATE, the audit record. Before: 14.
MAX_QUERIES = 5


def phone(user) -> APIClient:
    _, key = issue_token(None, user, label="手机")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def post(client, meeting, code):
    return client.post(f"/api/v1/meetings/{meeting.pk}/sign-in/", {"code": code}, format="json")


@pytest.mark.django_db
def test_a_sign_in_and_its_repeat_take_a_bounded_number_of_queries(open_meeting, people):
    meeting = open_meeting()
    code = signin.meeting_code(meeting)
    get_rule("orglife.late_grace_minutes")  # rules are cached per process; not what is counted
    client = phone(people.member_user)
    with CaptureQueriesContext(connection) as first:
        answer = post(client, meeting, code)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["signed_now"] is True and answer.json()["status"] == "present"
    with CaptureQueriesContext(connection) as again:
        repeat = post(client, meeting, code)
    assert repeat.status_code == 200 and repeat.json()["signed_now"] is False
    assert repeat.json()["signed_at"] == answer.json()["signed_at"]
    counted = [q["sql"] for q in first.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(counted) <= MAX_QUERIES, "\n".join(counted)
    counted = [q["sql"] for q in again.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(counted) <= MAX_QUERIES, "\n".join(counted)
    row = Attendance.objects.get(meeting=meeting, member=people.me)
    assert row.status == AttendanceStatus.PRESENT and row.method == "qr" and row.recorded_by == people.member_user
    # The audit record is kept (one, for the call that signed).
    record = AuditLog.objects.get(action="sign_in_meeting", object_id=str(row.pk))
    assert (record.actor, record.object_type, record.area_path) == (
        people.member_user,
        "orglife.attendance",
        meeting.area_path,
    )
    assert record.after == {"status": "present", "method": "qr"}


@pytest.mark.django_db
def test_the_quick_path_refuses_as_the_full_way_did(plan_meeting, open_meeting, people):
    meeting = open_meeting()
    other = open_meeting(topic="另一次会议")
    client = phone(people.member_user)
    stale = post(client, meeting, signin.meeting_code(meeting, signin.current_window() - 2))
    assert stale.status_code == 400 and "二维码已过期" in str(stale.json())
    foreign = post(client, meeting, signin.meeting_code(other))
    assert foreign.status_code == 400 and "不属于本次会议" in str(foreign.json())
    # A member of another branch is not shown the meeting at all, whatever the code.
    stranger = post(phone(people.stranger_user), meeting, signin.meeting_code(meeting))
    assert stranger.status_code == 404
    planned = plan_meeting(topic="尚未开始的会议")
    early = post(client, planned, signin.meeting_code(planned))
    assert early.status_code == 400 and "尚未开始签到" in str(early.json())
    assert (
        not Attendance.objects.filter(member__in=[people.me, people.stranger])
        .exclude(status=AttendanceStatus.EXPECTED)
        .exists()
    )
    assert not AuditLog.objects.filter(action="sign_in_meeting").exists()
    services.close_meeting(people.community, meeting)
    closed = post(client, meeting, signin.meeting_code(meeting))
    assert closed.status_code == 400 and "会议已结束" in str(closed.json())
    assert Attendance.objects.get(meeting=meeting, member=people.me).status == AttendanceStatus.ABSENT


@pytest.mark.django_db
def test_a_member_on_leave_who_comes_after_all_signs_in_late(plan_meeting, people):
    meeting = plan_meeting(start=soon(5))
    services.ask_leave(people.member_user, meeting, people.me, "可能加班")
    services.open_signin(people.community, meeting)
    meeting.planned_start = timezone.now() - timedelta(minutes=30)
    meeting.save(update_fields=["planned_start"])
    answer = post(phone(people.member_user), meeting, signin.meeting_code(meeting))
    assert answer.status_code == 200 and answer.json()["status"] == "late" and answer.json()["signed_now"]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_member_on_leave_signing_in_while_the_host_closes_is_counted_once(plan_meeting, people):
    """Closing does not touch a 请假 row (it gets a 补学 task); a sign-in of that member racing the
    close either lands before it (counted, no 补学) or is refused; never signed with a 补学 task."""
    for attempt in range(4):
        meeting = plan_meeting(start=soon(5), topic=f"第{attempt + 1}次会议")
        services.ask_leave(people.member_user, meeting, people.me, "可能加班")
        services.open_signin(people.community, meeting)
        code = signin.meeting_code(meeting)
        signed, _closed = race(
            lambda code=code: services.sign_in_by_qr(people.member_user, code),
            lambda meeting=meeting: services.close_meeting(people.community, meeting),
        )
        row = Attendance.objects.get(meeting=meeting, member=people.me)
        task = MakeupTask.objects.filter(meeting=meeting, member=people.me).exists()
        if isinstance(signed, Exception):
            assert "会议已结束" in "".join(signed.messages)
            assert row.status == AttendanceStatus.LEAVE and task
        else:
            assert row.status == AttendanceStatus.PRESENT and not task
        close = meeting.events.get(kind="close").summary
        assert f"实到{1 if row.signed else 0}人" in close

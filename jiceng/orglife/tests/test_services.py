"""Meetings, attendance, sign-in, minutes and 补学 through the services, as a branch runs them."""

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jiceng.accounts.models import AuditLog
from jiceng.core.models import Rule
from jiceng.core.todos import todo_groups
from jiceng.orglife import services, signin
from jiceng.orglife.models import (
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    HeldMonth,
    MakeupTask,
    Meeting,
    MeetingType,
    MinutesStatus,
)
from jiceng.orglife.services import OrglifeError

from .conftest import soon

pytestmark = pytest.mark.django_db


def statuses(meeting):
    return {row.member.name: row.status for row in meeting.attendances.select_related("member")}


# --------------------------------------------------------------------------- planning


def test_expected_attendees_are_the_branch_members_and_observers_where_the_type_allows(plan_meeting, people):
    congress = plan_meeting(types=[MeetingType.CONGRESS])
    roles = {row.member.name: (row.role, row.can_vote) for row in congress.attendances.select_related("member")}
    assert roles["甲党员"] == (AttendanceRole.ATTENDEE, True)
    assert roles["预备党员己"] == (AttendanceRole.ATTENDEE, False)  # no vote
    assert roles["积极分子庚"] == (AttendanceRole.OBSERVER, False)  # 列席
    assert "二支部党员辛" not in roles
    committee = plan_meeting(types=[MeetingType.COMMITTEE], topic="支委会")
    assert "积极分子庚" not in statuses(committee)


def test_one_meeting_counts_for_several_types(plan_meeting, people):
    meeting = plan_meeting(types=[MeetingType.THEME_DAY, MeetingType.CONGRESS])
    assert sorted(meeting.type_keys) == ["congress", "theme_day"]
    assert meeting.type_labels in ("支部党员大会、主题党日", "主题党日、支部党员大会")


def test_a_double_submit_gives_the_first_meeting(plan_meeting):
    start = soon(120)
    first = plan_meeting(start=start)
    again = plan_meeting(start=start)
    assert again.pk == first.pk
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize("days, words", [(-3000, "早于今天"), (3000, "晚于今天")])
def test_a_date_far_away_is_refused_and_nothing_written(plan_meeting, days, words):
    with pytest.raises(OrglifeError) as exc:
        plan_meeting(start=timezone.now() + timedelta(days=days))
    assert words in exc.value.message_dict["planned_start"][0]
    assert not Meeting.objects.exists() and not Attendance.objects.exists()


def test_a_host_or_an_attendee_from_another_org_is_refused(plan_meeting, people):
    with pytest.raises(OrglifeError) as exc:
        plan_meeting(host=people.stranger)
    assert "不是“第一网格党支部”的党员" in exc.value.message_dict["host"][0]
    with pytest.raises(OrglifeError) as exc:
        plan_meeting(types=[MeetingType.TALK], attendees=[people.full[1], people.outsider])
    assert "贡院党员壬" in exc.value.message_dict["attendees"][0]
    assert not Meeting.objects.exists()


def test_a_talk_is_with_the_chosen_members_only(plan_meeting, people):
    meeting = plan_meeting(types=[MeetingType.TALK], attendees=[people.full[3]], topic="谈心谈话")
    assert list(statuses(meeting)) == ["丁党员"]
    services.open_signin(people.community, meeting)
    assert list(statuses(meeting)) == ["丁党员"]


def test_a_group_meeting_needs_a_group_of_the_branch_and_expects_its_members(plan_meeting, people, orgs):
    with pytest.raises(OrglifeError) as exc:
        plan_meeting(types=[MeetingType.GROUP])
    assert "须选择党小组" in exc.value.message_dict["group"][0]
    services.set_group_members(people.community, orgs.group, people.full[:2])
    meeting = plan_meeting(types=[MeetingType.GROUP], group=orgs.group, topic="党小组会")
    assert sorted(statuses(meeting)) == ["乙党员", "甲党员"]
    with pytest.raises(OrglifeError):
        services.set_group_members(people.community, orgs.group, [people.stranger])


def test_staff_out_of_scope_cannot_plan(orgs, people):
    with pytest.raises(PermissionDenied):
        services.create_meeting(
            people.other_community, org=orgs.grid1, types=["congress"], topic="越权", planned_start=soon()
        )


def test_moving_and_cancelling_need_a_reason_and_are_logged(plan_meeting, people):
    meeting = plan_meeting()
    with pytest.raises(OrglifeError):
        services.move_meeting(people.community, meeting, soon(24 * 60), "  ")
    services.move_meeting(people.community, meeting, soon(24 * 60), "与社区活动冲突")
    services.cancel_meeting(people.community, meeting, "疫情防控要求")
    kinds = list(meeting.events.values_list("kind", "summary"))
    assert any(k == "move" and "与社区活动冲突" in s for k, s in kinds)
    assert any(k == "cancel" and "疫情防控要求" in s for k, s in kinds)
    assert AuditLog.objects.filter(action="cancel_meeting").exists()


def test_a_plan_creates_the_years_meetings_once(orgs, people):
    today = timezone.localdate()
    year = today.year + 1
    plan, made = services.create_plan(
        people.community,
        org=orgs.grid1,
        year=year,
        types=["theme_day"],
        frequency="monthly",
        day=10,
        start_time=time(9, 0),
        topic="主题党日",
    )
    assert made == 12
    again, made_again = services.create_plan(
        people.community,
        org=orgs.grid1,
        year=year,
        types=["theme_day"],
        frequency="monthly",
        day=10,
        start_time=time(9, 0),
        topic="主题党日",
    )
    assert again.pk == plan.pk and made_again == 0
    assert Meeting.objects.filter(plan=plan).count() == 12
    assert Meeting.objects.filter(topic=f"{year}年3月主题党日").exists()


# --------------------------------------------------------------------------- sign-in


def test_qr_sign_in_once_whatever_happens(open_meeting, people):
    meeting = open_meeting()
    code = signin.meeting_code(meeting)
    row, signed = services.sign_in_by_qr(people.member_user, code)
    assert signed and row.status == AttendanceStatus.PRESENT and row.method == "qr"
    row2, signed2 = services.sign_in_by_qr(people.member_user, code)
    assert not signed2 and row2.pk == row.pk
    assert Attendance.objects.filter(meeting=meeting, member=people.me).count() == 1


def test_late_after_the_grace(open_meeting, people):
    meeting = open_meeting(start=timezone.now() - timedelta(minutes=30))
    row, _ = services.sign_in_by_qr(people.member_user, signin.meeting_code(meeting))
    assert row.status == AttendanceStatus.LATE
    Rule.objects.create(key="orglife.late_grace_minutes", value=60)
    other = open_meeting(start=timezone.now() - timedelta(minutes=30), topic="另一次会议")
    row, _ = services.sign_in_by_qr(people.member_user, signin.meeting_code(other))
    assert row.status == AttendanceStatus.PRESENT


def test_stale_foreign_and_edited_codes_are_refused(open_meeting, people):
    meeting = open_meeting()
    other = open_meeting(topic="另一次会议")
    stale = signin.meeting_code(meeting, signin.current_window() - 2)
    with pytest.raises(OrglifeError, match="二维码已过期"):
        services.sign_in_by_qr(people.member_user, stale)
    with pytest.raises(OrglifeError, match="不属于本次会议"):
        services.sign_in_by_qr(people.member_user, signin.meeting_code(other), meeting)
    edited = signin.meeting_code(meeting)[:-1] + "0"
    edited = edited if edited != signin.meeting_code(meeting) else edited[:-1] + "1"
    with pytest.raises(OrglifeError, match="二维码无效"):
        services.sign_in_by_qr(people.member_user, edited)
    # The previous window's code still works (the screen just changed).
    _row, signed = services.sign_in_by_qr(people.member_user, signin.meeting_code(meeting, signin.current_window() - 1))
    assert signed
    assert statuses(meeting)["甲党员"] == AttendanceStatus.PRESENT
    assert statuses(other)["甲党员"] == AttendanceStatus.EXPECTED


def test_a_non_attendee_and_an_account_without_member_are_refused(open_meeting, people):
    meeting = open_meeting()
    code = signin.meeting_code(meeting)
    with pytest.raises(OrglifeError, match="二支部党员辛不在本次会议的应到人员名单中"):
        services.sign_in_by_qr(people.stranger_user, code)
    with pytest.raises(OrglifeError, match="没有关联党员信息"):
        services.sign_in_by_qr(people.resident, code)
    assert not Attendance.objects.filter(member=people.stranger).exists()


def test_sign_in_before_opening_and_after_closing_is_refused(plan_meeting, people):
    meeting = plan_meeting()
    with pytest.raises(OrglifeError, match="尚未开始签到"):
        services.sign_in_by_qr(people.member_user, signin.meeting_code(meeting))
    services.open_signin(people.community, meeting)
    services.close_meeting(people.community, meeting)
    with pytest.raises(OrglifeError, match="会议已结束"):
        services.sign_in_by_qr(people.member_user, signin.meeting_code(meeting))


def test_host_scans_a_members_personal_code(open_meeting, people):
    meeting = open_meeting()
    row, signed = services.sign_in_by_member_code(people.community, meeting, signin.member_code(people.full[3]))
    assert signed and row.member == people.full[3] and row.method == "personal"
    with pytest.raises(OrglifeError) as exc:
        services.sign_in_by_member_code(people.community, meeting, "M1-2-deadbeef")
    assert "签到码" in exc.value.message_dict["code"][0]


def test_proxy_needs_a_reason_and_is_logged(open_meeting, people):
    meeting = open_meeting()
    with pytest.raises(OrglifeError):
        services.proxy_sign_in(people.community, meeting, people.full[4], "")
    row = services.proxy_sign_in(people.community, meeting, people.full[4], "手机没电，主持人核实到会")
    assert row.method == "proxy" and row.signed
    assert meeting.events.filter(kind="proxy", summary__contains="手机没电").exists()


def test_leave_before_the_meeting_only(plan_meeting, open_meeting, people):
    meeting = plan_meeting(start=soon(120))
    row = services.ask_leave(people.member_user, meeting, people.me, "外出开会")
    assert row.status == AttendanceStatus.LEAVE and row.reason == "外出开会"
    started = open_meeting(topic="已开始的会议")
    with pytest.raises(OrglifeError, match="请假须在会议开始前提出"):
        services.ask_leave(people.member_user, started, people.me, "临时有事")


# --------------------------------------------------------------------------- closing, 补学, held facts


def test_closing_marks_absent_sets_makeup_and_counts_the_meeting_for_each_type(open_meeting, people, orgs):
    meeting = open_meeting(types=[MeetingType.THEME_DAY, MeetingType.CONGRESS])
    for member in people.full[1:]:
        services.proxy_sign_in(people.community, meeting, member, "到会")
    services.close_meeting(people.community, meeting)
    assert statuses(meeting)["甲党员"] == AttendanceStatus.ABSENT
    missed = set(MakeupTask.objects.filter(meeting=meeting).values_list("member__name", flat=True))
    assert missed == {"甲党员", "预备党员己", "积极分子庚"}
    month = timezone.localdate(meeting.actual_start).replace(day=1)
    held = {h.type: h.held for h in HeldMonth.objects.filter(org=orgs.grid1, month=month)}
    assert held == {"theme_day": 1, "congress": 1}
    # The 补学 is on the member's 待办 list.
    groups = todo_groups(people.member_user)
    assert [g.source.key for g in groups] == ["orglife.makeup"]
    assert groups[0].items[0].title == f"补学 · {meeting.topic}"


def test_closing_twice_counts_once(open_meeting, people, orgs):
    meeting = open_meeting()
    services.close_meeting(people.community, meeting)
    services.close_meeting(people.community, meeting)
    assert HeldMonth.objects.get(org=orgs.grid1, type="congress").held == 1


def test_proxy_after_closing_withdraws_the_makeup(open_meeting, people):
    meeting = open_meeting()
    services.close_meeting(people.community, meeting)
    services.proxy_sign_in(people.community, meeting, people.me, "会后核实：到会但未扫码")
    assert statuses(meeting)["甲党员"] == AttendanceStatus.PRESENT
    assert not MakeupTask.objects.filter(meeting=meeting, member=people.me).exists()


# --------------------------------------------------------------------------- minutes


def _held(open_meeting, people, present=4, **kwargs):
    meeting = open_meeting(**kwargs)
    for member in people.full[:present]:
        services.proxy_sign_in(people.community, meeting, member, "到会")
    return services.close_meeting(people.community, meeting)


def test_congress_decision_needs_a_quorum_and_a_majority_of_all_voters(open_meeting, people):
    meeting = _held(open_meeting, people, present=2)  # 2 of 5 full members
    decision, reasons = services.record_decision(
        people.community, meeting, subject="接收预备党员", votes_for=2, votes_against=0, votes_abstain=0
    )
    assert not decision.passed
    assert any("应到5人、实到2人" in r for r in reasons)
    meeting = _held(open_meeting, people, present=4, topic="第二次大会")
    decision, reasons = services.record_decision(
        people.community, meeting, subject="接收预备党员", votes_for=3, votes_against=1, votes_abstain=0
    )
    assert decision.passed and reasons == [] and decision.entitled == 5 and decision.present_entitled == 4
    again, _ = services.record_decision(
        people.community, meeting, subject="接收预备党员", votes_for=3, votes_against=1, votes_abstain=0
    )
    assert again.pk == decision.pk  # a double submit records it once
    with pytest.raises(OrglifeError, match="多于实到会有表决权"):
        services.record_decision(people.community, meeting, subject="x", votes_for=5, votes_against=0, votes_abstain=0)


def test_minutes_flow_submit_return_approve_lock_amend(open_meeting, people):
    meeting = _held(open_meeting, people)
    # The minutes start from the 党员大会's template.
    assert meeting.minutes.topics == "支部党员大会议题："
    assert meeting.minutes.discussion.startswith("应到、实到党员情况")
    with pytest.raises(OrglifeError, match="请先填写议题"):
        services.submit_minutes(people.community, meeting)
    # The recorder (a member with a login) writes; here the recorder is 甲.
    meeting.recorder = people.me
    meeting.save()
    services.save_minutes(people.member_user, meeting, topics="学习传达", discussion="大家发言", resolutions="照办")
    with pytest.raises(PermissionDenied):
        services.submit_minutes(people.member_user, meeting)  # 甲 is not the host
    services.submit_minutes(people.community, meeting)
    with pytest.raises(OrglifeError, match="已提交审核"):
        services.save_minutes(people.community, meeting, topics="改", discussion="", resolutions="")
    with pytest.raises(PermissionDenied):
        services.review_minutes(people.community, meeting, approve=True)  # the community does not review
    with pytest.raises(OrglifeError):
        services.review_minutes(people.street, meeting, approve=False, reason="")
    minutes = services.review_minutes(people.street, meeting, approve=False, reason="讨论情况过于简单")
    assert minutes.status == MinutesStatus.RETURNED
    services.save_minutes(
        people.community, meeting, topics="学习传达", discussion="逐一发言，形成共识", resolutions="照办"
    )
    services.submit_minutes(people.community, meeting)
    minutes = services.review_minutes(people.street, meeting, approve=True)
    assert minutes.locked
    with pytest.raises(OrglifeError, match="已审核通过并锁定"):
        services.save_minutes(people.community, meeting, topics="偷改", discussion="", resolutions="")
    minutes.refresh_from_db()
    assert minutes.topics == "学习传达"
    with pytest.raises(OrglifeError):
        services.amend_minutes(people.community, meeting, field="topics", text="更正", reason="")
    amendment = services.amend_minutes(
        people.community, meeting, field="resolutions", text="照办并报街道", reason="漏记"
    )
    assert amendment.before == "照办" and amendment.after == "照办并报街道"
    assert meeting.events.filter(kind="amend").exists()


def test_makeup_is_confirmed_after_the_minutes_are_approved(open_meeting, people):
    meeting = _held(open_meeting, people, present=0)
    task = MakeupTask.objects.get(meeting=meeting, member=people.me)
    with pytest.raises(OrglifeError, match="尚未审核通过"):
        services.confirm_makeup(people.member_user, task)
    services.save_minutes(people.community, meeting, topics="议题", discussion="", resolutions="")
    services.submit_minutes(people.community, meeting)
    services.review_minutes(people.street, meeting, approve=True)
    with pytest.raises(PermissionDenied):
        services.confirm_makeup(people.stranger_user, task)
    services.confirm_makeup(people.member_user, task, "已学习")
    task.refresh_from_db()
    assert task.done_at is not None
    assert todo_groups(people.member_user) == []


# --------------------------------------------------------------------------- attachments, scope


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_attachments_are_checked_for_type_and_size(plan_meeting, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = plan_meeting()
    photo = services.add_attachment(people.community, meeting, SimpleUploadedFile("会场.png", PNG))
    assert photo.kind == "photo" and photo.content_type == "image/png"
    assert services.add_attachment(people.community, meeting, SimpleUploadedFile("会场.png", PNG)).pk == photo.pk
    with pytest.raises(OrglifeError, match="只能上传"):
        services.add_attachment(people.community, meeting, SimpleUploadedFile("a.exe", b"MZ\x90\x00" * 10))
    Rule.objects.create(key="orglife.attachment_max_bytes", value=1024)
    with pytest.raises(OrglifeError, match="不能超过"):
        services.add_attachment(people.community, meeting, SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2000))
    assert meeting.attachments.count() == 1


def test_scope_staff_see_their_subtree_members_their_own_meetings(plan_meeting, people, orgs):
    meeting = plan_meeting()
    assert list(Meeting.objects.visible_to(people.street)) == [meeting]
    assert list(Meeting.objects.visible_to(people.secretary)) == [meeting]
    assert list(Meeting.objects.visible_to(people.member_user)) == [meeting]
    assert list(Meeting.objects.visible_to(people.stranger_user)) == []
    assert list(Meeting.objects.visible_to(people.other_community)) == []
    assert list(Meeting.objects.visible_to(people.member_user, own_rows=False)) == []

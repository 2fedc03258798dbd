"""志愿服务 services: sign-up and waiting list, QR sign-in/out within the activity's time, hours with
the daily cap, approval crediting the 时间银行 and sending ``hours_approved``."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jiceng.accounts.models import AuditLog
from jiceng.orglife import signin
from jiceng.timebank.models import Account, Movement
from jiceng.volunteers import services
from jiceng.volunteers.models import Activity, HoursMonth, HoursRecord, HoursStatus, SignUp, SignUpStatus
from jiceng.volunteers.services import VolunteerError
from jiceng.volunteers.signals import hours_approved

pytestmark = pytest.mark.django_db


def test_full_activity_puts_on_waiting_list_and_cancel_promotes_first(vol, make_activity):
    activity = make_activity(places=2)
    a, b, c, d = (services.sign_up(vol.users[i], activity, vol.people[i]) for i in range(4))
    assert [s.status for s in (a, b, c, d)] == ["confirmed", "confirmed", "waiting", "waiting"]
    promoted = services.cancel_signup(vol.users[0], a)
    assert promoted.pk == c.pk
    activity.refresh_from_db()
    assert (activity.taken, activity.waiting) == (2, 1)
    assert SignUp.objects.get(pk=c.pk).status == SignUpStatus.CONFIRMED
    # A cancelled waiting place frees nothing.
    assert services.cancel_signup(vol.users[3], d) is None
    activity.refresh_from_db()
    assert (activity.taken, activity.waiting) == (2, 0)


def test_double_sign_up_and_closed_activity_are_refused(vol, make_activity):
    activity = make_activity()
    services.sign_up(vol.my_user, activity, vol.me)
    with pytest.raises(VolunteerError, match="已报名"):
        services.sign_up(vol.my_user, activity, vol.me)
    Activity.objects.filter(pk=activity.pk).update(status="closed")
    with pytest.raises(VolunteerError, match="已结束"):
        services.sign_up(vol.users[1], activity, vol.people[1])
    with pytest.raises(VolunteerError, match="没有权限"):
        services.sign_up(vol.users[1], activity, vol.people[2])


def test_sign_in_outside_the_activity_time_is_refused_and_writes_nothing(vol, make_activity):
    activity = make_activity(start_in=timedelta(hours=5))
    services.sign_up(vol.my_user, activity, vol.me)
    with pytest.raises(VolunteerError, match="不在活动签到时间内"):
        services.sign_in(vol.my_user, activity, vol.me, signin.object_code("activity", activity))
    assert SignUp.objects.get(activity=activity).signed_in_at is None


def test_wrong_or_meeting_code_is_refused(vol, make_activity):
    activity = make_activity(start_in=timedelta(minutes=-5))
    services.sign_up(vol.my_user, activity, vol.me)
    other = make_activity(start_in=timedelta(minutes=-5))
    with pytest.raises(VolunteerError, match="不属于本次活动"):
        services.sign_in(vol.my_user, activity, vol.me, signin.object_code("activity", other))
    forged = signin.object_code("meeting", activity)  # same pk and secret, another kind
    with pytest.raises(VolunteerError, match="二维码无效"):
        services.sign_in(vol.my_user, activity, vol.me, forged)


def test_sign_in_and_out_records_verified_hours_and_credits_them(vol, make_activity):
    activity = make_activity(start_in=timedelta(minutes=-30), length=timedelta(hours=3))
    services.sign_up(vol.my_user, activity, vol.me)
    received = []
    hours_approved.connect(lambda sender, record, actor, **kw: received.append(record.pk), weak=False, dispatch_uid="t")
    try:
        now = timezone.now()
        services.sign_in(vol.my_user, activity, vol.me, signin.object_code("activity", activity), now=now)
        later = now + timedelta(hours=2)
        code = signin.object_code("activity", activity, signin.current_window(later.timestamp()))
        record = services.sign_out(vol.my_user, activity, vol.me, code, now=later)
    finally:
        hours_approved.disconnect(dispatch_uid="t")
    assert record.status == HoursStatus.APPROVED and record.hours == Decimal("2.0")
    assert received == [record.pk]
    assert Account.objects.get(volunteer=vol.me).balance == Decimal("2.0")
    assert Movement.objects.get(hours_record=record).kind == "earn"
    month = record.served_on.replace(day=1)
    assert {row.path for row in HoursMonth.objects.filter(month=month)} == {
        "3201",
        "320102",
        "320102002",
        "320102002011",
    }


def test_self_report_over_the_daily_cap_is_refused_with_nothing_written(vol):
    today = timezone.localdate()
    services.report_hours(vol.my_user, vol.me, "6", today, "楼道清扫")
    with pytest.raises(VolunteerError, match="超过每日时长上限") as exc:
        services.report_hours(vol.my_user, vol.me, "2.5", today, "助老陪伴")
    assert "还可申报 2.0 小时" in exc.value.messages[0]
    assert HoursRecord.objects.filter(volunteer=vol.me).count() == 1


def test_bad_report_gives_every_error_at_once(vol):
    with pytest.raises(VolunteerError) as exc:
        services.report_hours(vol.my_user, vol.me, "abc", timezone.localdate() + timedelta(days=1), "")
    assert len(exc.value.messages) == 3


def test_approval_credits_once_and_rejects_second_approval(vol):
    record = services.report_hours(vol.my_user, vol.me, "3", timezone.localdate(), "助老陪伴")
    with pytest.raises(VolunteerError, match="没有权限"):
        services.approve_hours(vol.other_community, record)
    services.approve_hours(vol.community, record)
    with pytest.raises(VolunteerError, match="已审核"):
        services.approve_hours(vol.community, record)
    assert Movement.objects.filter(hours_record=record).count() == 1
    assert AuditLog.objects.filter(action="volunteers.approve_hours").count() == 1


def test_rejected_hours_earn_nothing(vol):
    record = services.report_hours(vol.my_user, vol.me, "3", timezone.localdate(), "助老陪伴")
    services.reject_hours(vol.community, record, "无活动记录")
    assert not Movement.objects.exists()

"""Deadlines per urgency and category, working days across 国庆 2025 and 调休 weekends, a fallback
year flagged, and the scheduler's work: overdue flags, reminders, escalation, emails (idempotent)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.deadlines import compute_due, describe_limit, parse_limit
from jiceng.appeals.models import (
    AppealEvent,
    AreaStat,
    EventKind,
    Notification,
    Status,
    Urgency,
    WhistleCase,
    WhistleSummons,
)
from jiceng.appeals.rules import DEADLINES
from jiceng.appeals.services import update_category
from jiceng.appeals.tasks import scan_appeal_deadlines
from jiceng.core.models import CalendarDay, Rule
from jiceng.core.rules import forget_rule

from .conftest import T0, at


def local_day(moment):
    return timezone.localtime(moment).date()


def test_limits_parse_and_describe():
    assert parse_limit("7wd") == (7, "wd")
    assert describe_limit("15wd") == "15个工作日"
    assert describe_limit("30min") == "30分钟"
    with pytest.raises(ValidationError, match="格式不正确"):
        parse_limit("7 weeks")


@pytest.mark.django_db
def test_across_national_day_2025():
    # Accepted on 30 Sep (Tue, a working day): Oct 1–8 are holidays, Sat 11 Oct is a 调休 working day.
    due = compute_due(at(2025, 9, 30, 16, 0), "7wd")
    # 1 = 9 Oct, 2 = 10 Oct, 3 = Sat 11 Oct (调休), 4 = 13, 5 = 14, 6 = 15, 7 = 16 Oct.
    assert local_day(due.at) == date(2025, 10, 16)
    # To the end of the day: its last microsecond, so 23:59:59.5 is still in time.
    assert timezone.localtime(due.at).time().isoformat() == "23:59:59.999999"
    assert not due.fallback


@pytest.mark.django_db
def test_accepted_during_the_holiday_counts_from_the_first_working_day():
    due = compute_due(at(2025, 10, 3, 10, 0), "1wd")
    assert local_day(due.at) == date(2025, 10, 9)
    assert local_day(compute_due(at(2025, 10, 3, 10, 0), "3wd").at) == date(2025, 10, 11)  # a Saturday


@pytest.mark.django_db
def test_sunday_28_september_2025_is_a_working_day():
    # Fri 26 Sep + 1 working day is Sun 28 Sep (调休上班), not Mon 29 Sep.
    assert local_day(compute_due(at(2025, 9, 26, 9, 0), "1wd").at) == date(2025, 9, 28)
    # 15 working days (疑难复杂) from Fri 26 Sep: 28, 29, 30 Sep, 9, 10, 11, 13–17, 20–23 Oct.
    assert local_day(compute_due(at(2025, 9, 26, 9, 0), "15wd").at) == date(2025, 10, 23)


@pytest.mark.django_db
def test_clock_limits_run_through_holidays():
    assert compute_due(at(2025, 10, 1, 8, 0), "2h").at == at(2025, 10, 1, 10, 0)
    assert compute_due(at(2025, 10, 1, 8, 0), "24h").at == at(2025, 10, 2, 8, 0)
    assert compute_due(at(2025, 10, 1, 8, 0), "3d").at == at(2025, 10, 4, 23, 59, 59, 999999)


@pytest.mark.django_db
def test_a_2027_deadline_is_flagged_as_a_fallback_until_the_city_enters_the_calendar():
    due = compute_due(at(2026, 12, 30, 9, 0), "7wd")
    assert due.fallback
    assert all(d.year == 2027 for d in due.fallback_days)
    # Mon–Fri guess: 31 Dec (Thu, known), then 1, 4, 5, 6, 7, 8 Jan 2027.
    assert local_day(due.at) == date(2027, 1, 8)
    # Once the city enters 2027's New Year holiday, the same deadline is certain and moves.
    for day in (date(2027, 1, 1), date(2027, 1, 2), date(2027, 1, 3)):
        CalendarDay.objects.create(day=day, is_workday=False, name="元旦")
    for n in range(4, 16):
        d = date(2027, 1, n)
        CalendarDay.objects.create(day=d, is_workday=d.weekday() < 5)
    due = compute_due(at(2026, 12, 30, 9, 0), "7wd")
    assert not due.fallback
    assert local_day(due.at) == date(2027, 1, 11)


def test_appeal_deadlines_by_urgency_and_the_fallback_flag(submit, catalogue, people, tree):
    general = submit()
    assert general.dispatch_due == T0 + timedelta(hours=24)
    assert local_day(general.answer_due) == date(2025, 9, 17)  # 7 days (DOMAIN.md §7.1)
    assert not general.deadline_fallback
    emergency = submit(category=catalogue.danger, description="燃气泄漏")
    assert emergency.urgency == Urgency.EMERGENCY
    assert emergency.dispatch_due == T0 + timedelta(hours=1)
    assert emergency.answer_due == T0 + timedelta(hours=2)
    water = submit(category=catalogue.water, description="整栋楼停水")
    assert water.dispatch_due == T0 + timedelta(hours=2) and water.answer_due == T0 + timedelta(hours=24)
    complex_ = submit(category=catalogue.parking, description="停车难", area=tree.grid1, attributes={"spaces": "40"})
    # 15 days (疑难复杂) from Wed 10 Sep: Thu 25 Sep.
    assert local_day(complex_.answer_due) == date(2025, 9, 25)
    # A city counting working days: a due day in a year its calendar does not know yet is flagged.
    Rule.objects.create(key=DEADLINES, value={"general": {"answer": "7wd"}})
    forget_rule(DEADLINES)
    late = submit(now=at(2026, 12, 28, 9, 0))
    assert late.deadline_fallback
    note = AppealEvent.objects.get(appeal=late, kind=EventKind.CREATE).note
    assert "按周一至周五推算" in note


def test_the_city_edits_deadlines_as_data(submit, catalogue):
    update_category(None, catalogue.stall, deadlines={"general": {"answer": "3wd", "dispatch": "2h"}})
    catalogue.stall.refresh_from_db()
    appeal = submit()
    assert appeal.dispatch_due == T0 + timedelta(hours=2)
    assert local_day(appeal.answer_due) == date(2025, 9, 15)
    Rule.objects.create(
        key=DEADLINES,
        value={"general": {"dispatch": "12h", "response": "12h", "answer": "5wd"}, "emergency": {}},
    )
    forget_rule(DEADLINES)
    other = submit(category=catalogue.consult, description="咨询")
    assert other.dispatch_due == T0 + timedelta(hours=12)
    assert local_day(other.answer_due) == date(2025, 9, 17)


def test_scanner_marks_overdue_once_and_counts_it(submit, people, tree, django_capture_on_commit_callbacks):
    appeal = submit()
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)
    services.sign_appeal(people.grid, appeal, now=T0)
    late = appeal.answer_due + timedelta(minutes=5)
    assert services.overdue_candidates(late) == [appeal.pk]
    assert services.mark_overdue([appeal.pk], now=late) == 1
    assert services.mark_overdue([appeal.pk], now=late) == 0  # idempotent
    appeal.refresh_from_db()
    assert appeal.answer_overdue and appeal.status == Status.SIGNED
    assert AppealEvent.objects.filter(appeal=appeal, kind=EventKind.OVERDUE).count() == 1
    assert AreaStat.objects.get(path=tree.grid1.code, month=date(2025, 9, 1)).overdue == 1
    assert Notification.objects.filter(kind="appeal_overdue", recipient=people.grid).count() == 1
    # Answering late does not count it twice.
    services.answer_appeal(people.grid, appeal, text="晚了", result="resolved", now=late)
    assert AppealEvent.objects.filter(appeal=appeal, kind=EventKind.OVERDUE).count() == 1


def test_answering_late_without_the_scanner_still_flags_it(submit, people, tree):
    appeal = submit()
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)
    services.sign_appeal(people.grid, appeal, now=T0)
    services.answer_appeal(
        people.grid, appeal, text="晚了", result="resolved", now=appeal.answer_due + timedelta(days=1)
    )
    assert appeal.answer_overdue
    assert AppealEvent.objects.filter(appeal=appeal, kind=EventKind.OVERDUE).count() == 1


def test_a_pending_extension_holds_the_overdue_flag(submit, people, tree):
    appeal = submit()
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)
    services.sign_appeal(people.grid, appeal, now=T0)
    extension = services.request_extension(people.grid, appeal, workdays=2, reason="等物业", now=T0)
    late = appeal.answer_due + timedelta(hours=1)
    assert services.overdue_candidates(late) == []
    services.decide_extension(people.community, extension, approve=False, note="不予延期", now=late)
    appeal.refresh_from_db()
    assert appeal.answer_overdue  # rejected after the deadline: overdue at once


def test_reminders_go_out_once_before_the_deadline(submit, people, tree):
    appeal = submit()
    # General dispatch limit 24 h, reminder with a quarter left: 18 h after intake.
    assert appeal.dispatch_remind_at == T0 + timedelta(hours=18)
    assert services.send_reminders(T0 + timedelta(hours=17)) == 0
    assert services.send_reminders(T0 + timedelta(hours=18, minutes=1)) == 1
    assert services.send_reminders(T0 + timedelta(hours=19)) == 0
    assert Notification.objects.filter(kind="remind_dispatch", recipient=people.community).count() == 1
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0 + timedelta(hours=19))
    appeal.refresh_from_db()
    assert services.send_reminders(appeal.answer_remind_at + timedelta(minutes=1)) == 1
    assert Notification.objects.filter(kind="remind_answer", recipient=people.grid).count() == 1


def test_dispatch_overdue_is_flagged_by_the_scanner(submit, people):
    appeal = submit()
    assert services.mark_dispatch_overdue(T0 + timedelta(hours=25)) == 1
    assert services.mark_dispatch_overdue(T0 + timedelta(hours=26)) == 0
    appeal.refresh_from_db()
    assert appeal.dispatch_overdue


def test_overdue_summons_are_escalated_to_the_district_once(submit, people, tree, departments):
    appeal = submit(description="1栋水管爆裂，楼道积水")
    whistle = services.blow_whistle(
        people.street,
        area=tree.meiyuan,
        case=WhistleCase.EMERGENCY,
        title="1栋水管爆裂",
        departments=[departments.xw_water, departments.xw_chengguan],
        appeal=appeal,
        now=T0,
    )
    assert whistle.report_due == T0 + timedelta(minutes=30)
    summons = WhistleSummons.objects.get(whistle=whistle, department=departments.xw_water)
    services.report_summons(people.water, summons, plan="抢修队出发", now=T0 + timedelta(minutes=20))
    assert services.escalate_overdue_summons(T0 + timedelta(minutes=29)) == 0
    assert services.escalate_overdue_summons(T0 + timedelta(minutes=31)) == 1
    assert services.escalate_overdue_summons(T0 + timedelta(minutes=40)) == 0
    late = WhistleSummons.objects.get(whistle=whistle, department=departments.xw_chengguan)
    assert late.escalated_at == T0 + timedelta(minutes=31)
    assert Notification.objects.filter(kind="summons_escalated", recipient=people.district).count() == 1
    assert AppealEvent.objects.filter(appeal=appeal, kind=EventKind.ESCALATE).count() == 1


def test_scan_task_and_emails(submit, people, tree, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    people.community.email = "beianmen@example.cn"
    people.community.save(update_fields=["email"])
    appeal = submit(now=timezone.now() - timedelta(days=30))
    services.dispatch_appeal(people.community, appeal, area=tree.grid1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        result = scan_appeal_deadlines.call()
    assert result["overdue"] == 1
    assert callbacks  # email jobs are enqueued after the commit, with notification ids
    from jiceng.appeals.services.notifications import send_emails

    ids = list(Notification.objects.filter(kind="appeal_overdue").values_list("pk", flat=True))
    sent = send_emails(ids)
    assert sent == 1  # the notice goes to the grid worker and the community; only the community has an address
    assert send_emails(ids) == 0
    assert scan_appeal_deadlines.call()["overdue"] == 0
    assert len(mail.outbox) == sent


def test_emails_reach_recipients_with_an_address(submit, people, departments, settings):
    from jiceng.appeals.services.notifications import send_emails

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    appeal = submit()
    services.dispatch_appeal(people.street, appeal, department=departments.xw_chengguan, now=T0)
    ids = list(Notification.objects.filter(recipient=people.chengguan).values_list("pk", flat=True))
    assert send_emails(ids) == 1
    assert send_emails(ids) == 0
    assert mail.outbox[0].to == ["cg@example.cn"]
    assert mail.outbox[0].subject.startswith("【基层】新派单待签收")

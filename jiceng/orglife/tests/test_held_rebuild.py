"""The held facts two ways: ``held.bump`` (incremental, in close_meeting) and ``held.rebuild``
(the replay of the held meetings, the worker's yearly roll-up) write the same HeldMonth rows —
on meetings held on time, held late for a month and a quarter at once, held late on a plan's
period after being moved, closed across a local-month boundary (Asia/Shanghai is UTC+8), counted
for several types; and the compliance engine's 逾期召开 and 免于考核 read from those rows and the
approved exemptions. Runs on SQLite and PostgreSQL like every test."""

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiceng.orglife import compliance, held, services
from jiceng.orglife.compliance import EXEMPT, HELD, LATE, MISSED, Period
from jiceng.orglife.models import ExemptionStatus, HeldMonth, Meeting, MeetingType, RecurringPlan
from jiceng.orglife.services import OrglifeError
from jiceng.orgs.models import Org

pytestmark = pytest.mark.django_db


def at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def hold(people, org, types, due: date, held_at: datetime, plan=None, plan_period=None) -> Meeting:
    """A meeting due on ``due`` (planned then), held at ``held_at``: created now (the date check
    reads the real today), then its planned date is set as the test needs."""
    meeting = services.create_meeting(
        people.community, org=org, types=list(types), topic="测试会议", planned_start=timezone.now(), place="会议室"
    )
    Meeting.objects.filter(pk=meeting.pk).update(planned_start=at(due), plan=plan, plan_period=plan_period)
    meeting.refresh_from_db()
    services.open_signin(people.community, meeting, at=held_at)
    return services.close_meeting(people.community, meeting, at=held_at)


def old(*orgs):
    Org.objects.filter(pk__in=[o.pk for o in orgs]).update(founded_on=date(2020, 1, 1))
    for o in orgs:
        o.refresh_from_db()


@pytest.fixture
def year(orgs, people):
    """Meetings of 2026 in two branches, with every case of lateness."""
    old(orgs.grid1, orgs.grid2, orgs.gongyuan_branch)
    g1, g2 = orgs.grid1, orgs.grid2
    # On time: a 主题党日 held as the 支部党员大会, in November.
    hold(people, g1, ["theme_day", "congress"], date(2026, 11, 5), at(date(2026, 11, 5)))
    # Late for both the month (September) and the quarter (Q3): due 28 Sept, held 5 Oct.
    hold(people, g2, ["theme_day", "congress"], date(2026, 9, 28), at(date(2026, 10, 5)))
    # Late for the month only: due 10 Nov, held 2 Dec — same quarter, so on time for the quarter.
    hold(people, g1, ["committee", "lecture"], date(2026, 11, 10), at(date(2026, 12, 2)))
    # Held early (before its date): never late.
    hold(people, g2, ["committee"], date(2026, 12, 20), at(date(2026, 11, 30)))
    # Closed at 00:30 on 1 December in Beijing (16:30 UTC on 30 November): a December meeting.
    hold(people, g2, ["lecture"], date(2026, 12, 1), datetime(2026, 11, 30, 16, 30, tzinfo=UTC))
    # A recurring plan's August meeting moved into September and held there: late for August
    # (the plan's date stays the due date), on time for Q3.
    plan = RecurringPlan.objects.create(
        org=g1,
        org_path=g1.code,
        area_path=g1.area_path,
        year=2026,
        types=["theme_day"],
        frequency="monthly",
        day=15,
        start_time=time(9),
        topic="主题党日",
    )
    hold(people, g1, ["theme_day"], date(2026, 9, 3), at(date(2026, 9, 3)), plan=plan, plan_period=8)
    # The yearly 组织生活会 of 2025, held in January 2026: late for 2025.
    hold(people, g2, ["life"], date(2025, 12, 20), at(date(2026, 1, 8)))
    return orgs


def test_incremental_and_rebuild_write_the_same_rows(year):
    incremental = held.table()
    assert incremental
    assert held.rebuild() == len(incremental)
    assert held.table() == incremental
    # A year's rebuild leaves the other years alone and gives its own rows back.
    HeldMonth.objects.filter(month__year=2026).update(held=7, late=3)
    assert held.rebuild(2026) == sum(1 for row in incremental if row[2].year == 2026)
    assert held.table() == incremental


def test_rows_say_what_was_late(year):
    rows = {(org, t, m): (h, late, due_late) for org, t, m, h, late, due_late, _ in held.table()}
    g1, g2 = year.grid1.pk, year.grid2.pk
    assert rows[(g2, "congress", date(2026, 10, 1))] == (1, 1, 0)
    assert rows[(g2, "congress", date(2026, 9, 1))] == (0, 0, 1)
    assert rows[(g2, "theme_day", date(2026, 9, 1))] == (0, 0, 1)
    assert rows[(g1, "committee", date(2026, 12, 1))] == (1, 1, 0)
    assert rows[(g1, "lecture", date(2026, 12, 1))] == (1, 0, 0)  # same quarter: on time
    assert rows[(g2, "committee", date(2026, 11, 1))] == (1, 0, 0)
    assert rows[(g2, "lecture", date(2026, 12, 1))] == (1, 0, 0)
    assert (g2, "lecture", date(2026, 11, 1)) not in rows
    assert rows[(g1, "theme_day", date(2026, 8, 1))] == (0, 0, 1)
    assert rows[(g2, "life", date(2025, 12, 1))] == (0, 0, 1)


def test_compliance_reads_late_and_held_on_time(year):
    g1, g2 = year.grid1, year.grid2
    q3 = {r.org.pk: r.cells for r in compliance.assess([g1, g2], Period.parse("2026-Q3"))}
    assert q3[g2.pk][MeetingType.CONGRESS] == LATE
    assert q3[g1.pk][MeetingType.CONGRESS] == MISSED
    q4 = {r.org.pk: r.cells for r in compliance.assess([g1, g2], Period.parse("2026-Q4"))}
    # g2's late Q3 meeting, held in October, does not make Q4 held on time.
    assert q4[g2.pk][MeetingType.CONGRESS] == MISSED
    assert q4[g1.pk][MeetingType.CONGRESS] == HELD
    assert q4[g1.pk][MeetingType.LECTURE] == HELD
    nov = {r.org.pk: r.cells for r in compliance.assess([g1, g2], Period.parse("2026-11"))}
    assert nov[g1.pk][MeetingType.COMMITTEE] == LATE and nov[g2.pk][MeetingType.COMMITTEE] == HELD
    assert compliance.assess([g1], Period.parse("2026-08"))[0].cells[MeetingType.THEME_DAY] == LATE
    assert compliance.assess([g2], Period.parse("2025"))[0].cells[MeetingType.LIFE] == LATE
    numbers = compliance.counts(Org.objects.filter(pk__in=[g1.pk, g2.pk]), Period.parse("2026-Q3"))
    assert numbers[MeetingType.CONGRESS] == {HELD: 0, EXEMPT: 0, LATE: 1, MISSED: 1, "total": 2}
    both = Org.objects.filter(pk__in=[g1.pk, g2.pk])
    listed = compliance.with_status(both, Period.parse("2026-Q3"), "congress", LATE)
    assert list(listed) == [g2]


def test_postponement_and_dissolution_exempt_once_approved(year, people, make_user, tree):
    g1, g2 = year.grid1, year.grid2
    q3 = Period.parse("2026-Q3")
    row, created = services.request_exemption(
        people.secretary, org=g1, kind="postpone", period="2026-Q3", meeting_type="congress", reason="支部书记调整"
    )
    assert created
    # A double submit gives the same request back, and says it wrote nothing.
    assert services.request_exemption(
        people.secretary, org=g1, kind="postpone", period="2026-Q3", meeting_type="congress", reason="支部书记调整"
    ) == (row, False)
    assert compliance.assess([g1], q3)[0].cells[MeetingType.CONGRESS] == MISSED  # pending counts nothing
    with pytest.raises(PermissionDenied):  # the branch cannot approve its own request
        services.decide_exemption(people.secretary, row, approve=True)
    with pytest.raises(OrglifeError):  # refusing needs a note
        services.decide_exemption(people.community, row, approve=False)
    services.decide_exemption(people.community, row, approve=True, note="同意")
    assert compliance.assess([g1], q3)[0].cells == {MeetingType.CONGRESS: EXEMPT, MeetingType.LECTURE: MISSED}
    with pytest.raises(OrglifeError, match="已批准"):
        services.decide_exemption(people.community, row, approve=False, note="不同意")
    # 撤销中: every type from the period on; an exempt branch that held late stays exempt.
    dissolving, _ = services.request_exemption(
        people.community, org=g2, kind="dissolving", period="2026-Q3", reason="所在单位撤并，支部拟撤销"
    )
    services.decide_exemption(people.street, dissolving, approve=True)
    assert set(compliance.assess([g2], Period.parse("2026-12"))[0].cells.values()) == {EXEMPT}
    assert compliance.assess([g2], q3)[0].cells[MeetingType.CONGRESS] == EXEMPT
    assert compliance.assess([g2], Period.parse("2026-Q2"))[0].cells[MeetingType.CONGRESS] == MISSED
    numbers = compliance.counts(Org.objects.filter(pk__in=[g1.pk, g2.pk]), q3)
    assert numbers[MeetingType.CONGRESS] == {HELD: 0, EXEMPT: 2, LATE: 0, MISSED: 0, "total": 2}
    assert row.__class__.objects.filter(status=ExemptionStatus.APPROVED).count() == 2


def test_exemption_bad_input_all_errors_at_once(orgs, people):
    with pytest.raises(OrglifeError) as caught:
        services.request_exemption(
            people.secretary, org=orgs.grid1, kind="postpone", period="2026-Q9", meeting_type="", reason=""
        )
    assert set(caught.value.message_dict) == {"period", "type", "reason"}
    with pytest.raises(OrglifeError) as caught:
        services.request_exemption(
            people.secretary, org=orgs.grid1, kind="postpone", period="2026-11", meeting_type="congress", reason="x"
        )
    assert "不按该考核期" in caught.value.message_dict["type"][0]
    with pytest.raises(PermissionDenied):
        services.request_exemption(
            people.other_community, org=orgs.grid1, kind="dissolving", period="2026", reason="拟撤销"
        )
    assert not orgs.grid1.orglife_exemptions.exists()


def test_findings_feed_the_org_setup_checks(year):
    """组织设置检查 shows the last ended quarter's and year's missed and late types (registry hook),
    three queries for any number of orgs."""
    from jiceng.orgs import checks

    today = date(2026, 10, 20)  # last ended quarter: Q3; last ended year: 2025
    g1 = {(f.kind, f.message) for f in checks.check_org(year.grid1, today=today, with_units=False)}
    assert ("orglife_not_held", "2026年第3季度未召开支部党员大会（每季度至少1次）。") in g1
    assert ("orglife_not_held", "2025年未召开组织生活会（每年至少1次）。") in g1
    g2 = {(f.kind, f.message) for f in checks.check_org(year.grid2, today=today, with_units=False)}
    assert ("orglife_late", "2026年第3季度的支部党员大会逾期召开（在考核期结束后才召开）。") in g2
    assert ("orglife_late", "2025年的组织生活会逾期召开（在考核期结束后才召开）。") in g2
    labels = dict(checks.kind_choices())
    assert labels["orglife_not_held"] == "组织生活未召开"
    # A run over many orgs: a fixed number of queries for the hook.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    orgs = list(Org.objects.order_by("code"))
    with CaptureQueriesContext(connection) as few:
        compliance.org_findings([year.grid1], today)
    with CaptureQueriesContext(connection) as many:
        compliance.org_findings(orgs, today)
    assert len(few) == len(many) <= 3

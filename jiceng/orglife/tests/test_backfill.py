"""补录: a meeting held in the past recorded with its attendance and minutes, within the rule's
limit, logged as 补录; refusals in Chinese with nothing written."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.core.models import Rule
from jiceng.orglife import services
from jiceng.orglife.models import (
    AttendanceStatus,
    HeldMonth,
    MakeupTask,
    Meeting,
    MeetingStatus,
    Minutes,
    MinutesStatus,
)

pytestmark = pytest.mark.django_db


def test_backfill_records_the_meeting_held_with_its_attendance(orgs, people):
    held_at = timezone.now() - timedelta(days=20)
    meeting = services.backfill_meeting(
        people.community,
        org=orgs.grid1,
        types=["congress"],
        topic="补录的支部党员大会",
        held_at=held_at,
        present=[people.full[0], people.full[1].pk],
        minutes_discussion="讨论了年度工作。",
    )
    assert meeting.status == MeetingStatus.HELD and meeting.actual_start == held_at
    statuses = dict(meeting.attendances.values_list("member_id", "status"))
    assert statuses[people.full[0].pk] == statuses[people.full[1].pk] == AttendanceStatus.PRESENT
    assert statuses[people.full[2].pk] == AttendanceStatus.ABSENT
    assert MakeupTask.objects.filter(meeting=meeting, member=people.full[2]).exists()
    assert HeldMonth.objects.get(org=orgs.grid1, type="congress").month == timezone.localdate(held_at).replace(day=1)
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.status == MinutesStatus.DRAFT and "年度工作" in minutes.discussion
    assert meeting.events.filter(kind="backfill", summary__startswith="补录").exists()
    with pytest.raises(services.OrglifeError, match="请勿重复补录"):
        services.backfill_meeting(
            people.community, org=orgs.grid1, types=["congress"], topic="补录的支部党员大会", held_at=held_at
        )


def test_backfill_refusals_write_nothing(orgs, people):
    with pytest.raises(services.OrglifeError, match="只能补录90天内"):
        services.backfill_meeting(
            people.community,
            org=orgs.grid1,
            types=["congress"],
            topic="太早",
            held_at=timezone.now() - timedelta(days=95),
        )
    with pytest.raises(services.OrglifeError, match="早于现在"):
        services.backfill_meeting(
            people.community,
            org=orgs.grid1,
            types=["congress"],
            topic="未来",
            held_at=timezone.now() + timedelta(hours=2),
        )
    with pytest.raises(services.OrglifeError, match="不是“第一网格党支部”在会议日期的党员"):
        services.backfill_meeting(
            people.community,
            org=orgs.grid1,
            types=["congress"],
            topic="外人出席",
            held_at=timezone.now() - timedelta(days=3),
            present=[people.stranger],
        )
    assert not Meeting.objects.exists()
    Rule.objects.create(key="orglife.backfill_days", value=200)
    services.backfill_meeting(
        people.community,
        org=orgs.grid1,
        types=["lecture"],
        topic="半年前的党课",
        held_at=timezone.now() - timedelta(days=150),
    )


def test_the_backfill_page_two_steps(login, orgs, people):
    client = login(people.community)
    base = reverse("orglife:meeting_backfill")
    assert orgs.grid1.name in client.get(base).content.decode()
    url = f"{base}?org={orgs.grid1.code}"
    assert 'id="backfill-day-form"' in client.get(url).content.decode()
    old = client.get(f"{url}&day=2000-01-01")
    assert old.status_code == 400 and "只能补录" in old.content.decode()
    day = timezone.localdate() - timedelta(days=10)
    page = client.get(f"{url}&day={day:%Y-%m-%d}").content.decode()
    assert people.full[1].name in page and 'id="backfill-form"' in page
    bad = client.post(f"{url}&day={day:%Y-%m-%d}", {"types": ["congress"], "topic": "", "time": "09:00"})
    assert bad.status_code == 400 and not Meeting.objects.exists()
    ok = client.post(
        f"{url}&day={day:%Y-%m-%d}",
        {"types": ["congress"], "topic": "补录大会", "time": "09:00", "present": [people.full[0].pk]},
    )
    meeting = Meeting.objects.get()
    assert ok.status_code == 302 and ok.url == reverse("orglife:meeting_detail", args=[meeting.pk])
    assert timezone.localdate(meeting.actual_start) == day

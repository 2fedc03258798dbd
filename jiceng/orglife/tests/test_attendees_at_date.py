"""A meeting's expected attendees are the org's members AT THE MEETING'S DATE, read from the
members app's history: transfers in and out (平台内转接), leaving the platform, leaving the party,
admission and 转正 dates."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.members import services as member_services
from jiceng.members.models import Member, Status
from jiceng.orglife.models import AttendanceRole, MeetingType
from jiceng.orglife.services import eligible_members, members_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(orgs, people):
    today = timezone.localdate()
    # 戊 moved from the branch to 第二网格党支部 two days ago; 辛 came the other way.
    for member, to_org in ((people.full[4], orgs.grid2), (people.stranger, orgs.grid1)):
        transfer = member_services.request_transfer(None, member, to_org, issued_on=today - timedelta(days=3))
        member_services.accept_transfer(None, transfer, on_date=today - timedelta(days=2))
    # 丁 died three days ago; 丙 became a full member five days ago.
    member_services.exit_member(None, people.full[3], Status.DECEASED, today - timedelta(days=3))
    Member.objects.filter(pk=people.full[2].pk).update(full_member_date=today - timedelta(days=5))
    return today


def test_the_roster_ten_days_ago_is_the_one_of_that_day(orgs, people, history):
    then = {m.pk: m.full_then for m in members_on(orgs.grid1, history - timedelta(days=10))}
    assert set(then) == {m.pk for m in people.full} | {people.probationary.pk}
    assert people.stranger.pk not in then
    assert then[people.full[2].pk] is False  # still probationary then: no vote
    assert then[people.full[0].pk] is True
    now = {m.pk for m in members_on(orgs.grid1, history)}
    assert now == {people.full[0].pk, people.full[1].pk, people.full[2].pk, people.probationary.pk, people.stranger.pk}
    assert people.full[4].pk in {m.pk for m in members_on(orgs.grid2, history)}


def test_a_meeting_recorded_for_a_past_date_expects_that_days_members(orgs, people, history, plan_meeting):
    meeting = plan_meeting(start=timezone.now() - timedelta(days=10), topic="十天前的支部党员大会")
    rows = {a.member_id: a for a in meeting.attendances.all()}
    assert people.full[3].pk in rows and people.full[4].pk in rows
    assert people.stranger.pk not in rows
    assert rows[people.full[2].pk].can_vote is False
    later = plan_meeting(topic="今天的支部党员大会")
    ids = set(later.attendances.values_list("member_id", flat=True))
    assert people.stranger.pk in ids and people.full[3].pk not in ids and people.full[4].pk not in ids


def test_admitted_after_the_date_is_an_observer_where_the_type_allows(orgs, people):
    today = timezone.localdate()
    Member.objects.filter(pk=people.probationary.pk).update(admission_date=today - timedelta(days=1))
    before = today - timedelta(days=7)
    roles = {m.pk: role for m, role in eligible_members(orgs.grid1, None, [MeetingType.CONGRESS], before)}
    assert roles[people.probationary.pk] == AttendanceRole.OBSERVER
    assert roles[people.activist.pk] == AttendanceRole.OBSERVER
    roles = {m.pk: role for m, role in eligible_members(orgs.grid1, None, [MeetingType.COMMITTEE], before)}
    assert people.probationary.pk not in roles and people.activist.pk not in roles

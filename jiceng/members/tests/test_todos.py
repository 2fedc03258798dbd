"""The members' 待办: a transfer waits on the receiving side only; a probationary member appears
a month before the probation ends."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.core.dates import add_months
from jiceng.core.todos import todo_groups
from jiceng.members.models import Status, Transfer

pytestmark = pytest.mark.django_db


def titles(user, key):
    return [item.title for g in todo_groups(user) if g.source.key == key for item in g.items]


def test_transfer_waits_for_the_receiving_side(login, users, orgs, make_member):
    member = make_member(name="钱进")
    login(users.district).post(
        reverse("members:member_transfer", args=[member.pk]), {"kind": "internal", "to_org": orgs.gongyuan_branch.code}
    )
    transfer = Transfer.objects.get()
    assert titles(users.other_community, "members.transfer") == [f"钱进 · 介绍信 {transfer.letter_no}"]
    assert titles(users.community, "members.transfer") == []


def test_probation_due_within_a_month(users, make_member):
    today = timezone.localdate()
    due_soon = add_months(today + timedelta(days=10), -12)
    make_member(status=Status.PROBATIONARY, name="孙预备", admission_date=due_soon, approval_date=due_soon)
    later = add_months(today + timedelta(days=60), -12)
    make_member(status=Status.PROBATIONARY, name="李预备", admission_date=later, approval_date=later)
    assert titles(users.community, "members.probation") == ["孙预备 · 预备期满转正"]
    (group,) = [g for g in todo_groups(users.community) if g.source.key == "members.probation"]
    assert group.items[0].due == today + timedelta(days=10)
    assert group.items[0].light == "green"
    assert isinstance(group.items[0].due, date)

"""Organisational life's waiting work on the 待办 list: a member's 补学 (meetings they missed, to
read the minutes of and confirm), one bounded query."""

from datetime import datetime, timedelta

from django.urls import reverse

from jiceng.core.todos import TodoItem

from .models import MakeupTask


def makeup(user, now: datetime, limit: int) -> list[TodoItem]:
    rows = (
        MakeupTask.objects.filter(member__user=user, done_at__isnull=True)
        .select_related("meeting")
        .order_by("created_at", "id")[:limit]
    )
    return [
        TodoItem(
            f"补学 · {task.meeting.topic}",
            reverse("orglife:makeup_detail", args=[task.pk]),
            note=f"{task.meeting.planned_start:%Y-%m-%d} 未参会",
        )
        for task in rows
    ]


MISSING_PREFIX = {"month": "本月", "quarter": "本季度", "year": "本年度"}


def missing_meetings(user, now: datetime, limit: int) -> list[TodoItem]:
    """ "本季度支部党员大会未召开": for each period (month, quarter, year) ending within the warning
    days (a rule), the branches in the user's scope that have not held a type it requires. One
    bounded query per required type (at most eight), read from HeldMonth."""
    from django.utils import timezone

    from jiceng.core.rules import get_rule
    from jiceng.core.scope import scope_for
    from jiceng.orgs.models import Org

    from . import compliance
    from .models import MeetingType
    from .permissions import HELD_VIEW

    scope = scope_for(user, HELD_VIEW)
    if scope.empty:
        return []
    today = timezone.localdate(now)
    days = get_rule("orglife.compliance_warn_days")
    orgs = compliance.branches(Org.objects.filter(scope.q(area="area_path", org="code")))
    items: list[TodoItem] = []
    for kind in ("month", "quarter", "year"):
        period = compliance.Period.containing(kind, today)
        if not compliance.ends_within(period, today, days):
            continue
        due = period.end - timedelta(days=1)
        for meeting_type in compliance.required_types(period):
            if len(items) >= limit:
                return items
            missing = compliance.with_status(orgs, period, meeting_type, compliance.MISSED)
            label = MeetingType(meeting_type).label
            url = reverse("orglife:compliance") + f"?period={period.key}&type={meeting_type}&status=missed"
            for org in missing.order_by("code").only("id", "code", "name")[: limit - len(items)]:
                items.append(TodoItem(f"{MISSING_PREFIX[kind]}{label}未召开 · {org.name}", url, due=due))
    return items

"""志愿服务's waiting work on the 待办 list: one bounded query each."""

from datetime import datetime

from django.urls import reverse

from jiceng.core.scope import scope_for
from jiceng.core.todos import TodoItem

from .models import HoursRecord, HoursStatus, SignUp, SignUpStatus
from .permissions import HOURS_APPROVE


def hours_to_approve(user, now: datetime, limit: int) -> list[TodoItem]:
    """Self-reported (and redeemed-service) hours waiting for the community's approval."""
    scope = scope_for(user, HOURS_APPROVE)
    if scope.empty:
        return []
    rows = (
        HoursRecord.objects.filter(scope.q(area="area_path"), status=HoursStatus.PENDING)
        .select_related("volunteer")
        .order_by("created_at", "id")[:limit]
    )
    url = reverse("volunteers:hours_list") + "?status=pending"
    return [
        TodoItem(
            f"时长待审核 · {row.volunteer.name} {row.hours}小时", url, note=f"{row.served_on:%Y-%m-%d} {row.content}"
        )
        for row in rows
    ]


def signups_to_confirm(user, now: datetime, limit: int) -> list[TodoItem]:
    """A volunteer's places that came free from the waiting list for activities still ahead:
    they confirm by going, or cancel to free the place for the next one."""
    rows = (
        SignUp.objects.filter(
            volunteer__user=user,
            status=SignUpStatus.CONFIRMED,
            promoted_at__isnull=False,
            signed_in_at__isnull=True,
            activity__starts_at__gt=now,
        )
        .select_related("activity")
        .order_by("activity__starts_at", "id")[:limit]
    )
    return [
        TodoItem(
            f"候补转为正式报名，请确认参加 · {row.activity.title}",
            reverse("volunteers:mine"),
            note=f"{row.activity.starts_at:%m-%d %H:%M} {row.activity.place}",
        )
        for row in rows
    ]

"""Organisational life's waiting work on the 待办 list: a member's 补学 (meetings they missed, to
read the minutes of and confirm), one bounded query."""

from datetime import datetime

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

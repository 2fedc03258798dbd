"""Periodic jobs. The scheduler only *enqueues* them; the worker runs them (DESIGN.md §2).

Each entry is (dotted path of a ``django_tasks`` task, interval). Apps append their jobs here.
Enqueueing claims the slot with a conditional UPDATE, so any number of schedulers can run and a
job is still enqueued once per interval.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from jiceng.core.models import ScheduledJob

SCHEDULE: list[tuple[str, timedelta]] = [
    ("jiceng.areas.tasks.refresh_area_rollups", timedelta(hours=24)),
    ("jiceng.members.tasks.expire_transfer_letters", timedelta(hours=24)),
    ("jiceng.core.tasks.purge_excel_files", timedelta(hours=24)),
    # Excel jobs whose worker died: failed with a message instead of a progress bar that never ends.
    ("jiceng.core.tasks.fail_stalled_excel_jobs", timedelta(minutes=5)),
    # 民呼我应: overdue flags, reminders and summons escalation (30-minute report limits need a short interval).
    ("jiceng.appeals.tasks.scan_appeal_deadlines", timedelta(minutes=2)),
    ("jiceng.appeals.tasks.close_unrated_appeals", timedelta(hours=24)),
]


def claim(key: str, interval: timedelta, now=None) -> bool:
    """True if this caller won the right to enqueue ``key`` now."""
    now = now or timezone.now()
    ScheduledJob.objects.get_or_create(key=key)
    won = ScheduledJob.objects.filter(
        Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lte=now - interval), key=key
    ).update(last_enqueued_at=now)
    return won == 1


def enqueue_due(now=None) -> list[str]:
    enqueued = []
    for path, interval in SCHEDULE:
        with transaction.atomic():
            if claim(path, interval, now):
                task = import_string(path)
                transaction.on_commit(task.enqueue)
                enqueued.append(path)
    return enqueued

"""Periodic jobs. The scheduler only *enqueues* them; the worker runs them (DESIGN.md §2).

Each entry is (dotted path of a ``django_tasks`` task, interval), from the ``jobs`` the apps declare
in their ``registry.py``.
Enqueueing claims the slot with a conditional UPDATE, so any number of schedulers can run and a
job is still enqueued once per interval.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from jiceng.core.models import ScheduledJob
from jiceng.core.registry import LazyList, jobs


def _schedule() -> list[tuple[str, timedelta]]:
    return [(job.task, job.interval) for job in jobs()]


# (dotted path of a django_tasks task, interval) for every job the apps' registries declare.
SCHEDULE: LazyList = LazyList(_schedule)


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

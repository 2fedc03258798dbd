"""Scheduled jobs of 共建清单 (enqueued by the scheduler; idempotent)."""

from django_tasks import task

from . import services


@task()
def expire_items() -> int:
    return services.expire_items()

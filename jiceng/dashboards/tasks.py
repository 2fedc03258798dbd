"""The dashboards' worker task: freeze last month's 月报 on the 1st (idempotent, run daily)."""

from django_tasks import task


@task()
def snapshot_last_month() -> int:
    from .snapshots import snapshot_last_month as run

    return run()

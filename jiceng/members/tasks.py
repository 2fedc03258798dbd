from django_tasks import task

from jiceng.members.services import expire_transfers


@task()
def expire_transfer_letters() -> int:
    """Daily: pending transfer letters past their validity become 已过期; idempotent."""
    return expire_transfers()


@task()
def rebuild_member_stats() -> int:
    """Nightly safety net: recompute the member statistics (``members.stats``) from the roster."""
    from jiceng.members import stats

    return stats.rebuild()

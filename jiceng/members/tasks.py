from django_tasks import task

from jiceng.members.services import expire_transfers


@task()
def expire_transfer_letters() -> int:
    """Daily: pending transfer letters past their validity become 已过期; idempotent."""
    return expire_transfers()

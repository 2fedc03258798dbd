from django_tasks import task

from jiceng.orgs.services import refresh_member_counts


@task()
def refresh_org_member_counts() -> int:
    """Nightly safety net: recompute every org's member counts from the roster; idempotent."""
    return refresh_member_counts()

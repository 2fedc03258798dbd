from django_tasks import task

from jiceng.areas.services import recompute_rollups


@task()
def refresh_area_rollups() -> int:
    """Nightly safety net: recompute households/population roll-ups; idempotent."""
    return recompute_rollups()

from django_tasks import task

# Each rebuilds the counters of one app from its own records (jiceng.tallies.services.rebuild).
REBUILDERS = (
    "jiceng.orgs.metrics.rebuild_types",
    "jiceng.orgs.metrics.rebuild_findings",
    "jiceng.members.metrics.rebuild_dues_amounts",
    "jiceng.orglife.metrics.rebuild",
    "jiceng.dualreport.metrics.rebuild",
)


def rebuild_all() -> int:
    from django.utils.module_loading import import_string

    return sum(import_string(path)() for path in REBUILDERS)


@task()
def rebuild_tallies() -> int:
    """Nightly: recompute every rolled-up counter from the apps' records (a safety net after moves
    of areas and orgs, and the refresh of the orgs-by-type stock)."""
    return rebuild_all()

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
    """Nightly: recompute every rolled-up counter from the apps' records (a safety net: moves of
    areas and orgs carry the counters along already, jiceng.tallies.moves; and the refresh of the
    orgs-by-type stock)."""
    return rebuild_all()


@task()
def rebuild_after_move(rebuilders: list[str]) -> int:
    """Right after a move of areas that a roll-up table could not follow in the move's transaction
    (``jiceng.tallies.moves``): that table's rebuild from its records."""
    from django.utils.module_loading import import_string

    from .moves import PATH_ROLLUPS

    allowed = {rollup.rebuild for rollup in PATH_ROLLUPS if rollup.rebuild}
    done = 0
    for path in dict.fromkeys(rebuilders):
        if path in allowed:  # a dotted path from the queue is run only if it is one of ours
            result = import_string(path)()
            done += sum(result) if isinstance(result, tuple) else int(result or 0)
    return done

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
    (``jiceng.tallies.moves``), or an org given another anchor area (``org_reanchored``): those
    tables' rebuild from their records."""
    from django.utils.module_loading import import_string

    from .moves import PATH_ROLLUPS

    allowed = {rollup.rebuild for rollup in PATH_ROLLUPS if rollup.rebuild} | set(REBUILDERS)
    done = 0
    for path in dict.fromkeys(rebuilders):
        if path in allowed:  # a dotted path from the queue is run only if it is one of ours
            result = import_string(path)()
            done += sum(result) if isinstance(result, tuple) else int(result or 0)
    return done


def org_reanchored(instance, update_fields=None, raw=False, **kwargs) -> None:
    """``post_save`` of an org: when ``orgs.services.update_org`` gave it another anchor area (its
    ``area_path`` among the saved fields; not a move of the org tree, which ``moves`` follows), the
    area side of the counters kept here (orgs by type, findings, dues amounts, 组织生活, 双报到)
    is rebuilt right after the commit, not at night. The members' own statistics follow in the
    transaction (``members.stats``' receiver)."""
    from django.db import transaction

    if raw or not update_fields or "area_path" not in update_fields:
        return
    transaction.on_commit(lambda: rebuild_after_move.enqueue(list(REBUILDERS)))

"""The demo's statistics: the member statistics and the node tallies rebuilt from the demo's rows
(the demo writes members, services and orgs in bulk, past the verbs that keep them)."""

from jiceng.members import stats
from jiceng.tallies.tasks import rebuild_all


def load_metrics() -> dict:
    return {"member_stats": stats.rebuild(), "tallies": rebuild_all()}

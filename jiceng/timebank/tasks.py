from django_tasks import task

from .checks import run_check


@task()
def check_ledger() -> int:
    """Nightly: stored balances against the movements; returns the number of differences."""
    return len(run_check().mismatches)

"""Worker tasks of the shared machinery. Tasks take ids and are idempotent (DESIGN.md §4)."""

from django_tasks import task

from jiceng.core.excel_jobs import fail_stalled_jobs, purge_old_files, run_job


@task()
def run_excel_job(job_id: int) -> str:
    """Run one Excel import/export job; a second run of the same id does nothing."""
    return run_job(job_id)


@task()
def purge_excel_files() -> int:
    """Daily: delete Excel uploads, reports and results past their retention period."""
    return purge_old_files()


@task()
def fail_stalled_excel_jobs() -> int:
    """Every few minutes: jobs whose worker died are marked failed, so their pages stop polling."""
    return fail_stalled_jobs()

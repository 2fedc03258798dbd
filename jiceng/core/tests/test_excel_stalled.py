"""A crashed worker does not leave an Excel job spinning forever.

A scheduled task marks failed the jobs with no progress for ``excel.stale_running_minutes``
(default 15) or still queued after ``excel.stale_queued_minutes`` (default 60); the job page then
shows the reason and stops polling.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.core.excel_jobs import (
    STALE_QUEUED_MINUTES,
    STALE_RUNNING_MINUTES,
    JobProgress,
    fail_stalled_jobs,
    run_job,
)
from jiceng.core.models import ExcelJob, Rule
from jiceng.core.rules import forget_rule
from jiceng.core.schedule import SCHEDULE
from jiceng.core.tasks import fail_stalled_excel_jobs

pytestmark = pytest.mark.django_db

Status = ExcelJob.Status
IMPORT_MESSAGE = "后台任务中断（超过15分钟无进展），未导入任何数据，请重新上传。"


@pytest.fixture
def owner(make_user):
    return make_user("importer")


@pytest.fixture
def job(owner):
    """``job(status, minutes_since_progress=…, minutes_since_start=…, minutes_since_created=…)``."""
    now = timezone.now()

    def make(status=Status.RUNNING, *, progress=None, started=None, created=0, direction="import", **extra):
        row = ExcelJob.objects.create(
            direction=direction,
            kind="members",
            user=owner,
            status=status,
            in_worker=True,
            original_name="党员.xlsx",
            phase="正在检查并写入" if status == Status.RUNNING else "排队等待后台处理",
            total_rows=10000,
            done_rows=3000 if status == Status.RUNNING else 0,
            **extra,
        )
        ExcelJob.objects.filter(pk=row.pk).update(
            created_at=now - timedelta(minutes=created),
            started_at=None if started is None else now - timedelta(minutes=started),
            progress_at=None if progress is None else now - timedelta(minutes=progress),
        )
        row.refresh_from_db()
        return row

    return make


def reload(row):
    row.refresh_from_db()
    return row


def test_a_running_job_without_progress_for_15_minutes_is_failed(job):
    stuck = job(progress=16, started=40, created=41)
    assert fail_stalled_jobs() == 1
    stuck = reload(stuck)
    assert stuck.status == Status.FAILED and stuck.finished
    assert stuck.message == IMPORT_MESSAGE
    assert stuck.phase == "" and stuck.finished_at is not None
    assert stuck.percent == 100


def test_a_job_that_reported_progress_recently_is_untouched(job):
    busy = job(progress=3, started=40, created=41)  # long import, still writing progress
    fresh = job(progress=None, started=2, created=3)  # just claimed
    assert fail_stalled_jobs() == 0
    assert reload(busy).status == Status.RUNNING and reload(busy).message == ""
    assert reload(fresh).status == Status.RUNNING


def test_a_running_job_that_never_reported_progress_counts_from_its_start(job):
    stuck = job(progress=None, started=20, created=21)
    fail_stalled_jobs()
    assert reload(stuck).status == Status.FAILED


def test_finished_jobs_are_untouched(job):
    done = job(Status.SUCCEEDED, progress=500, started=600, created=600, message="已导入 10000 名党员。")
    rejected = job(Status.REJECTED, progress=500, started=600, created=600, message="发现 3 行有错误")
    failed = job(Status.FAILED, progress=500, started=600, created=600, message="处理失败：系统内部错误")
    assert fail_stalled_jobs() == 0
    assert (reload(done).status, reload(done).message) == (Status.SUCCEEDED, "已导入 10000 名党员。")
    assert (reload(rejected).status, reload(rejected).message) == (Status.REJECTED, "发现 3 行有错误")
    assert reload(failed).message == "处理失败：系统内部错误"


def test_a_job_queued_for_an_hour_is_failed_a_recent_one_waits(job):
    lost = job(Status.PENDING, created=61)
    waiting = job(Status.PENDING, created=30)
    assert fail_stalled_jobs() == 1
    assert reload(lost).status == Status.FAILED
    assert reload(lost).message == "后台任务未能开始（排队超过60分钟），未导入任何数据，请重新上传。"
    assert reload(waiting).status == Status.PENDING
    # A worker that picks the failed job up later leaves it alone (the claim needs "pending").
    assert run_job(lost.pk) == "skipped"
    assert reload(lost).status == Status.FAILED


def test_an_export_says_no_file_was_made(job):
    stuck = job(direction="export", progress=20, started=30, created=30, params={"status": ["full"]})
    fail_stalled_jobs()
    assert reload(stuck).message == "后台任务中断（超过15分钟无进展），未生成导出文件，请重新导出。"


def test_running_it_twice_is_harmless(job):
    stuck = job(progress=16, started=40, created=41)
    assert fail_stalled_jobs() == 1
    first = reload(stuck)
    assert fail_stalled_jobs(timezone.now() + timedelta(minutes=5)) == 0
    second = reload(stuck)
    assert (second.status, second.message, second.finished_at) == (first.status, first.message, first.finished_at)


def test_the_limits_are_rules_the_city_can_change(job):
    stuck = job(progress=20, started=40, created=41)
    Rule.objects.create(key=STALE_RUNNING_MINUTES, value=30)
    Rule.objects.create(key=STALE_QUEUED_MINUTES, value=120)
    forget_rule(STALE_RUNNING_MINUTES)
    forget_rule(STALE_QUEUED_MINUTES)
    queued = job(Status.PENDING, created=90)
    try:
        assert fail_stalled_jobs() == 0
        assert fail_stalled_jobs(timezone.now() + timedelta(minutes=31)) == 2
        assert "超过30分钟无进展" in reload(stuck).message
        assert "排队超过120分钟" in reload(queued).message
    finally:
        forget_rule(STALE_RUNNING_MINUTES)
        forget_rule(STALE_QUEUED_MINUTES)


def test_progress_and_the_claim_stamp_the_job(job):
    pending = job(Status.PENDING, created=1)
    ExcelJob.objects.filter(pk=pending.pk).update(status=Status.RUNNING)
    before = timezone.now()
    JobProgress(pending).start(100, "正在检查并写入")
    assert reload(pending).progress_at >= before

    claimed = ExcelJob.objects.create(direction="export", kind="nonexistent", user=pending.user)
    run_job(claimed.pk)  # the unknown kind fails the job, but the claim stamped it first
    claimed = reload(claimed)
    assert claimed.started_at is not None and claimed.progress_at == claimed.started_at


def test_the_task_is_scheduled_every_few_minutes_and_runs(job):
    interval = dict(SCHEDULE)["jiceng.core.tasks.fail_stalled_excel_jobs"]
    assert interval <= timedelta(minutes=15)
    stuck = job(progress=16, started=40, created=41)
    assert fail_stalled_excel_jobs.call() == 1  # what the worker runs
    assert reload(stuck).status == Status.FAILED


def test_the_job_page_shows_the_message_and_stops_polling(client, owner, job):
    stuck = job(progress=16, started=40, created=41)
    client.force_login(owner)
    page = client.get(f"/excel/jobs/{stuck.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page  # before: the bar polls
    fail_stalled_jobs()
    fragment = client.get(f"/excel/jobs/{stuck.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"  # the poll that sees it reloads the page
    page = client.get(f"/excel/jobs/{stuck.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' not in page
    assert IMPORT_MESSAGE in page
    assert "修改后重新上传" in page

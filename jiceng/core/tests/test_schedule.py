"""The scheduler only enqueues, once per interval whatever the number of schedulers."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jiceng.areas.models import Area
from jiceng.areas.services import recompute_rollups
from jiceng.areas.tasks import refresh_area_rollups
from jiceng.core.models import ScheduledJob
from jiceng.core.schedule import SCHEDULE, claim, enqueue_due

TASK_PATH = "jiceng.areas.tasks.refresh_area_rollups"
DAY = timedelta(hours=24)


def queued(path=TASK_PATH):
    return DBTaskResult.objects.filter(task_path=path).count()


@pytest.mark.django_db
def test_claim_once_per_interval():
    now = timezone.now()
    assert claim("job", DAY, now) is True
    # A second scheduler asking at the same moment, or a bit later, loses.
    assert claim("job", DAY, now) is False
    assert claim("job", DAY, now + timedelta(hours=23)) is False
    # Once the interval has passed, exactly one caller wins again.
    assert claim("job", DAY, now + DAY) is True
    assert claim("job", DAY, now + DAY) is False
    assert ScheduledJob.objects.get(key="job").last_enqueued_at == now + DAY


@pytest.mark.django_db
def test_claims_are_per_key():
    now = timezone.now()
    assert claim("a", DAY, now)
    assert claim("b", DAY, now)
    assert ScheduledJob.objects.count() == 2


@pytest.mark.django_db
def test_rollup_refresh_is_scheduled():
    assert (TASK_PATH, DAY) in SCHEDULE


@pytest.mark.django_db
def test_enqueue_due_enqueues_once_per_interval(django_capture_on_commit_callbacks):
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert TASK_PATH in enqueue_due(now)
    assert queued() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert enqueue_due(now + timedelta(minutes=1)) == []
        assert enqueue_due(now) == []
    assert queued() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert TASK_PATH in enqueue_due(now + DAY)
    assert queued() == 2


@pytest.mark.django_db
def test_enqueue_waits_for_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_due()
    assert queued() == 0  # nothing is visible to the worker before the claim commits
    assert len(callbacks) == len(SCHEDULE)


@pytest.mark.django_db
def test_run_scheduler_once(django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--once", stdout=out)
    assert f"已加入队列：{TASK_PATH}" in out.getvalue()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_scheduler", "--once", stdout=out)
    assert out.getvalue() == ""
    assert queued() == 1


def test_refresh_area_rollups_repairs_totals(tree):
    Area.objects.filter(code=tree.city.code).update(total_households=1, descendant_count=0)
    Area.objects.filter(code=tree.beianmen.code).update(child_count=9, total_population=0)
    assert refresh_area_rollups.call() == 2
    tree.city.refresh_from_db()
    tree.beianmen.refresh_from_db()
    assert tree.city.total_households == 700
    assert tree.city.descendant_count == Area.objects.count() - 1
    assert tree.beianmen.child_count == 2
    assert tree.beianmen.total_population == 25 + 260 + 500 + 90
    # Idempotent: a second run changes nothing.
    assert refresh_area_rollups.call() == 0
    assert recompute_rollups() == 0


@pytest.mark.django_db(transaction=True)
def test_refresh_task_runs_in_the_worker(tree):
    # A real worker commits and closes connections, so this test runs outside a wrapping transaction.
    Area.objects.filter(code=tree.city.code).update(total_households=0)
    enqueue_due()
    assert queued() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=StringIO(), stderr=StringIO())
    result = DBTaskResult.objects.get(task_path=TASK_PATH)
    assert result.status == "SUCCESSFUL", result.exception_class_path
    tree.city.refresh_from_db()
    assert tree.city.total_households == 700

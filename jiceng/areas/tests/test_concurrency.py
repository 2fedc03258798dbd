"""Issued codes stay unique when many people add grids to one community at the same time."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from jiceng.areas.models import Area, Level
from jiceng.areas.services import create_area, recompute_rollups


def test_sqlite_serialises_writers():
    """On SQLite every write transaction starts IMMEDIATE: a second issuer waits for the first."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        assert "busy_timeout" in db["OPTIONS"]["init_command"]
        assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_grid_codes_are_unique_and_sequential():
    city = create_area(None, parent=None, level=Level.CITY, code="3201", name="南京市")
    district = create_area(None, parent=city, level=Level.DISTRICT, code="320102", name="玄武区")
    street = create_area(None, parent=district, level=Level.STREET, code="320102002", name="梅园新村街道")
    community = create_area(None, parent=street, level=Level.COMMUNITY, code="320102002011", name="北安门社区")

    workers, per_worker = 6, 4
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work(n):
        try:
            barrier.wait(timeout=10)
            for i in range(per_worker):
                create_area(None, parent=community, level=Level.GRID, name=f"网格{n}-{i}", households=1)
        except BaseException as exc:  # collect, so the main thread can report it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    codes = sorted(Area.objects.filter(level=Level.GRID).values_list("code", flat=True))
    assert codes == [f"320102002011{i:03d}" for i in range(1, workers * per_worker + 1)]
    community.refresh_from_db()
    assert community.child_count == workers * per_worker
    assert community.total_households == workers * per_worker
    assert recompute_rollups() == 0
    assert connection.vendor == "postgresql"

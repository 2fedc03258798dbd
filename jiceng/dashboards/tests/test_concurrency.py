"""Two clicks on 冻结月报 at once make one snapshot; the other gets the message, not a 500.

On PostgreSQL real threads race with their own connections (the node's row lock and the unique
(tree, code, period) constraint). On SQLite writers are serialised, so the same calls in sequence
must give the same answer."""

import threading

import pytest
from django.db import connection

from jiceng.core.metrics import Period
from jiceng.dashboards.models import ShareLink, Snapshot
from jiceng.dashboards.snapshots import SnapshotError, create_snapshot


def race(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # a refusal is a result under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_snapshots_make_one(users, tree):
    period = Period.parse("2025-09", tree.city.created_at.date())
    calls = [lambda: create_snapshot(users.district, "areas", tree.xuanwu.code, period) for _ in range(4)]
    results = race(*calls)
    made = [r for r in results if isinstance(r, Snapshot)]
    refused = [r for r in results if isinstance(r, SnapshotError)]
    assert len(made) == 1 and len(refused) == 3, results
    assert all("不能重复冻结" in str(r) for r in refused)
    assert Snapshot.objects.count() == 1


@pytest.mark.django_db
def test_snapshots_in_sequence_make_one(users, tree):
    period = Period.parse("2025-09", tree.city.created_at.date())
    create_snapshot(users.district, "areas", tree.xuanwu.code, period)
    with pytest.raises(SnapshotError, match="不能重复冻结"):
        create_snapshot(users.district, "areas", tree.xuanwu.code, period)
    assert Snapshot.objects.count() == 1
    assert not ShareLink.objects.exists()

"""The read replica router (jiceng/core/replica.py), with two database aliases.

In tests the ``replica`` alias is a second connection to the test database itself (settings:
``TEST: {"MIRROR": "default"}``), so a committed row is visible on both and each query can be
traced to the alias it used.
"""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext

from jiceng.accounts.models import User
from jiceng.core.replica import REPLICA, reads_replica, replica_reads

BOTH = ["default", REPLICA]


def test_without_a_replica_everything_reads_the_primary(settings):
    settings.JICENG_READ_REPLICA = False
    with replica_reads():
        assert User.objects.all().db == "default"


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_reads_in_a_block_go_to_the_replica_and_writes_to_the_primary(settings):
    settings.JICENG_READ_REPLICA = True
    User.objects.create(username="primary_row")  # committed: the replica (the same database) sees it
    primary, replica = connections["default"], connections[REPLICA]
    with CaptureQueriesContext(primary) as on_primary, CaptureQueriesContext(replica) as on_replica:
        with replica_reads():
            assert list(User.objects.filter(username="primary_row").values_list("username", flat=True)) == [
                "primary_row"
            ]
            User.objects.create(username="written_in_block")  # a write never goes to the replica
        assert User.objects.filter(username="written_in_block").exists()  # outside: the primary
    replica_sql = " ".join(q["sql"] for q in on_replica.captured_queries)
    primary_sql = " ".join(q["sql"] for q in on_primary.captured_queries)
    assert "SELECT" in replica_sql and "INSERT" not in replica_sql
    assert "INSERT" in primary_sql and "SELECT" in primary_sql
    assert len(on_replica.captured_queries) == 1


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_inside_a_transaction_reads_stay_on_the_primary(settings):
    settings.JICENG_READ_REPLICA = True
    with replica_reads(), transaction.atomic():
        User.objects.create(username="uncommitted")
        # The replica cannot see an uncommitted row: the router keeps the read on the primary.
        assert User.objects.all().db == "default"
        assert User.objects.filter(username="uncommitted").exists()
    with replica_reads():
        assert User.objects.all().db == REPLICA


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_decorated_view_reads_the_replica_and_the_block_ends_with_it(settings):
    settings.JICENG_READ_REPLICA = True

    @reads_replica
    def dashboard():
        return User.objects.all().db

    assert dashboard() == REPLICA
    assert User.objects.all().db == "default"


def test_migrations_run_on_the_primary_only():
    from jiceng.core.replica import ReplicaRouter

    router = ReplicaRouter()
    assert router.allow_migrate("default", "members") is True
    assert router.allow_migrate(REPLICA, "members") is False

"""Heavy reads on a read replica: dashboards, reports and exports, never the pages that write.

With ``DATABASE_REPLICA_URL`` set (settings), the ``replica`` database alias points at a PostgreSQL
streaming replica (docs/deployment.md). :class:`ReplicaRouter` sends a read there only inside
:func:`replica_reads` (a block, or a view decorated with :func:`reads_replica`); every write, and
every read outside such a block, goes to the primary (``default``). So a page that has just
written reads its own write, and only the code that chose to (an export, a dashboard, a report)
accepts the replica's lag of a few seconds for figures that are read, not edited.

Without a replica everything uses the one database: :func:`replica_reads` changes nothing. Inside
an open transaction on the primary a read stays on the primary too, so a write verb that happens
to run inside a block never reads around its own uncommitted rows.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("jiceng_replica_reads", default=False)


def replica_enabled() -> bool:
    """Whether a replica is configured and switched on (``JICENG_READ_REPLICA``)."""
    return bool(getattr(settings, "JICENG_READ_REPLICA", False)) and REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside the block go to the replica when there is one (nesting is fine)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_replica(view: Callable) -> Callable:
    """A view (or any function) whose reads go to the replica: dashboards and reports."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapped


def reading_alias() -> str:
    """The alias a read would use now: ``replica`` inside a block (with a replica, outside a
    transaction on the primary), else ``default``."""
    if _reading.get() and replica_enabled() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """``DATABASE_ROUTERS``: reads in :func:`replica_reads` blocks to the replica, the rest to the primary."""

    def db_for_read(self, model, **hints) -> str:
        return reading_alias()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # The replica is a copy of the primary: an object read from either relates to the other's.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # The replica receives the schema by streaming replication, never by ``migrate``.
        return db == DEFAULT_DB_ALIAS

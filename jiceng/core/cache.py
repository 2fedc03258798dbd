"""Small, rarely edited tables kept in each process: the service catalogue, the city's calendar.

A request that creates an appeal needs the category and the working-day calendar. Reading them
from the database every time cost two queries of a create's dozen. They change a few times a
year, so each process keeps its own copy, checked against a *stamp* in Django's cache:

* a write (``forget(key)``, called from the models' save/delete signals, again after the commit)
  deletes the stamp, so the next read in this process loads the table again;
* with the default per-process cache, other processes notice when their stamp expires
  (``ttl`` seconds, 60 by default, as :func:`jiceng.core.rules.get_rule` does); with a shared
  cache (Redis) configured, at once.

The copy is never handed out for editing: callers treat the objects as read-only.
"""

import itertools
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.db import transaction
from django.db.models import Model

_STAMP_KEY = "jiceng:table-stamp:{}"
_local: dict[str, tuple[str, object]] = {}
_lock = threading.Lock()
_counter = itertools.count()
DEFAULT_TTL = 60
T = TypeVar("T")


def _new_stamp() -> str:
    return f"{os.getpid()}-{next(_counter)}"


def table(key: str, loader: Callable[[], T], ttl: int = DEFAULT_TTL) -> T:
    """The value ``loader()`` gave, reloaded when the stamp of ``key`` is gone or has changed."""
    stamp_key = _STAMP_KEY.format(key)
    stamp = cache.get(stamp_key)
    if stamp is not None:
        held = _local.get(key)
        if held is not None and held[0] == stamp:
            return cast(T, held[1])  # one key, one loader: the value held is what it returns
    with _lock:
        value = loader()
        if stamp is None:
            stamp = _new_stamp()
            # Another process may have set a stamp meanwhile; keep theirs (add) and use it.
            if not cache.add(stamp_key, stamp, ttl):
                stamp = cache.get(stamp_key) or stamp
        _local[key] = (stamp, value)
    return value


def forget(key: str) -> None:
    """Drop the copies of ``key``: now, and again once the writing transaction has committed."""
    stamp_key = _STAMP_KEY.format(key)
    cache.delete(stamp_key)
    _local.pop(key, None)
    transaction.on_commit(lambda: (cache.delete(stamp_key), _local.pop(key, None)))


def forget_on_write(key: str, *models: type[Model]) -> None:
    """Forget ``key`` whenever a row of one of ``models`` is saved or deleted."""
    from django.db.models.signals import post_delete, post_save

    def receiver(**kwargs: Any) -> None:
        forget(key)

    for model in models:
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"jiceng-table-{key}-save-{model.__name__}")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"jiceng-table-{key}-del-{model.__name__}")

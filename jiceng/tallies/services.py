"""Adding to and rebuilding the rolled-up counters (:class:`~jiceng.tallies.models.NodeTally`).

A change at a record anchored at an org (``org_path``) and an area (``area_path``) is added to
that node and every ancestor in each tree (the codes derive from the paths, no query), with
``value = value + delta`` upserts in key order: concurrent writers in different places add up
under shared ancestors without a lost update and without a deadlock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction

from jiceng.areas.models import ancestor_codes
from jiceng.orgs.services.tree import ancestor_org_codes

from .models import STOCK, NodeTally

Change = tuple[str, str, str, date, int]  # (org_path, area_path, key, month, delta)


def roll_up(changes: Iterable[Change]) -> dict[tuple[str, str, str, date], int]:
    """{(tree, code, key, month): total} over each change's nodes and their ancestors."""
    rolled: dict[tuple[str, str, str, date], int] = defaultdict(int)
    for org_path, area_path, key, month, delta in changes:
        if not delta:
            continue
        if org_path:
            for code in (*ancestor_org_codes(org_path), org_path):
                rolled[("orgs", code, key, month)] += delta
        if area_path:
            for code in (*ancestor_codes(area_path), area_path):
                rolled[("areas", code, key, month)] += delta
    return rolled


def bump(changes: Iterable[Change]) -> None:
    """Add the changes (in the caller's transaction)."""
    rows = [(*k, n) for k, n in sorted(roll_up(changes).items()) if n]
    if not rows:
        return
    table = connection.ops.quote_name(NodeTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (tree, code, key, month, value) VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT (tree, code, key, month) DO UPDATE SET value = {table}.value + EXCLUDED.value",
            rows,
        )


def bump_one(key: str, month: date, delta: int, *, org_path: str = "", area_path: str = "") -> None:
    bump([(org_path, area_path, key, month.replace(day=1), delta)])


@transaction.atomic
def rebuild(prefix: str, changes: Iterable[Change]) -> int:
    """Replace every counter whose key starts with ``prefix`` by the roll-up of ``changes``."""
    rolled = roll_up(changes)
    NodeTally.objects.filter(key__startswith=prefix).delete()
    NodeTally.objects.bulk_create(
        (NodeTally(tree=k[0], code=k[1], key=k[2], month=k[3], value=n) for k, n in rolled.items() if n),
        batch_size=5000,
    )
    return len(rolled)


def read(tree: str, prefixes: tuple[str, ...], codes: list[str], start: date, end: date, by_month: bool) -> dict:
    """Counters of ``codes`` with keys under ``prefixes``: summed over the months (one query), or
    per ``(code, month)``; a stock (``STOCK`` month) is read whatever the period (and, per month,
    repeated in every month asked)."""
    from django.db.models import Q, Sum

    keys = Q()
    for prefix in prefixes:
        keys |= Q(key__startswith=prefix)
    rows = NodeTally.objects.filter(keys, tree=tree, code__in=codes).filter(
        Q(month__gte=start, month__lte=end) | Q(month=STOCK)
    )
    result: dict = {}
    if by_month:
        months = []
        month = start
        while month <= end:
            months.append(month)
            month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        for code, key, month, value in rows.values_list("code", "key", "month", "value"):
            for each in months if month == STOCK else [month]:
                result.setdefault((code, each), {})[key] = value
        return result
    for row in rows.order_by().values("code", "key").annotate(n=Sum("value")):
        result.setdefault(row["code"], {})[row["key"]] = row["n"]
    return result

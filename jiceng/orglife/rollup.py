"""The maintained compliance roll-up behind the 落实情况 page's counts (issue 10 points 5 and 8).

Two tables, written only here:

* :class:`~jiceng.orglife.models.ComplianceBranch`: each active branch's status per period and
  required type for a year (the base the incremental path diffs, like ``members.stats``'
  ``MemberTally``), with the paths its counts were rolled up under.
* :class:`~jiceng.orglife.models.ComplianceTally`: the same statuses counted for every node above
  the branches: the whole city (``tree`` "all"), the area tree from the city down to the community
  (``AREA_DEPTH``; a branch anchored deeper counts in its community and above) and the org tree
  (every ancestor org of a branch; a branch itself has no row).

The statuses are those of :mod:`.compliance` (``status_of``: held on time, exempt, held late,
missed) from the held facts (``HeldMonth``), the approved exemptions and the branch's set-up day.
They do not depend on today: a period not yet ended counts a type not held so far as 未召开,
exactly as the page's rows do, and a month's status changes only when a meeting is closed, an
exemption is decided or the branch changes. So no roll-over is needed inside a year; a new year is
tallied by the worker's daily job (``tasks.rebuild_held_facts``), whose first run in January
creates it. A year not tallied (history before the roll-up existed) is counted directly.

Two implementations write the same rows (tests/test_rollup.py): :func:`refresh` after every write
that can change a branch's status, in the write's transaction (``held.bump`` from
``close_meeting``, ``services.decide_exemption``, an org saved: created, dissolved, its area
changed), and :func:`rebuild` from scratch (``held.rebuild``, the worker's job). An org move
rewrites codes with bulk updates: the move calls :func:`refresh_subtree`, else the daily rebuild
repairs it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from jiceng.areas.models import ancestor_codes
from jiceng.orgs.models import BRANCH_TYPES, ORG_SEGMENT, Org
from jiceng.orgs.services.tree import ancestor_org_codes

from .models import ComplianceBranch, ComplianceTally, ComplianceYear, Exemption, ExemptionStatus, HeldMonth

AREA_DEPTH = 12  # community: area nodes down to this code length carry rows
STATUSES = ("held", "exempt", "late", "missed")
_ORG_FIELDS = ("pk", "code", "area_path", "org_type", "is_active", "founded_on", "created_at")

_NONE: set[date] = set()
Cells = dict[str, dict[str, str]]  # period key -> type -> status
NodeKey = tuple[str, str, str, str]  # (tree, code, period, type)


def periods_of(year: int):
    from .compliance import Period

    return (
        [Period("month", year, m) for m in range(1, 13)]
        + [Period("quarter", year, q) for q in range(1, 5)]
        + [Period("year", year, 1)]
    )


def set_up_on(founded_on: date | None, created_at) -> date:
    """The day a branch was set up: its founding date, else the (local) day its record was created."""
    return founded_on or timezone.localdate(created_at)


class Facts:
    """The held facts and approved exemptions of some branches for some years, loaded at once."""

    def __init__(self, years: list[int], org_ids: list[Any] | None = None):
        start, end = date(min(years), 1, 1), date(max(years) + 1, 1, 1)
        held_rows = HeldMonth.objects.filter(month__gte=start, month__lt=end).order_by()
        exemptions = Exemption.objects.filter(status=ExemptionStatus.APPROVED).order_by()
        if org_ids is not None:
            held_rows = held_rows.filter(org_id__in=org_ids)
            exemptions = exemptions.filter(org_id__in=org_ids)
        self.on_time: dict[tuple[Any, str], set[date]] = defaultdict(set)
        self.late: dict[tuple[Any, str], set[date]] = defaultdict(set)
        for org_id, meeting_type, month, held, late, due_late in held_rows.values_list(
            "org_id", "type", "month", "held", "late", "due_late"
        ).iterator(chunk_size=10000):
            if held > late:
                self.on_time[(org_id, meeting_type)].add(month)
            if due_late > 0:
                self.late[(org_id, meeting_type)].add(month)
        self.exemptions: dict[Any, list[tuple[str, date, date | None]]] = defaultdict(list)
        for org_id, meeting_type, starts, ends in exemptions.values_list("org_id", "type", "starts", "ends"):
            self.exemptions[org_id].append((meeting_type, starts, ends))


def cells_of(org: tuple, year: int, facts: Facts, plan: list[tuple[Any, list[str]]]) -> Cells:
    """One branch's status per period of ``year`` and required type (``plan``: the periods with
    their required types). ``org`` is a row in the order of ``_ORG_FIELDS``."""
    from .compliance import status_of

    pk, _code, _area, org_type, is_active, founded_on, created_at = org
    if org_type not in BRANCH_TYPES or not is_active:
        return {}
    set_up = set_up_on(founded_on, created_at)
    exemptions = facts.exemptions.get(pk, ())
    cells: Cells = {}
    for period, types in plan:
        start, end, months = period.start, period.end, period.months
        covering = [t for t, starts, ends in exemptions if starts <= start and (ends is None or ends >= end)]
        new = set_up > start
        row = {}
        for t in types:
            on_time = facts.on_time.get((pk, t), _NONE)
            late = facts.late.get((pk, t), _NONE)
            row[t] = status_of(
                any(m in on_time for m in months) if on_time else False,
                any(m in late for m in months) if late else False,
                new or "" in covering or t in covering,
            )
        cells[period.key] = row
    return cells


def _plan(year: int) -> list[tuple[Any, list[str]]]:
    from .compliance import required_types

    return [(p, required_types(p)) for p in periods_of(year)]


def _roll_up(entries: Iterable[tuple[str, str, Cells, int]]) -> dict[NodeKey, list[int]]:
    """{(tree, code, period, type): [held, exempt, late, missed]} for (org_path, area_path, cells,
    sign) entries: first per distinct (paths, period, type, status), then to the nodes."""
    index = {s: i for i, s in enumerate(STATUSES)}
    per_paths: dict[tuple[str, str], dict[tuple[str, str], list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0, 0, 0])
    )
    for org_path, area_path, cells, sign in entries:
        # Branches under the same parent org and community add up before the fan-out to the nodes.
        bucket = per_paths[(org_path[:-ORG_SEGMENT], area_path[:AREA_DEPTH])]
        for period, row in cells.items():
            for t, status in row.items():
                bucket[(period, t)][index[status]] += sign
    rolled: dict[NodeKey, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for (parent, area), bucket in per_paths.items():
        nodes = [("all", "")]
        if area:
            nodes += [("areas", c) for c in (*ancestor_codes(area), area)]
        if parent:
            nodes += [("orgs", c) for c in (*ancestor_org_codes(parent), parent)]
        for (period, t), numbers in bucket.items():
            for tree, code in nodes:
                target = rolled[(tree, code, period, t)]
                for i in range(4):
                    target[i] += numbers[i]
    return rolled


def tallied_years() -> list[int]:
    return list(ComplianceYear.objects.order_by("year").values_list("year", flat=True))


def lock_tables(mode: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (ComplianceBranch, ComplianceTally):
                cursor.execute(f"LOCK TABLE {model._meta.db_table} IN {mode} MODE")


def refresh(org_ids: Iterable[Any]) -> None:
    """Recompute the branches ``org_ids`` (ids or orgs) for every tallied year and add the change
    to every node above them (old paths out, new paths in). In the caller's transaction; the org
    rows are locked first (in pk order), so two writes in one branch diff one after the other, and
    the node rows change by ``n = n + delta``, so writes in different branches add up."""
    ids = sorted({getattr(o, "pk", o) for o in org_ids} - {None})
    if not ids:
        return
    with transaction.atomic():
        years = tallied_years()
        if not years:
            return
        lock_tables("ROW EXCLUSIVE")
        orgs = list(Org.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list(*_ORG_FIELDS))
        facts = Facts(years, ids)
        plans = {y: _plan(y) for y in years}
        stored = {(r.org_id, r.year): r for r in ComplianceBranch.objects.filter(org_id__in=ids, year__in=years)}
        entries: list[tuple[str, str, Cells, int]] = []
        create, delete = [], []
        for org in orgs:
            for year in years:
                cells = cells_of(org, year, facts, plans[year])
                old = stored.pop((org[0], year), None)
                if old is not None and old.cells == cells and old.org_path == org[1] and old.area_path == org[2]:
                    continue
                if old is not None:
                    entries.append((old.org_path, old.area_path, old.cells, -1))
                    delete.append(old.pk)
                if cells:
                    entries.append((org[1], org[2] or "", cells, 1))
                    create.append(
                        ComplianceBranch(org_id=org[0], year=year, org_path=org[1], area_path=org[2] or "", cells=cells)
                    )
        for old in stored.values():  # an org no longer there
            entries.append((old.org_path, old.area_path, old.cells, -1))
            delete.append(old.pk)
        if delete:
            ComplianceBranch.objects.filter(pk__in=delete).delete()
        ComplianceBranch.objects.bulk_create(create)
        _add(_roll_up(entries))


def refresh_subtree(code: str) -> None:
    """:func:`refresh` for every branch under org ``code`` (after a move rewrote their codes)."""
    from jiceng.core.paths import subtree_q

    ids = set(Org.objects.filter(subtree_q(code, "code"), org_type__in=BRANCH_TYPES).values_list("pk", flat=True))
    ids |= set(ComplianceBranch.objects.filter(subtree_q(code, "org_path")).values_list("org_id", flat=True))
    refresh(ids)


def refresh_after_move(tree: str, old_code: str, new_code: str, **kwargs) -> None:
    """``tallies.moves.subtree_moved_signal``: an area or org subtree moved in this transaction;
    the branches below it (by their new paths, and those counted under the old ones) are refreshed,
    so their counts leave the old ancestors' rows for the new ones before the move commits."""
    from jiceng.core.paths import subtree_q

    if tree == "orgs":
        refresh_subtree(new_code)
        return
    ids = set(
        Org.objects.filter(subtree_q(new_code, "area_path"), org_type__in=BRANCH_TYPES).values_list("pk", flat=True)
    )
    ids |= set(ComplianceBranch.objects.filter(subtree_q(old_code, "area_path")).values_list("org_id", flat=True))
    if ids:
        refresh(ids)


def _add(changes: dict[NodeKey, list[int]]) -> None:
    rows: list[tuple[str | int, ...]] = [(*key, *numbers) for key, numbers in sorted(changes.items()) if any(numbers)]
    if not rows:
        return
    table = connection.ops.quote_name(ComplianceTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (tree, code, period, type, held, exempt, late, missed) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (tree, code, period, type) DO UPDATE SET "
            + ", ".join(f"{s} = {table}.{s} + EXCLUDED.{s}" for s in STATUSES),
            rows,
        )
    # A node no branch counts in any more (its last branch moved away) leaves no row.
    touched = {(tree, code) for tree, code, *_ in rows}
    for tree in ("all", "areas", "orgs"):
        codes = [code for t, code in touched if t == tree]
        if codes:
            ComplianceTally.objects.filter(tree=tree, code__in=codes, held=0, exempt=0, late=0, missed=0).delete()


def rebuild(years: Iterable[int] | None = None) -> dict[str, int]:
    """Rewrite both tables for ``years`` (default: the tallied years and this year) from the held
    facts, the exemptions and the orgs; the years become tallied. Returns the rows written."""
    years = sorted(set(years) if years is not None else {*tallied_years(), timezone.localdate().year})
    with transaction.atomic():
        lock_tables("SHARE ROW EXCLUSIVE")
        facts = Facts(years)
        orgs = list(Org.objects.filter(org_type__in=BRANCH_TYPES, is_active=True).order_by().values_list(*_ORG_FIELDS))
        ComplianceBranch.objects.filter(year__in=years).delete()
        keys = [p.key for y in years for p in periods_of(y)]
        ComplianceTally.objects.filter(period__in=keys).delete()
        branches, entries = [], []
        for year in years:
            plan = _plan(year)
            for org in orgs:
                cells = cells_of(org, year, facts, plan)
                if cells:
                    branches.append(
                        ComplianceBranch(org_id=org[0], year=year, org_path=org[1], area_path=org[2] or "", cells=cells)
                    )
                    entries.append((org[1], org[2] or "", cells, 1))
        ComplianceBranch.objects.bulk_create(branches, batch_size=2000)
        rolled = _roll_up(entries)
        from .held import write_rows

        write_rows(
            ComplianceTally,
            (
                {"tree": k[0], "code": k[1], "period": k[2], "type": k[3], **dict(zip(STATUSES, n, strict=True))}
                for k, n in rolled.items()
                if any(n)
            ),
        )
        now = timezone.now()
        for year in years:
            ComplianceYear.objects.update_or_create(year=year, defaults={"rebuilt_at": now})
    return {"branches": len(branches), "tally": sum(1 for n in rolled.values() if any(n))}


def table() -> list[tuple]:
    """Every tally row with a count as a sorted tuple list (tests and the bench compare them)."""
    return sorted(
        r for r in ComplianceTally.objects.values_list("tree", "code", "period", "type", *STATUSES) if any(r[4:])
    )


def branch_table() -> list[tuple]:
    return sorted(
        (org_id, year, org_path, area_path, sorted((p, sorted(row.items())) for p, row in cells.items()))
        for org_id, year, org_path, area_path, cells in ComplianceBranch.objects.values_list(
            "org_id", "year", "org_path", "area_path", "cells"
        )
    )

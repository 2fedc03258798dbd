"""Rolled-up rows follow a move of an area or an org, in the move's transaction (issue 12).

Every roll-up table keeps, for each node, the figures of its whole subtree. When a subtree moves
(``areas.services.move_area``, ``orgs.services.move_org``), the figures of the moved root are
exactly what the old ancestors lose and the new ones gain. So a move:

1. renames the subtree's rows to the new codes (the tables keyed by ``path`` are renamed by the
   move verb itself, as registered ``StoredPath``; the ``(tree, code)`` tables here);
2. reads the moved root's rows (one query per table);
3. subtracts them from the ancestors the subtree leaves and adds them to the ancestors it joins
   (ancestors common to both, such as the district when a community changes street within it, are
   not touched), and deletes the rows left at zero (a rebuild would not write them).

The result equals a rebuild from the records (``jiceng/tallies/tests/test_moves.py`` compares
them). A table whose rows stop above some level (``lengths``) cannot move a subtree whose root
carries no row (a 小区 moved between grids: its requests are counted only at the grid and above):
then the table's own rebuild is enqueued to run after the commit, and the nightly rebuild remains
the safety net either way.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.dispatch import Signal

from jiceng.core.paths import subtree_q


@dataclass(frozen=True)
class CodeRollup:
    """A table keyed by ``(tree, code, *keys)`` holding one number (``members.MemberStat``)."""

    model: str
    number: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class PathRollup:
    """A table of the area tree keyed by ``(path, month)`` with counters; ``lengths``: the code
    lengths that carry rows (None: every node); ``level``: a field holding the level name, set
    from ``levels`` by the code's length when a row is created; ``rebuild``: the dotted path of
    the table's rebuild, for the moves it cannot follow."""

    model: str
    lengths: tuple[int, ...] | None = None
    rebuild: str = ""
    level: str = ""


CODE_ROLLUPS = (
    CodeRollup("members.MemberStat", "count", ("dim", "value")),
    CodeRollup("tallies.NodeTally", "value", ("key", "month")),
)
PATH_ROLLUPS = (
    PathRollup("appeals.AreaStat", (4, 6, 9, 12, 15), "jiceng.appeals.stats.rebuild_sql", "level"),
    PathRollup("cobuild.AreaMonth", (4, 6, 9, 12), "jiceng.cobuild.services.rebuild_months"),
    PathRollup("volunteers.HoursMonth"),
)


# Sent at the end of :func:`subtree_moved`, in the move's transaction, for roll-ups kept by their
# own app (orglife's compliance roll-up): ``tree`` ("areas" | "orgs"), ``old_code``, ``new_code``.
subtree_moved_signal = Signal()


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:  # the app is not installed
        return None


def _ancestors(tree: str, code: str) -> list[str]:
    if tree == "orgs":
        from jiceng.orgs.services.tree import ancestor_org_codes

        return ancestor_org_codes(code)
    from jiceng.areas.models import ancestor_codes

    return ancestor_codes(code)


def subtree_moved(tree: str, old_code: str, new_code: str) -> list[str]:
    """Called by the move verbs after the subtree's codes and stored paths were rewritten, in the
    same transaction. Returns the rebuilds enqueued (the tables this move could not follow)."""
    old_up, new_up = _ancestors(tree, old_code), _ancestors(tree, new_code)
    leave = [c for c in old_up if c not in new_up]
    join = [c for c in new_up if c not in old_up]
    for rollup in CODE_ROLLUPS:
        model = _model(rollup.model)
        if model is not None:
            _move_code_rows(model, rollup, tree, old_code, new_code, leave, join)
    stale = []
    if tree == "areas":
        for path_rollup in PATH_ROLLUPS:
            model = _model(path_rollup.model)
            if model is None:
                continue
            if not (leave or join):
                continue
            if _movable(path_rollup, old_code, new_code):
                _move_path_rows(model, path_rollup, new_code, leave, join)
            elif path_rollup.rebuild:
                stale.append(path_rollup.rebuild)
    subtree_moved_signal.send(sender=None, tree=tree, old_code=old_code, new_code=new_code)
    if stale:
        from .tasks import rebuild_after_move

        transaction.on_commit(lambda: rebuild_after_move.enqueue(stale))
    return stale


def _movable(rollup: PathRollup, old_code: str, new_code: str) -> bool:
    if rollup.lengths is None:
        return True
    # The root carries its subtree's figures; the renamed rows keep their level.
    return len(old_code) == len(new_code) and len(new_code) in rollup.lengths


# --------------------------------------------------------------------------- (tree, code) tables


def _move_code_rows(model, rollup: CodeRollup, tree: str, old_code: str, new_code: str, leave, join) -> None:
    rows = model._default_manager.filter(tree=tree)
    rows.filter(subtree_q(new_code)).delete()  # left over from a node that had the code before
    rows.filter(subtree_q(old_code)).update(code=Concat(Value(new_code), Substr("code", len(old_code) + 1)))
    moved = list(rows.filter(code=new_code).values_list(*rollup.keys, rollup.number))
    if not moved or not (leave or join):
        return
    table = connection.ops.quote_name(model._meta.db_table)
    quote = connection.ops.quote_name
    number = quote(model._meta.get_field(rollup.number).column)
    keys = [quote(model._meta.get_field(k).column) for k in rollup.keys]
    with connection.cursor() as cursor:
        if leave:
            # Never below zero, whatever an earlier bulk load left: a move must not fail on it.
            where = " AND ".join(f"{k} = %s" for k in keys)
            cursor.executemany(
                f"UPDATE {table} SET {number} = CASE WHEN {number} > %s THEN {number} - %s ELSE 0 END "
                f"WHERE tree = %s AND code = %s AND {where}",
                [(n, n, tree, code, *key) for *key, n in moved for code in sorted(leave)],
            )
            model._default_manager.filter(tree=tree, code__in=leave, **{rollup.number: 0}).delete()
        if join:
            columns = ", ".join(["tree", "code", *keys, number])
            marks = ", ".join(["%s"] * (3 + len(keys)))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT (tree, code, {', '.join(keys)}) "
                f"DO UPDATE SET {number} = {table}.{number} + EXCLUDED.{number}",
                sorted((tree, code, *key, n) for *key, n in moved for code in join),
            )


# --------------------------------------------------------------------------- (path, month) tables


def _counters(model) -> list[str]:
    kinds = (models.IntegerField, models.DecimalField)
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, kinds) and not f.primary_key and f.name not in ("path", "month")
    ]


def _move_path_rows(model, rollup: PathRollup, new_code: str, leave, join) -> None:
    names = _counters(model)
    manager = model._default_manager
    if rollup.lengths is not None:
        leave = [c for c in leave if len(c) in rollup.lengths]
        join = [c for c in join if len(c) in rollup.lengths]
    moved = {row["month"]: row for row in manager.filter(path=new_code).values("month", *names)}
    if not moved or not (leave or join):
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column = {name: quote(model._meta.get_field(name).column) for name in names}
    month_col, path_col = quote(model._meta.get_field("month").column), quote(model._meta.get_field("path").column)
    with connection.cursor() as cursor:
        for month, row in sorted(moved.items()):
            changed = [name for name in names if row[name]]
            if not changed:
                continue
            if leave:
                sets = ", ".join(
                    f"{column[n]} = CASE WHEN {column[n]} > %s THEN {column[n]} - %s ELSE 0 END" for n in changed
                )
                params = [v for n in changed for v in (row[n], row[n])]
                cursor.execute(
                    f"UPDATE {table} SET {sets} WHERE {month_col} = %s AND {path_col} IN "
                    f"({', '.join(['%s'] * len(leave))})",
                    [*params, month, *sorted(leave)],
                )
            if join:
                present = set(manager.filter(path__in=join, month=month).values_list("path", flat=True))
                missing = [c for c in join if c not in present]
                if missing:
                    manager.bulk_create([_new_row(model, rollup, c, month) for c in missing], ignore_conflicts=True)
                sets = ", ".join(f"{column[n]} = {column[n]} + %s" for n in changed)
                cursor.execute(
                    f"UPDATE {table} SET {sets} WHERE {month_col} = %s AND {path_col} IN "
                    f"({', '.join(['%s'] * len(join))})",
                    [*(row[n] for n in changed), month, *sorted(join)],
                )
    if leave:
        empty = Q()
        for name in names:
            empty &= Q(**{name: 0})
        manager.filter(empty, path__in=leave, month__in=list(moved)).delete()


def _new_row(model, rollup: PathRollup, path: str, month):
    extra = {}
    if rollup.level:
        from jiceng.appeals.stats import STAT_LEVELS

        extra[rollup.level] = STAT_LEVELS[len(path)]
    return model(path=path, month=month, **extra)

"""Member counts on orgs: own full/probationary members, subtree totals, child counts."""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, QuerySet

from jiceng.orgs.models import Org
from jiceng.orgs.services.tree import ancestor_org_codes

# Above this many orgs a targeted refresh costs more than recomputing everything.
FULL_REFRESH_THRESHOLD = 2000


def _party_statuses() -> tuple[str, str]:
    from jiceng.members.models import Status

    return Status.FULL, Status.PROBATIONARY


def on_roster(members: QuerySet[Any]) -> QuerySet[Any]:
    """Members still held on the platform (a formal relationship transferred out keeps its record)."""
    if any(f.name == "left_on" for f in members.model._meta.fields):
        members = members.filter(left_on__isnull=True)
    return members


def _direct_counts(org_ids: Iterable[Any] | None = None) -> dict[int, list[int]]:
    """{org id: [full, probationary]} from one GROUP BY over the member table."""
    from jiceng.members.models import Member

    full, probationary = _party_statuses()
    if org_ids is None:
        members = Member.objects.filter(status__in=[full, probationary])
    else:
        # Only the org condition in WHERE, so the planner walks the org index (a status filter
        # tempts SQLite into scanning every full member of the city through the status index).
        members = Member.objects.filter(org_id__in=org_ids)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    # order_by() drops Member's default ordering, which would otherwise join the GROUP BY.
    rows = on_roster(members).order_by().values_list("org_id", "status").annotate(n=Count("id"))
    for org_id, status, n in rows:
        if status == full:
            counts[org_id][0] += n
        elif status == probationary:
            counts[org_id][1] += n
    return counts


def _executemany(sql: str, rows: list[tuple], batch_size: int = 5000) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start : start + batch_size])


def refresh_member_counts(org_ids: Iterable[Any] | None = None) -> int:
    """Recompute the member counts on orgs; returns the number of org rows changed.

    ``org_ids`` (ids or orgs) names the orgs whose members changed (a transfer: both sides; an
    import: every org touched): their own counts are recounted and the difference is added to all
    their ancestors' subtree totals. Without ``org_ids`` every count and ``child_count`` is
    recomputed from scratch (after bulk loads; nightly as a safety net) with one aggregate query
    over the members and one over the orgs.
    """
    if org_ids is not None:
        ids = {getattr(o, "pk", o) for o in org_ids}
        ids.discard(None)
        if not ids:
            return 0
        if len(ids) <= FULL_REFRESH_THRESHOLD:
            return _refresh_some(ids)
    return _refresh_all()


@transaction.atomic
def _refresh_all() -> int:
    counts = _direct_counts()
    rows = list(
        Org.objects.order_by().values_list(
            "id",
            "code",
            "parent_id",
            "full_members",
            "probationary_members",
            "total_members",
            "total_full_members",
            "child_count",
        )
    )
    # full, probationary, subtree members, subtree full, children
    new = {r[0]: [*counts.get(r[0], (0, 0)), 0, 0, 0] for r in rows}
    for values in new.values():
        values[2] = values[0] + values[1]
        values[3] = values[0]
    for row in sorted(rows, key=lambda r: len(r[1]), reverse=True):
        parent = new.get(row[2])
        if parent is not None:
            mine = new[row[0]]
            parent[2] += mine[2]
            parent[3] += mine[3]
            parent[4] += 1
    changed = [(*new[r[0]], r[0]) for r in rows if tuple(r[3:8]) != tuple(new[r[0]])]
    table = connection.ops.quote_name(Org._meta.db_table)
    _executemany(
        f"UPDATE {table} SET full_members = %s, probationary_members = %s, total_members = %s, "
        "total_full_members = %s, child_count = %s WHERE id = %s",
        changed,
    )
    return len(changed)


@transaction.atomic
def _refresh_some(ids: set[int]) -> int:
    codes = dict(Org.objects.filter(pk__in=ids).values_list("id", "code"))
    affected = set(codes.values())
    for code in codes.values():
        affected.update(ancestor_org_codes(code))
    # Lock the orgs and all their ancestors in one ordered pass, so concurrent refreshes that
    # share ancestors queue instead of deadlocking.
    current = {
        row[0]: row[1:]
        for row in Org.objects.select_for_update()
        .filter(code__in=sorted(affected))
        .order_by("code")
        .values_list("id", "full_members", "probationary_members")
    }
    counts = _direct_counts(list(codes))
    own_rows: list[tuple[int, int, int]] = []
    deltas: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for org_id, code in codes.items():
        full, probationary = counts.get(org_id, (0, 0))
        old_full, old_probationary = current[org_id]
        d_full, d_probationary = full - old_full, probationary - old_probationary
        if d_full or d_probationary:
            own_rows.append((full, probationary, org_id))
            for prefix in [*ancestor_org_codes(code), code]:
                deltas[prefix][0] += d_full + d_probationary
                deltas[prefix][1] += d_full
    table = connection.ops.quote_name(Org._meta.db_table)
    _executemany(f"UPDATE {table} SET full_members = %s, probationary_members = %s WHERE id = %s", own_rows)
    _executemany(
        f"UPDATE {table} SET total_members = total_members + %s, total_full_members = total_full_members + %s "
        "WHERE code = %s",
        sorted(((d[0], d[1], code) for code, d in deltas.items() if d[0] or d[1]), key=lambda r: r[2]),
    )
    return len(own_rows)

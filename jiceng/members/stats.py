"""The maintained party-member statistics behind the members' metrics (issue 12, point 1).

Two tables, written only here:

* ``MemberTally``: each branch's own members counted per dimension (below). It is the base the
  incremental path diffs: after a write the touched branches are recounted (a branch holds tens
  of members, so this costs nothing), and the difference from the stored tally is added to the
  rolled-up rows of the branch and of every ancestor, in both trees.
* ``MemberStat``: the same counts for every area and org node, its subtree included (the org tree
  by the member's branch, the area tree by the area the branch is anchored in, ``Member.area_path``,
  the same path the roster's scope uses). Dashboards read these rows, never the member table.

Dimensions (``dim`` → ``value``), for members on the roster (``left_on`` empty):

* ``status``: the stage, for the five stages of the pipeline (入党申请人 … 正式党员); people who
  left the party (出党/停止党籍/死亡) are not counted.
* for party members only (正式 and 预备党员): ``gender`` (M/F), ``education`` (the code, ``none``
  when blank), ``born`` (the birth year ``YYYY``: age bands are derived at read time, so they move
  with the calendar without rewriting a row; the age is the one reached this year, as the 党内统计
  counts it at 31 December), ``dues`` (the first unpaid dues month ``YYYY-MM``, or ``none`` for a
  member who owes nothing yet: arrears are derived at read time against today and the
  ``members.dues.arrears_months`` rule, exactly as ``arrears_q`` does; a month more than
  ``DUES_HORIZON`` months back is stored as ``1900-01``, which keeps the rows per node few and is
  exact while that rule is at most ``DUES_HORIZON`` months).

Two implementations write the same rows (tests/test_member_stats.py): :func:`refresh` after
every roster write, inside the write's transaction, and :func:`rebuild` from scratch (the nightly
job ``members.tasks.rebuild_member_stats``, the ``rebuild_member_stats`` command, after bulk
loads). Moves of areas and orgs carry the rolled-up rows to the new ancestors in the move's
transaction (``jiceng.tallies.moves``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import connection, transaction

from jiceng.areas.models import ancestor_codes
from jiceng.members.models import PARTY_MEMBER_STATUSES, PIPELINE, MemberStat, MemberTally
from jiceng.orgs.services.tree import ancestor_org_codes

NONE = "none"
DUES_HORIZON = 24  # months; see above
LONG_AGO = "1900-01"
_FIELDS = (
    "org_path",
    "area_path",
    "status",
    "gender",
    "education",
    "birth_date",
    "dues_paid_through",
    "admission_date",
    "full_member_date",
)
_PIPELINE = {str(s) for s in PIPELINE}
_PARTY = {str(s) for s in PARTY_MEMBER_STATUSES}

Key = tuple[str, str, str, str]  # (org_path, area_path, dim, value)


def _month(d: date | None) -> str:
    return f"{d.year:04d}-{d.month:02d}" if d else NONE


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def first_unpaid(paid_through: date | None, admission: date | None, full_member: date | None) -> date | None:
    """The first month of dues not paid (``dues.unpaid_months`` counts from it), or None."""
    if paid_through is not None:
        return _next_month(paid_through)
    start = admission or full_member
    return start.replace(day=1) if start else None


def _horizon(today: date) -> date:
    index = today.year * 12 + today.month - 1 - DUES_HORIZON
    return date(index // 12, index % 12 + 1, 1)


def dims(row: tuple, horizon: date) -> list[tuple[str, str]]:
    """The (dim, value) pairs one member counts in (``row`` in the order of ``_FIELDS``)."""
    _, _, status, gender, education, birth, paid, admission, full_member = row
    if status not in _PIPELINE:
        return []
    result = [("status", status)]
    if status in _PARTY:
        unpaid = first_unpaid(paid, admission, full_member)
        result += [
            ("gender", gender or NONE),
            ("education", education or NONE),
            ("born", f"{birth.year:04d}" if birth else NONE),
            ("dues", LONG_AGO if unpaid and unpaid < horizon else _month(unpaid)),
        ]
    return result


def _tally(rows: Iterable[tuple]) -> Counter[Key]:
    from django.utils import timezone

    horizon = _horizon(timezone.localdate())
    counts: Counter[Key] = Counter()
    for row in rows:
        for dim, value in dims(row, horizon):
            counts[(row[0], row[1], dim, value)] += 1
    return counts


def _roll_up(tallies: dict[Key, int]) -> dict[tuple[str, str, str, str], int]:
    """{(tree, code, dim, value): n} for every node above (and at) each tally's branch and area."""
    rolled: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for (org_path, area_path, dim, value), n in tallies.items():
        if not n:
            continue
        for code in (*ancestor_org_codes(org_path), org_path):
            rolled[("orgs", code, dim, value)] += n
        if area_path:
            for code in (*ancestor_codes(area_path), area_path):
                rolled[("areas", code, dim, value)] += n
    return rolled


def _members():
    from jiceng.members.models import Member

    return Member.objects.filter(left_on__isnull=True).order_by()


def refresh(org_ids: Iterable[Any]) -> None:
    """Recount the branches ``org_ids`` (ids or orgs) and add the change to every node above them.

    Called by the roster's write verbs in their transaction (``services.common._refresh_counts``
    and ``_refresh_stats``). The branches' org rows are locked first, so two writes in one branch
    diff one after the other; the rolled-up rows are changed by ``count = count + delta`` (in key
    order), so writes in different branches add up under the same ancestors without a lost update.
    """
    from jiceng.orgs.models import Org

    ids = sorted({getattr(o, "pk", o) for o in org_ids} - {None})
    if not ids:
        return
    with transaction.atomic():
        codes = list(Org.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("code", flat=True))
        new = _tally(_members().filter(org_id__in=ids).values_list(*_FIELDS))
        paths = set(codes) | {key[0] for key in new}
        stored = MemberTally.objects.filter(org_path__in=paths)
        old: Counter[Key] = Counter(
            {
                (r[0], r[1], r[2], r[3]): r[4]
                for r in stored.values_list("org_path", "area_path", "dim", "value", "count")
            }
        )
        delta = {key: new.get(key, 0) - old.get(key, 0) for key in set(new) | set(old)}
        delta = {key: n for key, n in delta.items() if n}
        if not delta:
            return
        stored.delete()
        MemberTally.objects.bulk_create(
            MemberTally(org_path=k[0], area_path=k[1], dim=k[2], value=k[3], count=n) for k, n in sorted(new.items())
        )
        _add(_roll_up(delta))


def _add(changes: dict[tuple[str, str, str, str], int]) -> None:
    rows = [(*key, n) for key, n in sorted(changes.items()) if n]
    if not rows:
        return
    table = connection.ops.quote_name(MemberStat._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (tree, code, dim, value, count) VALUES (%s, %s, %s, %s, %s) "
            f"ON CONFLICT (tree, code, dim, value) DO UPDATE SET count = {table}.count + EXCLUDED.count",
            rows,
        )
    # A value nobody holds any more (the last member of a birth month moved away) leaves no row.
    codes = {(tree, code) for tree, code, *_ in rows}
    for tree in ("areas", "orgs"):
        wanted = [code for t, code in codes if t == tree]
        if wanted:
            MemberStat.objects.filter(tree=tree, code__in=wanted, count=0).delete()


@transaction.atomic
def rebuild() -> int:
    """Recompute both tables from the member table (nightly, and after bulk loads); returns the
    number of rolled-up rows."""
    tallies = _tally(_members().values_list(*_FIELDS).iterator(chunk_size=5000))
    rolled = _roll_up(tallies)
    MemberTally.objects.all().delete()
    MemberStat.objects.all().delete()
    MemberTally.objects.bulk_create(
        (MemberTally(org_path=k[0], area_path=k[1], dim=k[2], value=k[3], count=n) for k, n in tallies.items()),
        batch_size=5000,
    )
    MemberStat.objects.bulk_create(
        (MemberStat(tree=k[0], code=k[1], dim=k[2], value=k[3], count=n) for k, n in rolled.items() if n),
        batch_size=5000,
    )
    return len(rolled)


# --------------------------------------------------------------------------- drill to detail


def _roster_url(filter_name: str, code: str, statuses) -> str:
    """The roster (党员名册) filtered to the members a figure counts: the node's subtree, the stages."""
    from urllib.parse import urlencode

    from django.urls import reverse

    query = [(filter_name, code), *(("status", s) for s in sorted(str(s) for s in statuses))]
    return f"{reverse('members:member_list')}?{urlencode(query)}"


def area_party_detail(code: str, start: date, end: date) -> str:
    return _roster_url("area", code, PARTY_MEMBER_STATUSES)


def org_party_detail(code: str, start: date, end: date) -> str:
    return _roster_url("org", code, PARTY_MEMBER_STATUSES)


def area_full_detail(code: str, start: date, end: date) -> str:
    from jiceng.members.models import Status

    return _roster_url("area", code, [Status.FULL])


def org_full_detail(code: str, start: date, end: date) -> str:
    from jiceng.members.models import Status

    return _roster_url("org", code, [Status.FULL])

"""The maintained held facts (:class:`~jiceng.orglife.models.HeldMonth`): two implementations.

* ``bump`` — incremental, called by ``services.close_meeting`` in the meeting's transaction;
* ``rebuild`` — from the held meetings themselves, for a year (the worker's yearly roll-up, and
  the repair after a rule change of a frequency, which changes what is late).

Both use ``lateness`` so they agree by construction on what 逾期召开 is; the two-implementation test
(tests/test_held_rebuild.py) checks they write the same rows.

逾期召开 (held late): a meeting whose due day lies in an earlier period of the type's frequency
than the day it was held. The due day is the plan's date for the period (a recurring plan's
meeting keeps it even when the meeting is moved), else the planned date. Per type, because one
meeting may count for a monthly and a quarterly type at once: a 主题党日 held as the 支部党员大会,
due on 28 September and held on 5 October, is late for both the month and the quarter.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from jiceng.core.dates import add_years

from .models import HeldMonth, Meeting, MeetingKind, MeetingStatus
from .rules import frequency, period_starts

KIND_OF_FREQUENCY = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}


def _period_index(kind: str, day: date) -> tuple[int, int]:
    return day.year, {"month": day.month, "quarter": (day.month - 1) // 3 + 1, "year": 1}[kind]


def due_day_of(planned: date, plan: tuple[str, int, int] | None, plan_period: int | None) -> date:
    """The day a meeting was due: its plan's date for the period, else its planned date."""
    if plan is not None and plan_period:
        starts = period_starts(*plan)
        if 1 <= plan_period <= len(starts):
            return starts[plan_period - 1]
    return planned


def due_day(meeting: Meeting) -> date:
    plan = meeting.plan
    return due_day_of(
        timezone.localdate(meeting.planned_start),
        (plan.frequency, plan.year, plan.day) if plan is not None else None,
        meeting.plan_period,
    )


def is_late(meeting_type: str, due: date, held: date) -> bool:
    """Held in a later period of ``meeting_type``'s frequency than the one it was due in."""
    kind = KIND_OF_FREQUENCY.get(frequency(meeting_type))
    if kind is None or held <= due:
        return False
    return _period_index(kind, held) != _period_index(kind, due)


def _add(meeting: Meeting, meeting_type: str, month: date, first: date | None, **deltas: int) -> None:
    rows = HeldMonth.objects.filter(org_id=meeting.org_id, type=meeting_type, month=month)
    changes = {name: F(name) + delta for name, delta in deltas.items()}
    if rows.update(**changes):
        if first is not None:
            rows.filter(Q(first_held_on__isnull=True) | Q(first_held_on__gt=first)).update(first_held_on=first)
        return
    try:
        with transaction.atomic():
            HeldMonth.objects.create(
                org_id=meeting.org_id,
                org_path=meeting.org_path,
                area_path=meeting.area_path,
                type=meeting_type,
                month=month,
                first_held_on=first,
                **{name: max(delta, 0) for name, delta in deltas.items()},
            )
    except IntegrityError:  # created concurrently: add to it
        rows.update(**changes)


def bump(meeting: Meeting, held_on: date, delta: int) -> None:
    """Count ``meeting`` (held on ``held_on``) ``delta`` times for each of its types: in the month
    held, and, when late, as late there and as ``due_late`` in the month it was due; then the
    branch's compliance roll-up (:func:`.rollup.refresh`). The roll-up's tables are locked
    (ROW EXCLUSIVE) before HeldMonth is written: ``rebuild`` takes them in the same order."""
    from . import rollup

    rollup.lock_tables("ROW EXCLUSIVE")
    due = due_day(meeting)
    for meeting_type in meeting.type_keys:
        if is_late(meeting_type, due, held_on):
            _add(meeting, meeting_type, held_on.replace(day=1), held_on if delta > 0 else None, held=delta, late=delta)
            _add(meeting, meeting_type, due.replace(day=1), None, due_late=delta)
        else:
            _add(meeting, meeting_type, held_on.replace(day=1), held_on if delta > 0 else None, held=delta)
    rollup.refresh([meeting.org_id])


# --------------------------------------------------------------------------- rebuild

ROW_FIELDS = ("org_id", "type", "month", "held", "late", "due_late", "first_held_on", "org_path", "area_path")


def _row(rows: dict, key: tuple, paths: dict) -> dict:
    if key not in rows:
        rows[key] = {"held": 0, "late": 0, "due_late": 0, "first_held_on": None, **paths}
    return rows[key]


def compute(start: date, end: date) -> dict[tuple[int, str, date], dict]:
    """The HeldMonth rows with a month in [start, end), from the held meetings (a replay)."""
    rows: dict[tuple[int, str, date], dict] = {}
    # Held in the range, or due in it and held later: either way held on or after ``start``.
    since = timezone.make_aware(datetime.combine(start, time.min))
    candidates = Meeting.objects.filter(status=MeetingStatus.HELD, actual_start__gte=since)
    if end.year < 9999:
        # A meeting is at most a year late for a yearly type; later ones are not due in the range.
        until = timezone.make_aware(datetime.combine(add_years(end, 1), time.min))
        candidates = candidates.filter(actual_start__lt=until)
    types: dict[int, list[str]] = defaultdict(list)
    for meeting_id, meeting_type in (
        MeetingKind.objects.filter(meeting__in=candidates.values("pk")).order_by().values_list("meeting_id", "type")
    ):
        types[meeting_id].append(meeting_type)
    fields = (
        "pk",
        "org_id",
        "org_path",
        "area_path",
        "planned_start",
        "actual_start",
        "plan_period",
        "plan__frequency",
        "plan__year",
        "plan__day",
    )
    for pk, org_id, org_path, area_path, planned, actual, plan_period, freq, year, day in (
        candidates.order_by().values_list(*fields).iterator(chunk_size=5000)
    ):
        held_on = timezone.localdate(actual)
        due = due_day_of(timezone.localdate(planned), (freq, year, day) if freq else None, plan_period)
        paths = {"org_path": org_path, "area_path": area_path}

        for meeting_type in types.get(pk, ()):
            late = is_late(meeting_type, due, held_on)
            month = held_on.replace(day=1)
            if start <= month < end:
                r = _row(rows, (org_id, meeting_type, month), paths)
                r["held"] += 1
                r["late"] += int(late)
                if r["first_held_on"] is None or held_on < r["first_held_on"]:
                    r["first_held_on"] = held_on
            due_month = due.replace(day=1)
            if late and start <= due_month < end:
                _row(rows, (org_id, meeting_type, due_month), paths)["due_late"] += 1
    return rows


def rebuild(year: int | None = None) -> int:
    """Rewrite the HeldMonth rows of ``year`` (every year when None) from the meetings; returns
    the rows written. On PostgreSQL the table is locked against concurrent ``bump`` for the
    duration, so a meeting closed meanwhile is counted exactly once (before or after). The
    compliance roll-up (:mod:`.rollup`) of the year (with None: every year with held facts, the
    tallied ones and this one) is rebuilt in
    the same transaction; its tables are locked before HeldMonth, the order ``bump`` takes too."""
    from . import rollup

    start, end = (date(year, 1, 1), date(year + 1, 1, 1)) if year else (date(1900, 1, 1), date(9999, 1, 1))
    with transaction.atomic():
        rollup.lock_tables("SHARE ROW EXCLUSIVE")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {HeldMonth._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        computed = compute(start, end)
        HeldMonth.objects.filter(month__gte=start, month__lt=end).delete()
        write_rows(HeldMonth, ({"org_id": k[0], "type": k[1], "month": k[2], **v} for k, v in computed.items()))
        if year:
            rollup.rebuild([year])
        else:  # every year with held facts, and this one
            rollup.rebuild({*(key[2].year for key in computed), *rollup.tallied_years(), timezone.localdate().year})
    return len(computed)


def write_rows(model, rows) -> int:
    """Insert ``rows`` (dicts by attname; the auto id left out) in one go: COPY on PostgreSQL
    (``core.bulk.SpoolSink``), batched INSERTs elsewhere. The rebuilds' writer."""
    from jiceng.core.bulk import SpoolSink, insert_fields

    fields = insert_fields(model)
    with SpoolSink(model, fields) as sink:
        for row in rows:
            sink.add(tuple(row[f.attname] for f in fields))
        sink.commit()
        return sink.count


def table() -> list[tuple]:
    """Every HeldMonth row as a sorted tuple list (tests and the bench compare them)."""
    return sorted(
        (org_id, t, m, h, late, due_late, first)
        for org_id, t, m, h, late, due_late, first in HeldMonth.objects.values_list(
            "org_id", "type", "month", "held", "late", "due_late", "first_held_on"
        )
        if h or late or due_late
    )

"""组织生活 figures: meetings held by type and the share of branch-months that held them, from the
rolled-up counters (``tallies.NodeTally``) kept next to ``HeldMonth`` by ``services._bump_held``.

Keys: ``orglife/held:<type>`` (meetings of the type held; a meeting held as several types counts
for each, as in ``HeldMonth``) and ``orglife/branches:<type>`` (branches that held the type at
least once in the month). The branch count is the orgs stock ``orgs/type:*`` (active branches now).
"""

from __future__ import annotations

from datetime import date

from jiceng.orgs.models import BRANCH_TYPES
from jiceng.tallies import services as tallies

from .models import HeldMonth, MeetingType

PREFIXES = ("orglife/", "orgs/type:")
RATE_TYPES = (MeetingType.COMMITTEE, MeetingType.GROUP, MeetingType.THEME_DAY)


def on_held(meeting, month: date, delta: int) -> None:
    """After ``_bump_held`` changed the meeting's ``HeldMonth`` rows by ``delta`` (same transaction)."""
    rows = HeldMonth.objects.filter(org_id=meeting.org_id, month=month, type__in=list(meeting.type_keys))
    changes = []
    for meeting_type, held in rows.values_list("type", "held"):
        changes.append((meeting.org_path, meeting.area_path, f"orglife/held:{meeting_type}", month, delta))
        if delta > 0 and held == delta:
            changes.append((meeting.org_path, meeting.area_path, f"orglife/branches:{meeting_type}", month, 1))
        elif delta < 0 and held == 0:
            changes.append((meeting.org_path, meeting.area_path, f"orglife/branches:{meeting_type}", month, -1))
    tallies.bump(changes)


def rebuild() -> int:
    def changes():
        rows = HeldMonth.objects.filter(held__gt=0).values_list("org_path", "area_path", "type", "month", "held")
        for org_path, area_path, meeting_type, month, held in rows.iterator(chunk_size=5000):
            yield (org_path, area_path, f"orglife/held:{meeting_type}", month, held)
            yield (org_path, area_path, f"orglife/branches:{meeting_type}", month, 1)

    return tallies.rebuild("orglife/", changes())


def area_months(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    return _with_months(tallies.read("areas", PREFIXES, codes, start, end, by_month), start, end, by_month)


def org_months(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    return _with_months(tallies.read("orgs", PREFIXES, codes, start, end, by_month), start, end, by_month)


def _with_months(rows: dict, start: date, end: date, by_month: bool) -> dict:
    months = 1 if by_month else (end.year - start.year) * 12 + end.month - start.month + 1
    for row in rows.values():
        row["months"] = months
    return rows


def branches(row: dict) -> int:
    return sum(row.get(f"orgs/type:{t}") or 0 for t in BRANCH_TYPES)


def _rate(meeting_type: str):
    def rate(row: dict) -> float | None:
        total = branches(row) * (row.get("months") or 0)
        return min(1.0, (row.get(f"orglife/branches:{meeting_type}") or 0) / total) if total else None

    rate.__name__ = f"rate_{meeting_type}"
    return rate


rate_committee = _rate(MeetingType.COMMITTEE)
rate_group = _rate(MeetingType.GROUP)
rate_theme_day = _rate(MeetingType.THEME_DAY)

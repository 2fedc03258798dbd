"""Deadline arithmetic: a limit string and a start time give a due time and a fallback flag.

Clock limits (``min``, ``h``) run 7×24, as 12345 centres do for dispatch and urgent answers.
Day limits end where the last day ends (local time), that is when the next day starts: the due
time is the day's last instant a database stores (23:59:59.999999), so that every moment of the
last day, 23:59:59.5 included, is on time with ``at <= due``. ``d`` counts calendar days, ``wd``
working days through :func:`jiceng.core.workdays.add_workdays` (official holidays and 调休, the
city's own calendar for later years). A due day computed through a day neither source knows is
flagged as a fallback, and pages show it as such.
"""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone

from jiceng.appeals.errors import AppealError
from jiceng.core.workdays import add_workdays

_LIMIT = re.compile(r"^\s*(\d+)\s*(min|h|d|wd)\s*$")
UNIT_LABELS = {"min": "分钟", "h": "小时", "d": "天", "wd": "个工作日"}
# The last microsecond of a day: a limit runs until the next day starts (datetimes are stored to
# the microsecond on both databases, so nothing falls between this and midnight).
END_OF_DAY = time.max


@dataclass(frozen=True)
class Due:
    at: datetime
    fallback: bool = False
    fallback_days: tuple = ()


def parse_limit(limit: str) -> tuple[int, str]:
    match = _LIMIT.match(str(limit or ""))
    if match is None:
        raise AppealError(f"时限“{limit}”格式不正确，应为如 30min、2h、3d、7wd。", code="limit")
    return int(match.group(1)), match.group(2)


def describe_limit(limit: str) -> str:
    """``"7wd"`` → ``"7个工作日"``."""
    number, unit = parse_limit(limit)
    return f"{number}{UNIT_LABELS[unit]}"


def end_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, END_OF_DAY))


def compute_due(start: datetime, limit: str) -> Due:
    number, unit = parse_limit(limit)
    if unit == "min":
        return Due(start + timedelta(minutes=number))
    if unit == "h":
        return Due(start + timedelta(hours=number))
    local_day = timezone.localtime(start).date()
    if unit == "d":
        return Due(end_of_day(local_day + timedelta(days=number)))
    result = add_workdays(local_day, number)
    return Due(end_of_day(result.day), result.is_fallback, result.fallback_days)


def extend_due(due: datetime, workdays: int) -> Due:
    """An approved extension: ``workdays`` more working days after the current due day."""
    result = add_workdays(timezone.localtime(due).date(), workdays)
    return Due(end_of_day(result.day), result.is_fallback, result.fallback_days)


def remind_at(start: datetime, due: datetime, ratio: float) -> datetime:
    """When a reminder goes out: with ``ratio`` of the whole period left."""
    return due - (due - start) * ratio

"""Working days with China's official holidays and adjusted working days (调休).

Sources, in order: the city's own ``CalendarDay`` rows (corrections and years not yet published
in the package), then the ``chinesecalendar`` package, then an explicit fallback (Monday–Friday
are working days) that callers must show: a deadline computed through a fallback day is never
presented as certain.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

from jiceng.core.cache import table

HOLIDAY_NAMES = {h.value: h.chinese for h in chinese_calendar.constants.Holiday}
SOURCE_CITY = "city"
SOURCE_PACKAGE = "chinesecalendar"
SOURCE_FALLBACK = "fallback"
CITY_CALENDAR = "calendar-days"


@dataclass(frozen=True)
class DayInfo:
    day: date
    is_workday: bool
    source: str
    name: str = ""


@dataclass(frozen=True)
class WorkdayResult:
    day: date
    fallback_days: tuple[date, ...]  # days whose status was guessed (Mon–Fri rule)

    @property
    def is_fallback(self) -> bool:
        return bool(self.fallback_days)


def city_days() -> dict[date, tuple[bool, str]]:
    """The city's own rows, ``{day: (is_workday, name)}``: a few dozen a year, kept per process."""
    from jiceng.core.models import CalendarDay

    def load() -> dict[date, tuple[bool, str]]:
        rows = CalendarDay.objects.values_list("day", "is_workday", "name")
        return {day: (workday, name) for day, workday, name in rows}

    return table(CITY_CALENDAR, load)


class Calendar:
    """Answers for any day; the city's rows come from :func:`city_days` (no query when kept)."""

    def __init__(self) -> None:
        self.city = city_days()

    def info(self, day: date) -> DayInfo:
        row = self.city.get(day)
        if row is not None:
            return DayInfo(day, row[0], SOURCE_CITY, row[1])
        try:
            workday = chinese_calendar.is_workday(day)
        except NotImplementedError:
            return DayInfo(day, day.weekday() < 5, SOURCE_FALLBACK, "按周一至周五推算")
        name = ""
        if not workday:
            _, holiday = chinese_calendar.get_holiday_detail(day)
            name = HOLIDAY_NAMES.get(holiday, "") if holiday else ""
        elif day.weekday() >= 5:
            name = "调休上班"
        return DayInfo(day, workday, SOURCE_PACKAGE, name)


def add_workdays(start: date, count: int) -> WorkdayResult:
    """The ``count``-th working day after ``start`` (``start`` itself is not counted)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    calendar = Calendar()
    day, fallback = start, []
    remaining = count
    while remaining:
        day += timedelta(days=1)
        info = calendar.info(day)
        if info.source == SOURCE_FALLBACK:
            fallback.append(day)
        if info.is_workday:
            remaining -= 1
    return WorkdayResult(day, tuple(fallback))

"""Calendar arithmetic shared by the apps (terms of office, probation, dues, ages, letters' validity).

One convention everywhere, that of 《民法典》第二百零一条: a period counted in months or years ends
on the corresponding day of the last month, or on that month's last day when it has no such day.
So 29 February plus a year is 28 February (never 1 March), and someone born on 29 February has
their birthday on 28 February in a common year. Every "add N months/years" and every age goes
through this module; no ``replace(year=…)``, ``relativedelta`` or ``timedelta(days=365)`` elsewhere.
"""

import calendar
from datetime import date
from typing import TypeVar

_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

D = TypeVar("D", bound=date)  # a date or a datetime: the result keeps the type (and the time)


def add_months(day: D, months: int) -> D:
    """The same day ``months`` calendar months later (or earlier, if negative), clamped to the
    month's last day: 2024-01-31 + 1 → 2024-02-29, 2024-08-31 + 6 → 2025-02-28. A datetime keeps
    its time and time zone."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    result_day = day.day
    if result_day > 28:  # only the ends of months need the calendar (most days skip it)
        last = 29 if month == 2 and calendar.isleap(year) else _DAYS_IN_MONTH[month]
        result_day = min(result_day, last)
    if type(day) is date:
        return date(year, month, result_day)  # type: ignore[return-value]
    return day.replace(year=year, month=month, day=result_day)


def add_years(day: D, years: int) -> D:
    """``years`` calendar years later (or earlier): 2024-02-29 + 1 → 2025-02-28."""
    return add_months(day, 12 * years)


def full_years(start: date, on: date) -> int:
    """Whole years from ``start`` to ``on`` (周岁 for a birth date): the largest n with
    ``add_years(start, n) <= on``. Born 2008-02-29: 18 on 2026-02-28."""
    years = on.year - start.year
    month, day = start.month, start.day
    if month == 2 and day == 29 and not calendar.isleap(on.year):
        day = 28
    return years - ((on.month, on.day) < (month, day))

"""Calendar arithmetic shared by the apps (terms of office, probation, letters' validity)."""

import calendar
from datetime import date

_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (or earlier, if negative), clamped to the
    month's last day: 2024-01-31 + 1 → 2024-02-29, 2024-08-31 + 6 → 2025-02-28."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    result_day = day.day
    if result_day > 28:  # only the ends of months need the calendar (most days skip it)
        last = 29 if month == 2 and calendar.isleap(year) else _DAYS_IN_MONTH[month]
        result_day = min(result_day, last)
    return date(year, month, result_day)

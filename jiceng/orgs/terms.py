"""Term arithmetic for org committees (村/社区 5 years, others 3; DOMAIN.md §1.2)."""

import calendar
from datetime import date
from functools import lru_cache

from jiceng.core.rules import get_rule
from jiceng.orgs import rules
from jiceng.orgs.models import FIVE_YEAR_TERM_CATEGORIES


@lru_cache(maxsize=4096)
def add_months(day: date, months: int) -> date:
    """Calendar months, clamped to the month's last day: 2024-08-31 + 6 → 2025-02-28."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_years(category: str) -> int:
    key = rules.TERM_YEARS_VILLAGE_COMMUNITY if category in FIVE_YEAR_TERM_CATEGORIES else rules.TERM_YEARS_DEFAULT
    return get_rule(key)


def default_term_end(category: str, start: date) -> date:
    return add_months(start, 12 * term_years(category))

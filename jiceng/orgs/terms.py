"""Term arithmetic for org committees (村/社区 5 years, others 3; DOMAIN.md §1.2)."""

from datetime import date

from jiceng.core.dates import add_months
from jiceng.core.rules import get_rule
from jiceng.orgs import rules
from jiceng.orgs.models import FIVE_YEAR_TERM_CATEGORIES


def term_years(category: str) -> int:
    key = rules.TERM_YEARS_VILLAGE_COMMUNITY if category in FIVE_YEAR_TERM_CATEGORIES else rules.TERM_YEARS_DEFAULT
    return get_rule(key)


def default_term_end(category: str, start: date) -> date:
    return add_months(start, 12 * term_years(category))

"""Term arithmetic for org committees (DOMAIN.md §1.1–1.2), each length a rule of its own:
村/社区 5 years; 基层党委 3–5 years (党章第三十一条, the city's choice, default 5); 党总支 and 党支部
3 years. A 临时党支部 is appointed by the higher org and has no term."""

from dataclasses import dataclass
from datetime import date

from jiceng.core.dates import add_years
from jiceng.core.rules import get_rule
from jiceng.orgs import rules
from jiceng.orgs.models import FIVE_YEAR_TERM_CATEGORIES, OrgType

# Types whose leaders are appointed, never elected for a term.
APPOINTED_TYPES = {OrgType.TEMPORARY_BRANCH}


@dataclass(frozen=True)
class Term:
    years: int
    rule: str  # the rule the length comes from


def term_rule(org_type: str, category: str) -> str | None:
    """The rule that sets the term of an org of this type and category (None: no term)."""
    if org_type in APPOINTED_TYPES:
        return None
    if category in FIVE_YEAR_TERM_CATEGORIES:
        return rules.TERM_YEARS_VILLAGE_COMMUNITY
    if org_type == OrgType.COMMITTEE:
        return rules.TERM_YEARS_COMMITTEE
    if org_type == OrgType.GENERAL_BRANCH:
        return rules.TERM_YEARS_GENERAL_BRANCH
    return rules.TERM_YEARS_DEFAULT


def term_for(org_type: str, category: str) -> Term | None:
    key = term_rule(org_type, category)
    return None if key is None else Term(get_rule(key), key)


def default_term_end(org_type: str, category: str, start: date) -> date | None:
    term = term_for(org_type, category)
    return None if term is None else add_years(start, term.years)

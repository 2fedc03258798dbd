"""Grid sizes (DOMAIN.md §5.2): a 综合网格 normally holds 300–500 households (rules
``grid.min_households`` and ``grid.max_households``). A grid outside the range is flagged on the
area page and in the org setup checks (``orgs.checks``); a 专属网格 (an organ, school, hospital …)
follows its unit, not a household count, and a grid whose households are not yet recorded (0)
has nothing to compare."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from jiceng.core.rules import get_rule

from .models import Area, Kind, Level

MIN_RULE = "grid.min_households"
MAX_RULE = "grid.max_households"


@dataclass(frozen=True)
class GridRange:
    low: int
    high: int

    @classmethod
    def current(cls) -> "GridRange":
        return cls(get_rule(MIN_RULE), get_rule(MAX_RULE))

    def problem(self, area: Area) -> str | None:
        """Chinese note when ``area`` is a household grid outside the range; else None."""
        if area.level != Level.GRID or area.kind == Kind.DEDICATED_GRID or not area.total_households:
            return None
        households = area.total_households
        if households < self.low:
            return f"网格有{households}户，少于综合网格一般{self.low}—{self.high}户的范围，宜合并或调整网格划分。"
        if households > self.high:
            return f"网格有{households}户，超过综合网格一般{self.low}—{self.high}户的范围，宜拆分或调整网格划分。"
        return None

    def rule_of(self, area: Area) -> str:
        return MIN_RULE if area.total_households < self.low else MAX_RULE

    def outside(self, areas: QuerySet[Area]) -> QuerySet[Area]:
        """The household grids of ``areas`` outside the range (one query when evaluated)."""
        return (
            areas.filter(level=Level.GRID, total_households__gt=0)
            .exclude(kind=Kind.DEDICATED_GRID)
            .filter(Q(total_households__lt=self.low) | Q(total_households__gt=self.high))
        )

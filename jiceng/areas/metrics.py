"""The area tree's figures (population, households, nodes) from its kept roll-up counters."""

from datetime import date

from jiceng.areas.models import Area

FIELDS = ("total_population", "total_households", "child_count", "descendant_count")


def rollups(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    """The counters as they are now, per node (a stock: the period does not change them)."""
    return {row["code"]: row for row in Area.objects.filter(code__in=codes).values("code", *FIELDS)}

"""The org tree's figures (members, full members, sub-orgs) from its kept counters."""

from datetime import date

from jiceng.orgs.models import Org

FIELDS = ("total_members", "total_full_members", "child_count")


def counters(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    """The counters as they are now, per org (a stock: the period does not change them)."""
    return {row["code"]: row for row in Org.objects.filter(code__in=codes).values("code", *FIELDS)}

"""The org tree's figures (members, full members, sub-orgs) from its kept counters."""

from datetime import date

from jiceng.orgs.models import Org

FIELDS = ("total_members", "total_full_members", "child_count")


def counters(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    """The counters as they are now, per org (a stock: the period does not change them)."""
    return {row["code"]: row for row in Org.objects.filter(code__in=codes).values("code", *FIELDS)}


# --------------------------------------------------------------------------- orgs by type (a stock)

TYPE_PREFIX = "orgs/type:"


def rebuild_types() -> int:
    """Active orgs by type, each counted on itself and every ancestor org and on its anchor area
    and that area's ancestors (``tallies.NodeTally``, month ``STOCK``): refreshed by the nightly
    ``tallies`` job and the ``rebuild_tallies`` command (orgs are set up and dissolved rarely)."""
    from jiceng.tallies import services as tallies
    from jiceng.tallies.models import STOCK

    rows = Org.objects.filter(is_active=True).values_list("code", "area_path", "org_type")
    return tallies.rebuild(
        TYPE_PREFIX, ((code, area, f"{TYPE_PREFIX}{org_type}", STOCK, 1) for code, area, org_type in rows.iterator())
    )


def area_types(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    from jiceng.tallies import services as tallies

    return tallies.read("areas", (TYPE_PREFIX,), codes, start, end, False)


def org_types(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    from jiceng.tallies import services as tallies

    return tallies.read("orgs", (TYPE_PREFIX,), codes, start, end, False)

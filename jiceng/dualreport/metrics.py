"""双报到 figures: confirmed services and hours per month, rolled up both trees
(``tallies.NodeTally``), kept by ``services._add_to_tally`` next to ``YearTally`` in the same
transaction. The area tree counts a service where it was done (the community, ``Service.area_path``),
the org tree by the member's branch (``Service.org_path``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from jiceng.tallies import services as tallies

from .models import Service, ServiceStatus

PREFIX = "dualreport/"


def on_tally(service: Service, count: int, hours: Decimal) -> None:
    month = service.served_on.replace(day=1)
    tallies.bump(
        [
            (service.org_path, service.area_path, "dualreport/services", month, count),
            (service.org_path, service.area_path, "dualreport/hours10", month, int(Decimal(hours) * 10)),
        ]
    )


def rebuild() -> int:
    rows = (
        Service.objects.filter(status=ServiceStatus.CONFIRMED)
        .order_by()
        .values("org_path", "area_path", month=TruncMonth("served_on"))
        .annotate(n=Count("id"), hours=Sum("hours"))
    )

    def changes():
        for row in rows.iterator():
            month = row["month"]
            month = date(month.year, month.month, 1)
            yield (row["org_path"], row["area_path"], "dualreport/services", month, row["n"])
            yield (row["org_path"], row["area_path"], "dualreport/hours10", month, int(row["hours"] * 10))

    return tallies.rebuild(PREFIX, changes())


def area_months(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    return tallies.read("areas", (PREFIX,), codes, start, end, by_month)


def org_months(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    return tallies.read("orgs", (PREFIX,), codes, start, end, by_month)


def hours(row: dict) -> float:
    return (row.get("dualreport/hours10") or 0) / 10

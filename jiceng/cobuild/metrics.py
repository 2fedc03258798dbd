"""共建清单's figures for dashboards and the metrics API, from the monthly ``AreaMonth`` rows."""

from datetime import date

from django.db.models import Sum

from .models import COUNTERS, AreaMonth

_SUMS = {name: Sum(name) for name in COUNTERS}


def area_months(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    rows = AreaMonth.objects.filter(path__in=codes, month__gte=start, month__lte=end)
    if by_month:
        return {(row.path, row.month): {name: getattr(row, name) for name in COUNTERS} for row in rows}
    return {row["path"]: row for row in rows.values("path").annotate(**_SUMS)}


def published(row: dict) -> int:
    return (row.get("needs") or 0) + (row.get("resources") or 0) + (row.get("projects") or 0)

"""The 民呼我应 figures of the dashboards and the metrics API, from the monthly ``AreaStat`` rows.

The rates are those of the 三率统计 page: the same counters summed the same way, and the same
:class:`~jiceng.appeals.stats.Rates` computing them (docs/appeals-rates.md).
"""

from datetime import date

from django.db.models import Sum

from jiceng.appeals.models import COUNTER_FIELDS, AreaStat
from jiceng.appeals.stats import _rates, rate_weights

_SUMS = {name: Sum(name) for name in COUNTER_FIELDS}


def area_months(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    """Counters summed per node over the months (or per node and month): one query."""
    rows = AreaStat.objects.filter(path__in=codes, month__gte=start, month__lte=end)
    if by_month:
        return {(row.path, row.month): {name: getattr(row, name) for name in COUNTER_FIELDS} for row in rows}
    return {row["path"]: row for row in rows.values("path").annotate(**_SUMS)}


def response_rate(row: dict) -> float | None:
    return _rates(row).response_rate


def resolution_rate(row: dict) -> float | None:
    return _rates(row).resolution_rate


def satisfaction_rate(row: dict) -> float | None:
    return _rates(row).satisfaction_rate


def composite(row: dict) -> float | None:
    return _rates(row).composite(rate_weights())


def on_time_rate(row: dict) -> float | None:
    return _rates(row).on_time_rate

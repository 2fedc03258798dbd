"""The 民呼我应 figures of the dashboards and the metrics API, from the monthly ``AreaStat`` rows.

The rates are those of the 三率统计 page: the same counters summed the same way, and the same
:class:`~jiceng.appeals.stats.Rates` computing them (docs/appeals-rates.md).
"""

import calendar
from datetime import date
from urllib.parse import urlencode

from django.db.models import Q, Sum
from django.urls import reverse

from jiceng.appeals.models import COUNTER_FIELDS, AreaStat, DepartmentStat
from jiceng.appeals.stats import DEPARTMENT_GROUPS, _rates, department_weights, rate_weights

_SUMS = {name: Sum(name) for name in COUNTER_FIELDS}


def area_months(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    """Counters summed per node over the months (or per node and month): one query."""
    rows = AreaStat.objects.filter(path__in=codes, month__gte=start, month__lte=end)
    if by_month:
        return {(row.path, row.month): {name: getattr(row, name) for name in COUNTER_FIELDS} for row in rows}
    return {row["path"]: row for row in rows.values("path").annotate(**_SUMS)}


def department_months(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    """The 职能部门 located in each node's subtree (``Department.area_path``), their monthly
    ``DepartmentStat`` counters summed per node (or per node and month): one query. A node without
    a department has no row (no figure, rather than a score of 0)."""
    if not codes:
        return {}
    located = Q()
    for code in codes:
        located |= Q(department__area_path__startswith=code)
    keys = ["department__area_path", "month"] if by_month else ["department__area_path"]
    rows = DepartmentStat.objects.filter(located, month__gte=start, month__lte=end).values(*keys).annotate(**_SUMS)
    result: dict = {}
    for row in rows:
        path = row["department__area_path"]
        for code in codes:
            if not path.startswith(code):
                continue
            key = (code, row["month"]) if by_month else code
            into = result.setdefault(key, dict.fromkeys(COUNTER_FIELDS, 0))
            for name in COUNTER_FIELDS:
                into[name] += row[name] or 0
    return result


def department_score(row: dict) -> float | None:
    """部门考核得分 of the departments summed: their appeals' three rates and their summons, weighed
    by ``appeals.department_rate_weights``, as on the 部门考核 page (None without the data)."""
    rates = _rates(row)
    weights = department_weights()
    return rates.ranked_score(weights, DEPARTMENT_GROUPS, None)


def summons_on_time_rate(row: dict) -> float | None:
    return _rates(row).summons_on_time_rate


def summons_average_rating(row: dict) -> float | None:
    return _rates(row).summons_average_rating


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


def received_detail(code: str, start: date, end: date) -> str:
    """The 派单台's 全部 tab, filtered to the requests the figure counts: located in the node's
    subtree, received within the months (local dates, as the monthly counters are kept)."""
    last = date(end.year, end.month, calendar.monthrange(end.year, end.month)[1])
    query = {"tab": "all", "area": code, "created_after": f"{start:%Y-%m-%d}", "created_before": f"{last:%Y-%m-%d}"}
    return f"{reverse('appeals:queue')}?{urlencode(query)}"

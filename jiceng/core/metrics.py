"""Figures by node and period, from the metrics the apps declare (core.registry.Metric).

One place computes a figure, so the dashboard, the metrics API and reports show the same number
for the same node and period: :func:`figures` reads each metric's source once for all the nodes
asked (the node and its children: one query per source, whatever the number of children), and
takes each metric's value from the source's row. Sources read maintained aggregates (roll-up
counters, monthly statistics tables), never the records themselves, so the cost does not grow
with the city (DESIGN.md §6).

Periods are whole months, because the aggregates are monthly: a month (``2026-11``), a quarter
(``2026-Q4``), a year (``2026``) or a range of months (``2026-01~2026-03``). A stock (a source
that is not ``periodic``, such as population) is read as it is now, whatever the period.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.utils.module_loading import import_string

from jiceng.core.registry import Metric, MetricSource, metric_sources, metrics, scope_trees
from jiceng.core.scope import Scope, scope_for

TREES = {"areas": "区划", "orgs": "党组织"}


class PeriodError(ValueError):
    """A period the user typed that is not one of the forms above (the message is for the user)."""


def _month_add(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: date  # the first day of its first month
    end: date  # the first day of its last month
    text: str  # as the user writes it: 2026-11, 2026-Q4, 2026, 2026-01~2026-03

    @property
    def label(self) -> str:
        if self.start == self.end:
            return f"{self.start.year}年{self.start.month}月"
        if re.fullmatch(r"\d{4}-Q[1-4]", self.text):
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if re.fullmatch(r"\d{4}", self.text):
            return f"{self.start.year}年"
        return f"{self.start.year}年{self.start.month}月—{self.end.year}年{self.end.month}月"

    @property
    def months(self) -> list[date]:
        result, month = [], self.start
        while month <= self.end:
            result.append(month)
            month = _month_add(month, 1)
        return result

    def trend(self, count: int = 12) -> list[date]:
        """The ``count`` months ending with the period's last month (for a trend line)."""
        return [_month_add(self.end, -n) for n in range(count - 1, -1, -1)]

    @classmethod
    def month_of(cls, day: date) -> Period:
        month = date(day.year, day.month, 1)
        return cls(month, month, f"{day.year}-{day.month:02d}")

    @classmethod
    def parse(cls, text: str, today: date) -> Period:
        text = (text or "").strip().upper().replace("～", "~").replace("—", "~")
        if not text:
            return cls.month_of(today)
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if m:
            return cls._checked(_month(m[1], m[2]), _month(m[1], m[2]), f"{m[1]}-{int(m[2]):02d}")
        m = re.fullmatch(r"(\d{4})-Q([1-4])", text)
        if m:
            first = date(int(m[1]), 3 * int(m[2]) - 2, 1)
            return cls._checked(first, _month_add(first, 2), text)
        m = re.fullmatch(r"(\d{4})", text)
        if m:
            return cls._checked(date(int(m[1]), 1, 1), date(int(m[1]), 12, 1), text)
        m = re.fullmatch(r"(\d{4})-(\d{1,2})~(\d{4})-(\d{1,2})", text)
        if m:
            start, end = _month(m[1], m[2]), _month(m[3], m[4])
            if end < start:
                raise PeriodError("统计期的结束月份早于开始月份。")
            if (end.year - start.year) * 12 + end.month - start.month >= 60:
                raise PeriodError("统计期最长 5 年。")
            return cls._checked(start, end, f"{start:%Y-%m}~{end:%Y-%m}")
        raise PeriodError("统计期格式不正确：请写成 2026-11（月）、2026-Q4（季度）、2026（年）或 2026-01~2026-03。")

    @classmethod
    def _checked(cls, start: date, end: date, text: str) -> Period:
        if not (2000 <= start.year <= 2099 and 2000 <= end.year <= 2099):
            raise PeriodError("统计期应在 2000 年至 2099 年之间。")
        return cls(start, end, text)


def _month(year: str, month: str) -> date:
    if not 1 <= int(month) <= 12:
        raise PeriodError("月份应在 1 至 12 之间。")
    return date(int(year), int(month), 1)


# --------------------------------------------------------------------------- evaluation

# A dotted path resolved once per process: a dashboard evaluates every metric on every node.
_resolve = functools.lru_cache(maxsize=None)(import_string)


def _scope(user, permission: str):
    """``scope_for(user, permission)``, computed once per permission for the user's current grants
    (a page asks for each of its metrics, and most share a permission): remembered on the user
    object next to its cached grants, and computed again once they are forgotten."""
    if not getattr(user, "is_authenticated", False) or not hasattr(user, "grants"):
        return scope_for(user, permission)
    state = (user.grants(), user.is_active, user.is_superuser)
    memo = getattr(user, "_metric_scopes", None)
    if memo is None or memo[0][0] is not state[0] or memo[0][1:] != state[1:]:
        memo = (state, {})
        user._metric_scopes = memo
    scopes: dict[str, Scope] = memo[1]
    if permission not in scopes:
        scopes[permission] = scope_for(user, permission)
    return scopes[permission]


def _value(metric: Metric, row: dict | None):
    """The metric's number from its source's row: an int or a float (a ``Decimal`` sum, such as
    hours, becomes a float, so the page, the API, the workbook and a frozen 月报's JSON agree)."""
    if row is None:
        row = {}
    value = _resolve(metric.value)(row) if "." in metric.value else row.get(metric.value) or 0
    return float(value) if isinstance(value, Decimal) else value


def metrics_for(user, tree: str, node) -> list[Metric]:
    """The metrics of ``tree`` the user may see on ``node`` (an ``Area`` or ``Org`` the caller has
    already found with ``get_*_for_user``): those whose permission the user holds there."""
    sources = metric_sources()
    chosen = []
    for metric in metrics().values():
        source = sources.get(metric.source)
        if source is None or source.tree != tree:
            continue
        if _covers(_scope(user, metric.permission), tree, node):
            chosen.append(metric)
    return chosen


def _by_source(chosen: Iterable[Metric]) -> dict[MetricSource, list[Metric]]:
    sources = metric_sources()
    grouped: dict[MetricSource, list[Metric]] = {}
    for metric in chosen:
        grouped.setdefault(sources[metric.source], []).append(metric)
    return grouped


def figures(chosen: Sequence[Metric], codes: Sequence[str], period: Period) -> dict[str, dict[str, object]]:
    """``{code: {metric key: value}}`` for these nodes: one fetch per source for all of them.

    The caller has checked that the user may see each node and each metric (:func:`metrics_for`).
    """
    result: dict[str, dict[str, object]] = {code: {} for code in codes}
    for source, group in _by_source(chosen).items():
        rows = _resolve(source.fetch)(list(codes), period.start, period.end, False)
        for code in codes:
            row = rows.get(code)
            for metric in group:
                result[code][metric.key] = _value(metric, row)
    return result


def trend(chosen: Sequence[Metric], code: str, months: Sequence[date]) -> dict[str, list]:
    """``{metric key: [value per month]}`` for the periodic metrics among ``chosen``."""
    result: dict[str, list] = {}
    sources = metric_sources()
    periodic = [metric for metric in chosen if sources[metric.source].periodic]
    for source, group in _by_source(periodic).items():
        rows = _resolve(source.fetch)([code], months[0], months[-1], True)
        for metric in group:
            result[metric.key] = [_value(metric, rows.get((code, month))) for month in months]
    return result


def figures_and_trend(
    chosen: Sequence[Metric], codes: Sequence[str], period: Period, months: Sequence[date]
) -> tuple[dict[str, dict[str, object]], dict[str, list]]:
    """:func:`figures` of ``codes`` and :func:`trend` of ``codes[0]`` over ``months``, the same
    values with fewer reads: for a one-month period that is the trend's last month (a dashboard's
    usual question), each periodic source is read once, per month, for all the nodes — a source's
    row of a node and month is its row of that node over that month alone. Other periods: the two
    reads each, as :func:`figures` and :func:`trend` do."""
    if not (period.start == period.end == months[-1]):
        return figures(chosen, codes, period), trend(chosen, codes[0], months)
    result: dict[str, dict[str, object]] = {code: {} for code in codes}
    series: dict[str, list] = {}
    for source, group in _by_source(chosen).items():
        if not source.periodic:
            rows = _resolve(source.fetch)(list(codes), period.start, period.end, False)
            for code in codes:
                for metric in group:
                    result[code][metric.key] = _value(metric, rows.get(code))
            continue
        rows = _resolve(source.fetch)(list(codes), months[0], months[-1], True)
        for code in codes:
            row = rows.get((code, period.start))
            for metric in group:
                result[code][metric.key] = _value(metric, row)
        for metric in group:
            series[metric.key] = [_value(metric, rows.get((codes[0], month))) for month in months]
    return result, series


def detail_url(user, metric: Metric, node, period: Period) -> str:
    """The list of the records behind the figure, for a user who may open it there; else ""."""
    if not metric.detail:
        return ""
    source = metric_sources().get(metric.source)
    tree = source.tree if source is not None else "areas"
    if not _covers(_scope(user, metric.detail_permission or metric.permission), tree, node):
        return ""
    return _resolve(metric.detail)(node.code, period.start, period.end)


def _covers(scope, tree: str, node) -> bool:
    """Whether ``scope`` holds ``node``: an area by its code; an org by its code or its area (an
    area grant sees the orgs anchored in it)."""
    if tree == "orgs":
        return scope.covers_any(areas=(getattr(node, "area_path", ""),), orgs=(node.code,))
    return scope.covers(node.code)


def format_value(metric: Metric, value) -> str:
    """A figure as a page shows it: ``83.3%`` for a share, ``—`` without data, ``12,345`` for a count."""
    if value is None:
        return "—"
    if metric.percent:
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return f"{value:,}"


# --------------------------------------------------------------------------- nodes


@dataclass
class Node:
    code: str
    name: str
    level_label: str = ""
    ancestors: list[tuple[str, str]] = field(default_factory=list)  # (code, name) from the root


def tree_model(tree: str):
    for entry in scope_trees():
        if entry.scope_field == tree:
            return apps.get_model(entry.model), entry
    raise LookupError(tree)


def visible_children(user, tree: str, code: str, limit: int = 200) -> list[tuple[str, str]]:
    """(code, name) of the node's children the user may see, in code order (at most ``limit``)."""
    model, entry = tree_model(tree)
    rows = (
        model.objects.visible_to(user)
        .filter(**{f"parent__{entry.code_field}": code})
        .order_by(entry.code_field)
        .values_list(entry.code_field, entry.name_field)[:limit]
    )
    return list(rows)

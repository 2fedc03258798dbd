"""One dashboard's content for a user, node and period: the page and the API both read this."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from jiceng.areas.models import ancestor_codes, get_area_for_user
from jiceng.core.metrics import Period, PeriodError, figures_and_trend, metrics_for, trend, visible_children
from jiceng.core.registry import Metric
from jiceng.orgs.models import get_org_for_user
from jiceng.orgs.services.tree import ancestor_org_codes

TREE_LABELS = {"areas": "区划", "orgs": "党组织"}
TREND_MONTHS = 12


@dataclass
class Dashboard:
    tree: str
    node: Any
    period: Period
    metrics: list[Metric]
    figures: dict[str, object]  # the node's own, by metric key
    children: list[dict] = field(default_factory=list)  # {code, name, figures}, ranked by ``rank``
    rank: Metric | None = None
    trend_months: list = field(default_factory=list)
    trend: dict[str, list] = field(default_factory=dict)
    ancestors: list[tuple[str, str]] = field(default_factory=list)  # visible ones, root first
    snapshot: Any = None  # the 月报 Snapshot the figures come from; None: live figures

    def as_json(self) -> dict:
        return {
            "tree": self.tree,
            "node": {"code": self.node.code, "name": self.node.name},
            "period": {"text": self.period.text, "label": self.period.label},
            "metrics": [
                {
                    "key": m.key,
                    "label": m.label,
                    "unit": m.unit,
                    "percent": m.percent,
                    "group": m.group,
                    "definition": m.definition,
                }
                for m in self.metrics
            ],
            "figures": self.figures,
            "rank": self.rank.key if self.rank else None,
            "children": self.children,
            "trend": {"months": [f"{m:%Y-%m}" for m in self.trend_months], "series": self.trend},
            "source": "snapshot" if self.snapshot is not None else "live",
            "frozen_at": self.snapshot.created_at.isoformat() if self.snapshot is not None else None,
        }


UNKNOWN_METRIC = "没有这个指标：{key}。可用的指标见 /api/v1/metrics/。"


def unknown_metric(key: str) -> str:
    """The Chinese message for a metric key no app declares, else "" (an empty key is fine)."""
    from jiceng.core.registry import metrics

    key = (key or "").strip()
    return UNKNOWN_METRIC.format(key=key[:60]) if key and key not in metrics() else ""


def parse_period(text: str, today) -> Period:
    """The period a user asked for, refused (``PeriodError``, a Chinese message) when it starts after
    this month or a range is longer than the rule ``dashboards.range_max_months``."""
    from .rules import range_max_months

    period = Period.parse(text, today)
    if period.start > today.replace(day=1):
        raise PeriodError("统计期不能晚于本月：还没有这段时间的数据。")
    longest = range_max_months()
    if len(period.months) > longest:
        raise PeriodError(f"统计期最长 {longest} 个月，请缩短月份区间。")
    return period


def ranked(rows: list[dict], key: str) -> list[dict]:
    """Highest first; nodes without a value (no data for a rate) after the others, in code order."""

    def order(row: dict) -> tuple:
        value = row["figures"].get(key)
        return (value is None, -(value or 0), row["code"])

    return sorted(rows, key=order)


def find_node(user, tree: str, code: str):
    """The node, if the user may see it (else 404, as everywhere: ADR 0012)."""
    if tree == "areas":
        return get_area_for_user(user, code)
    if tree == "orgs":
        return get_org_for_user(user, code)
    raise Http404


def _ancestors(user, tree: str, node) -> list[tuple[str, str]]:
    """The node's ancestors the user may see, root first (their codes derive from the node's: one query)."""
    from jiceng.core.metrics import tree_model

    model, entry = tree_model(tree)
    codes = ancestor_org_codes(node.code) if tree == "orgs" else ancestor_codes(node.code)
    rows = model.objects.visible_to(user).filter(**{f"{entry.code_field}__in": codes})
    return sorted(rows.values_list(entry.code_field, entry.name_field), key=lambda row: len(row[0]))


def build(user, tree: str, code: str, period: Period, rank_key: str = "", snapshot=None) -> Dashboard:
    """The dashboard; with ``snapshot`` (a 月报 :class:`~jiceng.dashboards.models.Snapshot` of this
    node and period) its frozen figures replace the live ones, for the metrics the user may see."""
    node = find_node(user, tree, code)
    chosen = metrics_for(user, tree, node)
    children = visible_children(user, tree, node.code)
    months = period.trend(TREND_MONTHS)
    if snapshot is not None:
        chosen = [m for m in chosen if m.key in snapshot.values.get(node.code, {})]
        visible = {c for c, _ in children}
        children = [(c, snapshot.names.get(c, c)) for c in snapshot.values if c != node.code and c in visible]
        values = {c: {m.key: snapshot.values[c].get(m.key) for m in chosen} for c in snapshot.values}
        series = _trend(chosen, node.code, months, snapshot)
    elif chosen:
        # The figures of the node and its children and the node's trend: one read per source
        # for a month's dashboard (core.metrics.figures_and_trend).
        values, series = figures_and_trend(chosen, [node.code, *(c for c, _ in children)], period, months)
    else:
        values, series = {}, {}
    rank = next((m for m in chosen if m.key == rank_key), None) or next(iter(chosen), None)
    rows = [{"code": c, "name": name, "figures": values.get(c, {})} for c, name in children]
    if rank is not None:
        # Highest first; nodes without a value (no data for a rate) after the others, in code order.
        rows = ranked(rows, rank.key)
    return Dashboard(
        tree=tree,
        node=node,
        period=period,
        metrics=chosen,
        figures=values.get(node.code, {}),
        children=rows,
        rank=rank,
        trend_months=months,
        trend=series,
        ancestors=_ancestors(user, tree, node),
        snapshot=snapshot,
    )


def _trend(chosen, code: str, months, snapshot) -> dict[str, list]:
    if not chosen:
        return {}
    if snapshot is not None:
        return {m.key: snapshot.trend[m.key] for m in chosen if m.key in snapshot.trend}
    return trend(chosen, code, months)


def date_minus_month(day):
    """The first day of the month before ``day``'s."""
    from datetime import timedelta

    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)

"""One dashboard's content for a user, node and period: the page and the API both read this."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404

from jiceng.areas.models import ancestor_codes, get_area_for_user
from jiceng.core.metrics import Period, figures, metrics_for, trend, visible_children
from jiceng.core.registry import Metric
from jiceng.orgs.models import get_org_for_user
from jiceng.orgs.services.tree import ancestor_org_codes

TREE_LABELS = {"areas": "区划", "orgs": "党组织"}
TREND_MONTHS = 12


@dataclass
class Dashboard:
    tree: str
    node: object
    period: Period
    metrics: list[Metric]
    figures: dict[str, object]  # the node's own, by metric key
    children: list[dict] = field(default_factory=list)  # {code, name, figures}, ranked by ``rank``
    rank: Metric | None = None
    trend_months: list = field(default_factory=list)
    trend: dict[str, list] = field(default_factory=dict)
    ancestors: list[tuple[str, str]] = field(default_factory=list)  # visible ones, root first

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
        }


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


def build(user, tree: str, code: str, period: Period, rank_key: str = "") -> Dashboard:
    node = find_node(user, tree, code)
    chosen = metrics_for(user, tree, node)
    children = visible_children(user, tree, node.code)
    values = figures(chosen, [node.code, *(c for c, _ in children)], period) if chosen else {}
    rank = next((m for m in chosen if m.key == rank_key), None) or next(iter(chosen), None)
    rows = [{"code": c, "name": name, "figures": values.get(c, {})} for c, name in children]
    if rank is not None:
        # Highest first; nodes without a value (no data for a rate) after the others, in code order.
        rows.sort(key=lambda r: (r["figures"].get(rank.key) is None, -(r["figures"].get(rank.key) or 0), r["code"]))
    months = period.trend(TREND_MONTHS)
    return Dashboard(
        tree=tree,
        node=node,
        period=period,
        metrics=chosen,
        figures=values.get(node.code, {}),
        children=rows,
        rank=rank,
        trend_months=months,
        trend=trend(chosen, node.code, months) if chosen else {},
        ancestors=_ancestors(user, tree, node),
    )

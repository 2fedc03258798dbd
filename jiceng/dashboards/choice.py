"""Which figures a dashboard shows, and under which headings (issue 12: 60 cards in one grid were
too many to read).

Every metric the user may see on a node is still computed (the page's JSON, the API and the
workbook agree on all of them); the page shows the user's *choice* of them, grouped by
``Metric.group`` in :data:`GROUP_ORDER`, the node's headline figures (:data:`HEADLINE`) first under
“重点指标”. The choice is saved per user and tree (:class:`~jiceng.dashboards.models.DashboardChoice`,
written by :func:`save_choice`); without one, or after “恢复默认”, a curated default for the node's
level (:func:`default_keys`): the city and district see the overview groups, a street, community
or grid the groups of its daily work, the org tree the party-building groups. The home page's
figures under the 待办 list use the same choice (``accounts.views._month_figures``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from jiceng.accounts.services import audit
from jiceng.core.registry import Metric, metric_sources, metrics

from .models import DashboardChoice

HEADLINE_TITLE = "重点指标"

# Headings in this order; a group not listed follows them, by its metrics' smallest ``order``.
GROUP_ORDER = (
    "民呼我应",
    "吹哨报到",
    "组织设置",
    "党组织",
    "党员结构",
    "发展党员",
    "党费",
    "组织生活",
    "双报到",
    "共建清单",
    "志愿服务",
    "党员年龄",
    "党员学历",
    "区划",
)

# The figures a leader reads first, per tree, in this order (those the user may see on the node).
HEADLINE = {
    "areas": (
        "appeals.received",
        "appeals.response_rate",
        "appeals.resolution_rate",
        "appeals.satisfaction_rate",
        "appeals.composite",
        "members.area.party",
        "orgs.area.findings_error",
        "orglife.area.rate_theme_day",
        "dualreport.area.services",
        "volunteers.hours",
    ),
    "orgs": (
        "orgs.members",
        "orgs.children",
        "orgs.org.findings_error",
        "members.org.in_pipeline",
        "members.org.dues_rate",
        "orglife.org.rate_committee",
        "orglife.org.rate_theme_day",
        "dualreport.org.services",
    ),
}

# The groups shown by default besides the headline figures, by the node's level (an area's
# ``level``, an org's ``category``): the overview for the city and districts, daily work below.
OVERVIEW = ("民呼我应", "吹哨报到", "组织设置", "党组织", "党员结构", "党费", "组织生活", "双报到")
DAILY = ("民呼我应", "党员结构", "发展党员", "党费", "组织生活", "双报到", "共建清单", "志愿服务")
PARTY = ("组织设置", "党组织", "党员结构", "发展党员", "党费", "组织生活", "双报到")
DEFAULT_GROUPS = {
    ("areas", "city"): OVERVIEW,
    ("areas", "district"): OVERVIEW,
}
# Within a default group, these long breakdowns stay off (one card per org type): chosen by hand.
DEFAULT_OFF_PREFIXES = ("orgs.area.type_", "orgs.org.type_")
DEFAULT_ON = ("orgs.area.type_branch", "orgs.org.type_branch")


class ChoiceError(ValueError):
    """A choice that cannot be saved (the message is for the user)."""


def _tree_of(metric: Metric) -> str:
    return metric_sources()[metric.source].tree


def _level(tree: str, node) -> str:
    return getattr(node, "level", "") if tree == "areas" else getattr(node, "category", "")


def default_keys(tree: str, node, available: Sequence[Metric]) -> set[str]:
    """The curated default for the node's level: its tree's headline figures and the default groups."""
    groups = DEFAULT_GROUPS.get((tree, _level(tree, node)), PARTY if tree == "orgs" else DAILY)
    chosen = set(HEADLINE.get(tree, ()))
    for metric in available:
        if metric.group in groups and (not metric.key.startswith(DEFAULT_OFF_PREFIXES) or metric.key in DEFAULT_ON):
            chosen.add(metric.key)
    return chosen & {m.key for m in available}


def saved_keys(user, tree: str) -> set[str] | None:
    """The user's saved choice for the tree, or None (the default applies)."""
    if not getattr(user, "is_authenticated", False):
        return None
    row = DashboardChoice.objects.filter(user=user, tree=tree).values_list("metrics", flat=True).first()
    return None if row is None else set(row)


def chosen_keys(user, tree: str, node, available: Sequence[Metric]) -> tuple[set[str], bool]:
    """(the keys shown, whether they are the user's own choice rather than the default)."""
    saved = saved_keys(user, tree)
    if saved is None:
        return default_keys(tree, node, available), False
    return saved & {m.key for m in available}, True


def _group_rank(group: str, smallest: int) -> tuple:
    if group in GROUP_ORDER:
        return (0, GROUP_ORDER.index(group), 0)
    return (1, smallest, group)


@dataclass
class Section:
    title: str
    items: list = field(default_factory=list)  # whatever the caller pairs with each metric
    group: str = ""  # the Metric.group; "" for the headline section


def grouped(tree: str, shown: Iterable[Metric], *, headline: bool = True) -> list[Section]:
    """The metrics under their headings in reading order; with ``headline`` the tree's headline
    figures first under “重点指标” (and not repeated under their own group)."""
    shown = list(shown)
    top = HEADLINE.get(tree, ()) if headline else ()
    sections: list[Section] = []
    first = sorted((m for m in shown if m.key in top), key=lambda m: top.index(m.key))
    if first:
        sections.append(Section(HEADLINE_TITLE, first))
    rest: dict[str, list[Metric]] = {}
    for metric in shown:
        if metric.key not in top:
            rest.setdefault(metric.group or "其他", []).append(metric)
    for group in sorted(rest, key=lambda g: _group_rank(g, min(m.order for m in rest[g]))):
        sections.append(Section(group, sorted(rest[group], key=lambda m: (m.order, m.key)), group))
    return sections


def in_reading_order(tree: str, shown: Iterable[Metric]) -> list[Metric]:
    """The metrics flattened in the page's order (headline first, then group by group)."""
    return [m for section in grouped(tree, shown) for m in section.items]


# --------------------------------------------------------------------------- the write verbs


def _checked_keys(tree: str, keys: Iterable[str]) -> list[str]:
    known = {key for key, m in metrics().items() if _tree_of(m) == tree}
    keys = [str(k).strip() for k in keys if str(k).strip()]
    unknown = sorted(set(keys) - known)
    if unknown:
        raise ChoiceError(f"没有这个指标：{unknown[0][:60]}。")
    if not keys:
        raise ChoiceError("请至少选择一个指标；如要恢复默认，请点“恢复默认”。")
    return sorted(set(keys))


def save_choice(actor, tree: str, keys: Iterable[str]) -> DashboardChoice:
    """Save the figures ``actor`` wants on their dashboards of ``tree`` (all or nothing)."""
    if tree not in ("areas", "orgs"):
        raise ChoiceError("没有这种树。")
    chosen = _checked_keys(tree, keys)
    with transaction.atomic():
        row = DashboardChoice.objects.select_for_update().filter(user=actor, tree=tree).first()
        before = {"metrics": row.metrics} if row else None
        if row is None:
            row = DashboardChoice(user=actor, tree=tree)
        row.metrics = chosen
        row.updated_at = timezone.now()
        row.save()
        audit(actor, "save_dashboardchoice", row, before=before, after={"tree": tree, "metrics": chosen})
    return row


def reset_choice(actor, tree: str) -> bool:
    """Back to the default (the saved choice deleted); False when there was none."""
    with transaction.atomic():
        row = DashboardChoice.objects.select_for_update().filter(user=actor, tree=tree).first()
        if row is None:
            return False
        audit(actor, "reset_dashboardchoice", row, before={"metrics": row.metrics}, after={"tree": tree})
        row.delete()
    return True

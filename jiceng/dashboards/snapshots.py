"""月报 snapshots: a node's official figures for a period, frozen so later corrections leave them.

:func:`create_snapshot` is the one write verb (actor first, the node's row locked, audit in the
same transaction). It stores every metric of the tree for the node and its children, whatever the
actor may see: who may read which metric is decided when a snapshot is shown (the dashboard and the
reports filter by the reader's permissions, as for live figures). :func:`snapshot_last_month` is
the scheduled job of the 1st of each month.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.accounts.services import audit
from jiceng.core.metrics import Period, figures, tree_model, trend
from jiceng.core.registry import metric_sources, metrics
from jiceng.core.scope import scope_for

from .models import Snapshot
from .permissions import SNAPSHOT_ADD
from .services import TREND_MONTHS, date_minus_month

# Levels the scheduled job freezes every month (a community's figures are in its street's snapshot).
JOB_LEVELS = ("city", "district", "street")


class SnapshotError(Exception):
    """Why a snapshot was not made (a Chinese message for the user)."""


def tree_metrics(tree: str) -> list:
    sources = metric_sources()
    return [m for m in metrics().values() if m.source in sources and sources[m.source].tree == tree]


def find_snapshot(tree: str, code: str, period: Period) -> Snapshot | None:
    return Snapshot.objects.filter(tree=tree, code=code, period=period.text).first()


def create_snapshot(actor, tree: str, code: str, period: Period) -> Snapshot:
    """Freeze the figures of ``code`` for ``period``; ``actor`` None is the scheduled job.

    A second snapshot of the same node and period is refused (the first stays the official one):
    two clicks at once make one snapshot, the other gets the message.
    """
    model, entry = tree_model(tree)
    if actor is not None:
        scope = scope_for(actor, SNAPSHOT_ADD)
        node_row = model.objects.visible_to(actor).filter(**{entry.code_field: code}).first()
        if node_row is None:
            raise SnapshotError("没有这个节点，或您无权查看。")
        path = getattr(node_row, "area_path", "") if tree == "orgs" else code
        allowed = scope.covers_any(areas=(path,), orgs=(code,)) if tree == "orgs" else scope.covers(code)
        if not allowed:
            raise PermissionDenied("您没有冻结该节点月报的权限。")
    if period.end >= timezone.localdate().replace(day=1):
        raise SnapshotError("只能冻结已经结束的统计期（本月的数据还在变化）。")
    chosen = tree_metrics(tree)
    try:
        with transaction.atomic():
            node = model.objects.select_for_update().filter(**{entry.code_field: code}).first()
            if node is None:
                raise SnapshotError("没有这个节点。")
            if Snapshot.objects.filter(tree=tree, code=code, period=period.text).exists():
                raise SnapshotError(f"{period.label}的月报已经冻结，不能重复冻结。")
            children = list(
                model.objects.filter(**{f"parent__{entry.code_field}": code})
                .order_by(entry.code_field)
                .values_list(entry.code_field, entry.name_field)
            )
            codes = [code, *(c for c, _ in children)]
            values = figures(chosen, codes, period) if chosen else {c: {} for c in codes}
            months = period.trend(TREND_MONTHS)
            snapshot = Snapshot.objects.create(
                tree=tree,
                code=code,
                node_name=getattr(node, entry.name_field),
                period=period.text,
                values=values,
                names=dict(children),
                trend={"months": [f"{m:%Y-%m}" for m in months], **trend(chosen, code, months)} if chosen else {},
                created_by=actor,
            )
            audit(
                actor,
                "create_snapshot",
                snapshot,
                after={"tree": tree, "code": code, "period": period.text, "metrics": len(chosen)},
                area_path=getattr(node, "area_path", "") if tree == "orgs" else code,
            )
            return snapshot
    except IntegrityError:
        raise SnapshotError(f"{period.label}的月报已经冻结，不能重复冻结。") from None


def snapshot_last_month(today: date | None = None) -> int:
    """Freeze last month for every area at :data:`JOB_LEVELS` that has no snapshot yet (idempotent:
    run daily, it does the work on the 1st and catches up after a missed day)."""
    from jiceng.areas.models import Area

    today = today or timezone.localdate()
    last = date_minus_month(today)
    period = Period.month_of(last)
    done = set(Snapshot.objects.filter(tree="areas", period=period.text).values_list("code", flat=True))
    made = 0
    for code in Area.objects.filter(level__in=JOB_LEVELS).order_by("code").values_list("code", flat=True):
        if code in done:
            continue
        try:
            create_snapshot(None, "areas", code, period)
            made += 1
        except SnapshotError:
            continue
    return made

"""The 待办 sources of 共建清单 and the board's figures (from the monthly counters, never counting
the items or claims on request)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from jiceng.core.scope import scope_for
from jiceng.core.todos import TodoItem

from .models import COUNTERS, AreaMonth, Claim, ClaimStatus, Item, ItemStatus, Kind
from .permissions import CLAIM_CONFIRM, ITEM_ADD
from .rules import warning_days


def claims_to_confirm(user, now: datetime, limit: int) -> list[TodoItem]:
    scope = scope_for(user, CLAIM_CONFIRM)
    if scope.empty:
        return []
    rows = (
        Claim.objects.filter(scope.q(area="area_path"), status=ClaimStatus.INTENT)
        .select_related("item", "unit", "member", "team")
        .order_by("created_at", "id")[:limit]
    )
    return [
        TodoItem(
            title=f"{c.claimer_name} 认领“{c.item.title}”",
            url=reverse("cobuild:claim_detail", args=[c.pk]),
            note=f"{c.quantity}{c.item.unit_label} · 待确认",
        )
        for c in rows
    ]


def items_expiring(user, now: datetime, limit: int) -> list[TodoItem]:
    scope = scope_for(user, ITEM_ADD)
    if scope.empty:
        return []
    today = timezone.localdate(now)
    rows = (
        Item.objects.filter(
            scope.q(area="area_path"),
            status=ItemStatus.OPEN,
            expires_on__gte=today,
            expires_on__lte=today + timedelta(days=warning_days()),
        )
        .only("id", "title", "expires_on", "taken", "quantity", "unit_label", "kind")
        .order_by("expires_on", "id")[:limit]
    )
    return [
        TodoItem(
            title=f"{i.get_kind_display()}“{i.title}”即将截止",
            url=reverse("cobuild:item_detail", args=[i.pk]),
            note=f"已认领 {i.taken}/{i.quantity}{i.unit_label}",
            due=i.expires_on,
        )
        for i in rows
    ]


def subtree_figures(codes: list[str], start: date, end: date) -> dict[str, dict]:
    """Per node: the counters summed over the months (one query)."""
    rows = (
        AreaMonth.objects.filter(path__in=codes, month__gte=start, month__lte=end)
        .values("path")
        .annotate(**{name: Sum(name) for name in COUNTERS})
    )
    return {row["path"]: dict(row) for row in rows}


def open_counts(item_queryset) -> dict[str, int]:
    """Open items per kind of a board (one grouped query on the indexed columns)."""
    rows = item_queryset.filter(status=ItemStatus.OPEN).values("kind").annotate(n=Count("id"))
    counts = {kind.value: 0 for kind in Kind}
    counts.update({row["kind"]: row["n"] for row in rows})
    return counts


__all__ = ["Q", "claims_to_confirm", "items_expiring", "open_counts", "subtree_figures"]

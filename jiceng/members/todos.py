"""The members' kinds of waiting work on the 待办 list (registered in registry.py): transfers to
accept on the receiving side, and probationary members whose probation ends within a month
(预备党员转正). Each is one query bounded by ``limit``, through ``visible_to``."""

from datetime import datetime, timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from jiceng.core.dates import add_months
from jiceng.core.scope import scope_for
from jiceng.core.todos import TodoItem
from jiceng.members.models import Member, Status, Transfer, TransferKind, TransferStatus
from jiceng.members.permissions import TRANSFER_CHANGE
from jiceng.members.rules import probation_end, rule_values

PROBATION_NOTICE = timedelta(days=30)


def to_accept(user, now: datetime, limit: int) -> list[TodoItem]:
    """组织关系转接 waiting for the user's side to accept (the 待本方接收 tab)."""
    scope = scope_for(user, TRANSFER_CHANGE)
    rows = (
        Transfer.objects.visible_to(user)
        .filter(
            scope.q(area="area_path", org="org_path"),
            status=TransferStatus.PENDING,
            kind__in=[TransferKind.INTERNAL, TransferKind.INCOMING],
        )
        .order_by("valid_until", "id")[:limit]
    )
    return [
        TodoItem(
            f"{t.person_name} · 介绍信 {t.letter_no or t.pk}",
            reverse("members:transfer_detail", args=[t.pk]),
            t.valid_until,
        )
        for t in rows
    ]


def probation_due(user, now: datetime, limit: int) -> list[TodoItem]:
    """预备党员 whose probation ends within :data:`PROBATION_NOTICE` (or has ended): 转正 is due."""
    today = timezone.localdate(now)
    horizon = today + PROBATION_NOTICE
    admitted_by = add_months(horizon, -12 * rule_values()["probation_years"])
    rows = (
        Member.objects.visible_to(user, "change")
        .filter(status=Status.PROBATIONARY, left_on__isnull=True)
        .filter(
            Q(probation_extended_to__isnull=True, admission_date__lte=admitted_by)
            | Q(probation_extended_to__lte=horizon)
        )
        .only("id", "name", "admission_date", "probation_extended_to")
        .order_by("admission_date", "id")[:limit]
    )
    items = [
        TodoItem(
            f"{m.name} · 预备期满转正",
            reverse("members:member_detail", args=[m.pk]),
            probation_end(m.admission_date, m.probation_extended_to),
        )
        for m in rows
    ]
    return sorted(items, key=lambda item: item.due)

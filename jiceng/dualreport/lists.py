"""The below-target lists and the 待办 sources, read from the per-member-per-year tallies.

Nothing here counts services: a member's number for a year is their :class:`YearTally` row (0 when
there is none yet), so a list costs the same whatever the number of services.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from jiceng.core.scope import scope_for
from jiceng.core.todos import TodoItem
from jiceng.members.models import member_of

from .models import (
    Delivery,
    Feedback,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    Service,
    ServiceStatus,
    YearTally,
)
from .permissions import FEEDBACK_VIEW, REGISTRATION_CONFIRM, SERVICE_CONFIRM
from .rules import yearly_target


def _done(year: int):
    tally = YearTally.objects.filter(member_id=OuterRef("member_id"), year=year).values("services")[:1]
    return Coalesce(Subquery(tally, output_field=IntegerField()), Value(0))


def registered_members(user, year: int):
    """Confirmed member registrations the user sees, each with ``done``: the year's services."""
    return (
        Registration.objects.visible_to(user, own_rows=False)
        .filter(kind=RegistrationKind.MEMBER, status=RegistrationStatus.CONFIRMED)
        .annotate(done=_done(year))
    )


def members_below_target(user, year: int, target: int | None = None):
    target = yearly_target() if target is None else target
    return (
        registered_members(user, year)
        .filter(done__lt=target)
        .select_related("member", "org", "community")
        .order_by("org_path", "member__name", "id")
    )


def branches_below_target(user, year: int, target: int | None = None) -> list[dict]:
    """Per branch: members registered, members below target; only branches with any below."""
    target = yearly_target() if target is None else target
    rows = (
        registered_members(user, year)
        .values("org_id", "org__name", "org__code")
        .annotate(members=Count("id"), below=Sum(Coalesce(_below(target), Value(0))))
        .filter(below__gt=0)
        .order_by("-below", "org__code")
    )
    return list(rows)


def _below(target: int):
    from django.db.models import Case, When

    return Case(When(done__lt=target, then=Value(1)), default=Value(0), output_field=IntegerField())


# --------------------------------------------------------------------------- 待办


def _community_q(user, permission: str) -> Q | None:
    scope = scope_for(user, permission)
    if scope.empty:
        return None
    return scope.q(area="area_path")


def registrations_to_confirm(user, now: datetime, limit: int) -> list[TodoItem]:
    q = _community_q(user, REGISTRATION_CONFIRM)
    if q is None:
        return []
    rows = (
        Registration.objects.filter(q, status=RegistrationStatus.PENDING)
        .select_related("member", "unit", "community")
        .order_by("created_at", "id")[:limit]
    )
    return [
        TodoItem(
            title=f"{r.who} 向{r.community.name}报到",
            url=reverse("dualreport:registration_detail", args=[r.pk]),
            note=f"{r.get_kind_display()} · {r.registered_on:%m-%d}",
        )
        for r in rows
    ]


def services_to_confirm(user, now: datetime, limit: int) -> list[TodoItem]:
    q = _community_q(user, SERVICE_CONFIRM)
    if q is None:
        return []
    rows = (
        Service.objects.filter(q, status=ServiceStatus.PENDING)
        .select_related("member")
        .order_by("served_on", "id")[:limit]
    )
    return [
        TodoItem(
            title=f"{s.member.name} {s.served_on:%m-%d} {s.content[:20]}",
            url=reverse("dualreport:service_detail", args=[s.pk]),
            note=f"{s.hours} 小时",
        )
        for s in rows
    ]


def feedback_received(user, now: datetime, limit: int) -> list[TodoItem]:
    scope = scope_for(user, FEEDBACK_VIEW)
    if scope.empty:
        return []
    rows = (
        Feedback.objects.filter(scope.q(org="org_path"), read_at__isnull=True, delivery=Delivery.SYSTEM)
        .select_related("member", "community")
        .order_by("sent_on", "id")[:limit]
    )
    return [
        TodoItem(
            title=f"{f.community.name}反馈：{f.member.name} {f.year}年服务{f.services}次",
            url=reverse("dualreport:feedback_detail", args=[f.pk]),
            note="未达标" if f.below_target else "已达标",
        )
        for f in rows
    ]


def my_target(user, now: datetime, limit: int) -> list[TodoItem]:
    """The member's own: 本年度双报到服务未达标 while the year's confirmed services are short."""
    member = member_of(user)
    if member is None:
        return []
    year = timezone.localdate(now).year
    registration = (
        Registration.objects.filter(member=member, status=RegistrationStatus.CONFIRMED)
        .annotate(done=_done(year))
        .only("id", "member_id")
        .first()
    )
    target = yearly_target()
    if registration is None or registration.done >= target:
        return []
    return [
        TodoItem(
            title="本年度双报到服务未达标",
            url=reverse("dualreport:mine"),
            note=f"已确认 {registration.done} 次，目标 {target} 次",
            due=timezone.localdate(now).replace(month=12, day=31),
        )
    ]

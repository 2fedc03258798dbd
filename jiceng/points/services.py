"""Every write of 党员积分: one transaction per award or reversal, the per-kind and overall yearly
totals moved in it, the yearly cap applied under the total's row lock.

Other apps call :func:`award` when a source counts (a confirmed 双报到 service, approved volunteer
hours, a completed claim) and :func:`reverse` when it no longer does (a correction). Both are
idempotent: the same source awarded twice records one award; reversing a source without a live
award does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import Actor, audit
from jiceng.core.scope import scope_for
from jiceng.members.models import Member

from .models import Award, PointRule, YearTotal
from .permissions import RULE_CHANGE
from .rules import BY_KIND


class PointsError(ValidationError):
    pass


@dataclass(frozen=True)
class Scheme:
    kind: str
    label: str
    unit: str
    points_per_unit: Decimal
    yearly_cap: int
    basis: str
    custom: bool


def scheme() -> list[Scheme]:
    """The city's scheme: every known kind, the city's row where it set one, else the default."""
    rows = {r.source_kind: r for r in PointRule.objects.all()}
    out = []
    for kind, default in BY_KIND.items():
        row = rows.get(kind)
        out.append(
            Scheme(
                kind,
                default.label,
                default.unit,
                row.points_per_unit if row else default.points_per_unit,
                row.yearly_cap if row else default.yearly_cap,
                default.basis,
                row is not None,
            )
        )
    return out


def rule_for(kind: str) -> Scheme:
    for item in scheme():
        if item.kind == kind:
            return item
    raise PointsError(f"未知的积分来源“{kind}”。", code="source_kind")


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def set_rule(actor: Actor, kind: str, *, points_per_unit, yearly_cap) -> PointRule:
    """The city changes one kind's value (new awards only: past awards stay as recorded)."""
    if kind not in BY_KIND:
        raise PointsError(f"未知的积分来源“{kind}”。", code="source_kind")
    if actor is not None and not scope_for(actor, RULE_CHANGE).everywhere and scope_for(actor, RULE_CHANGE).empty:
        raise PointsError("只有市委组织部可以修改积分规则。", code="permission")
    try:
        per_unit = Decimal(str(points_per_unit)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except Exception:
        raise PointsError("每单位分值应是数字。", code="points_per_unit") from None
    if per_unit < 0 or per_unit > 100:
        raise PointsError("每单位分值应在0到100之间。", code="points_per_unit")
    try:
        cap = int(yearly_cap)
    except (TypeError, ValueError):
        raise PointsError("年度上限应是整数。", code="yearly_cap") from None
    if cap < 0 or cap > 1000:
        raise PointsError("年度上限应在0到1000之间。", code="yearly_cap")
    with transaction.atomic():
        row, _ = PointRule.objects.select_for_update().get_or_create(
            source_kind=kind, defaults={"points_per_unit": per_unit, "yearly_cap": cap}
        )
        before = {"points_per_unit": str(row.points_per_unit), "yearly_cap": row.yearly_cap}
        row.points_per_unit, row.yearly_cap, row.updated_by = per_unit, cap, _user(actor)
        row.save()
        audit(actor, "points_rule_set", row, before=before, after={"points_per_unit": str(per_unit), "yearly_cap": cap})
    return row


def _total(member: Member, year: int, kind: str) -> YearTotal:
    row, _ = YearTotal.objects.get_or_create(
        member=member,
        year=year,
        source_kind=kind,
        defaults={"area_path": member.area_path, "org_path": member.org_path},
    )
    return YearTotal.objects.select_for_update().get(pk=row.pk)


def _move(member: Member, year: int, kind: str, points: Decimal) -> None:
    YearTotal.objects.filter(member=member, year=year, source_kind=kind).update(points=F("points") + points)
    _total(member, year, "")
    YearTotal.objects.filter(member=member, year=year, source_kind="").update(points=F("points") + points)


def _live(kind: str, ref: str) -> Award | None:
    """The source's award that no reversal undoes yet (at most one)."""
    return (
        Award.objects.filter(source_kind=kind, source_ref=ref, reverses__isnull=True, reversal__isnull=True)
        .order_by("-generation")
        .first()
    )


def award(
    source_kind: str,
    ref,
    member: Member,
    quantity=1,
    when: date | None = None,
    *,
    actor: Actor = None,
    note: str = "",
) -> Award | None:
    """Award ``member`` for one source (``ref`` unique within ``source_kind``): quantity × the
    kind's points per unit, cut to what the member's yearly cap for the kind leaves. The same
    source awarded again returns the live award. None for a member who is not a party member's
    roster entry any more (left the platform)."""
    rule = rule_for(source_kind)
    ref = str(ref)
    when = when or timezone.localdate()
    try:
        quantity = Decimal(str(quantity))
    except Exception:
        raise PointsError("数量应是数字。", code="quantity") from None
    if quantity <= 0:
        raise PointsError("数量应大于0。", code="quantity")
    try:
        with transaction.atomic():
            existing = _live(source_kind, ref)
            if existing is not None:
                return existing
            total = _total(member, when.year, source_kind)  # the lock that serialises the cap
            existing = _live(source_kind, ref)
            if existing is not None:
                return existing
            generation = Award.objects.filter(source_kind=source_kind, source_ref=ref, reverses__isnull=True).count()
            raw = (quantity * rule.points_per_unit).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            room = max(Decimal(rule.yearly_cap) - total.points, Decimal("0"))
            points = min(raw, room)
            row = Award.objects.create(
                member=member,
                source_kind=source_kind,
                source_ref=ref,
                generation=generation,
                quantity=quantity,
                points=points,
                capped=points < raw,
                awarded_on=when,
                year=when.year,
                note=note[:120],
                area_path=member.area_path,
                org_path=member.org_path,
            )
            _move(member, when.year, source_kind, points)
            audit(actor, "points_award", row, after={"kind": source_kind, "ref": ref, "points": str(points)})
            return row
    except IntegrityError:
        # A concurrent award of the same source won: theirs is the award.
        return _live(source_kind, ref)


def reverse(source_kind: str, ref, *, actor: Actor = None, note: str = "") -> Award | None:
    """Undo the source's live award with a reversal row (negative points); None if there is none."""
    ref = str(ref)
    with transaction.atomic():
        live = _live(source_kind, ref)
        if live is None:
            return None
        live = Award.objects.select_for_update().select_related("member").get(pk=live.pk)
        if Award.objects.filter(reverses=live).exists():
            return None
        _total(live.member, live.year, source_kind)
        try:
            with transaction.atomic():
                row = Award.objects.create(
                    member=live.member,
                    source_kind=source_kind,
                    source_ref=ref,
                    generation=live.generation,
                    quantity=-live.quantity,
                    points=-live.points,
                    awarded_on=timezone.localdate(),
                    year=live.year,
                    note=(note or "来源更正，冲销原积分")[:120],
                    reverses=live,
                    area_path=live.area_path,
                    org_path=live.org_path,
                )
        except IntegrityError:
            return None  # reversed concurrently
        _move(live.member, live.year, source_kind, -live.points)
        audit(actor, "points_reverse", row, after={"kind": source_kind, "ref": ref, "points": str(row.points)})
        return row


def member_points(member: Member | int, year: int) -> Decimal:
    """The member's points in ``year`` (all kinds): for the yearly evaluation of members and branches."""
    member_id = member if isinstance(member, int) else member.pk
    row = YearTotal.objects.filter(member_id=member_id, year=year, source_kind="").values_list("points", flat=True)
    return next(iter(row), Decimal("0"))

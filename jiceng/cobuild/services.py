"""Every write of 共建清单: actor first, the item's row locked, the monthly counters and the audit
in one transaction.

Who may act is decided here, against the item's area (``area_path``) or the claimer's side, so a
page, the API and a test reach the same answer. Refusals are :class:`CobuildError` with a Chinese
message and a ``code`` naming what they are about (``quantity``, ``status``, ``expired`` …).

Other apps call :func:`publish_item` (协商议事 turns a decision into a need or a project) and listen
to :data:`claim_completed` (党员积分 awards points for a completed claim). The signal is sent inside
the completing transaction, so a receiver's writes commit or roll back with the completion.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import django.dispatch
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import Actor, audit
from jiceng.areas.models import Area, Level
from jiceng.core.inputs import InputError, check_text
from jiceng.core.rules import get_rule
from jiceng.core.scope import scope_for
from jiceng.members.models import PARTY_MEMBER_STATUSES, Member
from jiceng.orgs.models import ResidentUnit
from jiceng.volunteers.models import Team, TeamMember, Volunteer
from jiceng.volunteers.permissions import TEAM_ADD

from .models import (
    COUNTERS,
    VISIBLE_LENGTH,
    AreaMonth,
    Category,
    Claim,
    ClaimerKind,
    ClaimStatus,
    Evidence,
    Item,
    ItemStatus,
    Kind,
    MenuEvent,
    Milestone,
    TeamHours,
    Visibility,
)
from .permissions import CLAIM_ADD, CLAIM_CONFIRM, ITEM_ADD
from .rules import default_expiry

# Sent (inside the transaction) when a claim is completed: ``claim`` and ``actor``.
claim_completed = django.dispatch.Signal()

KIND_COUNTER = {Kind.NEED: "needs", Kind.RESOURCE: "resources", Kind.PROJECT: "projects"}
STAT_LENGTHS = (4, 6, 9, 12)


class CobuildError(Exception):
    """A refusal: ``message`` in Chinese, ``code`` the field or state it is about."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    @property
    def messages(self) -> list[str]:
        return [self.message]


def _now() -> datetime:
    return timezone.now()


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _text(value, label: str, *, required: bool = True, max_length: int = 300, code: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise CobuildError(f"请填写{label}。", code or "text")
    if len(value) > max_length:
        raise CobuildError(f"{label}不能超过{max_length}个字。", code or "text")
    try:
        return check_text(value, label, multiline=False)
    except InputError as exc:
        raise CobuildError(str(exc), code or "text") from None


def _require(actor: Actor, permission: str, area_path: str, message: str) -> None:
    if actor is not None and not scope_for(actor, permission).covers(area_path):
        raise CobuildError(message, "permission")


def _quantity(value, label: str = "数量") -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise CobuildError(f"{label}应为正整数。", "quantity") from None
    if number < 1:
        raise CobuildError(f"{label}至少为1。", "quantity")
    if number > 100000:
        raise CobuildError(f"{label}不能超过100000。", "quantity")
    return number


# --------------------------------------------------------------------------- monthly counters


def _month(at: datetime | date) -> date:
    day = timezone.localdate(at) if isinstance(at, datetime) else at
    return day.replace(day=1)


def bump(area_path: str, at: datetime | date, deltas: dict[str, int]) -> None:
    """Add ``deltas`` to the month's rows of the area and every ancestor (city … community)."""
    increments = {name: F(name) + n for name, n in deltas.items() if n}
    if not increments:
        return
    month = _month(at)
    paths = [area_path[:n] for n in STAT_LENGTHS if n <= len(area_path)]
    rows = AreaMonth.objects.filter(path__in=paths, month=month)
    if rows.update(**increments) == len(paths):
        return
    present = set(rows.values_list("path", flat=True))
    missing = [p for p in paths if p not in present]
    AreaMonth.objects.bulk_create([AreaMonth(path=p, month=month) for p in missing], ignore_conflicts=True)
    AreaMonth.objects.filter(path__in=missing, month=month).update(**increments)


def rebuild_months() -> int:
    """Derive every ``AreaMonth`` row from the items and claims (the counters the verbs keep):
    for a bulk load (the demo, the bench) and to check the kept counters. Returns the rows."""
    from collections import defaultdict

    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    totals: dict[tuple[str, date], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))

    def add(path: str, month, field: str, n: int) -> None:
        day = month.date() if isinstance(month, datetime) else month
        for length in STAT_LENGTHS:
            if length <= len(path):
                totals[(path[:length], day.replace(day=1))][field] += n

    tz = timezone.get_current_timezone()
    items = (
        Item.objects.annotate(m=TruncMonth("published_at", tzinfo=tz))
        .values("area_path", "kind", "m")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in items:
        add(row["area_path"], row["m"], KIND_COUNTER[Kind(row["kind"])], row["n"])
    claims = (
        Claim.objects.annotate(m=TruncMonth("created_at", tzinfo=tz))
        .values("area_path", "m")
        .annotate(n=Count("id"))
        .order_by()
    )
    for crow in claims:
        add(crow["area_path"], crow["m"], "claims", crow["n"])
    done = (
        Claim.objects.filter(completed_at__isnull=False)
        .annotate(m=TruncMonth("completed_at", tzinfo=tz))
        .values("area_path", "m")
        .annotate(n=Count("id"))
        .order_by()
    )
    for drow in done:
        add(drow["area_path"], drow["m"], "completed", drow["n"])
    with transaction.atomic():
        AreaMonth.objects.all().delete()
        AreaMonth.objects.bulk_create(
            [AreaMonth(path=p, month=m, **values) for (p, m), values in totals.items()], batch_size=2000
        )
    return len(totals)


def month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


# --------------------------------------------------------------------------- categories


def add_category(actor: Actor, *, name: str, parent: Category | None = None, order: int = 100) -> Category:
    from .permissions import CATEGORY_CHANGE

    if actor is not None and scope_for(actor, CATEGORY_CHANGE).empty:
        raise CobuildError("您没有维护清单类别的权限。", "permission")
    name = _text(name, "类别名称", max_length=40, code="name")
    if parent is not None and parent.parent_id is not None:
        raise CobuildError("类别最多两级：请选择一级类别作为上级。", "parent")
    with transaction.atomic():
        if Category.objects.filter(parent=parent, name=name).exists():
            raise CobuildError(f"已有类别“{name}”。", "name")
        category = Category.objects.create(parent=parent, name=name, order=order)
        audit(actor, "cobuild_add_category", category, after={"name": name, "parent": parent.pk if parent else None})
    return category


# --------------------------------------------------------------------------- publishing


def _check_area(area: Area | None) -> Area:
    if area is None:
        raise CobuildError("请选择发布事项的社区或街道。", "area")
    if area.level not in (Level.COMMUNITY, Level.STREET):
        raise CobuildError(f"“{area.name}”是{area.get_level_display()}，清单由社区或街道发布。", "area")
    return area


def visible_path_of(area: Area, visibility: str) -> str:
    if visibility not in VISIBLE_LENGTH:
        raise CobuildError("请选择公开范围。", "visibility")
    length = VISIBLE_LENGTH[Visibility(visibility)]
    if length > len(area.code):
        raise CobuildError(f"街道发布的事项公开范围不能是“{Visibility(visibility).label}”。", "visibility")
    return area.code[:length]


def create_event(
    actor: Actor, *, area: Area | None, title: str, opens_at: datetime | None, place: str = "", note: str = ""
) -> MenuEvent:
    """民生菜单招亲会: items published into it open for claiming together at ``opens_at``."""
    area = _check_area(area)
    _require(actor, ITEM_ADD, area.code, "您无权在该区划发布民生菜单。")
    title = _text(title, "活动名称", max_length=80, code="title")
    place = _text(place, "地点", required=False, max_length=80, code="place")
    note = _text(note, "说明", required=False, max_length=300, code="note")
    if opens_at is None:
        raise CobuildError("请填写开始认领时间。", "opens_at")
    with transaction.atomic():
        event = MenuEvent.objects.create(
            title=title,
            area=area,
            area_path=area.code,
            opens_at=opens_at,
            place=place,
            note=note,
            created_by=_user(actor),
        )
        audit(actor, "cobuild_create_event", event, after={"title": title}, area_path=area.code)
    return event


def publish_item(
    actor: Actor,
    *,
    kind: str,
    title: str,
    category: Category | None,
    area: Area | None,
    quantity=1,
    unit_label: str = "项",
    visibility: str = Visibility.COMMUNITY,
    description: str = "",
    expires_on: date | None = None,
    event: MenuEvent | None = None,
    source_appeal=None,
    offered_by_unit: ResidentUnit | None = None,
    offered_by_team: Team | None = None,
    owner_name: str = "",
    budget: Decimal | None = None,
    matches: Iterable[Item] = (),
    milestones: Iterable[tuple[str, date]] = (),
    now: datetime | None = None,
) -> Item:
    """Publish a need, a resource or a project on a community's (or street's) list."""
    now = now or _now()
    today = timezone.localdate(now)
    errors: list[CobuildError] = []

    def attempt(fn):
        try:
            return fn()
        except CobuildError as exc:
            errors.append(exc)
            return None

    if kind not in Kind.values:
        raise CobuildError("请选择需求、资源或项目。", "kind")
    area = _check_area(area)
    _require(actor, ITEM_ADD, area.code, "您无权在该区划发布清单事项。")
    title = attempt(lambda: _text(title, "名称", max_length=80, code="title"))
    description = attempt(lambda: _text(description, "内容", required=False, max_length=500, code="description"))
    quantity = attempt(lambda: _quantity(quantity))
    unit_label = attempt(lambda: _text(unit_label or "项", "计量单位", max_length=8, code="unit_label"))
    visible_path = attempt(lambda: visible_path_of(area, visibility))
    owner_name = attempt(lambda: _text(owner_name, "项目负责人", required=False, max_length=40, code="owner_name"))
    if category is None or not category.active:
        errors.append(CobuildError("请选择类别。", "category"))
    if expires_on is None:
        expires_on = default_expiry(kind, today)
    elif expires_on < today:
        errors.append(CobuildError("截止日期不能早于今天。", "expires_on"))
    if budget is not None and budget < 0:
        errors.append(CobuildError("预算不能为负数。", "budget"))
    if event is not None and not scope_for(actor, ITEM_ADD).covers(event.area_path) and actor is not None:
        errors.append(CobuildError("招亲会不在您的权限范围内。", "event"))
    errors += _offerer_errors(kind, offered_by_unit, offered_by_team)
    matches = list(matches)
    if matches and kind != Kind.PROJECT:
        errors.append(CobuildError("只有项目可以对接需求和资源。", "matches"))
    if any(m.kind == Kind.PROJECT for m in matches):
        errors.append(CobuildError("项目只能对接需求和资源。", "matches"))
    if errors or category is None:
        raise ManyErrors(errors)
    with transaction.atomic():
        item = Item.objects.create(
            kind=kind,
            title=title,
            description=description,
            category=category,
            area=area,
            area_path=area.code,
            visibility=visibility,
            visible_path=visible_path,
            quantity=quantity,
            unit_label=unit_label,
            event=event,
            opens_at=event.opens_at if event is not None else None,
            expires_on=expires_on,
            source_appeal=source_appeal,
            offered_by_unit=offered_by_unit,
            offered_by_team=offered_by_team,
            owner_name=owner_name or "",
            budget=budget,
            published_by=_user(actor),
            published_at=now,
        )
        if matches:
            item.matches.set(matches)
        Milestone.objects.bulk_create([Milestone(item=item, title=t, due_on=d) for t, d in milestones])
        bump(area.code, now, {KIND_COUNTER[Kind(kind)]: 1})
        audit(
            actor,
            "cobuild_publish",
            item,
            after={"kind": kind, "title": title, "quantity": quantity},
            area_path=area.code,
        )
    return item


def _offerer_errors(kind: str, unit: ResidentUnit | None, team: Team | None) -> list[CobuildError]:
    """A resource's offerer: a resident unit or a volunteer team (not both); other kinds have none."""
    errors = []
    if unit is not None and kind != Kind.RESOURCE:
        errors.append(CobuildError("只有资源可以填写提供单位。", "offered_by_unit"))
    if team is not None and kind != Kind.RESOURCE:
        errors.append(CobuildError("只有资源可以填写提供的志愿服务队。", "offered_by_team"))
    if team is not None and unit is not None:
        errors.append(CobuildError("资源的提供方只能是一个驻区单位或一支志愿服务队。", "offered_by_team"))
    return errors


class ManyErrors(CobuildError):
    """Several field refusals at once (a page shows them all)."""

    def __init__(self, errors: list[CobuildError]):
        super().__init__(errors[0].message, errors[0].code)
        self.errors = errors

    @property
    def messages(self) -> list[str]:
        return [e.message for e in self.errors]


def need_from_appeal(actor: Actor, appeal, *, category: Category | None, quantity=1, description: str = "") -> Item:
    """The community turns a 民呼我应 request into a need on its list (linked back to the request)."""
    from jiceng.areas.models import code_at_level

    community_code = code_at_level(appeal.area_path, Level.COMMUNITY)
    community = Area.objects.filter(code=community_code).first() if community_code else None
    if community is None:
        raise CobuildError("该诉求未定位到社区，不能转为社区需求。", "area")
    existing = Item.objects.filter(source_appeal=appeal).exclude(status=ItemStatus.CLOSED).first()
    if existing is not None:
        raise CobuildError(f"该诉求已转为需求“{existing.title}”。", "duplicate")
    title = (appeal.title or appeal.description or "")[:80]
    return publish_item(
        actor,
        kind=Kind.NEED,
        title=title,
        category=category,
        area=community,
        quantity=quantity,
        unit_label="项",
        description=description or (appeal.description or "")[:500],
        source_appeal=appeal,
    )


def close_item(actor: Actor, item: Item, reason: str) -> Item:
    reason = _text(reason, "关闭原因", max_length=200, code="reason")
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        _require(actor, ITEM_ADD, item.area_path, "您无权关闭该事项。")
        if item.status != ItemStatus.OPEN:
            raise CobuildError(f"该事项{item.get_status_display()}，不能关闭。", "status")
        item.status, item.closed_reason = ItemStatus.CLOSED, reason
        item.save(update_fields=["status", "closed_reason"])
        audit(actor, "cobuild_close", item, after={"reason": reason}, area_path=item.area_path)
    return item


def update_progress(actor: Actor, item: Item, *, progress, milestone: Milestone | None = None) -> Item:
    """A project's progress (0–100) and, optionally, a milestone reached today."""
    try:
        value = int(str(progress).strip())
    except (TypeError, ValueError):
        raise CobuildError("进度应为0到100之间的整数。", "progress") from None
    if not 0 <= value <= 100:
        raise CobuildError("进度应为0到100之间的整数。", "progress")
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        _require(actor, ITEM_ADD, item.area_path, "您无权更新该项目的进度。")
        if item.kind != Kind.PROJECT:
            raise CobuildError("只有项目记录进度。", "kind")
        if item.status not in (ItemStatus.OPEN, ItemStatus.DONE):
            raise CobuildError(f"该项目{item.get_status_display()}，不能更新进度。", "status")
        before = item.progress
        item.progress = value
        if value == 100:
            item.status = ItemStatus.DONE
        item.save(update_fields=["progress", "status"])
        if milestone is not None and milestone.item_id == item.pk and milestone.done_on is None:
            Milestone.objects.filter(pk=milestone.pk).update(done_on=timezone.localdate())
        audit(
            actor,
            "cobuild_progress",
            item,
            before={"progress": before},
            after={"progress": value},
            area_path=item.area_path,
        )
    return item


def expire_items(today: date | None = None) -> int:
    """The scheduled job: open items past their 截止日期 stop taking claims (idempotent)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        count = Item.objects.filter(status=ItemStatus.OPEN, expires_on__lt=today).update(status=ItemStatus.EXPIRED)
    return count


# --------------------------------------------------------------------------- claims


def leads_team(actor: Actor, team: Team) -> bool:
    """The actor is a 队长 of ``team`` (the volunteers app's leader role), or holds the team's
    管理 (``volunteers.add_team``) over its community: they may claim and act for the team."""
    user = _user(actor)
    if user is None:
        return False
    if TeamMember.objects.filter(team_id=team.pk, volunteer__user_id=user.pk, is_leader=True).exists():
        return True
    return scope_for(user, TEAM_ADD).covers(team.area_path)


def _claimer_side(
    actor: Actor, *, unit: ResidentUnit | None, member: Member | None, item: Item, team: Team | None = None
) -> tuple[str, str]:
    """(claimer kind, claimer area path), after checking the actor may claim for that claimer."""
    if sum(x is not None for x in (unit, member, team)) != 1:
        raise CobuildError("请选择认领方：驻区单位、党员本人或志愿服务队（三选一）。", "claimer")
    staff = actor is None or scope_for(actor, CLAIM_CONFIRM).covers(item.area_path)
    if team is not None:
        if not staff and not leads_team(actor, team):
            raise CobuildError(f"只有“{team.name}”的队长可以以志愿队名义认领。", "permission")
        return ClaimerKind.TEAM, team.area_path
    if member is not None:
        user = _user(actor)
        if not staff and (user is None or member.user_id != user.pk):
            raise CobuildError("党员只能为本人认领。", "permission")
        if member.status not in PARTY_MEMBER_STATUSES or member.left_on or member.exit_date:
            raise CobuildError(f"{member.name}不是在册的党员，不能认领。", "claimer")
        return ClaimerKind.MEMBER, member.residence_path or member.area_path
    assert unit is not None
    if not staff and not scope_for(actor, CLAIM_ADD).covers(unit.area_path):
        raise CobuildError(f"您无权代“{unit.name}”认领。", "permission")
    return ClaimerKind.UNIT, unit.area_path


def claim_item(
    actor: Actor,
    item: Item,
    *,
    quantity=1,
    unit: ResidentUnit | None = None,
    member: Member | None = None,
    team: Team | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Claim:
    """意向: a unit, a member or a volunteer team claims part (or all) of an item. The item's row is locked, so
    concurrent claims share the quantity and never go beyond it; the losers are told what is left."""
    now = now or _now()
    quantity = _quantity(quantity, "认领数量")
    note = _text(note, "认领说明", required=False, max_length=300, code="note")
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        if item.status != ItemStatus.OPEN:
            raise CobuildError(f"“{item.title}”{item.get_status_display()}，不能认领。", "status")
        if item.expires_on < timezone.localdate(now):
            raise CobuildError(f"“{item.title}”已于{item.expires_on:%Y年%m月%d日}截止认领。", "expired")
        if item.opens_at is not None and item.opens_at > now:
            opens = timezone.localtime(item.opens_at)
            raise CobuildError(f"民生菜单尚未开始认领：{opens:%m月%d日 %H:%M}开始。", "not_open")
        # The state first (a closed item says so to whoever had it open), then who may claim it.
        if actor is not None and not Item.objects.allows(actor, "view", item):
            raise CobuildError("该事项不在您可认领的范围内。", "permission")
        kind, claimer_path = _claimer_side(actor, unit=unit, member=member, team=team, item=item)
        if quantity > item.left:
            if item.left == 0:
                raise CobuildError(f"“{item.title}”已被认领完（共{item.quantity}{item.unit_label}）。", "quantity")
            raise CobuildError(
                f"“{item.title}”只剩{item.left}{item.unit_label}，不能认领{quantity}{item.unit_label}。", "quantity"
            )
        try:
            with transaction.atomic():
                claim = Claim.objects.create(
                    item=item,
                    claimer_kind=kind,
                    unit=unit,
                    member=member,
                    team=team,
                    quantity=quantity,
                    note=note,
                    area_path=item.area_path,
                    claimer_area_path=claimer_path,
                    created_by=_user(actor),
                )
        except IntegrityError:
            raise CobuildError("已有一个进行中的认领，不能重复认领。", "duplicate") from None
        Item.objects.filter(pk=item.pk).update(taken=F("taken") + quantity)
        bump(item.area_path, now, {"claims": 1})
        audit(
            actor,
            "cobuild_claim",
            claim,
            after={"item": item.pk, "quantity": quantity, "claimer": kind},
            area_path=item.area_path,
        )
    return claim


def _lock_claim(claim: Claim) -> tuple[Claim, Item]:
    """Lock the item first, then the claim (every verb in that order: no deadlock)."""
    item = Item.objects.select_for_update().get(pk=claim.item_id)
    claim = Claim.objects.select_for_update(of=("self",)).select_related("unit", "member", "team").get(pk=claim.pk)
    return claim, item


def _release_quantity(item: Item, claim: Claim) -> None:
    Item.objects.filter(pk=item.pk).update(taken=F("taken") - claim.quantity)


def confirm_claim(actor: Actor, claim: Claim) -> Claim:
    with transaction.atomic():
        claim, item = _lock_claim(claim)
        _require(actor, CLAIM_CONFIRM, item.area_path, "只有发布事项的社区可以确认认领。")
        if claim.status != ClaimStatus.INTENT:
            raise CobuildError(f"该认领{claim.get_status_display()}，不能确认。", "status")
        claim.status, claim.decided_at = ClaimStatus.CONFIRMED, _now()
        claim.save(update_fields=["status", "decided_at"])
        audit(actor, "cobuild_confirm_claim", claim, area_path=item.area_path)
    return claim


def reject_claim(actor: Actor, claim: Claim, reason: str) -> Claim:
    reason = _text(reason, "退回原因", max_length=200, code="reason")
    with transaction.atomic():
        claim, item = _lock_claim(claim)
        _require(actor, CLAIM_CONFIRM, item.area_path, "只有发布事项的社区可以退回认领。")
        if claim.status != ClaimStatus.INTENT:
            raise CobuildError(f"该认领{claim.get_status_display()}，不能退回。", "status")
        claim.status, claim.reason, claim.decided_at = ClaimStatus.REJECTED, reason, _now()
        claim.save(update_fields=["status", "reason", "decided_at"])
        _release_quantity(item, claim)
        audit(actor, "cobuild_reject_claim", claim, after={"reason": reason}, area_path=item.area_path)
    return claim


def _is_claimer(actor: Actor, claim: Claim) -> bool:
    user = _user(actor)
    if user is None:
        return False
    if claim.member_id is not None:
        return claim.member is not None and claim.member.user_id == user.pk
    if claim.team_id is not None:
        return claim.team is not None and leads_team(user, claim.team)
    return claim.unit is not None and scope_for(user, CLAIM_ADD).covers(claim.unit.area_path)


def release_claim(actor: Actor, claim: Claim, reason: str) -> Claim:
    """The claimer (or the community) gives the claimed quantity back before it is carried out."""
    reason = _text(reason, "释放原因", max_length=200, code="reason")
    with transaction.atomic():
        claim, item = _lock_claim(claim)
        if actor is not None and not (
            _is_claimer(actor, claim) or scope_for(actor, CLAIM_CONFIRM).covers(item.area_path)
        ):
            raise CobuildError("只有认领方或发布事项的社区可以释放认领。", "permission")
        if claim.status not in (ClaimStatus.INTENT, ClaimStatus.CONFIRMED):
            raise CobuildError(f"该认领{claim.get_status_display()}，不能释放。", "status")
        claim.status, claim.reason = ClaimStatus.RELEASED, reason
        claim.save(update_fields=["status", "reason"])
        _release_quantity(item, claim)
        audit(actor, "cobuild_release_claim", claim, after={"reason": reason}, area_path=item.area_path)
    return claim


def start_claim(actor: Actor, claim: Claim) -> Claim:
    """实施: the claimer (or the community) records that the work has begun."""
    with transaction.atomic():
        claim, item = _lock_claim(claim)
        if actor is not None and not (
            _is_claimer(actor, claim) or scope_for(actor, CLAIM_CONFIRM).covers(item.area_path)
        ):
            raise CobuildError("只有认领方或发布事项的社区可以开始实施。", "permission")
        if claim.status != ClaimStatus.CONFIRMED:
            raise CobuildError("认领经社区确认后才能开始实施。", "status")
        claim.status = ClaimStatus.ACTIVE
        claim.save(update_fields=["status"])
        audit(actor, "cobuild_start_claim", claim, area_path=item.area_path)
    return claim


_SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"), (b"%PDF-", "application/pdf"))


def _file_type(upload) -> str:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    raise CobuildError("完成凭证只能上传照片（JPG、PNG）或PDF。", "files")


def complete_claim(actor: Actor, claim: Claim, *, result: str, served=None, files: Iterable = ()) -> Claim:
    """完成: what was done, how many were served, and photos as evidence; all or nothing."""
    result = _text(result, "完成情况", max_length=300, code="result")
    served_number = None if served in (None, "") else _quantity(served, "服务人次")
    files = list(files)
    limit, count = get_rule("cobuild.evidence_max_bytes"), get_rule("cobuild.evidence_max_count")
    if len(files) > count:
        raise CobuildError(f"完成凭证最多上传{count}个文件。", "files")
    typed = []
    for upload in files:
        if upload.size > limit:
            raise CobuildError(f"“{upload.name}”超过{limit // (1024 * 1024)} MB。", "files")
        typed.append((upload, _file_type(upload)))
    with transaction.atomic():
        claim, item = _lock_claim(claim)
        if actor is not None and not (
            _is_claimer(actor, claim) or scope_for(actor, CLAIM_CONFIRM).covers(item.area_path)
        ):
            raise CobuildError("只有认领方或发布事项的社区可以登记完成。", "permission")
        if claim.status not in (ClaimStatus.CONFIRMED, ClaimStatus.ACTIVE):
            raise CobuildError(f"该认领{claim.get_status_display()}，不能登记完成。", "status")
        now = _now()
        claim.status, claim.result, claim.served, claim.completed_at = ClaimStatus.COMPLETED, result, served_number, now
        claim.save(update_fields=["status", "result", "served", "completed_at"])
        for upload, content_type in typed:
            name = (getattr(upload, "name", "") or "photo")[-120:]
            evidence = Evidence(
                claim=claim, name=name, content_type=content_type, size=upload.size, uploaded_by=_user(actor)
            )
            evidence.file.save(f"{claim.pk}-{name}", upload, save=False)
            evidence.save()
        bump(item.area_path, now, {"completed": 1})
        audit(
            actor,
            "cobuild_complete_claim",
            claim,
            after={"result": result, "served": served_number},
            area_path=item.area_path,
        )
        claim_completed.send(sender=Claim, claim=claim, actor=actor)
    return claim


def _beneficiary(actor: Actor, item: Item) -> bool:
    """The beneficiary's side: the resident whose request became the need, or the grid worker
    or community staff recording the residents' rating for them."""
    user = _user(actor)
    if user is None:
        return False
    appeal = item.source_appeal if item.source_appeal_id is not None else None
    if appeal is not None and appeal.reporter_id == user.pk:
        return True
    return scope_for(user, CLAIM_CONFIRM).covers(item.area_path)


def rate_claim(actor: Actor, claim: Claim, *, side: str, rating, comment: str = "") -> Claim:
    """双评: the beneficiary and the publisher each rate a completed claim once (1–5 stars)."""
    try:
        stars = int(str(rating).strip())
    except (TypeError, ValueError):
        raise CobuildError("评价应为1到5星。", "rating") from None
    if not 1 <= stars <= 5:
        raise CobuildError("评价应为1到5星。", "rating")
    comment = _text(comment, "评语", required=False, max_length=200, code="comment")
    if side not in ("beneficiary", "publisher"):
        raise CobuildError("请选择评价方。", "side")
    with transaction.atomic():
        claim, item = _lock_claim(claim)
        if claim.status not in (ClaimStatus.COMPLETED, ClaimStatus.RATED):
            raise CobuildError("认领完成后才能评价。", "status")
        if side == "publisher":
            _require(actor, CLAIM_CONFIRM, item.area_path, "只有发布事项的社区可以作发布方评价。")
            if claim.publisher_rating is not None:
                raise CobuildError("发布方已评价。", "status")
            claim.publisher_rating, claim.publisher_comment = stars, comment
        else:
            if actor is not None and not _beneficiary(actor, item):
                raise CobuildError("只有受益居民（或代其评价的网格员、社区）可以作受益方评价。", "permission")
            if claim.beneficiary_rating is not None:
                raise CobuildError("受益方已评价。", "status")
            claim.beneficiary_rating, claim.beneficiary_comment = stars, comment
        if claim.publisher_rating is not None and claim.beneficiary_rating is not None:
            claim.status = ClaimStatus.RATED
        claim.save()
        audit(actor, "cobuild_rate_claim", claim, after={"side": side, "rating": stars}, area_path=item.area_path)
    return claim


def record_team_hours(
    actor: Actor, claim: Claim, *, volunteers: Iterable[Volunteer], hours, served_on: date | None = None
) -> list:
    """A team's completed claim: its leader (or the publishing community) records the hours of
    the team members who took part. Each becomes a pending hours record in the volunteers app
    (source 志愿队认领服务), approved there by the volunteer's community like a self-report, and only
    then credited to the 时间银行 and told to 党员积分 (``hours_approved``). All or nothing: one
    volunteer over the daily cap, outside the team or already recorded refuses the whole entry."""
    from jiceng.volunteers import services as volunteer_services
    from jiceng.volunteers.models import HoursSource

    people = list(dict.fromkeys(volunteers))
    if not people:
        raise CobuildError("请选择参加服务的队员。", "volunteers")
    try:
        amount = volunteer_services.read_hours(hours, "每人服务时长")
    except volunteer_services.VolunteerError as exc:
        raise CobuildError("；".join(exc.messages), "hours") from None
    try:
        with transaction.atomic():
            claim, item = _lock_claim(claim)
            if claim.team_id is None or claim.team is None:
                raise CobuildError("只有志愿服务队的认领可以登记队员服务时长。", "claimer")
            if actor is not None and not (
                _is_claimer(actor, claim) or scope_for(actor, CLAIM_CONFIRM).covers(item.area_path)
            ):
                raise CobuildError("只有该队队长或发布事项的社区可以登记队员服务时长。", "permission")
            if claim.status not in (ClaimStatus.COMPLETED, ClaimStatus.RATED):
                raise CobuildError("认领登记完成后才能登记队员服务时长。", "status")
            members = set(
                TeamMember.objects.filter(team_id=claim.team_id, volunteer__in=people).values_list(
                    "volunteer_id", flat=True
                )
            )
            outside = [v.name for v in people if v.pk not in members]
            if outside:
                raise CobuildError(f"{'、'.join(outside)}不是“{claim.team.name}”的队员。", "volunteers")
            done = set(
                TeamHours.objects.filter(claim=claim, volunteer__in=people).values_list("volunteer_id", flat=True)
            )
            if done:
                names = "、".join(v.name for v in people if v.pk in done)
                raise CobuildError(f"已为{names}登记过本次认领的服务时长。", "duplicate")
            day = served_on or timezone.localdate(claim.completed_at or _now())
            records = []
            for volunteer in people:
                record = volunteer_services.record_hours(
                    actor,
                    volunteer,
                    amount,
                    day,
                    f"认领服务：{item.title}",
                    source=HoursSource.CLAIM,
                    team=claim.team,
                )
                TeamHours.objects.create(claim=claim, volunteer=volunteer, record=record)
                records.append(record)
            audit(
                actor,
                "cobuild_team_hours",
                claim,
                after={"volunteers": [v.pk for v in people], "hours": str(amount)},
                area_path=item.area_path,
            )
    except volunteer_services.VolunteerError as exc:
        raise CobuildError("；".join(exc.messages), "hours") from None
    return records


__all__ = [
    "COUNTERS",
    "CobuildError",
    "ManyErrors",
    "claim_completed",
    "claim_item",
    "publish_item",
]

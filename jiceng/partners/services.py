"""Every write of 共驻共建: actor first, the agreement locked, the audit in the same transaction."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import Actor, audit
from jiceng.areas.models import Level
from jiceng.core.inputs import InputError, check_text
from jiceng.core.scope import scope_for
from jiceng.core.todos import TodoItem
from jiceng.orgs.models import Org, ResidentUnit

from .models import Agreement, Duty, DutyRating, Rating, Review, Side
from .permissions import AGREEMENT_CHANGE
from .rules import RATING_WEIGHTS, reminder_days


class PartnersError(ValidationError):
    pass


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _text(errors: dict, field: str, value, label: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = f"请填写{label}。"
    elif len(value) > max_length:
        errors[field] = f"{label}不能超过{max_length}个字。"
    else:
        try:
            return check_text(value, label, multiline=True) if value else ""
        except InputError as exc:
            errors[field] = str(exc)
    return value


def _may(actor: Actor, path: str) -> bool:
    return actor is None or scope_for(actor, AGREEMENT_CHANGE).covers(path)


def sign(  # noqa: C901 (one check per field, all reported at once)
    actor: Actor,
    community_org: Org | None,
    unit: ResidentUnit | None,
    *,
    title: str,
    content: str,
    resources: str = "",
    community_contact: str,
    unit_contact: str,
    signed_on: date | None,
    ends_on: date | None,
    duties: list[tuple[str, str, date | None]],
) -> Agreement:
    """A new agreement with its duties ((side, content, due_on) rows): every error at once."""
    errors: dict[str, str] = {}
    if community_org is None:
        errors["community_org"] = "请选择社区（街道）党组织。"
    elif community_org.area.level not in (Level.COMMUNITY, Level.STREET):
        errors["community_org"] = f"“{community_org.name}”不是社区或街道的党组织。"
    elif not _may(actor, community_org.area_path):
        errors["community_org"] = f"您不能以“{community_org.name}”的名义签订协议。"
    if unit is None:
        errors["unit"] = "请选择驻区单位。"
    elif unit.party_org_id is None:
        errors["unit"] = f"“{unit.name}”还没有登记单位党组织，请先在驻区单位中登记。"
    elif community_org is not None and not unit.area_path.startswith(community_org.area_path):
        errors["unit"] = f"“{unit.name}”不在{community_org.name}的辖区内。"
    values = {
        "title": _text(errors, "title", title, "协议名称", 80),
        "content": _text(errors, "content", content, "共建内容", 2000),
        "resources": _text(errors, "resources", resources, "承诺投入的资源", 1000, required=False),
        "community_contact": _text(errors, "community_contact", community_contact, "社区方联系人", 60),
        "unit_contact": _text(errors, "unit_contact", unit_contact, "单位方联系人", 60),
    }
    if signed_on is None:
        errors["signed_on"] = "请填写签订日期。"
    if ends_on is None:
        errors["ends_on"] = "请填写有效期。"
    elif signed_on is not None and ends_on <= signed_on:
        errors["ends_on"] = "有效期应晚于签订日期。"
    rows = []
    for n, (side, text, due_on) in enumerate(duties, start=1):
        if not (text or "").strip() and due_on is None:
            continue
        if side not in Side.values:
            errors["duties"] = f"第{n}项责任请选择责任方。"
        elif not (text or "").strip():
            errors["duties"] = f"第{n}项责任请填写内容。"
        elif due_on is None:
            errors["duties"] = f"第{n}项责任请填写完成期限。"
        elif len(text.strip()) > 200:
            errors["duties"] = f"第{n}项责任内容不能超过200个字。"
        elif ends_on is not None and signed_on is not None and not (signed_on <= due_on <= ends_on):
            errors["duties"] = f"第{n}项责任的完成期限应在协议有效期内。"
        else:
            rows.append((side, text.strip(), due_on))
    if not rows and "duties" not in errors:
        errors["duties"] = "请至少填写一项双方责任。"
    if errors:
        raise PartnersError({k: [v] for k, v in errors.items()})
    assert community_org is not None and unit is not None and unit.party_org is not None
    assert signed_on is not None and ends_on is not None
    paths = {"area_path": community_org.area_path, "org_path": unit.party_org.code}
    with transaction.atomic():
        agreement = Agreement.objects.create(
            community_org=community_org,
            unit=unit,
            unit_org=unit.party_org,
            signed_on=signed_on,
            ends_on=ends_on,
            created_by=_user(actor),
            **values,
            **paths,
        )
        Duty.objects.bulk_create([Duty(agreement=agreement, side=s, content=c, due_on=d, **paths) for s, c, d in rows])
        audit(
            actor,
            "partners_sign",
            agreement,
            after={"title": agreement.title, "duty_count": len(rows)},
            area_path=agreement.area_path,
        )
    return agreement


def mark_done(actor: Actor, duty: Duty, on: date | None = None) -> Duty:
    with transaction.atomic():
        duty = Duty.objects.select_for_update().get(pk=duty.pk)
        if not _may(actor, duty.area_path):
            raise PartnersError("只有签订协议的社区（街道）可以登记责任完成。", code="permission")
        if duty.done_on is not None:
            return duty
        duty.done_on = on or timezone.localdate()
        duty.save(update_fields=["done_on"])
        audit(
            actor, "partners_duty_done", duty, after={"done_on": f"{duty.done_on:%Y-%m-%d}"}, area_path=duty.area_path
        )
    return duty


def score_of(ratings: list[str]) -> Decimal:
    """100 × the mean of the duties' weights (rules.RATING_WEIGHTS)."""
    if not ratings:
        return Decimal("0")
    total = sum((RATING_WEIGHTS[r] for r in ratings), Decimal("0"))
    return (Decimal("100") * total / len(ratings)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def review(actor: Actor, agreement: Agreement, year: int, ratings: dict[int, str], comment: str = "") -> Review:
    """The yearly review: every duty due in ``year`` rated; the score computed; once per year."""
    errors: dict[str, str] = {}
    comment = _text(errors, "comment", comment, "评议意见", 300, required=False)
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update(of=("self",)).select_related("unit").get(pk=agreement.pk)
        if not _may(actor, agreement.area_path):
            raise PartnersError("只有签订协议的社区（街道）可以评议。", code="permission")
        duties = list(agreement.duties.filter(due_on__year=year))
        if not duties:
            errors["ratings"] = f"该协议在{year}年没有到期的责任，无需评议。"
        missing = [d for d in duties if ratings.get(d.pk) not in Rating.values]
        if duties and missing:
            errors["ratings"] = f"请为每项责任评定履行情况（还有{len(missing)}项未评）。"
        if Review.objects.filter(agreement=agreement, year=year).exists():
            errors["year"] = f"{year}年已评议过该协议。"
        if errors:
            raise PartnersError({k: [v] for k, v in errors.items()})
        score = score_of([ratings[d.pk] for d in duties])
        try:
            with transaction.atomic():
                row = Review.objects.create(
                    agreement=agreement,
                    unit=agreement.unit,
                    year=year,
                    score=score,
                    comment=comment,
                    reviewed_on=timezone.localdate(),
                    reviewed_by=_user(actor),
                    area_path=agreement.area_path,
                    org_path=agreement.org_path,
                )
        except IntegrityError:
            raise PartnersError({"year": [f"{year}年已评议过该协议。"]}) from None
        DutyRating.objects.bulk_create([DutyRating(review=row, duty=d, rating=ratings[d.pk]) for d in duties])
        audit(actor, "partners_review", row, after={"year": year, "score": str(score)}, area_path=row.area_path)
    return row


def unit_year_score(unit: ResidentUnit | int, year: int) -> Decimal | None:
    """A resident unit's co-building score in ``year`` (the mean of its agreements' reviews), for
    the unit's later evaluation; None when nothing was reviewed."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    value = Review.objects.filter(unit_id=unit_id, year=year).aggregate(avg=Avg("score"))["avg"]
    return None if value is None else Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def duties_due(user, now: datetime, limit: int) -> list[TodoItem]:
    """待办: duties not done whose deadline falls within the reminder lead time (or has passed)."""
    scope = scope_for(user, AGREEMENT_CHANGE)
    if scope.empty:
        return []
    today = timezone.localdate(now)
    rows = (
        Duty.objects.filter(
            scope.q(area="area_path"), done_on__isnull=True, due_on__lte=today + timedelta(days=reminder_days())
        )
        .select_related("agreement", "agreement__unit")
        .order_by("due_on", "id")[:limit]
    )
    return [
        TodoItem(
            title=f"{d.agreement.unit.name}：{d.content[:24]}",
            url=reverse("partners:agreement_detail", args=[d.agreement_id]),
            note=f"{d.get_side_display()} · {'已逾期' if d.due_on < today else '即将到期'}",
            due=d.due_on,
        )
        for d in rows
    ]


def resource_paths(agreement: Agreement) -> list[str]:
    """The area codes whose 资源清单 an agreement may link: the unit's community and, up to the
    agreement's own area, its street (a resource is published by a community or a street)."""
    unit_path = agreement.unit.area_path
    return [unit_path[:n] for n in (9, 12) if len(agreement.area_path) <= n <= len(unit_path)]


def link_resources(actor: Actor, agreement: Agreement, items) -> Agreement:
    """The 资源清单 items the unit's committed resources are (replaces the set; audited)."""
    from jiceng.cobuild.models import Kind as ItemKind

    items = list(items)
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update(of=("self",)).select_related("unit").get(pk=agreement.pk)
        if not _may(actor, agreement.area_path):
            raise PartnersError("只有签订协议的社区（街道）可以关联资源。", code="permission")
        allowed = resource_paths(agreement)
        wrong = [i.title for i in items if i.kind != ItemKind.RESOURCE]
        outside = [i.title for i in items if i.kind == ItemKind.RESOURCE and i.area_path not in allowed]
        errors = []
        if wrong:
            errors.append(f"只能关联资源清单中的资源：{'、'.join(wrong[:3])}。")
        if outside:
            errors.append(f"资源不在{agreement.unit.name}所在社区（街道）的资源清单中：{'、'.join(outside[:3])}。")
        if errors:
            raise PartnersError({"resource_items": errors})
        before = sorted(agreement.resource_items.values_list("pk", flat=True))
        agreement.resource_items.set(items)
        audit(
            actor,
            "partners_link_resources",
            agreement,
            before={"items": before},
            after={"items": sorted(i.pk for i in items)},
            area_path=agreement.area_path,
        )
    return agreement

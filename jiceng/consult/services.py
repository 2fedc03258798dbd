"""Every write of 协商议事: actor first, the audit in the same transaction; all errors at once."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import Actor, audit
from jiceng.areas.models import Area, Level, code_at_level
from jiceng.core.inputs import InputError, check_text
from jiceng.core.scope import scope_for

from .models import Consultation, FollowUp, Kind
from .permissions import CONSULT_ADD

COUNT_MAX = 10000
LEVELS = (Level.STREET, Level.COMMUNITY, Level.GRID, Level.COMPOUND)


class ConsultError(ValidationError):
    pass


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _text(errors, field, value, label, max_length, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = f"请填写{label}。"
    elif len(value) > max_length:
        errors[field] = f"{label}不能超过{max_length}个字。"
    elif value:
        try:
            return check_text(value, label, multiline=True)
        except InputError as exc:
            errors[field] = str(exc)
    return value


def record(  # noqa: C901 (one check per field, all reported at once)
    actor: Actor,
    area: Area | None,
    *,
    kind: str,
    held_on: date | None,
    title: str,
    topics: str,
    decisions: str = "",
    residents=0,
    unit_reps=0,
    member_reps=0,
    owners_committee=0,
    units=(),
    members=(),
    follow_up: str = "",
    follow_up_status: str = FollowUp.PENDING,
) -> Consultation:
    errors: dict[str, str] = {}
    if area is None:
        errors["area"] = "请选择区划。"
    elif area.level not in LEVELS:
        errors["area"] = "协商议事记录在街道、社区、网格或小区。"
    elif actor is not None and not scope_for(actor, CONSULT_ADD).covers(area.code):
        errors["area"] = f"您不能为“{area.name}”登记协商议事。"
    if kind not in Kind.values:
        errors["kind"] = "请选择类型。"
    if held_on is None:
        errors["held_on"] = "请填写日期。"
    elif held_on > timezone.localdate():
        errors["held_on"] = "日期不能晚于今天。"
    if follow_up_status not in FollowUp.values:
        errors["follow_up_status"] = "请选择落实情况。"
    values = {
        "title": _text(errors, "title", title, "议题", 80),
        "topics": _text(errors, "topics", topics, "议事内容", 2000),
        "decisions": _text(errors, "decisions", decisions, "议定事项", 2000, required=False),
        "follow_up": _text(errors, "follow_up", follow_up, "后续落实", 300, required=False),
    }
    counts = {}
    for field, label, value in (
        ("residents", "居民代表人数", residents),
        ("unit_reps", "驻区单位代表人数", unit_reps),
        ("member_reps", "党员代表人数", member_reps),
        ("owners_committee", "业委会成员人数", owners_committee),
    ):
        try:
            number = int(value or 0)
        except (TypeError, ValueError):
            errors[field] = f"{label}应是整数。"
            continue
        if not 0 <= number <= COUNT_MAX:
            errors[field] = f"{label}应在0到{COUNT_MAX}之间。"
        counts[field] = number
    units, members = list(units), list(members)
    if area is not None:
        outside = [u.name for u in units if not u.area_path.startswith(area.code)]
        if outside:
            errors["units"] = f"参加单位不在{area.name}：{'、'.join(outside[:3])}。"
    if not errors and sum(counts.values()) == 0 and not units and not members:
        errors["residents"] = "请填写参加人员（至少一类人数）。"
    if errors:
        raise ConsultError({k: [v] for k, v in errors.items()})
    assert area is not None and held_on is not None
    with transaction.atomic():
        row = Consultation.objects.create(
            area=area,
            area_path=area.code,
            kind=kind,
            held_on=held_on,
            follow_up_status=follow_up_status,
            created_by=_user(actor),
            **values,
            **counts,
        )
        if units:
            row.units.set(units)
        if members:
            row.members.set(members)
        audit(actor, "consult_record", row, after={"title": row.title, "kind": kind}, area_path=row.area_path)
    return row


def set_follow_up(actor: Actor, row: Consultation, status: str, note: str = "") -> Consultation:
    errors: dict[str, str] = {}
    if status not in FollowUp.values:
        errors["follow_up_status"] = "请选择落实情况。"
    note = _text(errors, "follow_up", note, "后续落实", 300, required=False)
    if errors:
        raise ConsultError({k: [v] for k, v in errors.items()})
    with transaction.atomic():
        row = Consultation.objects.select_for_update().get(pk=row.pk)
        if actor is not None and not scope_for(actor, CONSULT_ADD).covers(row.area_path):
            raise ConsultError("您不能更新该议事的落实情况。", code="permission")
        before = {"status": row.follow_up_status, "note": row.follow_up}
        row.follow_up_status = status
        if note:
            row.follow_up = note
        row.save(update_fields=["follow_up_status", "follow_up"])
        audit(
            actor,
            "consult_follow_up",
            row,
            before=before,
            after={"status": status, "note": row.follow_up},
            area_path=row.area_path,
        )
    return row


def publish_area(row: Consultation) -> Area | None:
    """Where a decision's need or project is published: the consultation's community, or its street
    when the meeting was held at street level (the 共建清单 is kept by communities and streets)."""
    street = code_at_level(row.area_path, Level.STREET)
    level = Level.STREET if len(row.area_path) <= len(street) else Level.COMMUNITY
    return Area.objects.filter(code=code_at_level(row.area_path, level)).first()


def publish_decision(
    actor: Actor,
    row: Consultation,
    *,
    kind: str,
    title: str,
    category,
    quantity=1,
    unit_label: str = "项",
    description: str = "",
    owner_name: str = "",
    budget=None,
):
    """A decision becomes a need (转为需求) or a project (立为项目) on the 共建清单 of the meeting's
    community, linked back to the consultation: the item, the link and the audit in one transaction
    under the consultation's row lock (the same title and kind twice is refused as a double submit).
    Refusals are ``cobuild.services.CobuildError`` (``ManyErrors`` lists every bad field)."""
    from jiceng.cobuild import services as cobuild
    from jiceng.cobuild.models import ItemStatus, Visibility
    from jiceng.cobuild.models import Kind as ItemKind

    if kind not in (ItemKind.NEED, ItemKind.PROJECT):
        raise cobuild.CobuildError("协商议事的议定事项只能转为需求或立为项目。", "kind")
    with transaction.atomic():
        row = Consultation.objects.select_for_update().get(pk=row.pk)
        if actor is not None and not scope_for(actor, CONSULT_ADD).covers(row.area_path):
            raise cobuild.CobuildError("您不能处理该议事的议定事项。", "permission")
        same = row.items.filter(kind=kind, title=(title or "").strip()).exclude(status=ItemStatus.CLOSED).first()
        if same is not None:  # a double submit waits on the lock above, then finds the first one
            raise cobuild.CobuildError(
                f"本次议事已{'转为需求' if kind == ItemKind.NEED else '立为项目'}“{same.title}”。", "duplicate"
            )
        area = publish_area(row)
        item = cobuild.publish_item(
            actor,
            kind=kind,
            title=title,
            category=category,
            area=area,
            visibility=Visibility.STREET if area is not None and area.level == Level.STREET else Visibility.COMMUNITY,
            quantity=quantity,
            unit_label=unit_label,
            description=description,
            owner_name=owner_name,
            budget=budget,
        )
        row.items.add(item)
        audit(
            actor,
            "consult_publish_item",
            row,
            after={"item": item.pk, "kind": kind, "title": item.title},
            area_path=row.area_path,
        )
    return item

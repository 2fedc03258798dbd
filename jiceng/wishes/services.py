"""Every write of 微心愿: actor first, the wish locked, the audit in the same transaction.

Refusals are :class:`WishError` with a Chinese message and a ``code`` naming the field."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import Actor, audit
from jiceng.areas.models import Area, Level, code_at_level
from jiceng.core.inputs import InputError, check_text
from jiceng.core.phones import PhoneError, normalize_phone
from jiceng.core.scope import scope_for
from jiceng.members.models import PARTY_MEMBER_STATUSES, Member, member_of
from jiceng.orgs.models import ResidentUnit

from .models import Wish, WishStatus
from .permissions import WISH_ADD, WISH_CLAIM
from .rules import photo_max_bytes


class WishError(ValidationError):
    pass


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _text(value, label: str, *, max_length: int, required: bool = True, code: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise WishError(f"请填写{label}。", code=code)
    if len(value) > max_length:
        raise WishError(f"{label}不能超过{max_length}个字。", code=code)
    try:
        return check_text(value, label, multiline=False) if value else ""
    except InputError as exc:
        raise WishError(str(exc), code=code) from None


def _staff(actor: Actor, wish_or_paths) -> bool:
    """The community's staff, or the grid worker of the beneficiary's grid."""
    if isinstance(wish_or_paths, Wish):
        wish_or_paths = [wish_or_paths.area_path, wish_or_paths.beneficiary_path]
    return actor is None or scope_for(actor, WISH_ADD).covers_any(wish_or_paths, ())


def check_fields(
    actor: Actor, community: Area | None, beneficiary_area: Area | None, *, title, content, name, phone, address
) -> dict:
    """All of a new wish's fields checked at once: {field: message} for every bad one."""
    errors: dict[str, str] = {}
    values: dict = {}
    if community is None or community.level != Level.COMMUNITY:
        errors["community"] = "请选择社区。"
    if beneficiary_area is None:
        errors["beneficiary_area"] = "请选择心愿人所在的网格或小区。"
    elif community is not None and code_at_level(beneficiary_area.code, Level.COMMUNITY) != community.code:
        errors["beneficiary_area"] = (
            f"心愿人所在的“{beneficiary_area.name}”不在{community.name}，只能为本社区居民发布心愿。"
        )
    elif community is not None and not _staff(actor, [community.code, beneficiary_area.code]):
        errors["community"] = f"您不能为“{community.name}”的这位居民发布微心愿。"
    for field, label, value, length, required in (
        ("title", "心愿", title, 60, True),
        ("content", "心愿说明", content, 300, False),
        ("beneficiary_name", "心愿人姓名", name, 50, True),
        ("beneficiary_address", "心愿人住址", address, 120, True),
    ):
        try:
            values[field] = _text(value, label, max_length=length, required=required, code=field)
        except WishError as exc:
            errors[field] = exc.messages[0]
    try:
        values["beneficiary_phone"] = normalize_phone(phone, "心愿人电话")
    except PhoneError as exc:
        errors["beneficiary_phone"] = str(exc)
    if errors:
        raise WishError({k: [v] for k, v in errors.items()})
    return values


def publish(
    actor: Actor,
    community: Area | None,
    beneficiary_area: Area | None,
    *,
    title: str,
    content: str = "",
    name: str,
    phone: str = "",
    address: str,
    beneficiary_user: User | None = None,
) -> Wish:
    values = check_fields(
        actor, community, beneficiary_area, title=title, content=content, name=name, phone=phone, address=address
    )
    assert community is not None and beneficiary_area is not None
    with transaction.atomic():
        wish = Wish.objects.create(
            community=community,
            area_path=community.code,
            beneficiary_area=beneficiary_area,
            beneficiary_path=beneficiary_area.code,
            beneficiary_user=beneficiary_user,
            created_by=_user(actor),
            **values,
        )
        audit(actor, "wish_publish", wish, after={"title": wish.title}, area_path=wish.area_path)
    return wish


def _locked(wish: Wish) -> Wish:
    return Wish.objects.select_for_update().get(pk=wish.pk)


def claim(actor: Actor, wish: Wish, *, member: Member | None = None, unit: ResidentUnit | None = None) -> Wish:
    """One claimer: the first claim wins; a later one is told the wish is taken."""
    user = _user(actor)
    if member is None and unit is None:
        member = member_of(user)
        if member is None:
            raise WishError("只有党员或驻区单位可以认领微心愿。", code="claimer")
    if member is not None and unit is not None:
        raise WishError("一个心愿只能由一名党员或一个单位认领。", code="claimer")
    if member is not None and member.status not in PARTY_MEMBER_STATUSES:
        raise WishError(f"{member.name}不是在册党员，不能认领。", code="claimer")
    with transaction.atomic():
        wish = _locked(wish)
        may = actor is None or _staff(actor, wish) or scope_for(actor, WISH_CLAIM).covers(wish.area_path)
        if not may:
            raise WishError("您不能认领该社区的微心愿。", code="permission")
        if (
            member is not None
            and actor is not None
            and not _staff(actor, wish)
            and member.user_id != getattr(user, "pk", None)
        ):
            raise WishError("党员只能以本人名义认领。", code="permission")
        if wish.status != WishStatus.OPEN:
            if wish.status == WishStatus.CLAIMED:
                raise WishError("该心愿已被认领，请选择其他心愿。", code="status")
            raise WishError(f"该心愿{wish.get_status_display()}，不能认领。", code="status")
        wish.status = WishStatus.CLAIMED
        wish.claimer_member, wish.claimer_unit = member, unit
        wish.claimed_by, wish.claimed_at = user, timezone.now()
        wish.save(update_fields=["status", "claimer_member", "claimer_unit", "claimed_by", "claimed_at"])
        audit(
            actor,
            "wish_claim",
            wish,
            after={"member": member.pk if member else None, "unit": unit.pk if unit else None},
            area_path=wish.area_path,
        )
    return wish


def _is_claimer(actor: Actor, wish: Wish) -> bool:
    user = _user(actor)
    if user is None:
        return False
    if wish.claimer_member_id:
        return wish.claimer_member.user_id == user.pk  # type: ignore[union-attr]
    return wish.claimed_by_id == user.pk


_PHOTOS = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def _photo_type(upload) -> str:
    if upload is None:
        raise WishError({"photo": ["请上传送达照片。"]})
    if upload.size == 0:
        raise WishError({"photo": ["照片文件是空的。"]})
    limit = photo_max_bytes()
    if upload.size > limit:
        raise WishError({"photo": [f"照片不能超过{limit // (1024 * 1024)} MB。"]})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type in _PHOTOS:
        if head.startswith(magic):
            return content_type
    raise WishError({"photo": ["只能上传照片（JPG、PNG）。"]})


def deliver(actor: Actor, wish: Wish, photo, note: str = "") -> Wish:
    """The claimer (or the community for them) delivers, with a photo."""
    errors = {}
    try:
        content_type = _photo_type(photo)
    except WishError as exc:
        errors.update(exc.message_dict)
    try:
        note = _text(note, "送达说明", max_length=200, required=False, code="note")
    except WishError as exc:
        errors["note"] = exc.messages
    if errors:
        raise WishError(errors)
    with transaction.atomic():
        wish = Wish.objects.select_for_update(of=("self",)).select_related("claimer_member").get(pk=wish.pk)
        if not (_staff(actor, wish) or _is_claimer(actor, wish)):
            raise WishError("只有认领人或社区可以登记送达。", code="permission")
        if wish.status != WishStatus.CLAIMED:
            raise WishError(f"该心愿{wish.get_status_display()}，不能登记送达。", code="status")
        wish.photo.save(f"{wish.pk}.{content_type.rsplit('/', 1)[-1]}", photo, save=False)
        wish.photo_type = content_type
        wish.status, wish.delivered_at, wish.delivery_note = WishStatus.DELIVERED, timezone.now(), note
        wish.save(update_fields=["photo", "photo_type", "status", "delivered_at", "delivery_note"])
        audit(actor, "wish_deliver", wish, after={"status": wish.status}, area_path=wish.area_path)
    return wish


def confirm(actor: Actor, wish: Wish) -> Wish:
    """The beneficiary confirms (or the grid worker / community for them); a member claimer earns
    党员积分 (``wish_claim``)."""
    user = _user(actor)
    with transaction.atomic():
        wish = Wish.objects.select_for_update(of=("self",)).select_related("claimer_member").get(pk=wish.pk)
        own = user is not None and wish.beneficiary_user_id == user.pk
        if not own and not _staff(actor, wish):
            raise WishError("只有心愿人本人或网格员、社区可以确认。", code="permission")
        if wish.status != WishStatus.DELIVERED:
            raise WishError(f"该心愿{wish.get_status_display()}，送达后才能确认。", code="status")
        wish.status, wish.confirmed_at, wish.confirmed_by = WishStatus.CONFIRMED, timezone.now(), user
        wish.confirmed_for = not own
        wish.save(update_fields=["status", "confirmed_at", "confirmed_by", "confirmed_for"])
        audit(actor, "wish_confirm", wish, after={"for": wish.confirmed_for}, area_path=wish.area_path)
        if wish.claimer_member is not None:
            from jiceng.points.services import award

            award("wish_claim", wish.pk, wish.claimer_member, 1, timezone.localdate(), actor=actor, note=wish.title)
    return wish


def cancel(actor: Actor, wish: Wish, reason: str) -> Wish:
    reason = _text(reason, "撤销原因", max_length=200, code="reason")
    with transaction.atomic():
        wish = _locked(wish)
        if not _staff(actor, wish):
            raise WishError("只有发布的社区可以撤销心愿。", code="permission")
        if wish.status not in (WishStatus.OPEN, WishStatus.CLAIMED):
            raise WishError(f"该心愿{wish.get_status_display()}，不能撤销。", code="status")
        wish.status, wish.reason = WishStatus.CANCELLED, reason
        wish.save(update_fields=["status", "reason"])
        audit(actor, "wish_cancel", wish, after={"reason": reason}, area_path=wish.area_path)
    return wish

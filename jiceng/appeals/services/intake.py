"""受理: recording a request, and photos added later."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import audit, audit_record
from jiceng.appeals import stats
from jiceng.appeals.deadlines import compute_due, describe_limit
from jiceng.appeals.errors import AppealError, TransitionError
from jiceng.appeals.intake import (
    DESCRIPTION_MAX,
    check_photo_count,
    get_category,
    parse_coordinate,
    resolve_location,
    store_photos,
    validate_attributes,
    validate_photo,
)
from jiceng.appeals.models import (
    Appeal,
    AppealEvent,
    AppealPhoto,
    Category,
    Channel,
    EventKind,
    Kind,
    PhotoStage,
    Status,
    Urgency,
)
from jiceng.appeals.open311.models import ApiKey
from jiceng.appeals.permissions import APPEAL_ADD, APPEAL_DISPATCH
from jiceng.appeals.rules import (
    PHOTO_MAX_COUNT,
    deadline_limits,
)
from jiceng.appeals.services.access import (
    Actor,
    _require,
    _require_user,
    is_handler,
    is_reporter,
    may,
)
from jiceng.appeals.services.common import (
    _audit,
    _choice,
    _event,
    _event_row,
    _lock,
    _now,
    _reminder,
    _status_label,
    _text,
)
from jiceng.areas.models import Area
from jiceng.core.phones import PhoneError, normalize_phone
from jiceng.core.rules import get_rule
from jiceng.core.scope import scope_for


@transaction.atomic
def add_photo(
    actor: Actor, appeal: Appeal, upload: UploadedFile, *, stage: str = PhotoStage.INTAKE, now: datetime | None = None
) -> AppealPhoto:
    """Attach one more photo: the reporter or recorder (受理), a handler (办理/答复), or a dispatcher."""
    now = _now(now)
    fresh = _lock(appeal)
    _choice(stage, PhotoStage, "环节")
    allowed = may(actor, APPEAL_DISPATCH, fresh) or (
        is_handler(actor, fresh) if stage != PhotoStage.INTAKE else is_reporter(actor, fresh)
    )
    if stage == PhotoStage.INTAKE and fresh.created_by_id and fresh.created_by_id == getattr(actor, "pk", None):
        allowed = True
    _require(allowed, "您不能为该诉求上传照片。")
    if fresh.is_final:
        raise TransitionError(f"诉求已{_status_label(fresh.status)[1:]}，不能再上传照片。", code="transition")
    kind = validate_photo(upload)
    check_photo_count(fresh, 1)
    event = _event(fresh, EventKind.PHOTO, actor, now, note=f"上传{PhotoStage(stage).label}照片。")
    (photo,) = store_photos(fresh, [upload], [kind], actor, stage, event)
    _audit(actor, "add_appeal_photo", fresh, None, {"photo": photo.pk, "stage": stage, "size": photo.size})
    return photo


# --------------------------------------------------------------------------- 受理


def appeal_number(created_at: datetime, pk: int) -> str:
    """工单编号: the local date and the id, at least 8 digits (the PostgreSQL trigger of migration
    appeals/0004 computes the same on insert)."""
    return f"{timezone.localtime(created_at):%Y%m%d}{pk:08d}"


def _check_same_submitter(existing: Appeal, actor) -> Appeal:
    if existing.created_by_id != getattr(actor, "pk", None):
        raise AppealError("提交令牌已被使用，请重新打开页面后再提交。", code="client_token")
    existing.created = False
    return existing


def create_appeal(
    actor: User | None,
    *,
    channel: str,
    category: Category | str,
    description: str,
    kind: str = Kind.APPEAL,
    urgency: str | None = None,
    title: str = "",
    area: Area | None = None,
    latitude: Decimal | float | str | None = None,
    longitude: Decimal | float | str | None = None,
    address: str = "",
    reporter: User | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    attributes: dict | None = None,
    extra_attributes: dict | None = None,
    client_token: str | None = None,
    photos: Iterable = (),
    now: datetime | None = None,
) -> Appeal:
    """受理: record a request. Returns the appeal, with ``appeal.created`` False for a repeated submit.

    ``actor`` is the logged-in user, or ``None`` for a trusted system caller (Open311 with a
    valid key, 上级转办 interfaces). Residents (居民自助) report for themselves; grid workers,
    hotline agents and dispatchers record for a resident inside their own scope. The location
    is an area (down to a building), or coordinates (mapped to the nearest grid), or an address.
    A ``client_token`` sent twice (double tap, retry) gives back the first request: the column
    is unique, so the second insert fails and the first request is read instead. No look-up
    comes first — a repeat is rare, and a look-up would cost every create a query, while two
    concurrent submits would still race past it. ``extra_attributes`` are stored beside the
    category's checked attributes (an Open311 ``media_url``).
    """
    now = _now(now)
    token = (client_token or "").strip()[:64] or None
    _choice(channel, Channel, "渠道")
    _choice(kind, Kind, "类型")
    category = _active_category(category)
    urgency = _choice(urgency or category.default_urgency, Urgency, "紧急程度")
    description = _text(description, "诉求内容", max_length=DESCRIPTION_MAX)
    fields = {
        "channel": channel,
        "kind": kind,
        "category": category,
        "urgency": urgency,
        "title": _text(title, "标题", required=False, max_length=100) or description[:30],
        "description": description,
        "address": _text(address, "地址", required=False, max_length=200),
        "latitude": parse_coordinate(latitude, "纬度"),
        "longitude": parse_coordinate(longitude, "经度"),
    }
    area, fields["location_source"] = resolve_location(area, fields["latitude"], fields["longitude"], fields["address"])
    if not category.is_available_at(area.code):
        raise AppealError(f"“{area.name}”不受理“{category.name}”类诉求。", code="category")
    fields["attributes"] = {**validate_attributes(category, attributes), **(extra_attributes or {})}
    fields.update(_reporter_fields(actor, channel, area, reporter, reporter_name, reporter_phone))
    photos = list(photos or [])
    kinds = [validate_photo(p) for p in photos]
    if len(photos) > get_rule(PHOTO_MAX_COUNT):
        raise AppealError(f"每件诉求最多上传{get_rule(PHOTO_MAX_COUNT)}张照片。", code="photo_count")
    try:
        appeal = _insert(actor, area, fields, token, now, photos, kinds)
    except IntegrityError:
        # The token was used before (a repeat, or a concurrent submit that won): the unique
        # constraint let one in.
        existing = Appeal.objects.filter(client_token=token).first() if token else None
        if existing is None:
            raise
        return _check_same_submitter(existing, actor)
    appeal.created = True
    return appeal


def _active_category(category: Category | str) -> Category:
    category = get_category(category)
    if not category.is_active:
        raise AppealError(f"诉求类别“{category.name}”已停用。", code="category")
    return category


def _reporter_fields(actor: Actor, channel: str, area: Area, reporter, reporter_name: str, reporter_phone: str) -> dict:
    """Who reports: a resident for themself, or someone recorded by a grid worker, an agent, a system."""
    if channel == Channel.RESIDENT:
        _require_user(actor)
        reporter = actor
        reporter_name = (reporter_name or "").strip() or actor.display_name or actor.username
        reporter_phone = _phone(reporter_phone) or _phone(actor.phone, given=False)
    else:
        if actor is not None:
            _require_user(actor)
            _require(
                scope_for(actor, APPEAL_ADD).covers(area),
                f"您不能代为登记“{area.name}”的诉求（不在您的管辖范围内）。",
            )
        reporter_name = (reporter_name or "").strip() or (reporter.display_name if reporter is not None else "")
        reporter_phone = _phone(reporter_phone) or _phone(reporter.phone if reporter is not None else "", given=False)
        if channel in (Channel.GRID, Channel.HOTLINE) and not (reporter_name or reporter_phone):
            raise AppealError("请填写诉求人姓名或联系电话。", code="reporter")
    return {
        "reporter": reporter,
        "reporter_name": _text(reporter_name, "诉求人", required=False, max_length=50),
        "reporter_phone": reporter_phone,
    }


def _phone(value, given: bool = True) -> str:
    """A phone checked and normalised (:mod:`jiceng.core.phones`); one taken from an account
    rather than given with the appeal is dropped if it is not valid, not held against the caller."""
    try:
        return normalize_phone(value, "联系电话")
    except PhoneError as exc:
        if given:
            raise AppealError(str(exc), code="reporter_phone") from exc
        return ""


def _insert(actor: Actor, area: Area, fields: dict, token: str | None, now, photos: list, kinds: list) -> Appeal:
    """The row, its number, the 受理 event, the photos and the audit record, in one savepoint."""
    channel, category = fields["channel"], fields["category"]
    limits = deadline_limits(fields["urgency"], category)
    dispatch_due = compute_due(now, limits["dispatch"])
    answer_due = compute_due(now, limits["answer"])
    with transaction.atomic():
        appeal = Appeal(
            **fields,
            area=area,
            area_path=area.code,
            created_by=actor if getattr(actor, "pk", None) else None,
            client_token=token,
            created_at=now,
            dispatch_due=dispatch_due.at,
            answer_due=answer_due.at,
            deadline_fallback=dispatch_due.fallback or answer_due.fallback,
            dispatch_remind_at=_reminder(now, dispatch_due.at),
            answer_remind_at=_reminder(now, answer_due.at),
            updated_at=now,
        )
        _save_new_appeal(appeal)
        if not isinstance(appeal.number, str):  # not set by the database (SQLite)
            appeal.number = appeal_number(now, appeal.pk)
            Appeal.objects.filter(pk=appeal.pk).update(number=appeal.number)
        fallback_days = sorted({*dispatch_due.fallback_days, *answer_due.fallback_days})
        note = (
            f"受理（{Channel(channel).label}）。派单时限{describe_limit(limits['dispatch'])}，"
            f"答复时限{describe_limit(limits['answer'])}，至{timezone.localtime(answer_due.at):%Y-%m-%d %H:%M}"
        )
        if fallback_days:
            note += "（含日历未公布的日期，按周一至周五推算）"
        event = _event_row(
            appeal,
            EventKind.CREATE,
            actor,
            now,
            note=note + "。",
            from_status="",
            to_status=Status.ACCEPTED,
            public=True,
            data={"channel": channel, "fallback_days": [d.isoformat() for d in fallback_days]},
            department_id=None,
            target_name="",
        )
        after = {"number": appeal.number, "channel": channel, "category": category.code, "area": area.code}
        _write_event_and_audit(event, actor, appeal, after)
        if photos:
            store_photos(appeal, photos, kinds, actor, PhotoStage.INTAKE, event)
    return appeal


def _write_event_and_audit(event: AppealEvent, actor: Actor, appeal: Appeal, after: dict) -> None:
    """The 受理 event with its rate counters, and the audit row.

    On PostgreSQL in one statement (data-modifying CTEs): they are three of a create's few
    statements, and each cost a round trip and the ORM's compilation. Elsewhere as the other
    transitions write them (:func:`_event`, :func:`_audit`).
    """
    counters = stats.event_area_update(event)
    if connection.vendor != "postgresql" or counters is None:
        event.save(force_insert=True)
        stats.apply_event(event)
        _audit(actor, "create_appeal", appeal, None, after)
        return
    # The row accounts.services.audit writes, built by it, inserted by this statement.
    row = audit_record(actor, "create_appeal", appeal, None, after, appeal.area_path)
    event_sql, event_params = _insert_sql(event)
    audit_sql, audit_params = _insert_sql(row)
    counters_sql, counters_params = counters
    pk = connection.ops.quote_name(AppealEvent._meta.pk.column)
    sql = (
        f"WITH e AS ({event_sql} RETURNING {pk}), a AS ({audit_sql}), s AS ({counters_sql} RETURNING 1) "
        f"SELECT (SELECT {pk} FROM e), (SELECT count(*) FROM s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, event_params + audit_params + counters_params)
        event.pk, updated = cursor.fetchone()
    event._state.adding, event._state.db = False, connection.alias
    stats.finish_event(event, updated)


def _save_new_appeal(appeal: Appeal) -> None:
    """Insert the new row as presented (raw): else ``updated_at`` (auto_now) would take the
    clock's time, not ``now``, and a request recorded at a given time would look changed later
    (the transitions likewise write ``updated_at=now``). No other field of a new appeal has a
    save-time hook that raw skips, and no receiver listens to its save signals.

    On PostgreSQL the statement is built here rather than by the ORM: compiling an insert of the
    appeal's fifty-odd columns cost more CPU than the database spent on it.
    """
    if connection.vendor != "postgresql":
        appeal.save_base(raw=True, force_insert=True)
        return
    sql, params = _insert_sql(appeal, raw=True)
    returning = Appeal._meta.db_returning_fields
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {', '.join(quote(f.column) for f in returning)}", params)
        row = cursor.fetchone()
    # The id and the number the trigger wrote: neither has a converter on PostgreSQL.
    for field, value in zip(returning, row, strict=True):
        setattr(appeal, field.attname, value)
    appeal._state.adding, appeal._state.db = False, connection.alias


def _insert_sql(obj, raw: bool = False) -> tuple[str, list]:
    """``INSERT`` of a new model instance, its values prepared as ``save()`` prepares them
    (``raw``: as ``save_base(raw=True)`` does, the values as they are, no auto_now)."""
    meta, quote = obj._meta, connection.ops.quote_name
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
    placeholders, params = [], []
    for f in fields:
        value = getattr(obj, f.attname) if raw else f.pre_save(obj, add=True)
        if isinstance(value, DatabaseDefault):
            placeholders.append("DEFAULT")
        else:
            placeholders.append("%s")
            params.append(f.get_db_prep_save(value, connection))
    columns = ", ".join(quote(f.column) for f in fields)
    return f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(placeholders)})", params


@transaction.atomic
def create_open311_request(key: ApiKey, *, now: datetime | None = None, **fields) -> Appeal:
    """受理 through Open311 with an API key: the request (``fields`` as for :func:`create_appeal`),
    and the key's last use, in one transaction; the key's use is audited (its ``last_used_at`` with
    the request it filed)."""
    now = _now(now)
    appeal = create_appeal(key.owner, channel=Channel.OPEN311, now=now, **fields)
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now
    audit(
        key.owner,
        "update_apikey",
        key,
        after={"appeal": appeal.number, "created": appeal.created, "last_used_at": now.isoformat()},
        area_path=appeal.area_path,
    )
    return appeal

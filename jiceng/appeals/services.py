"""The appeal workflow (接诉即办) as an explicit state machine; every write to an appeal is here.

::

    受理 accepted ──派单──▶ dispatched ──签收──▶ signed ──办理──▶ handling ──答复──▶ answered
        ▲  │                 │  ▲ 改派          │                  │                  │ 回访
        │  └──撤销/合并       │  └──────────────┴───退单──▶ returned ┘                  ▼
        │                    ▼                                  (再派单)            rated ──办结──▶ closed
        └────────────── returned ◀──────────────────────────────────────────────── │ └──重办──▶ dispatched

Each public function is one transition (a verb): it checks the actor's role and scope, refuses an
illegal transition with the reason in Chinese (:class:`TransitionError`), changes the row with a
conditional ``UPDATE … WHERE status = <the status it checked>`` (after a ``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers), writes a timeline event and an
audit record, updates the rate tables (:mod:`jiceng.appeals.stats`) and notifies the people
concerned, all in one transaction. Two handlers signing for the same appeal at once: exactly one
wins, the other gets "已被签收". Pages, the API and Open311 call these functions directly.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from jiceng.accounts.services import audit
from jiceng.appeals import notifications, stats
from jiceng.appeals.deadlines import compute_due, describe_limit, extend_due, remind_at
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
    FINAL_STATUSES,
    OPEN_STATUSES,
    WITH_HANDLER,
    Appeal,
    AppealEvent,
    AppealPhoto,
    Channel,
    EventKind,
    Extension,
    ExtensionStatus,
    Kind,
    Outcome,
    PhotoStage,
    ResponsibleLevel,
    Satisfaction,
    Status,
    Urgency,
)
from jiceng.appeals.permissions import (
    APPEAL_ADD,
    APPEAL_DISPATCH,
    APPEAL_HANDLE,
    APPEAL_REPORTER,
    APPEAL_SUPERVISE,
)
from jiceng.appeals.rules import (
    EXTENSION_MAX_WORKDAYS,
    PHOTO_MAX_COUNT,
    RATING_WAIT_DAYS,
    REMIND_BEFORE_RATIO,
    deadline_limits,
)
from jiceng.areas.models import Area, Level, ancestor_codes
from jiceng.core.masking import mask_phone
from jiceng.core.rules import get_rule
from jiceng.core.scope import scope_for

# --------------------------------------------------------------------------- who may do what


def _in_areas(scope, path: str) -> bool:
    return scope.everywhere or any(path.startswith(prefix) for prefix in scope.areas)


def may(user, permission: str, appeal: Appeal) -> bool:
    """``user`` holds ``permission`` on the appeal's location or on its assigned department."""
    if user is None:
        return False
    scope = scope_for(user, permission)
    return _in_areas(scope, appeal.area_path) or (
        appeal.assigned_department_id is not None and appeal.assigned_department_id in scope.departments
    )


def is_handler(user, appeal: Appeal) -> bool:
    """``user`` may act for the assigned unit: a grant on the department, or on a node covering the area."""
    if user is None:
        return False
    scope = scope_for(user, APPEAL_HANDLE)
    if scope.everywhere:
        return True
    if appeal.assigned_department_id is not None:
        return appeal.assigned_department_id in scope.departments
    if appeal.assigned_area_id is not None:
        return _in_areas(scope, appeal.assigned_area.code)
    return False


def is_reporter(user, appeal: Appeal) -> bool:
    return user is not None and appeal.reporter_id is not None and appeal.reporter_id == getattr(user, "pk", None)


def reporter_visible(user, appeal: Appeal) -> bool:
    """May ``user`` see the reporter's name and phone in full? Else they are masked."""
    return is_reporter(user, appeal) or may(user, APPEAL_REPORTER, appeal)


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``."""
    name = name or ""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def display_reporter(user, appeal: Appeal) -> tuple[str, str]:
    """(name, phone) as ``user`` may see them."""
    if reporter_visible(user, appeal):
        return appeal.reporter_name, appeal.reporter_phone
    return mask_name(appeal.reporter_name), mask_phone(appeal.reporter_phone)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _require_user(actor) -> None:
    _require(actor is not None and getattr(actor, "is_authenticated", False), "请先登录。")


ACTIONS = {
    "dispatch": "派单",
    "sign": "签收",
    "progress": "办理",
    "answer": "答复",
    "rate": "回访评价",
    "close": "办结",
    "return": "退单",
    "extend": "申请延期",
    "decide_extension": "审批延期",
    "supervise": "挂牌督办",
    "reopen": "重办",
    "merge": "合并",
    "cancel": "撤销",
    "whistle": "吹哨",
}


def available_actions(user, appeal: Appeal) -> list[str]:
    """The transitions ``user`` may take on ``appeal`` now (keys of :data:`ACTIONS`), for buttons.

    Uses the user's cached grants only: no queries beyond loading ``appeal.assigned_area``.
    """
    s = appeal.status
    dispatcher = may(user, APPEAL_DISPATCH, appeal)
    handler = s in WITH_HANDLER and is_handler(user, appeal)
    reporter = is_reporter(user, appeal)
    actions = []
    if dispatcher and s in (Status.ACCEPTED, Status.RETURNED, Status.DISPATCHED):
        actions.append("dispatch")
    if handler and s == Status.DISPATCHED:
        actions.append("sign")
    if handler and s in (Status.SIGNED, Status.HANDLING):
        actions += ["progress", "answer"]
    if handler:
        actions.append("return")
        if not appeal.extension_pending and appeal.answer_due and timezone.now() < appeal.answer_due:
            actions.append("extend")
    if dispatcher and appeal.extension_pending:
        actions.append("decide_extension")
    if s == Status.ANSWERED and (reporter or dispatcher):
        actions.append("rate")
    if dispatcher and s in (Status.ANSWERED, Status.RATED):
        actions.append("close")
    if dispatcher and s == Status.RATED:
        actions.append("reopen")
    if s not in FINAL_STATUSES and not appeal.supervised and may(user, APPEAL_SUPERVISE, appeal):
        actions.append("supervise")
    if dispatcher and s in CANCELLABLE:
        actions.append("merge")
    if s in CANCELLABLE and (dispatcher or reporter):
        actions.append("cancel")
    if s not in FINAL_STATUSES and may(user, "appeals.add_whistle", appeal):
        actions.append("whistle")
    return actions


CANCELLABLE = frozenset({Status.ACCEPTED, Status.RETURNED, Status.DISPATCHED, Status.SIGNED, Status.HANDLING})


# --------------------------------------------------------------------------- the machinery


def _lock(appeal: Appeal) -> Appeal:
    """The appeal re-read inside the transaction; on PostgreSQL its row stays locked until commit."""
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("category", "area", "assigned_area", "assigned_department")
        .get(pk=appeal.pk)
    )


def _status_label(status: str) -> str:
    return Status(status).label if status in Status.values else status


_HINTS = {
    (Status.SIGNED, "签收"): "该诉求已被签收，不能重复签收。",
    (Status.HANDLING, "签收"): "该诉求已被签收，正在办理中。",
    (Status.ANSWERED, "撤销"): "已答复的诉求不能撤销，请进行回访评价。",
    (Status.RATED, "撤销"): "已回访的诉求不能撤销。",
    (Status.ACCEPTED, "签收"): "该诉求尚未派单，不能签收。",
    (Status.RETURNED, "签收"): "该诉求已被退单，等待重新派单。",
    (Status.ANSWERED, "答复"): "该诉求已答复，等待回访评价。",
    (Status.DISPATCHED, "答复"): "请先签收再答复。",
    (Status.DISPATCHED, "办理"): "请先签收再办理。",
    (Status.CLOSED, "重办"): "已办结的诉求不能重办。",
    (Status.ANSWERED, "重办"): "请先回访评价；评价为不满意或未解决的才能重办。",
}


def _require_status(appeal: Appeal, allowed, verb: str) -> None:
    if appeal.status in allowed:
        return
    hint = _HINTS.get((appeal.status, verb))
    if hint is None:
        allowed_labels = "、".join(_status_label(s) for s in sorted(allowed, key=list(Status.values).index))
        hint = f"诉求当前为“{_status_label(appeal.status)}”，不能{verb}（只有“{allowed_labels}”状态可以{verb}）。"
    raise TransitionError(hint, code="transition")


def _save(fresh: Appeal, expected_status: str, now, **changes) -> None:
    """The conditional UPDATE: if a concurrent transition changed the status first, nothing matches."""
    changes["updated_at"] = now
    updated = Appeal.objects.filter(pk=fresh.pk, status=expected_status).update(**changes)
    if updated != 1:
        current = Appeal.objects.filter(pk=fresh.pk).values_list("status", flat=True).first()
        raise TransitionError(
            f"该诉求刚被他人处理（当前为“{_status_label(current)}”），请刷新后再试。", code="conflict"
        )
    for name, value in changes.items():
        setattr(fresh, name, value)


def _sync(target: Appeal, fresh: Appeal) -> Appeal:
    """Bring the caller's instance up to date, so a page can keep using it."""
    if target is not fresh:
        for f in Appeal._meta.concrete_fields:
            setattr(target, f.attname, getattr(fresh, f.attname))
        target._state.fields_cache = dict(fresh._state.fields_cache)
    return fresh


def _actor_name(actor) -> str:
    return str(actor)[:100] if actor is not None else "系统"


def _event(
    appeal: Appeal,
    kind: str,
    actor,
    now,
    *,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
    public: bool = True,
    data: dict | None = None,
    department_id=...,
    target_name: str = "",
) -> AppealEvent:
    event = AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        from_status=from_status,
        to_status=to_status,
        note=note,
        public=public,
        area_path=appeal.area_path,
        department_id=appeal.assigned_department_id if department_id is ... else department_id,
        target_name=target_name[:120],
        data=data or {},
    )
    stats.apply_event(event)
    return event


def _audit(actor, action: str, appeal: Appeal, before: dict | None, after: dict | None) -> None:
    audit(actor, action, appeal, before=before, after=after, area_path=appeal.area_path)


def _text(value, label: str, required: bool = True, max_length: int = 500) -> str:
    text = (value or "").strip()
    if required and not text:
        raise AppealError(f"请填写{label}。", code="required")
    if len(text) > max_length:
        raise AppealError(f"{label}不能超过{max_length}个字。", code="max_length")
    return text


def _choice(value, choices, label: str) -> str:
    if value not in choices.values:
        raise AppealError(f"{label}“{value}”不正确，应为：{'、'.join(choices.labels)}。", code="choice")
    return value


def _now(now):
    return now or timezone.now()


def _reminder(start, due):
    return remind_at(start, due, float(get_rule(REMIND_BEFORE_RATIO)))


def _assignee_name(appeal: Appeal) -> str:
    return appeal.assignee_name


def _close_pending_extension(appeal: Appeal, now, why: str) -> None:
    if appeal.extension_pending:
        Extension.objects.filter(appeal=appeal, status=ExtensionStatus.PENDING).update(
            status=ExtensionStatus.REJECTED, decided_at=now, decision_note=why
        )


def _flag_overdue(fresh: Appeal, actor, now) -> bool:
    """Mark the answer deadline missed, once; the OVERDUE event counts it in the rate tables."""
    if fresh.answer_overdue or fresh.answer_due is None or now <= fresh.answer_due:
        return False
    if not Appeal.objects.filter(pk=fresh.pk, answer_overdue=False).update(answer_overdue=True):
        return False
    fresh.answer_overdue = True
    _event(
        fresh,
        EventKind.OVERDUE,
        actor,
        now,
        note=f"已超过答复时限（{timezone.localtime(fresh.answer_due):%Y-%m-%d %H:%M}）。",
        public=False,
    )
    return True


@transaction.atomic
def add_photo(actor, appeal: Appeal, upload, *, stage: str = PhotoStage.INTAKE, now=None) -> AppealPhoto:
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


def appeal_number(created_at, pk: int) -> str:
    """工单编号: the local date and the id, at least 8 digits (the PostgreSQL trigger of migration
    appeals/0004 computes the same on insert)."""
    return f"{timezone.localtime(created_at):%Y%m%d}{pk:08d}"


def _check_same_submitter(existing: Appeal, actor) -> Appeal:
    if existing.created_by_id != getattr(actor, "pk", None):
        raise AppealError("提交令牌已被使用，请重新打开页面后再提交。", code="client_token")
    existing.created = False
    return existing


def create_appeal(
    actor,
    *,
    channel: str,
    category,
    description: str,
    kind: str = Kind.APPEAL,
    urgency: str | None = None,
    title: str = "",
    area: Area | None = None,
    latitude=None,
    longitude=None,
    address: str = "",
    reporter=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    attributes: dict | None = None,
    client_token: str | None = None,
    photos=(),
    now=None,
) -> Appeal:
    """受理: record a request. Returns the appeal, with ``appeal.created`` False for a repeated submit.

    ``actor`` is the logged-in user, or ``None`` for a trusted system caller (Open311 with a
    valid key, 上级转办 interfaces). Residents (居民自助) report for themselves; grid workers,
    hotline agents and dispatchers record for a resident inside their own scope. The location
    is an area (down to a building), or coordinates (mapped to the nearest grid), or an address.
    A ``client_token`` sent twice (double tap, retry) gives back the first request: the column
    is unique, so the second insert fails and the first request is read instead. No look-up
    comes first — a repeat is rare, and a look-up would cost every create a query, while two
    concurrent submits would still race past it.
    """
    now = _now(now)
    token = (client_token or "").strip()[:64] or None
    _choice(channel, Channel, "渠道")
    _choice(kind, Kind, "类型")
    category = get_category(category)
    if not category.is_active:
        raise AppealError(f"诉求类别“{category.name}”已停用。", code="category")
    urgency = urgency or category.default_urgency
    _choice(urgency, Urgency, "紧急程度")
    description = _text(description, "诉求内容", max_length=DESCRIPTION_MAX)
    title = _text(title, "标题", required=False, max_length=100) or description[:30]
    address = _text(address, "地址", required=False, max_length=200)
    latitude, longitude = parse_coordinate(latitude, "纬度"), parse_coordinate(longitude, "经度")
    area, source = resolve_location(area, latitude, longitude, address)
    if not category.is_available_at(area.code):
        raise AppealError(f"“{area.name}”不受理“{category.name}”类诉求。", code="category")
    attributes = validate_attributes(category, attributes)

    if channel == Channel.RESIDENT:
        _require_user(actor)
        reporter = actor
        reporter_name = (reporter_name or "").strip() or actor.display_name or actor.username
        reporter_phone = (reporter_phone or "").strip() or actor.phone
    else:
        if actor is not None:
            _require_user(actor)
            _require(
                _in_areas(scope_for(actor, APPEAL_ADD), area.code),
                f"您不能代为登记“{area.name}”的诉求（不在您的管辖范围内）。",
            )
        reporter_name = (reporter_name or "").strip() or (reporter.display_name if reporter is not None else "")
        reporter_phone = (reporter_phone or "").strip() or (reporter.phone if reporter is not None else "")
        if channel in (Channel.GRID, Channel.HOTLINE) and not (reporter_name or reporter_phone):
            raise AppealError("请填写诉求人姓名或联系电话。", code="reporter")
    reporter_name = _text(reporter_name, "诉求人", required=False, max_length=50)
    reporter_phone = _text(reporter_phone, "联系电话", required=False, max_length=20)

    photos = list(photos or [])
    kinds = [validate_photo(p) for p in photos]
    if len(photos) > int(get_rule(PHOTO_MAX_COUNT)):
        raise AppealError(f"每件诉求最多上传{get_rule(PHOTO_MAX_COUNT)}张照片。", code="photo_count")

    limits = deadline_limits(urgency, category)
    dispatch_due = compute_due(now, limits["dispatch"])
    answer_due = compute_due(now, limits["answer"])
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                channel=channel,
                kind=kind,
                category=category,
                urgency=urgency,
                title=title,
                description=description,
                attributes=attributes,
                area=area,
                area_path=area.code,
                latitude=latitude,
                longitude=longitude,
                address=address,
                location_source=source,
                reporter=reporter,
                reporter_name=reporter_name,
                reporter_phone=reporter_phone,
                created_by=actor if getattr(actor, "pk", None) else None,
                client_token=token,
                created_at=now,
                dispatch_due=dispatch_due.at,
                answer_due=answer_due.at,
                deadline_fallback=dispatch_due.fallback or answer_due.fallback,
                dispatch_remind_at=_reminder(now, dispatch_due.at),
                answer_remind_at=_reminder(now, answer_due.at),
            )
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
            event = _event(
                appeal,
                EventKind.CREATE,
                actor,
                now,
                note=note + "。",
                to_status=Status.ACCEPTED,
                data={"channel": channel, "fallback_days": [d.isoformat() for d in fallback_days]},
                department_id=None,
            )
            if photos:
                store_photos(appeal, photos, kinds, actor, PhotoStage.INTAKE, event)
            _audit(
                actor,
                "create_appeal",
                appeal,
                None,
                {"number": appeal.number, "channel": channel, "category": category.code, "area": area.code},
            )
    except IntegrityError:
        # The token was used before (a repeat, or a concurrent submit that won): the unique
        # constraint let one in.
        existing = Appeal.objects.filter(client_token=token).first() if token else None
        if existing is None:
            raise
        return _check_same_submitter(existing, actor)
    appeal.created = True
    return appeal


# --------------------------------------------------------------------------- 派单


@dataclass(frozen=True)
class Suggestion:
    """Whom to dispatch to: an area unit or a department, and why (shown to the dispatcher)."""

    area: Area | None
    department: object | None
    reason: str

    @property
    def target_name(self) -> str:
        target = self.department or self.area
        return target.name if target is not None else ""


LEVEL_LENGTH = {
    ResponsibleLevel.GRID: 15,
    ResponsibleLevel.COMMUNITY: 12,
    ResponsibleLevel.STREET: 9,
    ResponsibleLevel.DISTRICT: 6,
}
DISPATCH_LEVELS = {Level.GRID, Level.COMMUNITY, Level.STREET, Level.DISTRICT}


def departments_serving(area_path: str):
    """Departments responsible for a location: anchored on it or above, or serving an area covering it."""
    from jiceng.orgs.models import Department

    prefixes = [*ancestor_codes(area_path), area_path]
    return Department.objects.filter(Q(area_path__in=prefixes) | Q(areas_served__code__in=prefixes)).distinct()


def suggest_dispatch(appeal: Appeal) -> Suggestion:
    """The unit the category and the location point to; the district when no unit fits (首接负责)."""
    category = appeal.category
    path = appeal.area_path
    level = category.responsible_level
    if level == ResponsibleLevel.DEPARTMENT:
        departments = departments_serving(path)
        if category.department_keyword:
            departments = departments.filter(name__contains=category.department_keyword)
        # The most local department first (a street office before a district bureau).
        candidates = sorted(departments, key=lambda d: (-len(d.area_path), d.name, d.pk))
        if candidates:
            return Suggestion(None, candidates[0], f"“{category.name}”由职能部门办理：{candidates[0].name}。")
        fallback_reason = f"未找到负责该地点的“{category.department_keyword or category.name}”部门"
    else:
        length = LEVEL_LENGTH[level]
        code = path[:length] if len(path) >= length else path
        area = Area.objects.filter(code=code, level__in=DISPATCH_LEVELS).first()
        label = ResponsibleLevel(level).label
        if area is not None and area.level == level:
            return Suggestion(area, None, f"“{category.name}”由{label}办理：{area.name}。")
        if area is not None and area.level != Level.DISTRICT:
            return Suggestion(area, None, f"“{category.name}”应由{label}办理，诉求只定位到{area.name}。")
        fallback_reason = f"诉求只定位到{appeal.area.name}，无法确定{label}"
    district = Area.objects.filter(code=path[:6], level=Level.DISTRICT).first() if len(path) >= 6 else None
    if district is not None:
        return Suggestion(district, None, f"{fallback_reason}，按首接负责派至{district.name}。")
    return Suggestion(None, None, f"{fallback_reason}，请人工指定承办单位。")


def check_target(appeal: Appeal, area=None, department=None) -> str:
    """The target's name if ``appeal`` may be dispatched to it; else :class:`AppealError`."""
    if (area is None) == (department is None):
        raise AppealError("请选择一个承办单位：网格、社区、街道、区或职能部门。", code="target")
    if area is not None:
        if area.level not in DISPATCH_LEVELS:
            raise AppealError("承办单位须为网格、社区、街道或区。", code="target")
        if not appeal.area_path.startswith(area.code):
            raise AppealError(f"“{area.name}”不管辖诉求所在地，不能派给它。", code="target")
        return area.name
    if not departments_serving(appeal.area_path).filter(pk=department.pk).exists():
        raise AppealError(f"“{department.name}”不负责诉求所在地，不能派给该部门。", code="target")
    return department.name


@transaction.atomic
def dispatch_appeal(actor, appeal: Appeal, *, area=None, department=None, note: str = "", now=None) -> Appeal:
    """派单 (also 改派 before sign-for, and re-dispatch after 退单) to a unit or a department."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require(may(actor, APPEAL_DISPATCH, fresh), "您没有该诉求的派单权限。")
    _require_status(fresh, {Status.ACCEPTED, Status.RETURNED, Status.DISPATCHED}, "派单")
    target_name = check_target(fresh, area, department)
    if fresh.status == Status.DISPATCHED and (fresh.assigned_area_id, fresh.assigned_department_id) == (
        getattr(area, "pk", None),
        getattr(department, "pk", None),
    ):
        raise TransitionError(f"该诉求已派给“{target_name}”。", code="transition")
    note = _text(note, "派单说明", required=False)
    before = fresh.status
    limits = deadline_limits(fresh.urgency, fresh.category)
    response_due = compute_due(now, limits["response"])
    first = fresh.dispatched_at is None
    _save(
        fresh,
        before,
        now,
        status=Status.DISPATCHED,
        assigned_area=area,
        assigned_department=department,
        dispatched_at=now,
        signed_at=None,
        response_due=response_due.at,
        response_overdue=False,
        dispatch_overdue=fresh.dispatch_overdue
        or (first and fresh.dispatch_due is not None and now > fresh.dispatch_due),
    )
    verb = "改派" if before == Status.DISPATCHED else ("重新派单" if before == Status.RETURNED else "派单")
    _event(
        fresh,
        EventKind.DISPATCH,
        actor,
        now,
        note=f"{verb}至{target_name}。{note}".strip(),
        from_status=before,
        to_status=Status.DISPATCHED,
        target_name=target_name,
        data={"area": getattr(area, "code", None), "department": getattr(department, "pk", None), "verb": verb},
    )
    _audit(actor, "dispatch_appeal", fresh, {"status": before}, {"status": Status.DISPATCHED, "to": target_name})
    notifications.notify(
        notifications.handler_ids(fresh),
        key=f"appeal:{fresh.pk}:dispatch:{now.isoformat()}",
        kind="appeal_dispatched",
        title=f"新派单待签收：{fresh.title}",
        body=f"工单编号 {fresh.number}，请在{timezone.localtime(response_due.at):%m-%d %H:%M}前签收。{note}",
        appeal=fresh,
    )
    return _sync(appeal, fresh)


# --------------------------------------------------------------------------- 签收 · 办理 · 答复 · 退单


@transaction.atomic
def sign_appeal(actor, appeal: Appeal, *, note: str = "", now=None) -> Appeal:
    """签收: the assigned unit takes the appeal (and contacts the reporter). One signer wins."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require_status(fresh, {Status.DISPATCHED}, "签收")
    _require(is_handler(actor, fresh), f"该诉求派给了“{_assignee_name(fresh)}”，您不能签收。")
    on_time = fresh.response_due is None or now <= fresh.response_due
    _save(fresh, Status.DISPATCHED, now, status=Status.SIGNED, signed_at=now, response_overdue=not on_time)
    _event(
        fresh,
        EventKind.SIGN,
        actor,
        now,
        note=(f"{_assignee_name(fresh)}签收。" + _text(note, "签收说明", required=False)).strip(),
        from_status=Status.DISPATCHED,
        to_status=Status.SIGNED,
        data={"on_time": on_time},
    )
    _audit(actor, "sign_appeal", fresh, {"status": Status.DISPATCHED}, {"status": Status.SIGNED, "on_time": on_time})
    return _sync(appeal, fresh)


@transaction.atomic
def record_progress(actor, appeal: Appeal, *, note: str, photos=(), now=None) -> AppealEvent:
    """办理: a visit or a step taken, with photos (网格员走访、现场核实)."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require_status(fresh, {Status.SIGNED, Status.HANDLING}, "办理")
    _require(is_handler(actor, fresh), "您不是该诉求的承办人，不能记录办理情况。")
    note = _text(note, "办理情况", max_length=2000)
    photos = list(photos or [])
    kinds = [validate_photo(p) for p in photos]
    check_photo_count(fresh, len(photos))
    before = fresh.status
    _save(fresh, before, now, status=Status.HANDLING)
    event = _event(fresh, EventKind.PROGRESS, actor, now, note=note, from_status=before, to_status=Status.HANDLING)
    store_photos(fresh, photos, kinds, actor, PhotoStage.PROGRESS, event)
    if before != Status.HANDLING:
        _audit(actor, "handle_appeal", fresh, {"status": before}, {"status": Status.HANDLING})
    _sync(appeal, fresh)
    return event


@transaction.atomic
def answer_appeal(actor, appeal: Appeal, *, text: str, result: str, photos=(), now=None) -> Appeal:
    """答复: the handler's answer and its result (办理结果); the reporter is asked to rate it."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require_status(fresh, {Status.SIGNED, Status.HANDLING}, "答复")
    _require(is_handler(actor, fresh), "您不是该诉求的承办人，不能答复。")
    text = _text(text, "答复内容", max_length=DESCRIPTION_MAX)
    _choice(result, Outcome, "办理结果")
    photos = list(photos or [])
    kinds = [validate_photo(p) for p in photos]
    check_photo_count(fresh, len(photos))
    before = fresh.status
    on_time = fresh.answer_due is None or now <= fresh.answer_due
    _close_pending_extension(fresh, now, "诉求已答复，延期申请自动失效。")
    _save(
        fresh,
        before,
        now,
        status=Status.ANSWERED,
        answered_at=now,
        answer_text=text,
        answer_result=result,
        outcome="",
        satisfaction="",
        rating_comment="",
        rated_at=None,
        extension_pending=False,
    )
    _flag_overdue(fresh, actor, now)
    event = _event(
        fresh,
        EventKind.ANSWER,
        actor,
        now,
        note=f"答复（{Outcome(result).label}）：{text}",
        from_status=before,
        to_status=Status.ANSWERED,
        data={"on_time": on_time, "result": result},
    )
    store_photos(fresh, photos, kinds, actor, PhotoStage.ANSWER, event)
    _audit(actor, "answer_appeal", fresh, {"status": before}, {"status": Status.ANSWERED, "result": result})
    if fresh.reporter_id:
        notifications.notify(
            [fresh.reporter_id],
            key=f"appeal:{fresh.pk}:answer:{now.isoformat()}",
            kind="appeal_answered",
            title=f"您的诉求已答复，请评价：{fresh.title}",
            body=text,
            appeal=fresh,
        )
    return _sync(appeal, fresh)


@transaction.atomic
def return_appeal(actor, appeal: Appeal, *, reason: str, now=None) -> Appeal:
    """退单: the assigned unit sends it back (not ours, wrong place) with a reason; the dispatcher re-dispatches."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require_status(fresh, WITH_HANDLER, "退单")
    _require(is_handler(actor, fresh), "您不是该诉求的承办人，不能退单。")
    reason = _text(reason, "退单理由")
    before, returning, department_id = fresh.status, _assignee_name(fresh), fresh.assigned_department_id
    _close_pending_extension(fresh, now, "诉求已退单，延期申请自动失效。")
    _save(
        fresh,
        before,
        now,
        status=Status.RETURNED,
        assigned_area=None,
        assigned_department=None,
        signed_at=None,
        return_count=fresh.return_count + 1,
        extension_pending=False,
    )
    _event(
        fresh,
        EventKind.RETURN,
        actor,
        now,
        note=f"{returning}退单，等待重新派单。理由：{reason}",
        from_status=before,
        to_status=Status.RETURNED,
        department_id=department_id,
        target_name=returning,
        data={"reason": reason},
    )
    _audit(actor, "return_appeal", fresh, {"status": before, "assignee": returning}, {"status": Status.RETURNED})
    notifications.notify(
        notifications.dispatcher_ids(fresh.area_path),
        key=f"appeal:{fresh.pk}:return:{now.isoformat()}",
        kind="appeal_returned",
        title=f"诉求被退单，请重新派单：{fresh.title}",
        body=f"{returning}退单。理由：{reason}",
        appeal=fresh,
    )
    return _sync(appeal, fresh)


# --------------------------------------------------------------------------- 延期


@transaction.atomic
def request_extension(actor, appeal: Appeal, *, workdays: int, reason: str, now=None) -> Extension:
    """申请延期: only before the answer deadline; the dispatcher approves or rejects."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require_status(fresh, WITH_HANDLER, "申请延期")
    _require(is_handler(actor, fresh), "您不是该诉求的承办人，不能申请延期。")
    reason = _text(reason, "延期理由")
    limit = int(get_rule(EXTENSION_MAX_WORKDAYS))
    try:
        workdays = int(workdays)
    except (TypeError, ValueError):
        raise AppealError("延长天数应为整数。", code="workdays") from None
    if not 1 <= workdays <= limit:
        raise AppealError(f"每次最多申请延长{limit}个工作日。", code="workdays")
    if fresh.answer_due is not None and now >= fresh.answer_due:
        raise TransitionError("已超过答复时限，不能再申请延期（须在时限届满前申请）。", code="transition")
    if fresh.extension_pending:
        raise TransitionError("已有一件待审批的延期申请。", code="transition")
    _save(fresh, fresh.status, now, extension_pending=True)
    extension = Extension.objects.create(
        appeal=fresh, workdays=workdays, reason=reason, requested_by=actor, requested_at=now, old_due=fresh.answer_due
    )
    _event(
        fresh,
        EventKind.EXTEND_REQUEST,
        actor,
        now,
        note=f"申请延长{workdays}个工作日。理由：{reason}",
        public=False,
        data={"extension": extension.pk, "workdays": workdays},
    )
    _audit(actor, "request_extension", fresh, None, {"workdays": workdays})
    notifications.notify(
        notifications.dispatcher_ids(fresh.area_path),
        key=f"appeal:{fresh.pk}:extension:{extension.pk}",
        kind="extension_requested",
        title=f"延期申请待审批：{fresh.title}",
        body=f"{_assignee_name(fresh)}申请延长{workdays}个工作日。理由：{reason}",
        appeal=fresh,
    )
    _sync(appeal, fresh)
    return extension


@transaction.atomic
def decide_extension(actor, extension: Extension, *, approve: bool, note: str = "", now=None) -> Extension:
    """审批延期 by the dispatcher: approved → a new answer deadline counted in working days."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(extension.appeal)
    _require(may(actor, APPEAL_DISPATCH, fresh), "您没有审批该诉求延期的权限。")
    note = _text(note, "审批意见", required=not approve)
    changes = {"status": ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED}
    changes.update(decided_by=actor, decided_at=now, decision_note=note)
    if approve:
        due = extend_due(fresh.answer_due or now, extension.workdays)
        changes.update(new_due=due.at, new_due_fallback=due.fallback)
    if not Extension.objects.filter(pk=extension.pk, status=ExtensionStatus.PENDING).update(**changes):
        raise TransitionError("该延期申请已审批过。", code="transition")
    for name, value in changes.items():
        setattr(extension, name, value)
    if approve:
        _save(
            fresh,
            fresh.status,
            now,
            answer_due=due.at,
            deadline_fallback=fresh.deadline_fallback or due.fallback,
            answer_remind_at=_reminder(now, due.at),
            answer_reminded=False,
            extension_pending=False,
            extension_count=fresh.extension_count + 1,
        )
        text = f"批准延期{extension.workdays}个工作日，答复时限延至{timezone.localtime(due.at):%Y-%m-%d %H:%M}"
        if due.fallback:
            text += "（含日历未公布的日期，按周一至周五推算）"
        _event(
            fresh,
            EventKind.EXTEND_APPROVE,
            actor,
            now,
            note=f"{text}。{note}".strip(),
            data={"extension": extension.pk, "fallback": due.fallback},
        )
    else:
        _save(fresh, fresh.status, now, extension_pending=False)
        _event(fresh, EventKind.EXTEND_REJECT, actor, now, note=f"驳回延期申请：{note}", public=False)
        _flag_overdue(fresh, None, now)
    _audit(actor, "decide_extension", fresh, None, {"extension": extension.pk, "approved": approve})
    notifications.notify(
        [extension.requested_by_id],
        key=f"appeal:{fresh.pk}:extension:{extension.pk}:decided",
        kind="extension_decided",
        title=f"延期申请{'已批准' if approve else '被驳回'}：{fresh.title}",
        body=note,
        appeal=fresh,
    )
    return extension


# --------------------------------------------------------------------------- 回访 · 办结 · 重办


def _close(fresh: Appeal, actor, now, note: str) -> None:
    before = fresh.status
    on_time = bool(fresh.answered_at and (fresh.answer_due is None or fresh.answered_at <= fresh.answer_due))
    _save(fresh, before, now, status=Status.CLOSED, closed_at=now)
    rated = bool(fresh.outcome and fresh.satisfaction)
    _event(
        fresh,
        EventKind.CLOSE,
        actor,
        now,
        note=note,
        from_status=before,
        to_status=Status.CLOSED,
        data={
            "on_time": on_time,
            "outcome": fresh.outcome if rated else "",
            "satisfaction": fresh.satisfaction if rated else "",
        },
    )
    _audit(actor, "close_appeal", fresh, {"status": before}, {"status": Status.CLOSED})


@transaction.atomic
def rate_appeal(actor, appeal: Appeal, *, outcome: str, satisfaction: str, comment: str = "", now=None) -> Appeal:
    """回访: the reporter (or the dispatcher calling back) rates 是否解决 and 是否满意.

    Solved (fully or partly) and satisfied (or basically) closes the appeal at once; otherwise the
    dispatcher decides between 重办 and 办结.
    """
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require_status(fresh, {Status.ANSWERED}, "回访评价")
    _require(is_reporter(actor, fresh) or may(actor, APPEAL_DISPATCH, fresh), "只有诉求人或回访人员可以评价。")
    _choice(outcome, Outcome, "是否解决")
    _choice(satisfaction, Satisfaction, "是否满意")
    comment = _text(comment, "评价意见", required=False)
    _save(
        fresh,
        Status.ANSWERED,
        now,
        status=Status.RATED,
        outcome=outcome,
        satisfaction=satisfaction,
        rating_comment=comment,
        rated_at=now,
    )
    who = "诉求人评价" if is_reporter(actor, fresh) else "回访"
    _event(
        fresh,
        EventKind.RATE,
        actor,
        now,
        note=f"{who}：{Outcome(outcome).label}，{Satisfaction(satisfaction).label}。{comment}".strip(),
        from_status=Status.ANSWERED,
        to_status=Status.RATED,
        data={"outcome": outcome, "satisfaction": satisfaction},
    )
    _audit(actor, "rate_appeal", fresh, None, {"outcome": outcome, "satisfaction": satisfaction})
    if outcome != Outcome.UNRESOLVED and satisfaction != Satisfaction.UNSATISFIED:
        _close(fresh, actor, now, "评价为已解决且满意，办结。")
    else:
        notifications.notify(
            notifications.dispatcher_ids(fresh.area_path),
            key=f"appeal:{fresh.pk}:rated:{now.isoformat()}",
            kind="appeal_unsatisfied",
            title=f"诉求评价为{Outcome(outcome).label}/{Satisfaction(satisfaction).label}，请研判重办或办结",
            body=comment or fresh.title,
            appeal=fresh,
        )
    return _sync(appeal, fresh)


@transaction.atomic
def close_appeal(actor, appeal: Appeal, *, note: str = "", now=None) -> Appeal:
    """办结 by the dispatcher: after an unsatisfied rating judged final, or an answer never rated."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require_status(fresh, {Status.ANSWERED, Status.RATED}, "办结")
    _require(may(actor, APPEAL_DISPATCH, fresh), "您没有办结该诉求的权限。")
    note = _text(note, "办结说明", required=fresh.status == Status.RATED)
    if fresh.status == Status.ANSWERED:
        note = f"未回访办结。{note}".strip()
    _close(fresh, actor, now, note)
    return _sync(appeal, fresh)


@transaction.atomic
def reopen_appeal(actor, appeal: Appeal, *, note: str, now=None) -> Appeal:
    """重办 after an unsatisfied or unresolved rating: back to the same unit with a new deadline."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require_status(fresh, {Status.RATED}, "重办")
    _require(may(actor, APPEAL_DISPATCH, fresh), "您没有重办该诉求的权限。")
    if fresh.assignee is None:
        raise TransitionError("该诉求没有承办单位，请重新派单。", code="transition")
    note = _text(note, "重办要求")
    limits = deadline_limits(fresh.urgency, fresh.category)
    response_due, answer_due = compute_due(now, limits["response"]), compute_due(now, limits["answer"])
    _save(
        fresh,
        Status.RATED,
        now,
        status=Status.DISPATCHED,
        reopen_count=fresh.reopen_count + 1,
        dispatched_at=now,
        signed_at=None,
        response_due=response_due.at,
        response_overdue=False,
        answer_due=answer_due.at,
        answer_remind_at=_reminder(now, answer_due.at),
        answer_reminded=False,
        answer_overdue=False,
        deadline_fallback=fresh.deadline_fallback or answer_due.fallback,
        outcome="",
        satisfaction="",
        rating_comment="",
        rated_at=None,
    )
    _event(
        fresh,
        EventKind.REOPEN,
        actor,
        now,
        note=f"第{fresh.reopen_count}次重办，交{_assignee_name(fresh)}。{note}",
        from_status=Status.RATED,
        to_status=Status.DISPATCHED,
        target_name=_assignee_name(fresh),
    )
    _audit(actor, "reopen_appeal", fresh, {"status": Status.RATED}, {"status": Status.DISPATCHED})
    notifications.notify(
        notifications.handler_ids(fresh),
        key=f"appeal:{fresh.pk}:reopen:{fresh.reopen_count}",
        kind="appeal_reopened",
        title=f"诉求重办，请重新签收：{fresh.title}",
        body=note,
        appeal=fresh,
    )
    return _sync(appeal, fresh)


# --------------------------------------------------------------------------- 督办 · 合并 · 撤销


@transaction.atomic
def supervise_appeal(actor, appeal: Appeal, *, note: str, now=None) -> Appeal:
    """挂牌督办 by a higher level (district or city)."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require(may(actor, APPEAL_SUPERVISE, fresh), "只有上级（区、市）可以挂牌督办。")
    if fresh.is_final:
        raise TransitionError(f"诉求{_status_label(fresh.status)}，不能挂牌督办。", code="transition")
    if fresh.supervised:
        raise TransitionError("该诉求已挂牌督办。", code="transition")
    note = _text(note, "督办要求")
    _save(fresh, fresh.status, now, supervised=True, supervised_at=now, supervised_by=actor, supervise_note=note)
    _event(fresh, EventKind.SUPERVISE, actor, now, note=f"挂牌督办：{note}", public=False)
    _audit(actor, "supervise_appeal", fresh, {"supervised": False}, {"supervised": True})
    notifications.notify(
        notifications.handler_ids(fresh) | notifications.dispatcher_ids(fresh.area_path),
        key=f"appeal:{fresh.pk}:supervise",
        kind="appeal_supervised",
        title=f"挂牌督办：{fresh.title}",
        body=note,
        appeal=fresh,
    )
    return _sync(appeal, fresh)


@transaction.atomic
def merge_appeal(actor, duplicate: Appeal, into: Appeal, *, note: str = "", now=None) -> Appeal:
    """重复件/合并: ``duplicate`` ends as 已合并 and follows ``into`` from now on."""
    now = _now(now)
    _require_user(actor)
    if duplicate.pk == into.pk:
        raise AppealError("不能把诉求合并到它自己。", code="merge")
    # Lock both rows in id order, so two merges of the same pair cannot deadlock.
    first, second = sorted([duplicate, into], key=lambda a: a.pk)
    locked = {a.pk: _lock(a) for a in (first, second)}
    fresh, target = locked[duplicate.pk], locked[into.pk]
    _require(may(actor, APPEAL_DISPATCH, fresh) and may(actor, APPEAL_DISPATCH, target), "您没有合并这两件诉求的权限。")
    _require_status(fresh, CANCELLABLE, "合并")
    if target.status in (Status.MERGED, Status.CANCELLED):
        raise TransitionError(f"目标诉求{_status_label(target.status)}，不能合并到它。", code="transition")
    note = _text(note, "合并说明", required=False)
    before = fresh.status
    _close_pending_extension(fresh, now, "诉求已合并，延期申请自动失效。")
    _save(fresh, before, now, status=Status.MERGED, merged_into=target, closed_at=now, extension_pending=False)
    _event(
        fresh,
        EventKind.MERGE,
        actor,
        now,
        note=f"重复件，合并到工单{target.number}办理。{note}".strip(),
        from_status=before,
        to_status=Status.MERGED,
        data={"into": target.pk},
    )
    _event(target, EventKind.MERGED_HERE, actor, now, note=f"并入重复件工单{fresh.number}。", public=False)
    _audit(actor, "merge_appeal", fresh, {"status": before}, {"status": Status.MERGED, "into": target.number})
    if fresh.reporter_id:
        notifications.notify(
            [fresh.reporter_id],
            key=f"appeal:{fresh.pk}:merged",
            kind="appeal_merged",
            title=f"您的诉求与工单{target.number}为同一事项，已合并办理",
            appeal=fresh,
        )
    return _sync(duplicate, fresh)


@transaction.atomic
def cancel_appeal(actor, appeal: Appeal, *, reason: str, now=None) -> Appeal:
    """撤销: withdrawn by the reporter, or by the dispatcher (invalid, duplicate call …), before the answer."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require(is_reporter(actor, fresh) or may(actor, APPEAL_DISPATCH, fresh), "只有诉求人或派单人员可以撤销。")
    _require_status(fresh, CANCELLABLE, "撤销")
    reason = _text(reason, "撤销理由")
    before = fresh.status
    _close_pending_extension(fresh, now, "诉求已撤销，延期申请自动失效。")
    _save(fresh, before, now, status=Status.CANCELLED, closed_at=now, extension_pending=False)
    who = "诉求人撤销" if is_reporter(actor, fresh) else "撤销"
    _event(
        fresh,
        EventKind.CANCEL,
        actor,
        now,
        note=f"{who}。理由：{reason}",
        from_status=before,
        to_status=Status.CANCELLED,
    )
    _audit(actor, "cancel_appeal", fresh, {"status": before}, {"status": Status.CANCELLED})
    notifications.notify(
        notifications.handler_ids(fresh),
        key=f"appeal:{fresh.pk}:cancel",
        kind="appeal_cancelled",
        title=f"诉求已撤销：{fresh.title}",
        body=reason,
        appeal=fresh,
    )
    return _sync(appeal, fresh)


# --------------------------------------------------------------------------- the scheduler's work


def overdue_candidates(now=None, limit: int = 1000) -> list[int]:
    now = _now(now)
    return list(
        Appeal.objects.filter(
            status__in=OPEN_STATUSES, answer_overdue=False, extension_pending=False, answer_due__lt=now
        ).values_list("pk", flat=True)[:limit]
    )


def mark_overdue(appeal_ids, now=None) -> int:
    """Flag missed deadlines of these appeals (once each) and tell the assignee and dispatchers."""
    now = _now(now)
    marked = 0
    for pk in appeal_ids:
        with transaction.atomic():
            fresh = Appeal.objects.select_for_update(of=("self",)).select_related("assigned_area").filter(pk=pk).first()
            if fresh is None or fresh.status not in OPEN_STATUSES or fresh.extension_pending:
                continue
            if _flag_overdue(fresh, None, now):
                marked += 1
                notifications.notify(
                    notifications.handler_ids(fresh) | notifications.dispatcher_ids(fresh.area_path),
                    key=f"appeal:{fresh.pk}:overdue:{fresh.answer_due.isoformat()}",
                    kind="appeal_overdue",
                    title=f"诉求已超期：{fresh.title}",
                    body=f"工单编号 {fresh.number}，答复时限{timezone.localtime(fresh.answer_due):%Y-%m-%d %H:%M}。",
                    appeal=fresh,
                )
    return marked


def mark_dispatch_overdue(now=None, limit: int = 1000) -> int:
    """Flag appeals still waiting for dispatch after the dispatch deadline."""
    now = _now(now)
    marked = 0
    ids = list(
        Appeal.objects.filter(status=Status.ACCEPTED, dispatch_overdue=False, dispatch_due__lt=now).values_list(
            "pk", flat=True
        )[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            if not Appeal.objects.filter(pk=pk, status=Status.ACCEPTED, dispatch_overdue=False).update(
                dispatch_overdue=True
            ):
                continue
            fresh = Appeal.objects.get(pk=pk)
            _event(fresh, EventKind.DISPATCH_OVERDUE, None, now, note="已超过派单时限，尚未派单。", public=False)
            notifications.notify(
                notifications.dispatcher_ids(fresh.area_path),
                key=f"appeal:{pk}:dispatch_overdue",
                kind="dispatch_overdue",
                title=f"诉求派单超时：{fresh.title}",
                appeal=fresh,
            )
            marked += 1
    return marked


def send_reminders(now=None, limit: int = 1000) -> int:
    """Remind before the dispatch and answer deadlines, once per deadline."""
    now = _now(now)
    sent = 0
    due_dispatch = Appeal.objects.filter(
        status=Status.ACCEPTED, dispatch_reminded=False, dispatch_remind_at__lte=now, dispatch_due__gt=now
    ).values_list("pk", flat=True)[:limit]
    for pk in list(due_dispatch):
        with transaction.atomic():
            if not Appeal.objects.filter(pk=pk, dispatch_reminded=False).update(dispatch_reminded=True):
                continue
            fresh = Appeal.objects.get(pk=pk)
            sent += bool(
                notifications.notify(
                    notifications.dispatcher_ids(fresh.area_path),
                    key=f"appeal:{pk}:remind:dispatch",
                    kind="remind_dispatch",
                    title=f"诉求即将超过派单时限：{fresh.title}",
                    body=f"请在{timezone.localtime(fresh.dispatch_due):%m-%d %H:%M}前派单。",
                    appeal=fresh,
                )
            )
    due_answer = Appeal.objects.filter(
        status__in=WITH_HANDLER, answer_reminded=False, answer_remind_at__lte=now, answer_due__gt=now
    ).values_list("pk", flat=True)[:limit]
    for pk in list(due_answer):
        with transaction.atomic():
            if not Appeal.objects.filter(pk=pk, answer_reminded=False).update(answer_reminded=True):
                continue
            fresh = Appeal.objects.select_related("assigned_area").get(pk=pk)
            sent += bool(
                notifications.notify(
                    notifications.handler_ids(fresh),
                    key=f"appeal:{pk}:remind:answer:{fresh.answer_due.isoformat()}",
                    kind="remind_answer",
                    title=f"诉求即将到期，请尽快答复：{fresh.title}",
                    body=f"答复时限{timezone.localtime(fresh.answer_due):%m-%d %H:%M}。",
                    appeal=fresh,
                )
            )
    return sent


def auto_close_unrated(now=None, limit: int = 1000) -> int:
    """Answers nobody rated within ``appeals.rating_wait_days`` are closed without a rating."""
    from datetime import timedelta

    now = _now(now)
    cutoff = now - timedelta(days=int(get_rule(RATING_WAIT_DAYS)))
    ids = list(
        Appeal.objects.filter(status=Status.ANSWERED, answered_at__lt=cutoff).values_list("pk", flat=True)[:limit]
    )
    closed = 0
    for pk in ids:
        with transaction.atomic():
            fresh = Appeal.objects.select_for_update(of=("self",)).filter(pk=pk).first()
            if fresh is None or fresh.status != Status.ANSWERED:
                continue
            _close(fresh, None, now, f"答复后{get_rule(RATING_WAIT_DAYS)}天未评价，自动办结（不计入解决率、满意率）。")
            closed += 1
    return closed


# The 吹哨报到 services live in jiceng.appeals.whistles; re-exported so callers need one module.
from jiceng.appeals.whistles import (  # noqa: E402
    blow_whistle,
    close_whistle,
    escalate_overdue_summons,
    feedback_summons,
    rate_summons,
    report_summons,
)

__all__ = [
    "ACTIONS",
    "AppealError",
    "Suggestion",
    "TransitionError",
    "add_photo",
    "answer_appeal",
    "auto_close_unrated",
    "available_actions",
    "blow_whistle",
    "cancel_appeal",
    "check_target",
    "close_appeal",
    "close_whistle",
    "create_appeal",
    "decide_extension",
    "dispatch_appeal",
    "display_reporter",
    "escalate_overdue_summons",
    "feedback_summons",
    "is_handler",
    "mark_dispatch_overdue",
    "mark_overdue",
    "may",
    "merge_appeal",
    "overdue_candidates",
    "rate_appeal",
    "rate_summons",
    "record_progress",
    "reopen_appeal",
    "report_summons",
    "reporter_visible",
    "request_extension",
    "resolve_location",
    "return_appeal",
    "send_reminders",
    "sign_appeal",
    "suggest_dispatch",
    "supervise_appeal",
    "validate_attributes",
    "validate_photo",
]

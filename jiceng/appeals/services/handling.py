"""签收 · 办理 · 答复 · 退单: the assigned unit's steps."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from jiceng.appeals.intake import (
    DESCRIPTION_MAX,
    check_photo_count,
    store_photos,
    validate_photo,
)
from jiceng.appeals.models import (
    WITH_HANDLER,
    Appeal,
    AppealEvent,
    EventKind,
    Outcome,
    PhotoStage,
    Status,
)
from jiceng.appeals.services import notifications
from jiceng.appeals.services.access import (
    Actor,
    _require,
    _require_user,
    is_handler,
)
from jiceng.appeals.services.common import (
    _assignee_name,
    _audit,
    _choice,
    _close_pending_extension,
    _event,
    _flag_overdue,
    _flag_response_overdue,
    _lock,
    _now,
    _require_status,
    _save,
    _sync,
    _text,
)

# --------------------------------------------------------------------------- 签收 · 办理 · 答复 · 退单


@transaction.atomic
def sign_appeal(actor: Actor, appeal: Appeal, *, note: str = "", now: datetime | None = None) -> Appeal:
    """签收: the assigned unit takes the appeal (and contacts the reporter). One signer wins."""
    now = _now(now)
    _require_user(actor)
    fresh = _lock(appeal)
    _require_status(fresh, {Status.DISPATCHED}, "签收")
    _require(is_handler(actor, fresh), f"该诉求派给了“{_assignee_name(fresh)}”，您不能签收。")
    on_time = fresh.response_due is None or now <= fresh.response_due
    _flag_response_overdue(fresh, now)
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


def _lock_for_handler(actor: Actor, appeal: Appeal, allowed, verb: str, what: str) -> Appeal:
    """The appeal locked for a step only its handler takes, in one of the ``allowed`` statuses."""
    _require_user(actor)
    fresh = _lock(appeal)
    _require_status(fresh, allowed, verb)
    _require(is_handler(actor, fresh), f"您不是该诉求的承办人，不能{what}。")
    return fresh


def _checked_photos(fresh: Appeal, photos: Iterable) -> tuple[list, list[str]]:
    """The uploads as a list with their checked kinds, refused before anything is saved."""
    photos = list(photos or [])
    kinds = [validate_photo(p) for p in photos]
    check_photo_count(fresh, len(photos))
    return photos, kinds


@transaction.atomic
def record_progress(
    actor: Actor, appeal: Appeal, *, note: str, photos: Iterable = (), now: datetime | None = None
) -> AppealEvent:
    """办理: a visit or a step taken, with photos (网格员走访、现场核实)."""
    now = _now(now)
    fresh = _lock_for_handler(actor, appeal, {Status.SIGNED, Status.HANDLING}, "办理", "记录办理情况")
    note = _text(note, "办理情况", max_length=2000)
    photos, kinds = _checked_photos(fresh, photos)
    before = fresh.status
    _save(fresh, before, now, status=Status.HANDLING)
    event = _event(fresh, EventKind.PROGRESS, actor, now, note=note, from_status=before, to_status=Status.HANDLING)
    store_photos(fresh, photos, kinds, actor, PhotoStage.PROGRESS, event)
    if before != Status.HANDLING:
        _audit(actor, "handle_appeal", fresh, {"status": before}, {"status": Status.HANDLING})
    _sync(appeal, fresh)
    return event


@transaction.atomic
def answer_appeal(
    actor: Actor, appeal: Appeal, *, text: str, result: str, photos: Iterable = (), now: datetime | None = None
) -> Appeal:
    """答复: the handler's answer and its result (办理结果); the reporter is asked to rate it."""
    now = _now(now)
    fresh = _lock_for_handler(actor, appeal, {Status.SIGNED, Status.HANDLING}, "答复", "答复")
    text = _text(text, "答复内容", max_length=DESCRIPTION_MAX)
    _choice(result, Outcome, "办理结果")
    photos, kinds = _checked_photos(fresh, photos)
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
def return_appeal(actor: Actor, appeal: Appeal, *, reason: str, now: datetime | None = None) -> Appeal:
    """退单: the assigned unit sends it back (not ours, wrong place) with a reason; the dispatcher re-dispatches."""
    now = _now(now)
    fresh = _lock_for_handler(actor, appeal, WITH_HANDLER, "退单", "退单")
    reason = _text(reason, "退单理由")
    before, returning, department_id = fresh.status, _assignee_name(fresh), fresh.assigned_department_id
    _flag_response_overdue(fresh, now)  # returned without a sign-for after the deadline
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

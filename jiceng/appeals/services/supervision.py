"""督办 · 合并 · 撤销: supervision by a higher level, merging duplicates, withdrawing."""

from datetime import datetime

from django.db import transaction

from jiceng.appeals.errors import AppealError, TransitionError
from jiceng.appeals.models import (
    Appeal,
    EventKind,
    Status,
)
from jiceng.appeals.permissions import APPEAL_DISPATCH, APPEAL_SUPERVISE
from jiceng.appeals.services import notifications
from jiceng.appeals.services.access import (
    CANCELLABLE,
    Actor,
    _require,
    _require_user,
    is_reporter,
    may,
)
from jiceng.appeals.services.common import (
    _audit,
    _close_pending_extension,
    _event,
    _lock,
    _now,
    _require_status,
    _save,
    _status_label,
    _sync,
    _text,
)

# --------------------------------------------------------------------------- 督办 · 合并 · 撤销


@transaction.atomic
def supervise_appeal(actor: Actor, appeal: Appeal, *, note: str, now: datetime | None = None) -> Appeal:
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
def merge_appeal(
    actor: Actor, duplicate: Appeal, into: Appeal, *, note: str = "", now: datetime | None = None
) -> Appeal:
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
def cancel_appeal(actor: Actor, appeal: Appeal, *, reason: str, now: datetime | None = None) -> Appeal:
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

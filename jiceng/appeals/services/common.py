"""The machinery every transition shares: the locked re-read, the conditional UPDATE, the timeline
event (with its rate counters), the audit row, and the input checks."""

from django.utils import timezone

from jiceng.accounts.services import audit
from jiceng.appeals import stats
from jiceng.appeals.deadlines import remind_at
from jiceng.appeals.errors import AppealError, TransitionError
from jiceng.appeals.models import (
    Appeal,
    AppealEvent,
    EventKind,
    Extension,
    ExtensionStatus,
    Status,
)
from jiceng.appeals.rules import (
    REMIND_BEFORE_RATIO,
)
from jiceng.appeals.services.access import Actor
from jiceng.core.rules import get_rule

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
    event = _event_row(appeal, kind, actor, now, note, from_status, to_status, public, data, department_id, target_name)
    event.save(force_insert=True)
    stats.apply_event(event)
    return event


def _event_row(
    appeal: Appeal, kind, actor, now, note, from_status, to_status, public, data, department_id, target_name
) -> AppealEvent:
    """The event :func:`_event` writes, not saved yet."""
    return AppealEvent(
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


def _audit(actor: Actor, action: str, appeal: Appeal, before: dict | None, after: dict | None) -> None:
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
    return remind_at(start, due, get_rule(REMIND_BEFORE_RATIO))


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


def _flag_response_overdue(fresh: Appeal, now) -> bool:
    """Mark the sign-for deadline missed, once per dispatch, while the request waits for its
    sign-for: by the scan when the deadline passes, or by the step that finds it passed first (a
    late 签收, a 改派 or 退单); recorded as the system's either way. The RESPONSE_OVERDUE event
    counts it in 签收超时量."""
    if fresh.status != Status.DISPATCHED or fresh.response_overdue:
        return False
    if fresh.response_due is None or now <= fresh.response_due:
        return False
    if not Appeal.objects.filter(pk=fresh.pk, status=Status.DISPATCHED, response_overdue=False).update(
        response_overdue=True
    ):
        return False
    fresh.response_overdue = True
    _event(
        fresh,
        EventKind.RESPONSE_OVERDUE,
        None,
        now,
        note=f"已超过签收时限（{timezone.localtime(fresh.response_due):%Y-%m-%d %H:%M}），尚未签收。",
        public=False,
    )
    return True

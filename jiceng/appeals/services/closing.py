"""回访 · 办结 · 重办: the rating, the close, and the reopen after an unsatisfied rating."""

from datetime import datetime

from django.db import transaction

from jiceng.appeals.deadlines import compute_due
from jiceng.appeals.errors import TransitionError
from jiceng.appeals.models import (
    Appeal,
    EventKind,
    Outcome,
    Satisfaction,
    Status,
)
from jiceng.appeals.permissions import APPEAL_DISPATCH
from jiceng.appeals.rules import (
    deadline_limits,
)
from jiceng.appeals.services import notifications
from jiceng.appeals.services.access import (
    Actor,
    _require,
    _require_user,
    is_reporter,
    may,
)
from jiceng.appeals.services.common import (
    _assignee_name,
    _audit,
    _choice,
    _event,
    _lock,
    _now,
    _reminder,
    _require_status,
    _save,
    _sync,
    _text,
)

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
def rate_appeal(
    actor: Actor, appeal: Appeal, *, outcome: str, satisfaction: str, comment: str = "", now: datetime | None = None
) -> Appeal:
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
def close_appeal(actor: Actor, appeal: Appeal, *, note: str = "", now: datetime | None = None) -> Appeal:
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
def reopen_appeal(actor: Actor, appeal: Appeal, *, note: str, now: datetime | None = None) -> Appeal:
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

"""The scheduler's work: overdue flags, reminders before deadlines, closing unrated answers."""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from jiceng.appeals.models import (
    OPEN_STATUSES,
    WITH_HANDLER,
    Appeal,
    EventKind,
    Status,
)
from jiceng.appeals.rules import (
    RATING_WAIT_DAYS,
)
from jiceng.appeals.services import notifications
from jiceng.appeals.services.closing import _close
from jiceng.appeals.services.common import (
    _event,
    _flag_overdue,
    _flag_response_overdue,
    _now,
)
from jiceng.core.rules import get_rule

# --------------------------------------------------------------------------- the scheduler's work


def overdue_candidates(now: datetime | None = None, limit: int = 1000) -> list[int]:
    now = _now(now)
    return list(
        Appeal.objects.filter(
            status__in=OPEN_STATUSES, answer_overdue=False, extension_pending=False, answer_due__lt=now
        ).values_list("pk", flat=True)[:limit]
    )


def mark_overdue(appeal_ids: Iterable[int], now: datetime | None = None) -> int:
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


def mark_dispatch_overdue(now: datetime | None = None, limit: int = 1000) -> int:
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


def mark_response_overdue(now: datetime | None = None, limit: int = 1000) -> int:
    """Flag dispatched appeals not signed for by the sign-for deadline (once per dispatch), and tell
    the unit and the dispatchers."""
    now = _now(now)
    ids = list(
        Appeal.objects.filter(status=Status.DISPATCHED, response_overdue=False, response_due__lt=now).values_list(
            "pk", flat=True
        )[:limit]
    )
    marked = 0
    for pk in ids:
        with transaction.atomic():
            fresh = Appeal.objects.select_for_update(of=("self",)).select_related("assigned_area").filter(pk=pk).first()
            if fresh is None or not _flag_response_overdue(fresh, now):
                continue
            marked += 1
            notifications.notify(
                notifications.handler_ids(fresh) | notifications.dispatcher_ids(fresh.area_path),
                key=f"appeal:{pk}:response_overdue:{fresh.response_due.isoformat()}",
                kind="response_overdue",
                title=f"诉求签收超时：{fresh.title}",
                body=f"工单编号 {fresh.number}，签收时限{timezone.localtime(fresh.response_due):%Y-%m-%d %H:%M}。",
                appeal=fresh,
            )
    return marked


def _remind_once(ids, flag: str, rows, message: Callable[[Appeal], dict]) -> int:
    """Remind about each of these appeals once: the flag is claimed first, so a second run sends nothing."""
    sent = 0
    for pk in list(ids):
        with transaction.atomic():
            if not Appeal.objects.filter(pk=pk, **{flag: False}).update(**{flag: True}):
                continue
            fresh = rows.get(pk=pk)
            sent += bool(notifications.notify(appeal=fresh, **message(fresh)))
    return sent


def send_reminders(now: datetime | None = None, limit: int = 1000) -> int:
    """Remind before the dispatch and answer deadlines, once per deadline."""
    now = _now(now)
    due_dispatch = Appeal.objects.filter(
        status=Status.ACCEPTED, dispatch_reminded=False, dispatch_remind_at__lte=now, dispatch_due__gt=now
    ).values_list("pk", flat=True)[:limit]
    sent = _remind_once(
        due_dispatch,
        "dispatch_reminded",
        Appeal.objects,
        lambda fresh: dict(
            user_ids=notifications.dispatcher_ids(fresh.area_path),
            key=f"appeal:{fresh.pk}:remind:dispatch",
            kind="remind_dispatch",
            title=f"诉求即将超过派单时限：{fresh.title}",
            body=f"请在{timezone.localtime(fresh.dispatch_due):%m-%d %H:%M}前派单。",
        ),
    )
    due_answer = Appeal.objects.filter(
        status__in=WITH_HANDLER, answer_reminded=False, answer_remind_at__lte=now, answer_due__gt=now
    ).values_list("pk", flat=True)[:limit]
    sent += _remind_once(
        due_answer,
        "answer_reminded",
        Appeal.objects.select_related("assigned_area"),
        lambda fresh: dict(
            user_ids=notifications.handler_ids(fresh),
            key=f"appeal:{fresh.pk}:remind:answer:{fresh.answer_due.isoformat()}",
            kind="remind_answer",
            title=f"诉求即将到期，请尽快答复：{fresh.title}",
            body=f"答复时限{timezone.localtime(fresh.answer_due):%m-%d %H:%M}。",
        ),
    )
    return sent


def auto_close_unrated(now: datetime | None = None, limit: int = 1000) -> int:
    """Answers nobody rated within ``appeals.rating_wait_days`` are closed without a rating."""
    from datetime import timedelta

    now = _now(now)
    cutoff = now - timedelta(days=get_rule(RATING_WAIT_DAYS))
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

"""The 民呼我应 kinds of waiting work on the 待办 list (registered in registry.py).

Each is one query bounded by ``limit``, the most urgent first, through ``visible_to`` with the
verb's own permission. 签收 and 答复 are the handler's: the request is assigned to a node the user
holds the permission on itself, or to one of the user's departments. A street that dispatched to
a grid does not find the grid's work on its own list.
"""

from datetime import datetime

from django.db.models import F, Q
from django.urls import reverse

from jiceng.appeals.models import QUEUE_TODO, Appeal, Status, SummonsStatus, WhistleSummons
from jiceng.appeals.permissions import APPEAL_HANDLE, SUMMONS_REPORT
from jiceng.core.scope import scope_for
from jiceng.core.todos import TodoItem

FIELDS = ("id", "number", "title", "description", "dispatch_due", "response_due", "answer_due", "area_path")


def _title(appeal: Appeal) -> str:
    text = appeal.title or appeal.description
    return f"{appeal.number or appeal.pk} · {text[:30]}"


def _appeals(queryset, due_field: str | None, limit: int, order_field: str | None = None) -> list[TodoItem]:
    """The first ``limit`` requests by ``order_field`` (default ``due_field``), each with the
    deadline ``due_field`` for its light (none without one)."""
    order_field = order_field or due_field
    order = [F(order_field).asc(nulls_last=True), "id"] if order_field else ["id"]
    rows = queryset.only(*FIELDS).order_by(*order)[:limit]
    return [
        TodoItem(_title(a), reverse("appeals:detail", args=[a.pk]), getattr(a, due_field) if due_field else None)
        for a in rows
    ]


def _handled_by(user) -> Q:
    """Requests assigned to the user's own nodes or departments."""
    scope = scope_for(user, APPEAL_HANDLE)
    return Q() if scope.everywhere else scope.granted_at_q("assigned_area__code", "assigned_department_id")


def to_dispatch(user, now: datetime, limit: int) -> list[TodoItem]:
    """待派单: accepted or sent back, in the dispatcher's area."""
    queryset = (
        Appeal.objects.visible_to(user, "dispatch")
        .filter(QUEUE_TODO)
        .filter(status__in=[Status.ACCEPTED, Status.RETURNED])
    )
    return _appeals(queryset, "dispatch_due", limit)


def to_decide_extension(user, now: datetime, limit: int) -> list[TodoItem]:
    """延期待审批."""
    queryset = Appeal.objects.visible_to(user, "dispatch").filter(QUEUE_TODO).filter(extension_pending=True)
    return _appeals(queryset, "answer_due", limit)


def to_call_back(user, now: datetime, limit: int) -> list[TodoItem]:
    """待回访: answered, waiting for the call back and the resident's rating, the earliest answer
    deadline first (the oldest work). Read along the index on (status, answer_due): at 5 M requests
    the city's list took 16 ms when it also repeated the 待处理 condition (which 已答复 implies)
    and ordered by id (docs/benchmarks-appeals.md)."""
    queryset = Appeal.objects.visible_to(user, "dispatch").filter(status=Status.ANSWERED)
    return _appeals(queryset, None, limit, order_field="answer_due")


def to_sign(user, now: datetime, limit: int) -> list[TodoItem]:
    """待签收."""
    queryset = Appeal.objects.visible_to(user, "handle").filter(_handled_by(user), status=Status.DISPATCHED)
    return _appeals(queryset, "response_due", limit)


def to_answer(user, now: datetime, limit: int) -> list[TodoItem]:
    """待答复: signed for, being handled."""
    queryset = Appeal.objects.visible_to(user, "handle").filter(
        _handled_by(user), status__in=[Status.SIGNED, Status.HANDLING]
    )
    return _appeals(queryset, "answer_due", limit)


def _summons(queryset, limit: int, due: bool) -> list[TodoItem]:
    rows = queryset.select_related("whistle", "department").order_by("report_due", "id")[:limit]
    return [
        TodoItem(
            f"{s.whistle.title} · {s.department.name}",
            reverse("appeals:whistle_detail", args=[s.whistle_id]),
            s.report_due if due else None,
        )
        for s in rows
    ]


def to_report(user, now: datetime, limit: int) -> list[TodoItem]:
    """待报到: the user's departments were summoned and have not reported yet."""
    departments = scope_for(user, SUMMONS_REPORT).departments
    queryset = WhistleSummons.objects.visible_to(user, "report").filter(
        department_id__in=departments, status__in=[SummonsStatus.SUMMONED, SummonsStatus.REPORTED]
    )
    return _summons(queryset, limit, due=True)


def to_rate(user, now: datetime, limit: int) -> list[TodoItem]:
    """待评价: a department fed back on a whistle of the user's area."""
    queryset = WhistleSummons.objects.visible_to(user, "rate").filter(status=SummonsStatus.FED_BACK)
    return _summons(queryset, limit, due=False)

"""Who may do what on an appeal, and what a user sees of the reporter."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiceng.accounts.roles import (
    APPEAL_DISPATCH,
    APPEAL_HANDLE,
    APPEAL_REPORTER,
    APPEAL_SUPERVISE,
)
from jiceng.appeals.models import (
    FINAL_STATUSES,
    WITH_HANDLER,
    Appeal,
    Status,
)
from jiceng.core.masking import mask_phone
from jiceng.core.scope import scope_for

# --------------------------------------------------------------------------- who may do what


def may(user, permission: str, appeal: Appeal) -> bool:
    """``user`` holds ``permission`` on the appeal's location or on its assigned department."""
    if user is None:
        return False
    scope = scope_for(user, permission)
    return scope.covers(appeal.area_path) or (
        appeal.assigned_department_id is not None and scope.covers_department(appeal.assigned_department_id)
    )


def is_handler(user, appeal: Appeal) -> bool:
    """``user`` may act for the assigned unit: a grant on the department, or on a node covering the area."""
    if user is None:
        return False
    scope = scope_for(user, APPEAL_HANDLE)
    if scope.everywhere:
        return True
    if appeal.assigned_department_id is not None:
        return scope.covers_department(appeal.assigned_department_id)
    if appeal.assigned_area_id is not None:
        return scope.covers(appeal.assigned_area)
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

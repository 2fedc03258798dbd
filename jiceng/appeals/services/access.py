"""Who may do what on an appeal, and what a user sees of the reporter."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from jiceng.accounts.models import User
from jiceng.appeals.models import (
    Appeal,
    Status,
)
from jiceng.appeals.permissions import APPEAL_HANDLE, APPEAL_REPORTER
from jiceng.core.masking import mask_phone
from jiceng.core.scope import scope_for

# --------------------------------------------------------------------------- who may do what

# Whoever acts: a logged-in user, an anonymous visitor (refused), or None for the system.
Actor = User | AnonymousUser | None


def may(user: Actor, permission: str, appeal: Appeal) -> bool:
    """``user`` holds ``permission`` on the appeal's location or on its assigned department."""
    if user is None:
        return False
    scope = scope_for(user, permission)
    return scope.covers(appeal.area_path) or (
        appeal.assigned_department_id is not None and scope.covers_department(appeal.assigned_department_id)
    )


def is_handler(user: Actor, appeal: Appeal) -> bool:
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


def is_reporter(user: Actor, appeal: Appeal) -> bool:
    return user is not None and appeal.reporter_id is not None and appeal.reporter_id == getattr(user, "pk", None)


def reporter_visible(user: Actor, appeal: Appeal) -> bool:
    """May ``user`` see the reporter's name and phone in full? Else they are masked."""
    return is_reporter(user, appeal) or may(user, APPEAL_REPORTER, appeal)


def mask_name(name: str) -> str:
    """``张三丰`` → ``张**``."""
    name = name or ""
    return name[:1] + "*" * (len(name) - 1) if name else ""


def display_reporter(user: Actor, appeal: Appeal) -> tuple[str, str]:
    """(name, phone) as ``user`` may see them."""
    if reporter_visible(user, appeal):
        return appeal.reporter_name, appeal.reporter_phone
    return mask_name(appeal.reporter_name), mask_phone(appeal.reporter_phone)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _require_user(actor) -> None:
    _require(actor is not None and getattr(actor, "is_authenticated", False), "请先登录。")


CANCELLABLE = frozenset({Status.ACCEPTED, Status.RETURNED, Status.DISPATCHED, Status.SIGNED, Status.HANDLING})

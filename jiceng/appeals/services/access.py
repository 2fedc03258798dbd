"""Who may do what on an appeal, and what a user sees of the reporter."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from jiceng.accounts.models import User
from jiceng.appeals.models import (
    Appeal,
    AppealEvent,
    Status,
)
from jiceng.appeals.permissions import APPEAL_HANDLE, APPEAL_REPORTER, APPEAL_VIEW
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
    """``user`` acts for the assigned unit itself: a grant on the department, or on the assigned area
    node (not merely on a node above it). The offices above a unit dispatch, supervise (督办) and
    re-dispatch (改派); they do not sign for, extend or return the unit's work in its place, so a
    street that sent a request to a grid no longer sees 签收/申请延期/退单 on it."""
    if user is None:
        return False
    scope = scope_for(user, APPEAL_HANDLE)
    if scope.everywhere:
        return True
    if appeal.assigned_department_id is not None:
        return scope.covers_department(appeal.assigned_department_id)
    if appeal.assigned_area_id is not None:
        return scope.granted_at(appeal.assigned_area)
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


# --------------------------------------------------------------------------- staff view and reporter view

# Fields that come from internal steps (督办, 延期申请, 派单/签收超期): the reporter's view leaves them
# out, as it leaves out the internal events (``AppealEvent.public``). The answer deadline and whether
# it has passed stay: the reporter is told the deadline and can see it pass.
INTERNAL_FIELDS = ("supervised", "supervise_note", "extension_pending", "dispatch_overdue", "response_overdue")


def staff_view(user: Actor, appeal: Appeal) -> bool:
    """Whether ``user`` sees ``appeal`` (one they can see) as staff — through its area, its assigned or
    a summoned department — rather than only as its reporter (``OwnRows``).

    The one place that decides it for the page, the API and the timeline: a reporter sees the public
    steps and fields only, whoever the reporter is (a staff member reporting elsewhere too).
    """
    if user is None:
        return False
    if not is_reporter(user, appeal):
        return True  # visible and not their own: seen through a grant
    return Appeal.objects.all().allows(user, "view", appeal, own_rows=False)


def appeal_events(user: Actor, appeal: Appeal) -> QuerySet[AppealEvent]:
    """The timeline of one appeal as ``user`` sees it (public steps only in the reporter's view)."""
    events = AppealEvent.objects.filter(appeal=appeal)
    return events if staff_view(user, appeal) else events.filter(public=True)


def visible_events(user: Actor) -> QuerySet[AppealEvent]:
    """Events of every appeal ``user`` sees; of those seen only as their reporter, the public ones."""
    if scope_for(user, APPEAL_VIEW).everywhere:
        return AppealEvent.objects.all()
    visible = Appeal.objects.visible_to(user)
    staff = Appeal.objects.visible_to(user, own_rows=False)
    events = AppealEvent.objects.filter(appeal__in=visible.values("pk"))
    return events.filter(Q(public=True) | Q(appeal__in=staff.values("pk")))


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _require_user(actor) -> None:
    _require(actor is not None and getattr(actor, "is_authenticated", False), "请先登录。")


CANCELLABLE = frozenset({Status.ACCEPTED, Status.RETURNED, Status.DISPATCHED, Status.SIGNED, Status.HANDLING})

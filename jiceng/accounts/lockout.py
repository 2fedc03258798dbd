"""Whether an account is locked out by django-axes, for the checks that are not a login.

Axes locks a user name from one address (``AXES_LOCKOUT_PARAMETERS``) and refuses the next login
from there. An API token is not a login, so axes never sees it; here an account counts as locked
while any of its attempt records has reached the failure limit within the cool-off time, from any
address, so its tokens stop working until an administrator unlocks it (or the cool-off ends).
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone


def _locking(**username) -> Q:
    q = Q(failures_since_start__gte=settings.AXES_FAILURE_LIMIT, **username)
    if settings.AXES_COOLOFF_TIME:
        q &= Q(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    return q


def locked_exists(username_field: str = "username") -> Exists:
    """An annotation: whether the row's user name (``username_field``) is locked out now."""
    from axes.models import AccessAttempt

    return Exists(AccessAttempt.objects.filter(_locking(username=OuterRef(username_field))))


def locked_usernames(usernames) -> set[str]:
    """Which of ``usernames`` are locked out now (one query)."""
    from axes.models import AccessAttempt

    names = list(usernames)
    if not names:
        return set()
    return set(AccessAttempt.objects.filter(_locking(username__in=names)).values_list("username", flat=True))


def is_locked_out(username: str) -> bool:
    return bool(locked_usernames([username]))

"""A shared throttle for logging in: the login page and the token endpoint draw on one budget.

Counted per client address (as django-axes resolves it, so one setting governs both) in fixed
one-minute windows of the shared cache: ``incr`` is atomic on Redis, so every web process counts
into the same window. The limit is the rule ``accounts.login_attempts_per_minute``.
"""

import time

from axes.helpers import get_client_ip_address
from django.core.cache import cache
from rest_framework.exceptions import Throttled
from rest_framework.throttling import BaseThrottle

from jiceng.accounts.rules import LOGIN_ATTEMPTS_PER_MINUTE
from jiceng.core.rules import get_rule

WINDOW = 60  # seconds: the rule is per minute
MESSAGE = "登录过于频繁，请稍后再试。"


class LoginThrottled(Throttled):
    default_detail = MESSAGE
    extra_detail_singular = extra_detail_plural = "请{wait}秒后再试。"


def login_wait(request) -> int | None:
    """Count one login attempt from the request's address; the seconds to wait when over the
    limit, else None."""
    now = time.time()
    window = int(now // WINDOW)
    key = f"jiceng:throttle:login:{get_client_ip_address(request) or '-'}:{window}"
    if cache.add(key, 1, WINDOW + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, WINDOW + 1)
            count = 1
    if count <= get_rule(LOGIN_ATTEMPTS_PER_MINUTE):
        return None
    return max(1, int((window + 1) * WINDOW - now))


class LoginThrottle(BaseThrottle):
    """DRF's face of :func:`login_wait`, for the token endpoint."""

    def allow_request(self, request, view) -> bool:
        self._wait = login_wait(request._request if hasattr(request, "_request") else request)
        return self._wait is None

    def wait(self) -> int | None:
        return self._wait


class LoginThrottledView:
    """Mixin for an APIView throttled by :class:`LoginThrottle` (its ``throttle_classes``): the 429
    in Chinese."""

    def throttled(self, request, wait):
        raise LoginThrottled(wait, detail="登录过于频繁。")

"""Rate limits of the Open311 endpoints: per client address and per API key, reads and POSTs apart.

DRF's :class:`SimpleRateThrottle` (a sliding window of request times in the cache) with the limits
of the rule ``appeals.open311_rate_limits`` (requests per minute). The counters live in Django's
default cache: local memory per process unless ``CACHES`` points at a shared cache (Redis), so
with several processes each one counts on its own until then.

The client address is ``REMOTE_ADDR``. Behind a reverse proxy set ``REST_FRAMEWORK["NUM_PROXIES"]``
(DRF's setting): the address is then taken from ``X-Forwarded-For`` as DRF does. Without that
setting the header is not trusted, so a client cannot escape the limit by sending a new one.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from jiceng.appeals.open311.models import hash_key
from jiceng.appeals.rules import OPEN311_RATE_LIMITS
from jiceng.core.rules import get_rule


class Open311Throttle(SimpleRateThrottle):
    """One limit of the rule: ``kind`` is one of its keys (``read_per_address``...), ``ident`` who."""

    cache_format = "open311:throttle:%(scope)s:%(ident)s"

    def __init__(self, kind: str, ident: str):
        self.scope, self.ident = kind, ident
        self.rate = f"{get_rule(OPEN311_RATE_LIMITS)[kind]}/min"
        super().__init__()

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def client_address(request) -> str:
    if api_settings.NUM_PROXIES is None:
        return request.META.get("REMOTE_ADDR", "")
    return BaseThrottle().get_ident(request)


def throttles(request) -> list[Open311Throttle]:
    """The limits that apply: the client address always, the API key when one is given."""
    prefix = "write" if request.method == "POST" else "read"
    found = [Open311Throttle(f"{prefix}_per_address", client_address(request))]
    raw = request.GET.get("api_key") or (request.POST.get("api_key") if request.method == "POST" else "")
    if raw:
        found.append(Open311Throttle(f"{prefix}_per_key", hash_key(raw[:200])))
    return found


def wait_seconds(request) -> int | None:
    """``None`` if the request is within every limit (and counts it), else the seconds to wait."""
    waits = [throttle.wait() or 1 for throttle in throttles(request) if not throttle.allow_request(request, None)]
    return max(1, round(max(waits))) if waits else None

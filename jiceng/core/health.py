"""``GET /healthz``: liveness and readiness for a load balancer or an orchestrator.

Answers ``200 {"status": "ok"}`` after one ``SELECT 1`` on the default database, or ``503`` with
``{"status": "unavailable"}`` when the database cannot answer. No login, no session, no template,
no other query: a probe every few seconds from every balancer must cost next to nothing, and the
benchmarks use it as the bare endpoint next to a real API call on the same server.
"""

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: the database did not answer")
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})

"""The floor for the create benchmark: what any create of a request costs on this stack, and no more.

``POST /api/v1/bench/floor/appeals/`` on the same gunicorn as the real ``POST /api/v1/appeals/``,
through the same middleware and DRF request cycle, with the same authentication (the project's
default classes: the ``Authorization: Token …`` header looks up the token and its user) and the
same JSON body. Then one ``INSERT`` of one row into the request table (``appeals_appeal``, the
table the real create writes, with its indexes, constraints and number trigger) in one
transaction, and a 201 with the new id and number. Nothing else: no validation, no scope check,
no deadlines, no timeline event, no audit row, no rate counters.

The body names its category and area by code, as the real create's does. Their ids are read once
per process and kept (a handful of rows, all seen during the warm-up), so that a measured request
costs the token look-up and the insert only.

It is served only by the benchmark: ``bench/settings.py`` points ``ROOT_URLCONF`` at
``bench/floor_urls.py``, which adds this route in front of ``jiceng.urls``. The product's URLs
never include it.
"""

from django.db import transaction
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.appeals.models import Appeal, Category
from jiceng.areas.models import Area

_category_ids: dict[str, int] = {}
_area_ids: dict[str, int] = {}


def _id(cache: dict[str, int], model, code: str) -> int:
    if code not in cache:
        cache[code] = model.objects.values_list("pk", flat=True).get(code=code)
    return cache[code]


class FloorCreateView(APIView):
    """Authenticate as the real create does, then insert one request row in one transaction."""

    def post(self, request):
        data = request.data
        area_code = data["area"]
        row = Appeal(
            channel=data["channel"],
            kind=data["kind"],
            category_id=_id(_category_ids, Category, data["category"]),
            area_id=_id(_area_ids, Area, area_code),
            area_path=area_code,
            description=data["description"],
            reporter_name=data.get("reporter_name", ""),
            reporter_phone=data.get("reporter_phone", ""),
            client_token=data.get("client_token"),
            created_by=request.user,
        )
        with transaction.atomic():
            row.save(force_insert=True)
        return Response({"id": row.pk, "number": row.number}, status=status.HTTP_201_CREATED)

"""诉求地图: the requests the user may see, as pins at their stored coordinates.

Filtered with the appeal list's filter set (:class:`AppealFilterSet`, the same fields as the
派单台 and the API), on ``Appeal.objects.visible_to(user)``; the newest :data:`MAX_PINS` that have
coordinates are shown, and the page says when there are more. The pins go to the page as JSON
(``json_script``, which the content-security policy allows) for ``static/jiceng/map.js``; the
same rows are listed under the map, so the page is of use without a tile server too.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from jiceng.appeals.filtersets import AppealFilterSet
from jiceng.appeals.models import Appeal, Category, Status
from jiceng.appeals.permissions import APPEAL_VIEW
from jiceng.areas.maps import allows_tiles, map_settings
from jiceng.core.scope import scope_for

MAX_PINS = 500
PIN_FIELDS = ("id", "number", "title", "status", "latitude", "longitude", "created_at")


def _filled(params: QueryDict) -> QueryDict:
    """The query without empty values: a form submitted as it loads ("全部状态" = "") filters nothing."""
    data = QueryDict(mutable=True)
    for key in params:
        values = [v for v in params.getlist(key) if v.strip()]
        if values:
            data.setlist(key, values)
    return data


def map_pins(request, limit: int) -> tuple[AppealFilterSet, list[dict], bool]:
    """The filter set, the newest ``limit`` pins the user may see, and whether there were more."""
    queryset = Appeal.objects.visible_to(request.user).filter(latitude__isnull=False, longitude__isnull=False)
    filterset = AppealFilterSet(_filled(request.GET), queryset=queryset, request=request)
    if not filterset.is_valid():
        return filterset, [], False
    rows = list(filterset.qs.order_by("-id").values(*PIN_FIELDS)[: limit + 1])
    labels = dict(Status.choices)
    pins = [
        {
            "number": row["number"],
            "title": row["title"],
            "status": labels.get(row["status"], row["status"]),
            "lat": float(row["latitude"]),
            "lng": float(row["longitude"]),
            "url": reverse("appeals:detail", args=[row["id"]]),
            "created": timezone.localdate(row["created_at"]).isoformat(),
        }
        for row in rows[:limit]
    ]
    return filterset, pins, len(rows) > limit


@login_required
@allows_tiles
def appeal_map(request):
    """诉求地图 of the user's area, with the 派单台's filters."""
    if scope_for(request.user, APPEAL_VIEW).empty:
        raise PermissionDenied("您没有查看诉求的权限。")
    filterset, pins, capped = map_pins(request, MAX_PINS)
    context = {
        "form": filterset.form,
        "pins": pins,
        "capped": capped,
        "max_pins": MAX_PINS,
        "statuses": Status.choices,
        "selected_statuses": request.GET.getlist("status"),
        "categories": Category.objects.active().filter(parent__isnull=True).order_by("code").only("code", "name"),
        "map": map_settings(pins=True),
    }
    return render(request, "appeals/appeal_map.html", context)

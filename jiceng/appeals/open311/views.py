"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/) over the appeals.

* ``discovery``, ``services`` (``lat``/``long`` → only the categories offered at the grid there),
  ``services/{code}`` (the category's extra fields as attributes), ``requests`` (GET: public,
  filtered, at most 90 days and 1,000 rows; POST: ``api_key`` required), ``requests/{id}`` and
  ``tokens/{id}``, each as ``.xml`` and ``.json``.
* ``service_request_id`` is the 工单编号. ``status`` is only ``open``/``closed``; the detailed state
  (Chinese label, FMS extended status, who returned it, …) is in ``status_notes``, the answer
  deadline in ``expected_datetime`` and the handling unit in ``agency_responsible``.
* Reporter name and phone are never output; phone and ID numbers and names typed into a description
  or a note are masked (:mod:`.privacy`). The public location is the compound or the street, never the
  building: ``address``/``address_id`` name that area, ``lat``/``long`` are its centre (or the point
  rounded). Only public steps show (``AppealEvent.public``; 督办 and the other internal steps never).
* City rules (``appeals.rules``): how far back public reads reach (``open311_reach_days``: older
  requests are not found), which optional fields they show (``open311_public_fields``), and the
  rate limits per client address and per API key (``open311_rate_limits``, :mod:`.throttle`):
  over a limit the answer is 429 with ``Retry-After``.
* A key creates requests only inside its area (and its owner's scope): a location elsewhere is 404,
  as for any resource the caller may not reach, and nothing is created.
* A double submit is one request: send the same ``Idempotency-Key`` header (or ``client_token`` form
  field, combined with ``device_id`` when given); ``tokens/{that token}`` resolves it.
"""

import hashlib
import json
import re
from datetime import datetime, timedelta
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.views.decorators.csrf import csrf_exempt

from jiceng.appeals import services
from jiceng.appeals.errors import AppealError
from jiceng.appeals.intake import DESCRIPTION_MAX, parse_coordinate, resolve_location
from jiceng.appeals.locate import nearest_grid, valid_point
from jiceng.appeals.models import (
    FINAL_STATUSES,
    Appeal,
    AppealEvent,
    Category,
    EventKind,
    Outcome,
    Status,
    Whistle,
    WhistleStatus,
)
from jiceng.appeals.open311.models import ApiKey
from jiceng.appeals.open311.privacy import mask_text
from jiceng.appeals.open311.throttle import wait_seconds
from jiceng.appeals.rules import OPEN311_PUBLIC_FIELDS, OPEN311_REACH_DAYS
from jiceng.areas.models import Area, Level
from jiceng.core.inputs import InputError, read_moment
from jiceng.core.rules import get_rule

MAX_DAYS = 90
MAX_REQUESTS = 1000
MEDIA_URL_MAX = 500
TOKEN_PREFIX = "o311:"

# Lists in the XML: the element holding a list → the element of each item.
XML_ITEMS = {
    "services": "service",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
}
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}

# Our state → (open/closed, FMS extended status), see OPEN311.md §1.3.
STATUS_MAP = {
    Status.ACCEPTED: ("open", "FOR_TRIAGE"),
    Status.DISPATCHED: ("open", "ACTION_SCHEDULED"),
    Status.SIGNED: ("open", "ACTION_SCHEDULED"),
    Status.HANDLING: ("open", "IN_PROGRESS"),
    Status.ANSWERED: ("open", "IN_PROGRESS"),
    Status.RATED: ("open", "IN_PROGRESS"),
    Status.RETURNED: ("open", "NOT_COUNCILS_RESPONSIBILITY"),
    Status.CLOSED: ("closed", "FIXED"),
    Status.MERGED: ("closed", "DUPLICATE"),
    Status.CANCELLED: ("closed", "CANCELLED"),
}
STATUS_HINTS = {
    Status.ACCEPTED: "已受理，等待派单",
    Status.DISPATCHED: "已派单，等待承办单位签收",
    Status.SIGNED: "承办单位已签收",
    Status.HANDLING: "正在办理",
    Status.ANSWERED: "已答复，等待回访评价",
    Status.RATED: "已回访评价，等待办结",
    Status.CLOSED: "已办结",
    Status.MERGED: "重复件，已合并办理",
    Status.CANCELLED: "已撤销",
}

# Where the public location is: district, street, and a compound (the same code length as a
# building directly under a grid: the level tells them apart).
DISTRICT_LEN, STREET_LEN, COMPOUND_LEN = 6, 9, 18
# Decimals of a point shown when the public area has no centre: ~100 m for a compound, ~1 km for a street.
POINT_DECIMALS = {Level.COMPOUND: 3}
STREET_DECIMALS = 2


class Open311Error(Exception):
    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


# --------------------------------------------------------------------------- output


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _xml_element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            element.append(_xml_element(key, child))
    elif isinstance(value, list | tuple):
        item_tag = XML_ITEMS.get(tag, "item")
        for child in value:
            element.append(_xml_element(item_tag, child))
    else:
        element.text = _text(value)
    return element


def render(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """``data`` as JSON (the Spark convention: a list root stays a list) or as XML under ``root``."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(_xml_element(root, data), encoding="unicode")
    return HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, status: int, code: str, description: str) -> HttpResponse:
    return render(fmt, "errors", [{"code": code, "description": description}], status=status)


def endpoint(view):
    """Open311 errors (and the service layer's refusals) as ``errors[]`` in the requested format."""

    def wrapped(request, fmt, **kwargs):
        wait = wait_seconds(request)
        if wait is not None:
            response = error_response(fmt, 429, "rate_limit", f"请求过于频繁，请 {wait} 秒后再试。")
            response["Retry-After"] = str(wait)
            return response
        try:
            _check_jurisdiction(request)
            return view(request, fmt, **kwargs)
        except Open311Error as exc:
            return error_response(fmt, exc.status, exc.code, exc.description)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    # Control characters in any field are refused before the view (core.middleware), in our format.
    wrapped.refuse_input = lambda request, message, fmt, **kw: error_response(fmt, 400, "invalid", message)  # type: ignore[attr-defined]
    return csrf_exempt(wrapped)


def _check_jurisdiction(request) -> None:
    expected = getattr(settings, "OPEN311_JURISDICTION_ID", "")
    given = request.GET.get("jurisdiction_id") or (
        request.POST.get("jurisdiction_id") if request.method == "POST" else ""
    )
    if expected and given and given != expected:
        raise Open311Error(404, "jurisdiction_id", f"未知的 jurisdiction_id“{given}”（本服务为“{expected}”）。")


def _method(request, *allowed: str) -> None:
    if request.method not in allowed:
        raise Open311Error(400, "method", f"不支持 {request.method} 请求（只支持 {'、'.join(allowed)}）。")


def iso(value) -> str:
    """ISO-8601 with the local offset, e.g. ``2025-09-10T09:00:00+08:00``."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def not_found(request, path=""):
    fmt = "json" if request.path.endswith(".json") else "xml"
    return error_response(fmt, 404, "not_found", "未找到该接口或资源（格式须为 .xml 或 .json）。")


# --------------------------------------------------------------------------- discovery and services


@endpoint
def discovery(request, fmt):
    _method(request, "GET")
    base = request.build_absolute_uri(reverse("open311:discovery", args=[fmt]).rsplit("discovery", 1)[0])
    changed = Category.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    data = {
        "changeset": iso(changed or timezone.now()),
        "contact": getattr(settings, "OPEN311_CONTACT", "请联系所在城市的接诉即办（12345）平台管理员。"),
        "key_service": getattr(
            settings,
            "OPEN311_KEY_SERVICE",
            "API 密钥由系统管理员签发（manage.py open311_key --name … --area 区划编码），只能提交该区域内的诉求。",
        ),
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base.rstrip("/"),
                "changeset": iso(changed or timezone.now()),
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
        "max_requests": MAX_REQUESTS,
    }
    return render(fmt, "discovery", data)


def _area_at_point(request) -> str | None:
    """The area code at ``lat``/``long`` (the nearest grid), ``""`` if none near, ``None`` if not asked."""
    lat, lon = request.GET.get("lat"), request.GET.get("long")
    if not lat and not lon:
        return None
    if not (lat and lon):
        raise Open311Error(400, "lat_long", "lat 与 long 须同时提供。")
    try:
        latitude, longitude = parse_coordinate(lat, "纬度"), parse_coordinate(lon, "经度")
    except AppealError as exc:
        raise Open311Error(400, "lat_long", exc.messages[0]) from None
    if not valid_point(latitude, longitude):
        raise Open311Error(400, "lat_long", "坐标不正确（应为中国境内的纬度、经度）。")
    grid = nearest_grid(latitude, longitude)
    return grid.code if grid is not None else ""


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or category.full_name or category.name,
        "metadata": bool(category.attributes),
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


@endpoint
def service_list(request, fmt):
    """The leaf categories; with ``lat``/``long`` only those offered at the grid there."""
    _method(request, "GET")
    path = _area_at_point(request)
    categories = Category.objects.available_at(path) if path is not None else list(Category.objects.active())
    parents = {c.parent_id for c in categories}
    leaves = [c for c in categories if c.pk not in parents]
    leaves.sort(key=lambda c: (c.sort_order, c.code))
    return render(fmt, "services", [_service(c) for c in leaves])


def _attribute(definition: dict, order: int) -> dict:
    return {
        "variable": bool(definition.get("variable", True)),
        "code": definition["code"],
        "datatype": definition.get("datatype", "string"),
        "required": bool(definition.get("required", False)),
        "datatype_description": definition.get("datatype_description", ""),
        "order": definition.get("order", order),
        "description": definition.get("description", definition["code"]),
        "values": [{"key": str(v["key"]), "name": v.get("name", v["key"])} for v in definition.get("values") or []],
    }


def _get_service(code: str) -> Category:
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, "service_code", f"服务（诉求类别）“{code}”不存在。")
    return category


@endpoint
def service_definition(request, fmt, service_code):
    _method(request, "GET")
    category = _get_service(service_code)
    attributes = [_attribute(d, i) for i, d in enumerate(category.attributes or [], start=1)]
    return render(fmt, "service_definition", {"service_code": category.code, "attributes": attributes})


# --------------------------------------------------------------------------- requests: read


def status_of(appeal: Appeal, last_event: AppealEvent | None, whistling: bool) -> tuple[str, str]:
    """(``open``/``closed``, ``status_notes``): the Chinese state, the FMS extended status, details."""
    status, extended = STATUS_MAP.get(appeal.status, ("open", "OPEN"))
    hint = STATUS_HINTS.get(appeal.status, "")
    if appeal.status == Status.CLOSED and (appeal.answer_result == Outcome.UNRESOLVED):
        extended, hint = "NO_FURTHER_ACTION", "已办结（无法办理）"
    elif appeal.status == Status.RETURNED:
        who = last_event.target_name if last_event is not None and last_event.kind == EventKind.RETURN else ""
        reason = (last_event.data or {}).get("reason", "") if who else ""
        hint = f"{who or '承办单位'}退单（非本单位职责或地点不符）{'，理由：' + reason if reason else ''}；等待重新派单"
    elif appeal.status in (Status.DISPATCHED, Status.SIGNED) and appeal.reopen_count and last_event is not None:
        if last_event.kind == EventKind.REOPEN:
            extended, hint = "REOPEN", f"居民评价后重办（第{appeal.reopen_count}次）"
    elif whistling and appeal.status not in FINAL_STATUSES:
        extended = "INTERNAL_REFERRAL"
        hint += "；街道吹哨，职能部门协办中"
    label = Status(appeal.status).label if appeal.status in Status.values else appeal.status
    notes = f"{label}（{extended}）：{hint}"
    if appeal.status in (Status.DISPATCHED, Status.SIGNED, Status.HANDLING) and appeal.assignee_name:
        notes += f"，承办：{appeal.assignee_name}"
    if last_event is not None and last_event.kind == EventKind.DISPATCH and appeal.status in (Status.DISPATCHED,):
        notes += f"。派单说明：{last_event.note}"
    if appeal.answer_overdue and appeal.status not in FINAL_STATUSES:
        notes += "；已超过答复时限"
    return status, mask_text(notes, appeal.reporter_name)


def public_places(appeals) -> dict[str, Area]:
    """The areas a public answer may name, by code: the districts, streets and compounds of ``appeals``."""
    codes = set()
    for appeal in appeals:
        path = appeal.area_path or ""
        codes.update(path[:n] for n in (DISTRICT_LEN, STREET_LEN, COMPOUND_LEN) if len(path) >= n)
        codes.add(path)
    if not codes:
        return {}
    areas = Area.objects.filter(code__in=codes).only("code", "name", "level", "latitude", "longitude")
    return {area.code: area for area in areas}


def public_location(appeal: Appeal, places: dict[str, Area]) -> dict:
    """``address``, ``address_id``, ``lat``, ``long`` at the compound or the street, not the building."""
    path = appeal.area_path or ""
    compound = places.get(path[:COMPOUND_LEN]) if len(path) >= COMPOUND_LEN else None
    if compound is not None and compound.level != Level.COMPOUND:
        compound = None
    street = places.get(path[:STREET_LEN]) if len(path) >= STREET_LEN else None
    place = compound or street or places.get(path) or appeal.area
    names = [places[path[:n]].name for n in (DISTRICT_LEN, STREET_LEN) if len(path) >= n and path[:n] in places]
    if compound is not None:
        names.append(compound.name)
    if place.latitude is not None and place.longitude is not None:
        lat, lon = place.latitude, place.longitude
    else:
        lat = appeal.latitude if appeal.latitude is not None else appeal.area.latitude
        lon = appeal.longitude if appeal.longitude is not None else appeal.area.longitude
        decimals = POINT_DECIMALS.get(place.level, STREET_DECIMALS)
        lat, lon = (round(v, decimals) if v is not None else None for v in (lat, lon))
    return {"address": "".join(names) or place.name, "address_id": place.code, "lat": _text(lat), "long": _text(lon)}


def request_data(appeal: Appeal, last_event, whistling: bool, places: dict[str, Area], fields: list[str]) -> dict:
    """One request as the public sees it; optional fields not in ``fields`` (the city's rule) are blank."""
    status, notes = status_of(appeal, last_event, whistling)
    final = appeal.status in FINAL_STATUSES
    location = public_location(appeal, places)
    attributes = appeal.attributes if isinstance(appeal.attributes, dict) else {}
    optional = {
        "description": mask_text(appeal.description, appeal.reporter_name),
        "status_notes": notes,
        "agency_responsible": appeal.assignee_name,
        "expected_datetime": iso(appeal.answer_due),
        "media_url": attributes.get("media_url", ""),
        **location,
    }
    shown = set(fields)
    if "lat_long" in shown:
        shown |= {"lat", "long"}
    optional = {name: value if name in shown else "" for name, value in optional.items()}
    return {
        "service_request_id": appeal.number,
        "status": status,
        "status_notes": optional["status_notes"],
        "service_name": appeal.category.name,
        "service_code": appeal.category.code,
        "description": optional["description"],
        "agency_responsible": optional["agency_responsible"],
        "service_notice": "",
        "requested_datetime": iso(appeal.created_at),
        "updated_datetime": iso(appeal.closed_at if final and appeal.closed_at else _public_updated_at(appeal)),
        "expected_datetime": optional["expected_datetime"],
        "address": optional["address"],
        "address_id": optional["address_id"],
        "zipcode": "",
        "lat": optional["lat"],
        "long": optional["long"],
        "media_url": optional["media_url"],
    }


def _public_updated_at(appeal: Appeal):
    return getattr(appeal, "public_updated_at", None) or appeal.created_at


def render_requests(fmt: str, appeals) -> HttpResponse:
    """Three queries whatever the number of rows: the appeals, their latest public dispatch/return
    events, and the public places (districts, streets, compounds) they are at."""
    appeals = list(appeals)
    last = {}
    ids = [a.pk for a in appeals if a.status in (Status.DISPATCHED, Status.SIGNED, Status.RETURNED)]
    if ids:
        events = AppealEvent.objects.filter(
            appeal_id__in=ids, public=True, kind__in=[EventKind.DISPATCH, EventKind.RETURN, EventKind.REOPEN]
        ).order_by("appeal_id", "at", "id")
        for event in events.only("appeal_id", "kind", "note", "target_name", "data", "at"):
            last[event.appeal_id] = event
    places = public_places(appeals)
    fields = get_rule(OPEN311_PUBLIC_FIELDS)
    rows = [request_data(a, last.get(a.pk), getattr(a, "whistling", False), places, fields) for a in appeals]
    return render(fmt, "service_requests", rows)


def reach_start() -> datetime:
    """The oldest creation time public reads reach (the city's rule)."""
    return timezone.now() - timedelta(days=get_rule(OPEN311_REACH_DAYS))


def _appeals():
    """The requests public reads may show: those created within the reach."""
    return (
        Appeal.objects.filter(created_at__gte=reach_start())
        .select_related("category", "area", "assigned_area", "assigned_department")
        .annotate(
            whistling=Exists(Whistle.objects.filter(appeal=OuterRef("pk"), status=WhistleStatus.OPEN)),
            # The last public step: an internal one (督办...) must not show even as a new update time.
            public_updated_at=Subquery(
                AppealEvent.objects.filter(appeal=OuterRef("pk"), public=True).order_by("-at").values("at")[:1]
            ),
        )
        .defer("reporter_phone", "answer_text", "rating_comment", "supervise_note")
    )


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _parse_when(value: str, name: str, end: bool = False) -> datetime:
    try:
        return read_moment(value, name, end_of_day=end)
    except InputError as exc:
        raise Open311Error(400, name, str(exc)) from None


@endpoint
def requests_view(request, fmt):
    if request.method == "POST":
        return create_request(request, fmt)
    _method(request, "GET", "POST")
    params = request.GET
    limit = _max_requests(params)
    appeals = _appeals()
    ids = _split(params.get("service_request_id", ""))
    if ids:
        appeals = appeals.filter(number__in=ids[:MAX_REQUESTS])
    else:
        codes = _split(params.get("service_code", ""))
        if codes:
            appeals = appeals.filter(category__code__in=codes)
        start, end = _date_range(params)
        appeals = _with_status(appeals.filter(created_at__gte=start, created_at__lte=end), params)
    return render_requests(fmt, appeals.order_by("-created_at", "-id")[:limit])


def _max_requests(params) -> int:
    if not params.get("max_requests"):
        return MAX_REQUESTS
    try:
        return max(1, min(MAX_REQUESTS, int(params["max_requests"])))
    except ValueError:
        raise Open311Error(400, "max_requests", "max_requests 应为整数。") from None


def _date_range(params) -> tuple[datetime, datetime]:
    """``start_date``..``end_date``, at most :data:`MAX_DAYS` long; the last 90 days when neither is given."""
    start = _parse_when(params["start_date"], "start_date") if params.get("start_date") else None
    end = _parse_when(params["end_date"], "end_date", end=True) if params.get("end_date") else None
    if start and end:
        if end < start:
            raise Open311Error(400, "end_date", "end_date 不能早于 start_date。")
        if end - start > timedelta(days=MAX_DAYS):
            raise Open311Error(400, "date_range", f"start_date 与 end_date 相距不能超过 {MAX_DAYS} 天。")
    elif start:
        end = start + timedelta(days=MAX_DAYS)
    elif end:
        start = end - timedelta(days=MAX_DAYS)
    else:
        end = timezone.now()
        start = end - timedelta(days=MAX_DAYS)
    return start, end


def _with_status(appeals, params):
    statuses = {s.lower() for s in _split(params.get("status", ""))}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status", "status 只能为 open 或 closed（可用逗号分隔）。")
    if statuses == {"open"}:
        return appeals.exclude(status__in=FINAL_STATUSES)
    if statuses == {"closed"}:
        return appeals.filter(status__in=FINAL_STATUSES)
    return appeals


@endpoint
def request_detail(request, fmt, service_request_id):
    _method(request, "GET")
    appeal = _appeals().filter(number=service_request_id).first()
    if appeal is None:
        raise Open311Error(404, "service_request_id", f"服务请求“{service_request_id}”不存在。")
    return render_requests(fmt, [appeal])


def hash_token(raw: str) -> str:
    return TOKEN_PREFIX + hashlib.sha256(raw.encode()).hexdigest()[: 64 - len(TOKEN_PREFIX)]


@endpoint
def token_detail(request, fmt, token_id):
    _method(request, "GET")
    number = Appeal.objects.filter(client_token=hash_token(token_id)).values_list("number", flat=True).first()
    if number is None:
        raise Open311Error(404, "token", f"令牌“{token_id}”不存在（或请求尚未创建）。")
    return render(fmt, "service_requests", [{"service_request_id": number, "token": token_id}])


# --------------------------------------------------------------------------- requests: create


def _api_key(request) -> ApiKey:
    raw = request.POST.get("api_key") or request.GET.get("api_key")
    if not raw:
        raise Open311Error(403, "api_key", "缺少 api_key。")
    key = ApiKey.objects.for_key(raw)
    if key is None:
        raise Open311Error(403, "api_key", "api_key 无效或已停用。")
    return key


def _attributes(post) -> dict:
    values = {}
    for name in post:
        match = re.fullmatch(r"attribute\[([^\]]+)\](\[\])?", name)
        if match:
            values[match.group(1)] = post.getlist(name) if match.group(2) else post.get(name)
    return values


def _client_token(request) -> str | None:
    raw = (
        request.headers.get("Idempotency-Key")
        or request.headers.get("X-Client-Token")
        or request.POST.get("client_token")
        or ""
    ).strip()
    if not raw:
        return None
    if len(raw) > 200:
        raise Open311Error(400, "client_token", "提交令牌不能超过 200 个字符。")
    device = (request.POST.get("device_id") or "").strip()
    return f"{device}:{raw}" if device else raw


def _location(post, key: ApiKey) -> dict:
    """Arguments for ``create_appeal``; the area it will land in must be inside the key's scope."""
    lat, lon = post.get("lat", "").strip(), post.get("long", "").strip()
    address = strip_tags(post.get("address_string", "")).strip()
    address_id = post.get("address_id", "").strip()
    if bool(lat) != bool(lon):
        raise Open311Error(400, "lat_long", "lat 与 long 须同时提供。")
    if not (lat or address or address_id):
        raise Open311Error(400, "location", "缺少位置：请提供 lat 和 long、address_string 或 address_id 之一。")
    if len(address) > 200:
        raise Open311Error(400, "address_string", "address_string 不能超过 200 个字。")
    args = {"latitude": lat or None, "longitude": lon or None, "address": address, "area": None}
    if address_id:
        args["area"] = Area.objects.filter(code=address_id).first()
        if args["area"] is None:
            raise Open311Error(404, "address_id", f"address_id“{address_id}”不是已知的区划编码。")
    elif not lat and key.area_id is not None:
        # An address alone says nothing checkable about where: it is filed at the key's own area.
        args["area"] = key.area
    try:
        area, _source = resolve_location(
            args["area"],
            parse_coordinate(args["latitude"], "纬度"),
            parse_coordinate(args["longitude"], "经度"),
            address,
        )
    except AppealError as exc:
        raise Open311Error(400, "location", exc.messages[0]) from None
    if not key.covers(area.code):
        raise Open311Error(404, "location", "该位置不在本 api_key 可提交的区域内。")
    return args


def create_request(request, fmt):
    key = _api_key(request)
    post = request.POST
    code = post.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code", "缺少 service_code。")
    category = _get_service(code)
    location = _location(post, key)
    description = strip_tags(post.get("description", "")).strip()
    if len(description) > DESCRIPTION_MAX:
        raise Open311Error(400, "description", f"description 不能超过 {DESCRIPTION_MAX} 个字。")
    media_url = post.get("media_url", "").strip()
    if media_url:
        try:
            if len(media_url) > MEDIA_URL_MAX:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, "media_url", "media_url 应为 http(s) 网址（不超过 500 字符）。") from None
    name = f"{post.get('last_name', '').strip()}{post.get('first_name', '').strip()}"
    token = _client_token(request)
    try:
        appeal = services.create_open311_request(
            key,
            category=category,
            description=description or f"{category.name}（Open311 提交）",
            reporter_name=name[:50],
            reporter_phone=post.get("phone", "").strip()[:20],
            attributes=_attributes(post),
            extra_attributes={"media_url": media_url} if media_url else None,
            client_token=hash_token(token) if token else None,
            **location,
        )
    except PermissionDenied:
        raise Open311Error(404, "location", "该位置不在本 api_key 可提交的区域内。") from None
    except AppealError as exc:
        raise Open311Error(400, getattr(exc, "code", None) or "invalid", "；".join(exc.messages)) from None
    notice = ""
    if appeal.answer_due:
        notice = f"已受理，答复时限至 {timezone.localtime(appeal.answer_due):%Y-%m-%d %H:%M}。"
    row = {"service_request_id": appeal.number, "service_notice": notice, "account_id": post.get("account_id", "")}
    return render(fmt, "service_requests", [row], status=201 if appeal.created else 200)

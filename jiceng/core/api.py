"""Shared API pieces: JSON errors in Chinese, keyset pagination, fields built once per serializer."""

import copy
from typing import TYPE_CHECKING, ClassVar

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.functional import cached_property
from django.views.defaults import page_not_found
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.serializer_helpers import BindingDict
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from jiceng.core.inputs import ID_MAX
from jiceng.core.paging import decode_cursor, encode_cursor, keyset_page, position_of

ERROR_MESSAGES = {
    status.HTTP_400_BAD_REQUEST: "请求参数有误。",
    status.HTTP_401_UNAUTHORIZED: "未登录或令牌无效。",
    status.HTTP_403_FORBIDDEN: "没有权限执行此操作。",
    status.HTTP_404_NOT_FOUND: "未找到该记录，或您无权访问。",
    status.HTTP_405_METHOD_NOT_ALLOWED: "不支持该请求方法。",
    status.HTTP_429_TOO_MANY_REQUESTS: "请求过于频繁，请稍后再试。",
}


def exception_handler(exc, context):
    """Every API error is ``{"error": {"status", "code", "message", "fields"?}}`` in Chinese."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    body = {"status": response.status_code, "code": getattr(exc, "default_code", "error")}
    if isinstance(exc, exceptions.ValidationError):
        body["code"] = "invalid"
        body["message"] = ERROR_MESSAGES[400]
        body["fields"] = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
    else:
        detail = getattr(exc, "detail", None)
        body["message"] = str(detail) if detail else ERROR_MESSAGES.get(response.status_code, "服务器错误。")
        if response.status_code == 404:
            body["message"] = ERROR_MESSAGES[404]
    response.data = {"error": body}
    return response


def not_found(request, exception):
    """The site's 404 (``handler404``): under /api/ in the API's envelope, as for a missing object,
    so a client that builds a wrong URL (``/api/v1/members/abc/``) still gets JSON; elsewhere the page."""
    if request.path.startswith("/api/"):
        body = {"error": {"status": 404, "code": "not_found", "message": ERROR_MESSAGES[404]}}
        return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})
    return page_not_found(request, exception)


class KeysetPagination(BasePagination):
    """The one family of API paginators: keyset pages on ``keys`` with an opaque ``cursor``.

    No COUNT and no OFFSET, so the first and the hundredth page cost the same at any table size.
    DRF's ``CursorPagination`` positions on the first ordering field only and falls back to an
    offset among equal values (thousands of members share one path); here the whole key is the
    position. Configure by subclassing:

    - ``keys``: the order (``("code",)``, ``("area_path", "id")``, ``("-id",)``), the last unique;
      a view may choose per request with ``keyset_keys(request)`` (the roster cuts on the path
      its filter uses);
    - ``orderings``: named alternatives chosen with ``?ordering=`` (the first is the default);
      a view with ``sorts`` (:class:`jiceng.core.sorting.Sorts`, the list page's allow-list)
      takes ``?ordering=name`` / ``?ordering=-name`` from it, an unknown value being ignored;
    - ``strict_cursor``: a cursor that cannot be read is a 404 (as DRF's cursor pages answered)
      rather than the first page;
    - ``with_previous``: pages carry ``previous`` as well as ``next`` (``{"next", "previous",
      "results"}``, the shape DRF's cursor pages had) or only ``next``.
    """

    keys: tuple[str, ...] = ("-id",)
    orderings: dict[str, tuple[str, ...]] = {}
    with_previous = True
    strict_cursor = True
    page_size = 50
    max_page_size = 500
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"

    def get_keys(self, request, view=None) -> tuple[str, ...]:
        sorts = getattr(view, "sorts", None)
        if sorts is not None:
            value = request.query_params.get(self.ordering_query_param)
            if sorts.choose(value)[0] is not None:
                return sorts.keys(value, ())
        if view is not None and hasattr(view, "keyset_keys"):
            return tuple(view.keyset_keys(request))
        if self.orderings:
            default = next(iter(self.orderings.values()))
            return self.orderings.get(request.query_params.get(self.ordering_query_param) or "", default)
        return self.keys

    def get_page_size(self, request) -> int:
        try:
            size = int(request.query_params.get(self.page_size_query_param, self.page_size))
        except ValueError:
            size = self.page_size
        return max(1, min(size, self.max_page_size))

    def paginate_queryset(self, queryset, request, view=None):
        keys = self.get_keys(request, view)
        token = request.query_params.get(self.cursor_query_param)
        try:
            position, backwards = decode_cursor(token, queryset.model, keys, strict=self.strict_cursor)
        except ValueError:
            raise exceptions.NotFound("无效的翻页游标。") from None
        rows, more = keyset_page(queryset, keys, position, self.get_page_size(request), backwards=backwards)
        url = request.build_absolute_uri()
        self.next_url = self.previous_url = None
        if rows and (more or backwards):
            cursor = encode_cursor(position_of(rows[-1], keys))
            self.next_url = replace_query_param(url, self.cursor_query_param, cursor)
        if rows and position is not None and (more or not backwards):
            cursor = encode_cursor(position_of(rows[0], keys), backwards=True)
            self.previous_url = replace_query_param(url, self.cursor_query_param, cursor)
        return rows

    def get_paginated_response(self, data):
        if self.with_previous:
            return Response({"next": self.next_url, "previous": self.previous_url, "results": data})
        return Response({"next": self.next_url, "results": data})

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        properties = {"next": link, "previous": link} if self.with_previous else {"next": link}
        return {"type": "object", "required": ["results"], "properties": {**properties, "results": schema}}

    def get_schema_operation_parameters(self, view):
        parameters = [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "翻页游标（上一页返回的 next 中携带）",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"每页条数，最多{self.max_page_size}",
                "schema": {"type": "integer"},
            },
        ]
        orderings = list(self.orderings)
        if getattr(view, "sorts", None) is not None:
            orderings += [name for name in view.sorts.orderings() if name not in orderings]
        if orderings:
            parameters.append(
                {
                    "name": self.ordering_query_param,
                    "required": False,
                    "in": "query",
                    "description": "排序",
                    "schema": {"type": "string", "enum": orderings},
                }
            )
        return parameters


class CodeCursorPagination(KeysetPagination):
    """Pages in path-code order (area and org trees)."""

    keys = ("code",)


class AreaPathPagination(KeysetPagination):
    """Pages in (area path, id) order: rows anchored on an area (units, departments)."""

    keys = ("area_path", "id")


class PathKeysetPagination(KeysetPagination):
    """Pages on (path, id) chosen by the view, ``{"next", "results"}`` only (the roster)."""

    keys = ("id",)
    with_previous = False
    strict_cursor = False


class IdPagination(KeysetPagination):
    """Newest first."""

    keys = ("-id",)
    max_page_size = 200


class IdField(serializers.IntegerField):
    """A row id in a request body: a positive integer that fits an id column (a 20-digit number
    is the field's error, not a database overflow)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


def error_response(message: str, status_code: int = 400, code: str = "invalid") -> Response:
    return Response({"error": {"status": status_code, "code": code, "message": message}}, status=status_code)


# The mixin goes before a Serializer in the bases; the type checker needs to see that base.
if TYPE_CHECKING:
    _SerializerBase = serializers.Serializer
else:
    _SerializerBase = object


class PrebuiltFieldsMixin(_SerializerBase):
    """A serializer whose fields depend only on its class: they are built once, then copied.

    DRF builds a serializer's fields anew for every serializer it makes (from the model, for a
    ModelSerializer): for the thirty fields of an appeal row that was a fifth of the CPU time of
    a create. Here the unbound fields are built the first time and each serializer binds shallow
    copies of them (binding sets the parent, name and source on the copy; nothing else a field
    holds changes per request). A field with a child field (``ListField``, ``DictField``) is
    copied deeply, as DRF does, so the child is bound to the copy.

    Not for serializers with nested serializers (their children would stay bound to the first
    one) or with fields chosen per request: both are refused when the fields are first built.
    """

    # Set on each concrete class (read through cls.__dict__, so a subclass builds its own).
    _prototype_fields: ClassVar[dict[str, serializers.Field]]

    @cached_property
    def fields(self):
        cls = type(self)
        prototype = cls.__dict__.get("_prototype_fields")
        if prototype is None:
            prototype = self.get_fields()
            nested = [name for name, field in prototype.items() if isinstance(field, serializers.BaseSerializer)]
            if nested:
                raise TypeError(f"{cls.__name__}: nested serializers cannot be prebuilt ({', '.join(nested)})")
            cls._prototype_fields = prototype
        fields = BindingDict(self)
        for name, field in prototype.items():
            fields[name] = copy.deepcopy(field) if hasattr(field, "child") else copy.copy(field)
        return fields

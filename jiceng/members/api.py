"""API v1 for the roster: /api/v1/members/ (masked by role) and /api/v1/transfers/."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from jiceng.core.api import error_response
from jiceng.core.scope import get_object_for_user
from jiceng.orgs.models import BRANCH_TYPES, Org

from . import services
from .filtersets import MemberFilterSet, TransferFilterSet, keyset_page, member_key_field
from .models import Member, Transfer, get_member_for_user
from .privacy import log_pii_view, pii_visible
from .serializers import (
    MemberDetailSerializer,
    MemberSerializer,
    TransferAcceptSerializer,
    TransferCreateSerializer,
    TransferRejectSerializer,
    TransferSerializer,
)


class PathKeysetPagination(BasePagination):
    """Keyset pagination on (path, id) with an opaque ``cursor``: no COUNT, no OFFSET.

    DRF's CursorPagination positions on the first ordering field only and falls back to an
    offset among equal values; thousands of members share one path, so the key includes the id.
    """

    page_size = 50
    max_page_size = 500
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset, request, view=None):
        try:
            size = int(request.query_params.get(self.page_size_query_param, self.page_size))
        except ValueError:
            size = self.page_size
        size = max(1, min(size, self.max_page_size))
        key = view.keyset_field(request) if view is not None and hasattr(view, "keyset_field") else "id"
        rows, next_cursor = keyset_page(queryset, key, request.query_params.get(self.cursor_query_param), size)
        self.next_url = None
        if next_cursor:
            self.next_url = replace_query_param(request.build_absolute_uri(), self.cursor_query_param, next_cursor)
        return rows

    def get_paginated_response(self, data):
        return Response({"next": self.next_url, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
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


class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    """党员名册：按调用者权限范围过滤。列表中身份证号和手机号一律脱敏；详情对有完整信息权限的用户
    显示完整号码，并记录一次查看日志（view_pii）。"""

    filterset_class = MemberFilterSet
    pagination_class = PathKeysetPagination
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return MemberDetailSerializer if self.action == "retrieve" else MemberSerializer

    def get_queryset(self):
        return Member.objects.visible_to(self.request.user).select_related("org")

    def keyset_field(self, request) -> str:
        return member_key_field(request.user, request.query_params)

    def retrieve(self, request, *args, **kwargs):
        member = get_member_for_user(request.user, self.kwargs["pk"])
        reveal = pii_visible(request.user, member)
        if reveal:
            log_pii_view(request.user, member, "api")
        serializer = MemberDetailSerializer(member, context={**self.get_serializer_context(), "reveal": reveal})
        return Response(serializer.data)


class TransferViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """组织关系转接：转出方和接收方都能看到。POST 发起平台内转接（转出方），
    `accept` / `reject` 由接收党组织办理。"""

    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet
    pagination_class = PathKeysetPagination
    lookup_value_regex = "[0-9]+"

    def base_queryset(self):
        return Transfer.objects.select_related("from_org", "to_org")

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user)

    def get_object(self):
        return get_object_for_user(self.base_queryset(), self.request.user, "view", pk=self.kwargs["pk"])

    def keyset_field(self, request) -> str:
        return "id"

    def _response(self, transfer, code=status.HTTP_200_OK):
        transfer = self.get_object() if transfer is None else self.base_queryset().get(pk=transfer.pk)
        return Response(TransferSerializer(transfer, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=TransferCreateSerializer,
        responses={201: TransferSerializer, 404: OpenApiResponse(description="党员不存在，或不在您的权限范围内。")},
    )
    def create(self, request, *args, **kwargs):
        data = TransferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = get_member_for_user(request.user, data.validated_data["member"])
        to_org = Org.objects.filter(code=data.validated_data["to_org"], org_type__in=BRANCH_TYPES).first()
        if to_org is None:
            return error_response("接收党支部不存在。")
        try:
            transfer = services.request_transfer(
                request.user,
                member,
                to_org,
                issued_on=data.validated_data.get("issued_on"),
                reason=data.validated_data.get("reason", ""),
            )
        except PermissionDenied as exc:
            return error_response(str(exc), status.HTTP_403_FORBIDDEN, "permission_denied")
        return self._response(transfer, status.HTTP_201_CREATED)

    @extend_schema(request=TransferAcceptSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """接收方确认接收平台内转接：党员的所在党支部、组织路径和区划路径一次性变更，并记入历史。"""
        transfer = self.get_object()
        data = TransferAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.accept_transfer(request.user, transfer, on_date=data.validated_data.get("on_date"))
        except PermissionDenied as exc:
            return error_response(str(exc), status.HTTP_403_FORBIDDEN, "permission_denied")
        return self._response(transfer)

    @extend_schema(request=TransferRejectSerializer, responses={200: TransferSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """接收方退回，须填写原因。"""
        transfer = self.get_object()
        data = TransferRejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.reject_transfer(request.user, transfer, data.validated_data["reason"])
        except PermissionDenied as exc:
            return error_response(str(exc), status.HTTP_403_FORBIDDEN, "permission_denied")
        return self._response(transfer)

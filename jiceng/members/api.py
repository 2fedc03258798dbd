"""API v1 for the roster: /api/v1/members/ (masked by role) and /api/v1/transfers/."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.core.api import PathKeysetPagination, error_response
from jiceng.core.viewsets import ScopedReadOnlyViewSet
from jiceng.orgs.models import BRANCH_TYPES, Org

from . import services
from .filtersets import MEMBER_SORTS, TRANSFER_SORTS, MemberFilterSet, TransferFilterSet, member_key_field
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


class MemberViewSet(ScopedReadOnlyViewSet):
    """党员名册：按调用者权限范围过滤。列表中身份证号和手机号一律脱敏；详情对有完整信息权限的用户
    显示完整号码，并记录一次查看日志（view_pii）。"""

    queryset = Member.objects.select_related("org")
    filterset_class = MemberFilterSet
    pagination_class = PathKeysetPagination
    sorts = MEMBER_SORTS

    def get_serializer_class(self):
        return MemberDetailSerializer if self.action == "retrieve" else MemberSerializer

    def detail_queryset(self):
        return Member.objects.select_related("org", "residence")

    def keyset_keys(self, request) -> tuple[str, str]:
        return member_key_field(request.user, request.query_params), "id"

    def retrieve(self, request, *args, **kwargs):
        member = self.get_object()
        reveal = pii_visible(request.user, member)
        if reveal:
            log_pii_view(request.user, member, "api")
        serializer = MemberDetailSerializer(member, context={**self.get_serializer_context(), "reveal": reveal})
        return Response(serializer.data)


class TransferViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """组织关系转接：转出方和接收方都能看到。POST 发起平台内转接（转出方），
    `accept` / `reject` 由接收党组织办理。"""

    queryset = Transfer.objects.select_related("from_org", "to_org")
    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet
    pagination_class = PathKeysetPagination
    sorts = TRANSFER_SORTS
    # Accepting and rejecting are decided by the services (the receiving side's grants), with
    # their own 403; the transfer itself is looked up as the list shows it.
    scope_actions = {"accept": "view", "reject": "view"}

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

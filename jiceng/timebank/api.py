"""API v1 for 时间银行: /api/v1/timebank-accounts/ (with ``statement`` and the account action table's
``donate``), /api/v1/timebank-movements/ (with ``reverse``, the movement action table's) and
/api/v1/timebank-redemptions/ (兑换服务: the scoped list and the redemption itself). The balance is
the stored one (one row); the statement is keyset-paged. Refusals are the envelope of
:func:`jiceng.timebank.actions.refusal` with the Chinese reason."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.core.api import IdPagination, error_response
from jiceng.core.viewsets import ScopedReadOnlyViewSet
from jiceng.volunteers.models import Volunteer

from . import services
from .actions import ACCOUNT_ACTIONS, MOVEMENT_ACTIONS, add_api_actions, refusal
from .models import Account, Movement, Redemption
from .serializers import (
    TimebankAccountSerializer,
    TimebankMovementSerializer,
    TimebankReasonInput,
    TimebankRedeemInput,
    TimebankRedemptionSerializer,
    TimebankStatementSerializer,
)

PAGE = 50


class AccountViewSet(ScopedReadOnlyViewSet):
    """时间银行账户：本人看自己的账户，社区及以上看辖区账户。余额为实时维护的余额（每晚与流水核对）。
    志愿者本人可在 `donate` 把本人账户的时长捐给亲属（任何社区的志愿者）、志愿服务队或社区公益基金。"""

    queryset = Account.objects.select_related("volunteer")
    serializer_class = TimebankAccountSerializer
    pagination_class = IdPagination
    # The donor is checked by the service (its own 403); the account is looked up as listed.
    scope_actions = {key: "view" for key in ACCOUNT_ACTIONS}

    @extend_schema(
        parameters=[OpenApiParameter("before", int, description="只列流水号小于此值的（翻页）")],
        responses={200: TimebankStatementSerializer},
    )
    @action(detail=True, methods=["get"], url_name="statement")
    def statement(self, request, pk=None):
        """账户流水（新的在前，每页50笔）。"""
        account = self.get_object()
        before = request.query_params.get("before")
        before_id = int(before) if before and before.isdigit() and len(before) < 19 else None
        rows = services.statement(account, before_id=before_id, limit=PAGE)
        data = {
            "account": TimebankAccountSerializer(account).data,
            "movements": TimebankMovementSerializer(rows, many=True).data,
            "next_before": rows[-1].pk if len(rows) == PAGE else None,
        }
        return Response(data)


add_api_actions(AccountViewSet, ACCOUNT_ACTIONS, TimebankAccountSerializer)


class MovementViewSet(ScopedReadOnlyViewSet):
    """时间银行流水（只追加）：不能修改或删除；更正用 `reverse`（冲正，区级及以上），冲正记录不能再冲正。"""

    queryset = Movement.objects.select_related("debit", "credit")
    serializer_class = TimebankMovementSerializer
    pagination_class = IdPagination
    scope_actions = {"reverse": "view"}

    @extend_schema(
        request=TimebankReasonInput,
        responses={
            201: TimebankMovementSerializer,
            400: OpenApiResponse(description="未填冲正原因（按字段）"),
            403: OpenApiResponse(description="无权冲正这笔流水"),
            404: OpenApiResponse(description="流水不存在，或不在您的权限范围内"),
            409: OpenApiResponse(description="这笔流水已冲正过（reversed），或本身是冲正流水（reversal）"),
        },
    )
    @action(detail=True, methods=["post"], url_name="reverse")
    def reverse(self, request, pk=None):
        """冲正（动作表 MOVEMENT_ACTIONS 的“冲正”，与账户页面的按钮相同）：返回新的冲正流水。"""
        movement = self.get_object()  # out of scope: 404 before the body is read
        entry = MOVEMENT_ACTIONS["reverse"]
        data = entry.inputs(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            reversal = entry.run(request.user, movement, dict(data.validated_data))
        except services.LedgerError as exc:
            return refusal(exc)
        return Response(TimebankMovementSerializer(reversal).data, status=201)


class RedemptionViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """兑换服务（通存通兑）：受益人所在社区登记，受益人账户按1小时兑换1小时扣减；服务志愿者可为全市任何社区的
    志愿者，其服务时长由其所在社区审核后入账。受益人须年满规则规定的年龄（“兑换服务的受益人最低年龄”）。
    列表：社区及以上看辖区受益人的兑换，受益人和服务志愿者看本人的。"""

    queryset = Redemption.objects.select_related("beneficiary", "server__community")
    serializer_class = TimebankRedemptionSerializer
    pagination_class = IdPagination
    scope_actions = {"create": "view"}

    @extend_schema(
        request=TimebankRedeemInput,
        responses={
            201: TimebankRedemptionSerializer,
            200: OpenApiResponse(TimebankRedemptionSerializer, description="同一提交标识重复提交：第一次的兑换"),
            400: OpenApiResponse(description="不能兑换的原因（中文，按字段）"),
            404: OpenApiResponse(description="受益人不在您的范围内，或服务志愿者不存在"),
            409: OpenApiResponse(description="受益人余额不足"),
        },
    )
    def create(self, request, *args, **kwargs):
        data = TimebankRedeemInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        beneficiary = (
            Volunteer.objects.visible_to(request.user).select_related("community").filter(pk=v["beneficiary"]).first()
        )
        if beneficiary is None:
            return error_response("受益人不存在，或不在您的权限范围内。", status.HTTP_404_NOT_FOUND, "not_found")
        server = Volunteer.objects.filter(pk=v["server"]).first()
        if server is None:
            return error_response("服务志愿者不存在。", status.HTTP_404_NOT_FOUND, "not_found")
        try:
            redemption, created = services.redeem(
                request.user,
                beneficiary,
                server,
                v["hours"],
                v["content"],
                v.get("served_on"),
                request_key=v.get("request_key", ""),
            )
        except services.LedgerError as exc:
            return refusal(exc)
        fresh = self.base_queryset().get(pk=redemption.pk)
        return Response(
            TimebankRedemptionSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

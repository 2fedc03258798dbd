"""API v1 for 时间银行: /api/v1/timebank-accounts/ (with ``statement``) and timebank-movements/
(with ``reverse``). The balance is the stored one (one row); the statement is keyset-paged."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.core.api import IdPagination, error_response
from jiceng.core.viewsets import ScopedReadOnlyViewSet

from . import services
from .models import Account, Movement
from .serializers import (
    TimebankAccountSerializer,
    TimebankMovementSerializer,
    TimebankReasonInput,
    TimebankStatementSerializer,
)

PAGE = 50


class AccountViewSet(ScopedReadOnlyViewSet):
    """时间银行账户：本人看自己的账户，社区及以上看辖区账户。余额为实时维护的余额（每晚与流水核对）。"""

    queryset = Account.objects.all()
    serializer_class = TimebankAccountSerializer
    pagination_class = IdPagination

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


class MovementViewSet(ScopedReadOnlyViewSet):
    """时间银行流水（只追加）：不能修改或删除；更正用 `reverse`（冲正，区级及以上），冲正记录不能再冲正。"""

    queryset = Movement.objects.select_related("debit", "credit")
    serializer_class = TimebankMovementSerializer
    pagination_class = IdPagination
    scope_actions = {"reverse": "view"}

    @extend_schema(
        request=TimebankReasonInput,
        responses={201: TimebankMovementSerializer, 400: OpenApiResponse(description="拒绝原因（中文）")},
    )
    @action(detail=True, methods=["post"], url_name="reverse")
    def reverse(self, request, pk=None):
        movement = self.get_object()  # out of scope: 404 before the body is read
        data = TimebankReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            reversal = services.reverse(request.user, movement, data.validated_data["reason"])
        except services.LedgerError as exc:
            code = "permission_denied" if exc.code == "permission" else (exc.code or "invalid")
            http = status.HTTP_403_FORBIDDEN if exc.code == "permission" else status.HTTP_400_BAD_REQUEST
            return error_response("；".join(exc.messages), http, code)
        return Response(TimebankMovementSerializer(reversal).data, status=201)

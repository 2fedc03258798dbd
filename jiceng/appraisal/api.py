"""API v1 for 民主评议党员: /api/v1/appraisals/ with the round's workflow (close, propose, decide)
for the branch and its offices, and the member's self-assessment and secret ballot."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action as drf_action
from rest_framework.response import Response

from jiceng.core.api import IdPagination, error_response
from jiceng.core.scope import holds
from jiceng.core.viewsets import ScopedReadOnlyViewSet
from jiceng.orglife.serializers import ERRORS
from jiceng.orgs.models import Org

from . import services
from .filtersets import RoundFilterSet
from .models import Participant, Round
from .permissions import ROUND_VIEW
from .serializers import (
    AppraisalBallotSerializer,
    AppraisalDecisionSerializer,
    AppraisalOkSerializer,
    AppraisalProposalSerializer,
    AppraisalRoundCreateSerializer,
    AppraisalRoundDetailSerializer,
    AppraisalRoundSerializer,
    AppraisalSelfSerializer,
)


class AppraisalRoundViewSet(ScopedReadOnlyViewSet):
    """民主评议党员：党支部及其上级看到本范围的评议（含各等次得票、双报到服务次数、建议和评定等次），
    党员看到本人参加的评议（只有评议对象名单）。POST 开始评议；党员以 `self-assessment`、`ballot` 自评和
    不记名投票（每人一票，重复投票被拒绝）；支部以 `close`、`propose`、`decide` 结束测评、提出建议等次、
    记录支部党员大会决定（之后锁定）。"""

    queryset = Round.objects.select_related("org")
    filterset_class = RoundFilterSet
    pagination_class = IdPagination
    serializer_class = AppraisalRoundSerializer
    scope_actions = {
        "create": "view",
        "self_assessment": "view",
        "ballot": "view",
        "close": "view",
        "propose": "view",
        "decide": "view",
    }

    def get_serializer_class(self):
        return AppraisalRoundDetailSerializer if self.action == "retrieve" else AppraisalRoundSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action not in ("list", None) and "pk" in self.kwargs:
            round_ = Round.objects.filter(pk=self.kwargs["pk"]).only("area_path", "org_path").first()
            context["staff"] = bool(
                round_ and holds(self.request.user, ROUND_VIEW, areas=[round_.area_path], orgs=[round_.org_path])
            )
        return context

    def _detail(self, round_, code=status.HTTP_200_OK):
        round_ = Round.objects.select_related("org").get(pk=round_.pk)
        context = {**self.get_serializer_context(), "staff": True}
        return Response(AppraisalRoundDetailSerializer(round_, context=context).data, status=code)

    @extend_schema(request=AppraisalRoundCreateSerializer, responses={201: AppraisalRoundDetailSerializer, **ERRORS})
    def create(self, request, *args, **kwargs):
        """开始一个党支部的年度民主评议（同一支部、同一年度重复提交返回已有的评议）。"""
        from jiceng.orglife.models import Meeting

        data = AppraisalRoundCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        org = Org.objects.visible_to(request.user).filter(code=values["org"]).first()
        if org is None:
            return error_response("党支部不存在，或不在您的权限范围内。", status.HTTP_404_NOT_FOUND, "not_found")
        meeting = None
        if values.get("meeting"):
            meeting = Meeting.objects.filter(pk=values["meeting"], org=org).first()
            if meeting is None:
                return error_response("会议不存在，或不是该党支部的会议。")
        try:
            round_ = services.open_round(request.user, org, values["year"], meeting)
        except PermissionDenied as exc:
            return error_response(str(exc), status.HTTP_403_FORBIDDEN, "permission_denied")
        return self._detail(round_, status.HTTP_201_CREATED)

    @extend_schema(request=AppraisalSelfSerializer, responses={200: AppraisalOkSerializer, **ERRORS})
    @drf_action(detail=True, methods=["post"], url_path="self-assessment", url_name="self-assessment")
    def self_assessment(self, request, pk=None):
        """党员本人提交或修改个人自评（测评结束前）。"""
        round_ = self.get_object()
        data = AppraisalSelfSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.save_self_assessment(request.user, round_, data.validated_data["text"])
        return Response({"ok": True, "message": "已保存个人自评。"})

    @extend_schema(request=AppraisalBallotSerializer, responses={200: AppraisalOkSerializer, **ERRORS})
    @drf_action(detail=True, methods=["post"])
    def ballot(self, request, pk=None):
        """正式党员不记名投票：为每名评议对象（含本人）选择一个等次。每人只能投一次，第二次提交被拒绝；
        非本支部党员、预备党员被拒绝。选票不保存投票人。"""
        round_ = self.get_object()
        data = AppraisalBallotSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cast_ballot(request.user, round_, data.validated_data["marks"])
        return Response({"ok": True, "message": "已投票。"})

    def _staff(self, request):
        round_ = self.get_object()
        if not holds(request.user, ROUND_VIEW, areas=[round_.area_path], orgs=[round_.org_path]):
            raise PermissionDenied("您没有组织民主评议的权限。")
        return round_

    @extend_schema(request=None, responses={200: AppraisalRoundDetailSerializer, **ERRORS})
    @drf_action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """结束民主测评，之后由支委会提出建议等次。"""
        round_ = self._staff(request)
        return self._detail(services.close_voting(request.user, round_))

    @extend_schema(request=AppraisalProposalSerializer, responses={200: AppraisalRoundDetailSerializer, **ERRORS})
    @drf_action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        """支委会对一名党员提出建议等次；在职党员本年度未参加双报到服务的，等次受本市规定限制。"""
        round_ = self._staff(request)
        data = AppraisalProposalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        row = Participant.objects.filter(round=round_, pk=values["participant"]).first()
        if row is None:
            return error_response("评议对象不存在。", status.HTTP_404_NOT_FOUND, "not_found")
        services.propose_grade(request.user, round_, row, values["grade"], values["note"])
        return self._detail(round_)

    @extend_schema(request=AppraisalDecisionSerializer, responses={200: AppraisalRoundDetailSerializer, **ERRORS})
    @drf_action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """记录支部党员大会的决定（默认采用支委会建议等次），之后评议结果锁定。"""
        round_ = self._staff(request)
        data = AppraisalDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            changes = {int(k): v for k, v in values["changes"].items()}
        except ValueError:
            return error_response("评议对象编号无效。")
        services.decide(request.user, round_, changes=changes, note=values["note"])
        return self._detail(round_)

"""API v1 for 志愿服务: /api/v1/volunteer-teams/, volunteer-activities/, volunteer-signups/,
volunteer-hours/. Lists read through ``visible_to``; writes go through :mod:`.services`; a refusal
is the ADR 0011 envelope with the Chinese reason (403 when it is about who may act)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.core.api import IdPagination, error_response
from jiceng.core.viewsets import ScopedReadOnlyViewSet

from . import services
from .models import Activity, HoursRecord, SignUp, Team, volunteer_of
from .serializers import (
    VolunteerActivitySerializer,
    VolunteerCodeInput,
    VolunteerHoursInput,
    VolunteerHoursSerializer,
    VolunteerReasonInput,
    VolunteerSignUpSerializer,
    VolunteerTeamSerializer,
)

REFUSED = {400: OpenApiResponse(description="拒绝原因（中文）"), 403: OpenApiResponse(description="无权办理")}


def refusal(exc: services.VolunteerError) -> Response:
    message = "；".join(exc.messages)
    if getattr(exc, "code", None) == "permission":
        return error_response(message, status.HTTP_403_FORBIDDEN, "permission_denied")
    return error_response(message, status.HTTP_400_BAD_REQUEST, getattr(exc, "code", None) or "invalid")


def _me(request):
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return None, error_response(
            "您的账号尚未登记为志愿者，请联系所在社区。", status.HTTP_400_BAD_REQUEST, "not_volunteer"
        )
    return volunteer, None


class TeamViewSet(ScopedReadOnlyViewSet):
    """志愿服务队（只读）：社区、街道、区、市看本辖区的队伍。"""

    queryset = Team.objects.select_related("community", "org")
    serializer_class = VolunteerTeamSerializer
    pagination_class = IdPagination


class ActivityViewSet(ScopedReadOnlyViewSet):
    """志愿服务活动：本社区志愿者和辖区工作人员可见。`sign-up` 本人报名（名额满进入候补），
    `cancel` 取消本人报名（候补第一位自动转正），`sign-in` / `sign-out` 扫描活动现场二维码签到签退。"""

    queryset = Activity.objects.select_related("team")
    serializer_class = VolunteerActivitySerializer
    pagination_class = IdPagination
    scope_actions = {"sign_up": "view", "cancel": "view", "sign_in": "view", "sign_out": "view"}

    @extend_schema(request=None, responses={201: VolunteerSignUpSerializer, **REFUSED})
    @action(detail=True, methods=["post"], url_path="sign-up", url_name="sign-up")
    def sign_up(self, request, pk=None):
        activity = self.get_object()
        volunteer, error = _me(request)
        if error:
            return error
        try:
            signup = services.sign_up(request.user, activity, volunteer)
        except services.VolunteerError as exc:
            return refusal(exc)
        return Response(
            VolunteerSignUpSerializer(SignUp.objects.select_related("activity", "volunteer").get(pk=signup.pk)).data,
            status=201,
        )

    @extend_schema(request=None, responses={200: VolunteerSignUpSerializer, **REFUSED})
    @action(detail=True, methods=["post"], url_name="cancel")
    def cancel(self, request, pk=None):
        activity = self.get_object()
        volunteer, error = _me(request)
        if error:
            return error
        signup = SignUp.objects.filter(
            activity=activity, volunteer=volunteer, status__in=["confirmed", "waiting"]
        ).first()
        if signup is None:
            return error_response("您没有该活动的报名。")
        try:
            services.cancel_signup(request.user, signup)
        except services.VolunteerError as exc:
            return refusal(exc)
        return Response(
            VolunteerSignUpSerializer(SignUp.objects.select_related("activity", "volunteer").get(pk=signup.pk)).data
        )

    def _scan(self, request, verb):
        activity = self.get_object()
        volunteer, error = _me(request)
        if error:
            return error
        data = VolunteerCodeInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            verb(request.user, activity, volunteer, data.validated_data["code"])
        except services.VolunteerError as exc:
            return refusal(exc)
        signup = SignUp.objects.select_related("activity", "volunteer").get(
            activity=activity, volunteer=volunteer, status="confirmed"
        )
        return Response(VolunteerSignUpSerializer(signup).data)

    @extend_schema(request=VolunteerCodeInput, responses={200: VolunteerSignUpSerializer, **REFUSED})
    @action(detail=True, methods=["post"], url_path="sign-in", url_name="sign-in")
    def sign_in(self, request, pk=None):
        return self._scan(request, services.sign_in)

    @extend_schema(request=VolunteerCodeInput, responses={200: VolunteerSignUpSerializer, **REFUSED})
    @action(detail=True, methods=["post"], url_path="sign-out", url_name="sign-out")
    def sign_out(self, request, pk=None):
        return self._scan(request, services.sign_out)


class SignUpViewSet(ScopedReadOnlyViewSet):
    """活动报名（只读）：社区看本社区活动的报名，志愿者看自己的报名。"""

    queryset = SignUp.objects.select_related("activity", "volunteer")
    serializer_class = VolunteerSignUpSerializer
    pagination_class = IdPagination


class HoursViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """志愿服务时长：签到签退核定的时长自动审核通过；本人申报（POST）待社区 `approve` / `reject`，
    审核通过即计入时间银行。每人每日时长有上限（规则 volunteers.daily_hours_cap）。"""

    queryset = HoursRecord.objects.select_related("volunteer")
    serializer_class = VolunteerHoursSerializer
    pagination_class = IdPagination
    scope_actions = {"create": "view", "approve": "view", "reject": "view"}

    @extend_schema(request=VolunteerHoursInput, responses={201: VolunteerHoursSerializer, **REFUSED})
    def create(self, request, *args, **kwargs):
        volunteer, error = _me(request)
        if error:
            return error
        data = VolunteerHoursInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            record = services.report_hours(
                request.user, volunteer, values["hours"], values["served_on"], values["content"]
            )
        except services.VolunteerError as exc:
            return refusal(exc)
        return Response(VolunteerHoursSerializer(record).data, status=201)

    @extend_schema(request=None, responses={200: VolunteerHoursSerializer, **REFUSED})
    @action(detail=True, methods=["post"], url_name="approve")
    def approve(self, request, pk=None):
        try:
            record = services.approve_hours(request.user, self.get_object())
        except services.VolunteerError as exc:
            return refusal(exc)
        return Response(
            VolunteerHoursSerializer(HoursRecord.objects.select_related("volunteer").get(pk=record.pk)).data
        )

    @extend_schema(request=VolunteerReasonInput, responses={200: VolunteerHoursSerializer, **REFUSED})
    @action(detail=True, methods=["post"], url_name="reject")
    def reject(self, request, pk=None):
        record = self.get_object()  # out of scope: 404 before the body is read
        data = VolunteerReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            record = services.reject_hours(request.user, record, data.validated_data["reason"])
        except services.VolunteerError as exc:
            return refusal(exc)
        return Response(
            VolunteerHoursSerializer(HoursRecord.objects.select_related("volunteer").get(pk=record.pk)).data
        )

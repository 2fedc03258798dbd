"""API v1 for 双报到: /api/v1/dual-registrations/, dual-posts/, dual-signups/, dual-services/.

Lists read through ``visible_to``: the community's and offices' grants, the member's own branch,
and the member's own rows. Writes go through :mod:`jiceng.dualreport.services`; a refusal is the
ADR 0011 envelope with the Chinese reason (403 when it is about who may act)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.areas.models import Area
from jiceng.core.api import IdPagination, error_response
from jiceng.core.scope import get_object_for_user
from jiceng.core.viewsets import ScopedReadOnlyViewSet
from jiceng.members.models import Member, member_of
from jiceng.orgs.models import ResidentUnit

from . import services
from .actions import REGISTRATION_ACTIONS, SERVICE_ACTIONS, add_api_actions, refusal
from .filtersets import RegistrationFilterSet, ServiceFilterSet, ServicePostFilterSet, SignUpFilterSet
from .models import Registration, Service, ServicePost, SignUp
from .serializers import (
    RegistrationCreateSerializer,
    RegistrationSerializer,
    ServiceCreateSerializer,
    ServicePostCreateSerializer,
    ServicePostSerializer,
    ServiceSerializer,
    SignUpInput,
    SignUpSerializer,
)


def _refused(exc: services.DualError) -> Response:
    """A create's refusal: 403 who may act, else 400 (a create has no state to conflict with)."""
    if exc.code == "permission":
        return error_response(exc.messages[0], status.HTTP_403_FORBIDDEN, "permission_denied")
    return error_response(exc.messages[0], status.HTTP_400_BAD_REQUEST, exc.code or "invalid")


def _community(code: str) -> Area | None:
    return Area.objects.filter(code=code).first()


class RegistrationViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """双报到登记：在职党员向居住地社区报到，驻区单位党组织向所在社区报到（共驻共建）。
    POST 由党员本人（省略 member）或支部、社区代为登记；`confirm` / `reject` 由报到社区办理；
    `end` 结束报到（社区或党员本人，如搬离本社区），之后可重新报到。"""

    queryset = Registration.objects.select_related("member", "unit", "org", "community")
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilterSet
    pagination_class = IdPagination
    scope_actions = {"create": "view", "confirm": "view", "reject": "view", "end": "view"}

    @extend_schema(
        request=RegistrationCreateSerializer,
        responses={
            201: RegistrationSerializer,
            400: OpenApiResponse(description="不能报到的原因（中文）"),
            404: OpenApiResponse(description="党员或单位不存在，或不在您的权限范围内。"),
        },
    )
    def create(self, request, *args, **kwargs):
        data = RegistrationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        community = _community(values["community"])
        if community is None:
            return error_response("报到社区不存在。")
        try:
            if values.get("unit"):
                unit = get_object_for_user(ResidentUnit.objects.all(), request.user, "view", pk=values["unit"])
                registration = services.register_unit(request.user, unit, community)
            else:
                if values.get("member"):
                    member = get_object_for_user(Member.objects.all(), request.user, "view", pk=values["member"])
                else:
                    member = member_of(request.user)
                    if member is None:
                        return error_response("您的账号未关联党员名册，请指定党员。")
                registration = services.register_member(
                    request.user, member, community, phone=values.get("phone", ""), skills=values.get("skills", "")
                )
        except services.DualError as exc:
            return _refused(exc)
        except Http404:
            return error_response("党员或单位不存在，或不在您的权限范围内。", status.HTTP_404_NOT_FOUND, "not_found")
        fresh = self.base_queryset().get(pk=registration.pk)
        return Response(RegistrationSerializer(fresh, context=self.get_serializer_context()).data, status=201)


add_api_actions(RegistrationViewSet, REGISTRATION_ACTIONS, RegistrationSerializer)


class ServicePostViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """服务岗位（服务需求）：社区发布，已报到的党员在 `sign-up` 报名（名额有限，先到先得）。"""

    queryset = ServicePost.objects.select_related("community")
    serializer_class = ServicePostSerializer
    filterset_class = ServicePostFilterSet
    pagination_class = IdPagination
    scope_actions = {"create": "view", "sign_up": "view"}

    @extend_schema(request=ServicePostCreateSerializer, responses={201: ServicePostSerializer})
    def create(self, request, *args, **kwargs):
        data = ServicePostCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        community = _community(values.pop("community"))
        if community is None:
            return error_response("发布社区不存在。")
        try:
            post = services.create_post(request.user, community, **values)
        except services.DualError as exc:
            return _refused(exc)
        fresh = ServicePost.objects.select_related("community").get(pk=post.pk)
        return Response(ServicePostSerializer(fresh, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=SignUpInput, responses={201: SignUpSerializer})
    @action(detail=True, methods=["post"], url_path="sign-up", url_name="sign-up")
    def sign_up(self, request, pk=None):
        """报名一个岗位：本人报名（省略 member），或社区代为报名。名额满、重复报名、未报到均被拒绝。"""
        post = self.get_object()
        data = SignUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data.get("member"):
            try:
                member = get_object_for_user(
                    Member.objects.all(), request.user, "view", pk=data.validated_data["member"]
                )
            except Http404:
                return error_response("党员不存在，或不在您的权限范围内。", status.HTTP_404_NOT_FOUND, "not_found")
        else:
            member = member_of(request.user)
            if member is None:
                return error_response("您的账号未关联党员名册，不能报名。")
        try:
            signup = services.sign_up(request.user, post, member)
        except services.DualError as exc:
            return refusal(exc)
        fresh = SignUp.objects.select_related("member", "post").get(pk=signup.pk)
        return Response(SignUpSerializer(fresh).data, status=201)


class SignUpViewSet(ScopedReadOnlyViewSet):
    """岗位报名（只读）：社区看本社区岗位的报名，党员看自己的报名。"""

    queryset = SignUp.objects.select_related("member", "post")
    serializer_class = SignUpSerializer
    filterset_class = SignUpFilterSet
    pagination_class = IdPagination


class ServiceViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """服务记录：党员本人申报（待确认），或社区登记；社区 `confirm` 后锁定，之后只能 `correct`（留痕）。"""

    queryset = Service.objects.select_related("member")
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilterSet
    pagination_class = IdPagination
    scope_actions = {"create": "view", "confirm": "view", "reject": "view", "correct": "view"}

    @extend_schema(
        request=ServiceCreateSerializer,
        responses={201: ServiceSerializer, 404: OpenApiResponse(description="报到登记不存在，或不在您的权限范围内。")},
    )
    def create(self, request, *args, **kwargs):
        data = ServiceCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            registration = get_object_for_user(
                Registration.objects.select_related("member"), request.user, "view", pk=values["registration"]
            )
        except Http404:
            return error_response("报到登记不存在，或不在您的权限范围内。", status.HTTP_404_NOT_FOUND, "not_found")
        post = None
        if values.get("post"):
            post = ServicePost.objects.filter(pk=values["post"], community_id=registration.community_id).first()
            if post is None:
                return error_response("该岗位不属于报到社区。")
        try:
            service = services.record_service(
                request.user,
                registration,
                served_on=values["served_on"],
                hours=values["hours"],
                content=values["content"],
                post=post,
                confirm=values.get("confirm", False),
            )
        except services.DualError as exc:
            return _refused(exc)
        fresh = Service.objects.select_related("member").get(pk=service.pk)
        return Response(ServiceSerializer(fresh, context=self.get_serializer_context()).data, status=201)


add_api_actions(ServiceViewSet, SERVICE_ACTIONS, ServiceSerializer)

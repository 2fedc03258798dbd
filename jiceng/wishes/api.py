"""API v1 for 微心愿: /api/v1/wishes/ (list, create, claim, deliver, confirm, cancel)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from jiceng.areas.models import Area
from jiceng.core.api import IdPagination, error_response
from jiceng.core.scope import get_object_for_user
from jiceng.core.viewsets import ScopedReadOnlyViewSet
from jiceng.orgs.models import ResidentUnit

from . import services
from .filtersets import WishFilterSet
from .models import Wish
from .serializers import WishClaimInput, WishCreateSerializer, WishDeliverInput, WishReasonInput, WishSerializer

REFUSED = {400: OpenApiResponse(description="不能办理的原因（中文）"), 403: OpenApiResponse(description="无权办理")}


def _refused(exc: services.WishError) -> Response:
    if getattr(exc, "code", "") == "permission":
        return error_response(exc.messages[0], status.HTTP_403_FORBIDDEN, "permission_denied")
    if hasattr(exc, "error_dict"):
        body = {"status": 400, "code": "invalid", "message": "；".join(exc.messages), "fields": exc.message_dict}
        return Response({"error": body}, status=status.HTTP_400_BAD_REQUEST)
    code = getattr(exc, "code", "") or "invalid"
    http = status.HTTP_409_CONFLICT if code == "status" else status.HTTP_400_BAD_REQUEST
    return error_response(exc.messages[0], http, code)


class WishViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """微心愿：社区或网格员发布，党员或驻区单位认领（只有一个认领人），送达时上传照片，心愿人或网格员确认。
    心愿人的姓名、电话、住址只对本社区工作人员和网格员完整显示。"""

    queryset = Wish.objects.select_related("community", "claimer_member", "claimer_unit")
    serializer_class = WishSerializer
    filterset_class = WishFilterSet
    pagination_class = IdPagination
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    scope_actions = {"create": "view", "claim": "view", "deliver": "view", "confirm": "view", "cancel": "view"}

    @extend_schema(request=WishCreateSerializer, responses={201: WishSerializer, **REFUSED})
    def create(self, request, *args, **kwargs):
        data = WishCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            wish = services.publish(
                request.user,
                Area.objects.filter(code=v["community"]).first(),
                Area.objects.filter(code=v["beneficiary_area"]).first(),
                title=v["title"],
                content=v["content"],
                name=v["name"],
                phone=v["phone"],
                address=v["address"],
            )
        except services.WishError as exc:
            return _refused(exc)
        return Response(WishSerializer(wish, context={"request": request}).data, status=status.HTTP_201_CREATED)

    def _done(self, request, wish):
        fresh = self.get_queryset().get(pk=wish.pk)
        return Response(WishSerializer(fresh, context={"request": request}).data)

    @extend_schema(
        request=WishClaimInput, responses={200: WishSerializer, 409: OpenApiResponse(description="已被认领"), **REFUSED}
    )
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        wish = self.get_object()
        data = WishClaimInput(data=request.data)
        data.is_valid(raise_exception=True)
        unit = None
        if data.validated_data.get("unit"):
            unit = get_object_for_user(ResidentUnit.objects.all(), request.user, "view", pk=data.validated_data["unit"])
        try:
            wish = services.claim(request.user, wish, unit=unit)
        except services.WishError as exc:
            return _refused(exc)
        return self._done(request, wish)

    @extend_schema(request={"multipart/form-data": WishDeliverInput}, responses={200: WishSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def deliver(self, request, pk=None):
        wish = self.get_object()
        try:
            wish = services.deliver(request.user, wish, request.FILES.get("photo"), request.data.get("note", ""))
        except services.WishError as exc:
            return _refused(exc)
        return self._done(request, wish)

    @extend_schema(request=None, responses={200: WishSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        wish = self.get_object()
        try:
            wish = services.confirm(request.user, wish)
        except services.WishError as exc:
            return _refused(exc)
        return self._done(request, wish)

    @extend_schema(request=WishReasonInput, responses={200: WishSerializer, **REFUSED})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        wish = self.get_object()
        data = WishReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            wish = services.cancel(request.user, wish, data.validated_data["reason"])
        except services.WishError as exc:
            return _refused(exc)
        return self._done(request, wish)

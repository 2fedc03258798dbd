"""API v1 for 共建清单: /api/v1/cobuild-items/ (list, publish, claim) and /api/v1/cobuild-claims/
(the claim workflow's actions). Lists read through ``visible_to``; writes go through
:mod:`jiceng.cobuild.services`; a refusal is the ADR 0011 envelope with the Chinese reason (403 who
may act, 409 the item's or claim's state: no quantity left, expired, closed, not open yet)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from jiceng.areas.models import Area
from jiceng.core.api import IdPagination, error_response
from jiceng.core.viewsets import ScopedReadOnlyViewSet
from jiceng.members.models import member_of
from jiceng.orgs.models import ResidentUnit
from jiceng.volunteers.models import Team

from . import services
from .actions import CLAIM_ACTIONS, add_api_actions, refusal
from .filtersets import ClaimFilterSet, ItemFilterSet
from .models import Category, Claim, Item, MenuEvent
from .serializers import (
    CobuildClaimInput,
    CobuildClaimSerializer,
    CobuildItemCreateSerializer,
    CobuildItemSerializer,
)


class ItemViewSet(mixins.CreateModelMixin, ScopedReadOnlyViewSet):
    """需求、资源、项目清单：社区或街道发布（POST），可见者在 `claim` 认领（可分割数量，先到先得，不会超出）。"""

    queryset = Item.objects.select_related("category", "area", "offered_by_unit", "offered_by_team")
    serializer_class = CobuildItemSerializer
    filterset_class = ItemFilterSet
    pagination_class = IdPagination
    scope_actions = {"create": "view", "claim": "view"}

    @extend_schema(
        request=CobuildItemCreateSerializer,
        responses={201: CobuildItemSerializer, 400: OpenApiResponse(description="不能发布的原因（中文，逐项）")},
    )
    def create(self, request, *args, **kwargs):
        data = CobuildItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        area = Area.objects.filter(code=v.pop("area")).first()
        if area is None:
            return error_response("发布社区/街道不存在。", code="area")
        event = MenuEvent.objects.visible_to(request.user).filter(pk=v.pop("event")).first() if v.get("event") else None
        v.pop("event", None)
        matches = list(Item.objects.visible_to(request.user).filter(pk__in=v.pop("matches")))
        try:
            item = services.publish_item(
                request.user,
                area=area,
                category=Category.objects.filter(pk=v.pop("category")).first(),
                event=event,
                matches=matches,
                **v,
            )
        except services.CobuildError as exc:
            return refusal(exc)
        fresh = self.base_queryset().get(pk=item.pk)
        return Response(CobuildItemSerializer(fresh, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        request=CobuildClaimInput,
        responses={
            201: CobuildClaimSerializer,
            409: OpenApiResponse(description="数量不足、已截止、已关闭或尚未开始认领（中文原因）"),
        },
    )
    @action(detail=True, methods=["post"], url_path="claim", url_name="claim")
    def claim(self, request, pk=None):
        """认领（意向）：党员本人（省略 unit、team）、代驻区单位（unit）或以志愿队名义（team，队长）；待社区确认。"""
        item = self.get_object()
        data = CobuildClaimInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        unit = member = team = None
        if v.get("unit") and v.get("team"):
            return error_response("认领方只能是一个：驻区单位或志愿服务队。", code="claimer")
        if v.get("team"):
            # Whether the user may claim for it is the service's check (its 队长 or 管理的社区).
            team = Team.objects.filter(pk=v["team"]).first()
            if team is None:
                return error_response("志愿服务队不存在。", status.HTTP_404_NOT_FOUND, "not_found")
        elif v.get("unit"):
            unit = ResidentUnit.objects.filter(pk=v["unit"]).first()
            if unit is None:
                return error_response("驻区单位不存在。", status.HTTP_404_NOT_FOUND, "not_found")
        else:
            member = member_of(request.user)
            if member is None:
                return error_response("您的账号未关联党员名册，请指定认领的驻区单位。", code="unit")
        try:
            claim = services.claim_item(
                request.user,
                item,
                quantity=v["quantity"],
                unit=unit,
                member=member,
                team=team,
                note=v.get("note", ""),
            )
        except services.CobuildError as exc:
            return refusal(exc)
        fresh = Claim.objects.select_related("item", "unit", "member", "team").get(pk=claim.pk)
        return Response(CobuildClaimSerializer(fresh, context=self.get_serializer_context()).data, status=201)


class ClaimViewSet(ScopedReadOnlyViewSet):
    """认领：意向 → 确认（发布社区）→ 实施 → 完成 → 双评；可退回或释放（数量退回清单）。"""

    queryset = Claim.objects.select_related("item", "unit", "member", "team")
    serializer_class = CobuildClaimSerializer
    filterset_class = ClaimFilterSet
    pagination_class = IdPagination
    scope_actions = {key: "view" for key in CLAIM_ACTIONS}


add_api_actions(ClaimViewSet, CLAIM_ACTIONS, CobuildClaimSerializer)

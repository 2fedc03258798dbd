from django.db.models import Prefetch
from rest_framework import viewsets
from rest_framework.pagination import CursorPagination

from jiceng.core.api import CodeCursorPagination
from jiceng.core.scope import get_object_for_user
from jiceng.orgs.filtersets import DepartmentFilterSet, OrgFilterSet, ResidentUnitFilterSet
from jiceng.orgs.models import CommitteePost, Department, Org, PartTimeMember, ResidentUnit
from jiceng.orgs.serializers import (
    DepartmentSerializer,
    OrgDetailSerializer,
    OrgSerializer,
    ResidentUnitSerializer,
)


class AreaPathCursorPagination(CursorPagination):
    """Keyset pagination on (area path, id): the first page costs the same at any table size."""

    ordering = ("area_path", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class OrgViewSet(viewsets.ReadOnlyModelViewSet):
    """党组织树：按调用者权限范围过滤；`code` 为组织路径编码（每级3位）。详情含现任班子和兼职委员。"""

    filterset_class = OrgFilterSet
    pagination_class = CodeCursorPagination
    lookup_field = "code"
    lookup_value_regex = "[0-9]+"

    def get_serializer_class(self):
        return OrgDetailSerializer if self.action == "retrieve" else OrgSerializer

    def get_queryset(self):
        return Org.objects.visible_to(self.request.user).select_related("parent", "area")

    def get_object(self):
        queryset = Org.objects.select_related("parent", "area").prefetch_related(
            Prefetch("posts", CommitteePost.objects.filter(end_on__isnull=True), to_attr="current_posts"),
            Prefetch(
                "part_time_members",
                PartTimeMember.objects.filter(end_on__isnull=True).select_related("unit"),
                to_attr="current_part_time",
            ),
        )
        return get_object_for_user(queryset, self.request.user, "view", code=self.kwargs["code"])


class ResidentUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """驻区单位：按调用者的区划范围过滤。"""

    serializer_class = ResidentUnitSerializer
    filterset_class = ResidentUnitFilterSet
    pagination_class = AreaPathCursorPagination
    lookup_value_regex = "[0-9]+"

    def base_queryset(self):
        return ResidentUnit.objects.select_related("area", "party_org")

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user)

    def get_object(self):
        return get_object_for_user(self.base_queryset(), self.request.user, "view", pk=self.kwargs["pk"])


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """职能部门：按调用者的区划范围过滤；含服务区域编码。"""

    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    pagination_class = AreaPathCursorPagination
    lookup_value_regex = "[0-9]+"

    def base_queryset(self):
        return Department.objects.select_related("area").prefetch_related("areas_served")

    def get_queryset(self):
        return self.base_queryset().visible_to(self.request.user)

    def get_object(self):
        return get_object_for_user(self.base_queryset(), self.request.user, "view", pk=self.kwargs["pk"])

from django.db.models import Prefetch

from jiceng.core.api import AreaPathPagination, CodeCursorPagination
from jiceng.core.viewsets import ScopedReadOnlyViewSet
from jiceng.orgs.filtersets import (
    DEPARTMENT_SORTS,
    UNIT_SORTS,
    DepartmentFilterSet,
    OrgFilterSet,
    ResidentUnitFilterSet,
)
from jiceng.orgs.models import CommitteePost, Department, Org, PartTimeMember, ResidentUnit
from jiceng.orgs.serializers import (
    DepartmentSerializer,
    OrgDetailSerializer,
    OrgSerializer,
    ResidentUnitSerializer,
)


class OrgViewSet(ScopedReadOnlyViewSet):
    """党组织树：按调用者权限范围过滤；`code` 为组织路径编码（每级3位）。详情含现任班子和兼职委员。"""

    queryset = Org.objects.select_related("parent", "area")
    filterset_class = OrgFilterSet
    pagination_class = CodeCursorPagination
    lookup_field = "code"

    def get_serializer_class(self):
        return OrgDetailSerializer if self.action == "retrieve" else OrgSerializer

    def detail_queryset(self):
        return self.base_queryset().prefetch_related(
            Prefetch("posts", CommitteePost.objects.filter(end_on__isnull=True), to_attr="current_posts"),
            Prefetch(
                "part_time_members",
                PartTimeMember.objects.filter(end_on__isnull=True).select_related("unit"),
                to_attr="current_part_time",
            ),
        )


class ResidentUnitViewSet(ScopedReadOnlyViewSet):
    """驻区单位：按调用者的区划范围过滤。"""

    queryset = ResidentUnit.objects.select_related("area", "party_org")
    serializer_class = ResidentUnitSerializer
    filterset_class = ResidentUnitFilterSet
    pagination_class = AreaPathPagination
    sorts = UNIT_SORTS


class DepartmentViewSet(ScopedReadOnlyViewSet):
    """职能部门：按调用者的区划范围过滤；含服务区域编码。"""

    queryset = Department.objects.select_related("area").prefetch_related("areas_served")
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    pagination_class = AreaPathPagination
    sorts = DEPARTMENT_SORTS

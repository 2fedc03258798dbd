from jiceng.areas.filtersets import AreaFilterSet
from jiceng.areas.models import Area
from jiceng.areas.serializers import AreaSerializer
from jiceng.core.api import CodeCursorPagination
from jiceng.core.viewsets import ScopedReadOnlyViewSet


class AreaViewSet(ScopedReadOnlyViewSet):
    """区划树：按调用者权限范围过滤；`code` 为路径编码。"""

    queryset = Area.objects.select_related("parent")
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
    pagination_class = CodeCursorPagination
    lookup_field = "code"

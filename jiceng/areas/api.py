from rest_framework import viewsets

from jiceng.areas.filtersets import AreaFilterSet
from jiceng.areas.models import Area, get_area_for_user
from jiceng.areas.serializers import AreaSerializer
from jiceng.core.api import CodeCursorPagination


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    """区划树：按调用者权限范围过滤；`code` 为路径编码。"""

    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
    pagination_class = CodeCursorPagination
    lookup_field = "code"
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return Area.objects.visible_to(self.request.user).select_related("parent")

    def get_object(self):
        return get_area_for_user(self.request.user, self.kwargs["code"])

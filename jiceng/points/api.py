"""API v1 for 党员积分: /api/v1/point-awards/ (read-only; awards are written by other apps' events)."""

from jiceng.core.api import IdPagination
from jiceng.core.viewsets import ScopedReadOnlyViewSet

from .filtersets import AwardFilterSet
from .models import Award
from .serializers import PointAwardSerializer


class AwardViewSet(ScopedReadOnlyViewSet):
    """党员积分记录（只增不改：更正以冲销记录表示，`reverses` 指向被冲销的记录）。"""

    queryset = Award.objects.select_related("member")
    serializer_class = PointAwardSerializer
    filterset_class = AwardFilterSet
    pagination_class = IdPagination

"""API v1 for 协商议事: /api/v1/consultations/ (read-only)."""

from jiceng.core.api import IdPagination
from jiceng.core.viewsets import ScopedReadOnlyViewSet

from .filtersets import ConsultationFilterSet
from .models import Consultation
from .serializers import ConsultationSerializer


class ConsultationViewSet(ScopedReadOnlyViewSet):
    """协商议事记录（议事会、圆桌听证会、居民公约）：参加人员分类、议题、议定事项和落实情况。"""

    queryset = Consultation.objects.select_related("area").prefetch_related("units", "members", "items")
    serializer_class = ConsultationSerializer
    filterset_class = ConsultationFilterSet
    pagination_class = IdPagination

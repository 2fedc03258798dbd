"""API v1 for 共驻共建: /api/v1/partner-agreements/ (read-only: agreements with duties and reviews)."""

from jiceng.core.api import IdPagination
from jiceng.core.viewsets import ScopedReadOnlyViewSet

from .filtersets import AgreementFilterSet
from .models import Agreement
from .serializers import PartnerAgreementSerializer


class AgreementViewSet(ScopedReadOnlyViewSet):
    """共驻共建协议：双方责任（含期限、完成日期）和年度评议得分。"""

    queryset = Agreement.objects.select_related("unit", "unit_org", "community_org").prefetch_related(
        "duties", "reviews", "resource_items"
    )
    serializer_class = PartnerAgreementSerializer
    filterset_class = AgreementFilterSet
    pagination_class = IdPagination

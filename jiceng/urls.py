from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from jiceng.accounts.api import ObtainTokenView
from jiceng.appeals.api import (
    AppealEventViewSet,
    AppealRateViewSet,
    AppealViewSet,
    WhistleSummonsViewSet,
    WhistleViewSet,
)
from jiceng.areas.api import AreaViewSet
from jiceng.core.health import healthz
from jiceng.members.api import MemberViewSet, TransferViewSet
from jiceng.orgs.api import DepartmentViewSet, OrgViewSet, ResidentUnitViewSet

# No format-suffix twins (`appeals/1/sign.json`): the viewsets' actions take no `format`
# argument, so every such URL was a 500; `?format=json` and the Accept header still choose.
router = DefaultRouter()
router.include_format_suffixes = False
router.register("areas", AreaViewSet, basename="area")
router.register("appeals", AppealViewSet, basename="appeal")
router.register("appeal-events", AppealEventViewSet, basename="appealevent")
router.register("appeal-rates", AppealRateViewSet, basename="appealrate")
router.register("whistles", WhistleViewSet, basename="whistle")
router.register("whistle-summons", WhistleSummonsViewSet, basename="whistlesummons")
router.register("orgs", OrgViewSet, basename="org")
router.register("resident-units", ResidentUnitViewSet, basename="residentunit")
router.register("departments", DepartmentViewSet, basename="department")
router.register("members", MemberViewSet, basename="member")
router.register("transfers", TransferViewSet, basename="transfer")

api_urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    *router.urls,
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("jiceng.accounts.urls")),
    path("areas/", include("jiceng.areas.urls")),
    path("orgs/", include("jiceng.orgs.urls")),
    path("members/", include("jiceng.members.urls")),
    path("appeals/", include("jiceng.appeals.urls")),
    path("excel/", include("jiceng.core.excel_urls")),
    path("api/v1/", include((api_urlpatterns, "api"))),
    path("open311/v2/", include("jiceng.appeals.open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]

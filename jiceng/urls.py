"""The site's URLs: each installed app's pages and API routes, as its registry.py declares them.

No app is named here: a new app's ``urls`` and ``api_routes`` appear once it is installed.
"""

from django.contrib import admin
from django.urls import include, path
from django.utils.module_loading import import_string
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from jiceng.core import registry
from jiceng.core.health import healthz

# No format-suffix twins (`appeals/1/sign.json`): the viewsets' actions take no `format`
# argument, so every such URL was a 500; `?format=json` and the Accept header still choose.
router = DefaultRouter()
router.include_format_suffixes = False
for route in registry.api_routes():
    router.register(route.prefix, import_string(route.viewset), basename=route.basename)

api_urlpatterns = [
    *(pattern for module in registry.api_url_modules() for pattern in import_string(f"{module}.urlpatterns")),
    *router.urls,
]

# An /api/ URL that matches no route (``/api/v1/members/abc/``) answers 404 in the API's JSON.
handler404 = "jiceng.core.api.not_found"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    *(path(mount.prefix, include(mount.module)) for mount in registry.url_mounts()),
    path("api/v1/", include((api_urlpatterns, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves the page's script from a URL of its own: no inline script (content-security policy).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]

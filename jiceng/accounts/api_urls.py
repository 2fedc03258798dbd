"""The accounts' API endpoints that are not viewsets (mounted under /api/v1/, namespace ``api``)."""

from django.urls import path

from jiceng.accounts.api import ObtainTokenView

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
]

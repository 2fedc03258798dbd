"""The product's URLs plus the create benchmark's floor route (bench/floor.py); served by the bench only."""

from django.urls import include, path

from bench.appeals_http import FLOOR_PATH
from bench.floor import FloorCreateView

urlpatterns = [
    path(FLOOR_PATH.lstrip("/"), FloorCreateView.as_view(), name="bench-floor-create"),
    path("", include("jiceng.urls")),
]

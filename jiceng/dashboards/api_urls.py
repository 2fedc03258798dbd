"""The metrics API: definitions, and one node's figures with its children and trend."""

from django.urls import path

from . import api

urlpatterns = [
    path("metrics/", api.MetricList.as_view(), name="metric-list"),
    path("metrics/figures/", api.MetricFigures.as_view(), name="metric-figures"),
]

"""What the dashboards plug into the platform: their pages and the metrics API.

The figures themselves are declared by the apps that own the data (``metrics`` in each app's
registry); this app only shows them (jiceng/core/metrics.py computes them).
"""

from jiceng.areas.permissions import AREA_VIEW
from jiceng.core.registry import AppRegistry, MenuEntry, UrlMount

REGISTRY = AppRegistry(
    # In the menu of whoever sees areas; /dashboard/ also takes a branch secretary (an org grant) to
    # their org's dashboard.
    menu=(MenuEntry("数据看板", "dashboards:home", AREA_VIEW, "chart", order=50),),
    urls=(UrlMount("dashboard/", "jiceng.dashboards.urls"),),
    api_urls=("jiceng.dashboards.api_urls",),
)

"""What the dashboards plug into the platform: their pages, the 大屏, reports and the metrics API.

The figures themselves are declared by the apps that own the data (``metrics`` in each app's
registry); this app only shows them (jiceng/core/metrics.py computes them), freezes them in 月报
snapshots, prints them and exports them.
"""

from datetime import timedelta

from jiceng.core.registry import AppRegistry, ExcelKind, Job, MenuEntry, Permission, UrlMount

from .permissions import EXPORT, SHARE_ADD, SNAPSHOT_ADD, VIEW

# Workbook export has no import: nobody holds this one (the Excel page then offers no template).
DASHBOARD_IMPORT = "dashboards.import_dashboard"

REGISTRY = AppRegistry(
    permissions=(
        Permission(SNAPSHOT_ADD, "冻结月报数据", ("city_org", "district_org", "street")),
        Permission(SHARE_ADD, "生成大屏分享链接", ("city_org", "district_org", "street", "community")),
        Permission(DASHBOARD_IMPORT, "导入数据看板（不可用：看板只导出）", ()),
        # Who sees a dashboard: the area roles (查看区划) and the org roles (查看党组织).
        Permission(
            VIEW,
            "查看数据看板",
            ("city_org", "district_org", "street", "community", "grid_worker", "department", "branch_secretary"),
        ),
        Permission(
            EXPORT,
            "导出数据看板",
            ("city_org", "district_org", "street", "community", "grid_worker", "department", "branch_secretary"),
        ),
    ),
    # In the menu of whoever sees an area's or an org's dashboard: /dashboard/ takes a branch
    # secretary (an org grant) to their org's dashboard.
    menu=(MenuEntry("数据看板", "dashboards:home", VIEW, "chart", order=50),),
    urls=(UrlMount("dashboard/", "jiceng.dashboards.urls"), UrlMount("screen/", "jiceng.dashboards.screen_urls")),
    api_urls=("jiceng.dashboards.api_urls",),
    rules=("jiceng.dashboards.rules",),
    jobs=(Job("jiceng.dashboards.tasks.snapshot_last_month", timedelta(hours=24)),),
    excel_kinds=(
        ExcelKind(
            "dashboard",
            "数据看板",
            "jiceng.dashboards.reports.DASHBOARD_SPEC",
            None,
            "jiceng.dashboards.reports.DashboardExporter",
            DASHBOARD_IMPORT,
            EXPORT,
            order=900,
        ),
    ),
)

"""The dashboards' permission names (who holds them: registry.py)."""

SNAPSHOT_ADD = "dashboards.add_snapshot"  # freeze a node's official monthly figures (月报)
SHARE_ADD = "dashboards.add_sharelink"  # create read-only 大屏 links for a node one may see
# Export a dashboard one may see as a workbook: whoever sees an area's or an org's dashboard (a
# branch secretary by their org grant alone); the exporter keeps to the nodes the user may see.
EXPORT = "dashboards.export_dashboard"
# The 数据看板 menu entry: the area roles (查看区划) and the org roles (查看党组织) alike, so a branch
# secretary (an org grant only) finds their org's dashboard in the menu too.
VIEW = "dashboards.view_dashboard"

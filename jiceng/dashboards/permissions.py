"""The dashboards' permission names (who holds them: registry.py)."""

SNAPSHOT_ADD = "dashboards.add_snapshot"  # freeze a node's official monthly figures (月报)
SHARE_ADD = "dashboards.add_sharelink"  # create read-only 大屏 links for a node one may see

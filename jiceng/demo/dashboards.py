"""Demo 月报: last month's official figures frozen for the city and its districts, as the scheduled
job does on the 1st (jiceng.dashboards.snapshots), so the dashboard's 月报数据 toggle and the PDF
reports have a snapshot to read. No boundaries are imported: the demo's 大屏 shows the treemap.

Loading twice adds nothing (a snapshot of a node and period is made once)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from jiceng.areas.models import Area, Level
from jiceng.core.metrics import Period
from jiceng.dashboards.models import Snapshot
from jiceng.dashboards.services import date_minus_month
from jiceng.dashboards.snapshots import SnapshotError, create_snapshot


def load_dashboards(today: date | None = None, stdout=None) -> dict:
    """Freeze the month before ``today`` (the real today by default) for the city and districts."""
    period = Period.month_of(date_minus_month(today or timezone.localdate()))
    codes = list(
        Area.objects.filter(level__in=(Level.CITY, Level.DISTRICT)).order_by("code").values_list("code", flat=True)
    )
    done = set(Snapshot.objects.filter(tree="areas", period=period.text).values_list("code", flat=True))
    made = 0
    for code in codes:
        if code in done:
            continue
        try:
            create_snapshot(None, "areas", code, period)
            made += 1
        except SnapshotError:
            continue
    if stdout is not None and made:
        stdout.write(f"已冻结 {made} 个区划 {period.label}的月报\n")
    return {"created": made > 0, "snapshots": made, "period": period.text}

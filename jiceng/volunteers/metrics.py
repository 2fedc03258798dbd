"""志愿服务's figures for dashboards and the metrics API, from the monthly ``HoursMonth`` rows."""

from datetime import date

from django.db.models import Sum

from .models import HoursMonth


def area_months(codes: list[str], start: date, end: date, by_month: bool) -> dict:
    """Approved hours summed per node over the months (or per node and month): one query."""
    rows = HoursMonth.objects.filter(path__in=codes, month__gte=start, month__lte=end)
    if by_month:
        return {(row.path, row.month): {"hours": row.hours, "records": row.records} for row in rows}
    return {row["path"]: row for row in rows.values("path").annotate(hours=Sum("hours"), records=Sum("records"))}

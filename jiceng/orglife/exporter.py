"""Excel export of the 组织生活落实情况 page (issue 10 point 5), through the Excel jobs.

The rows are exactly the page's: the branches in the user's scope (``HELD_VIEW``), narrowed by
the same period, type and status parameters, in org-code order, one row per branch with its
status per assessed type. Statuses come from ``compliance.assess`` per chunk of branches (three
queries on the maintained HeldMonth and Exemption rows per chunk), so a city-wide export streams
with bounded memory and never counts meetings.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone

from jiceng.core.excel import Column, Spec, write_rows
from jiceng.core.scope import scope_for
from jiceng.orgs.models import Org

from . import compliance
from .models import MeetingType
from .permissions import HELD_VIEW

CHUNK = 2000
BASE_HEADERS = [("党支部", 30), ("组织编码", 22), ("区划编码", 16), ("考核期", 14)]
# The import spec the Excel page wants for every kind (templates are not offered: nothing imports).
COMPLIANCE_SPEC = Spec(
    "orglife_compliance",
    "组织生活落实情况",
    tuple(Column(header, f"col{i}") for i, (header, _) in enumerate(BASE_HEADERS)),
)


def _one(params, key: str) -> str:
    value = (params or {}).get(key, "")
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value or "")


class ComplianceExporter:
    label = "组织生活落实情况"

    def __init__(self):
        self.audit_extra = {}
        self.area_path = ""
        self.period: compliance.Period | None = None
        self.types: list[str] = []

    def _read(self, params) -> tuple[compliance.Period, list[str], str, str]:
        text = _one(params, "period")
        try:
            period = (
                compliance.Period.parse(text) if text else compliance.Period.containing("quarter", timezone.localdate())
            )
        except compliance.PeriodError:
            period = compliance.Period.containing("quarter", timezone.localdate())
        types = compliance.required_types(period)
        meeting_type = _one(params, "type")
        if meeting_type not in types:
            meeting_type = types[0] if types else ""
        status = _one(params, "status")
        return period, types, meeting_type, status if status in compliance.STATUS_LABELS else ""

    def queryset(self, user, params) -> QuerySet[Org]:
        scope = scope_for(user, HELD_VIEW)
        if scope.empty:
            raise PermissionDenied("您没有导出组织生活落实情况的权限。")
        self.period, self.types, meeting_type, status = self._read(params)
        qs = compliance.branches(Org.objects.filter(scope.q(area="area_path", org="code")))
        if status and meeting_type:
            qs = compliance.with_status(qs, self.period, meeting_type, status)
        self.audit_extra = {"period": self.period.key, "type": meeting_type, "status": status}
        return qs.order_by("code")

    def headers(self) -> list[str]:
        return [h for h, _ in BASE_HEADERS] + [MeetingType(t).label for t in self.types]

    def widths(self) -> list[int]:
        return [w for _, w in BASE_HEADERS] + [12] * len(self.types)

    def rows(self, queryset):
        assert self.period is not None
        batch: list[Org] = []
        for org in queryset.only("id", "code", "name", "area_path", "founded_on", "created_at").iterator(
            chunk_size=CHUNK
        ):
            batch.append(org)
            if len(batch) >= CHUNK:
                yield from self._convert(batch)
                batch = []
        if batch:
            yield from self._convert(batch)

    def _convert(self, batch: list[Org]):
        assert self.period is not None
        for row in compliance.assess(batch, self.period, self.types):
            yield [
                row.org.name,
                row.org.code,
                row.org.area_path,
                self.period.label,
                *(compliance.STATUS_LABELS[row.cells[t]] for t in self.types),
            ]

    def write(self, user, queryset, target, progress=None) -> int:
        if self.period is None:  # a job in the worker: queryset() ran in this process already
            raise RuntimeError("queryset() first")
        scope = scope_for(user, HELD_VIEW)
        self.area_path = scope.areas[0] if len(scope.areas) == 1 else ""
        rows = self.rows(queryset)
        return write_rows(target, "组织生活落实情况", self.headers(), rows, self.widths(), progress=progress)

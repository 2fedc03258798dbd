"""Excel export of any filtered appeal list, with the 12345 work-order columns (issue 4, item 8).

The rows are ``Appeal.objects.visible_to(user, "export")`` filtered by :class:`AppealFilterSet` with
the list's own query parameters, so an export gives exactly what the list shows. The first thirteen
columns are the 12345 platform's work-order columns; a few more follow for the office's own use.
Reporter names and phones are not exported. Street and community names are read per chunk of rows
(one query for a chunk), so a city-wide export streams with bounded memory.
"""

from django.utils import timezone

from jiceng.appeals.filtersets import AppealFilterSet
from jiceng.appeals.models import Appeal, Channel, Kind, Outcome, Satisfaction, Status, Urgency
from jiceng.appeals.permissions import APPEAL_EXPORT, APPEAL_VIEW
from jiceng.areas.models import Area
from jiceng.core.excel import Column, Spec, write_rows
from jiceng.core.scope import scope_for

HEADERS = [
    ("工单编号", 20),
    ("工单类型", 8),
    ("问题分类", 24),
    ("工单状态", 10),
    ("街乡镇", 16),
    ("社区", 16),
    ("点位", 28),
    ("办理结果", 10),
    ("答复内容", 40),
    ("办结时间", 20),
    ("是否解决", 10),
    ("是否满意", 10),
    ("工单性质", 8),
    ("受理时间", 20),
    ("受理渠道", 10),
    ("紧急程度", 10),
    ("承办单位", 20),
    ("答复时限", 20),
    ("是否超期", 8),
    ("挂牌督办", 8),
    ("重办次数", 8),
]
APPEAL_SPEC = Spec("appeals", "诉求工单", tuple(Column(header, f"col{i}") for i, (header, _) in enumerate(HEADERS)))
FIELDS = [
    "number",
    "kind",
    "category__full_name",
    "status",
    "area_path",
    "area__name",
    "area__level",
    "address",
    "latitude",
    "longitude",
    "answer_result",
    "answer_text",
    "closed_at",
    "outcome",
    "satisfaction",
    "channel",
    "assigned_department_id",
    "created_at",
    "urgency",
    "assigned_area__name",
    "assigned_department__name",
    "answer_due",
    "answer_overdue",
    "supervised",
    "reopen_count",
]
CHUNK = 2000
_LABELS = {
    "kind": dict(Kind.choices),
    "status": dict(Status.choices),
    "outcome": dict(Outcome.choices),
    "satisfaction": dict(Satisfaction.choices),
    "channel": dict(Channel.choices),
    "urgency": dict(Urgency.choices),
}


def _time(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def params_querydict(params):
    from django.http import QueryDict

    if isinstance(params, QueryDict):
        return params
    data = QueryDict(mutable=True)
    for key, value in (params or {}).items():
        data.setlist(key, [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)])
    return data


class _Request:
    """What the filter set reads from a request (the user, for ``mine`` and ``todo``)."""

    def __init__(self, user):
        self.user = user


class AppealExporter:
    label = "诉求工单"
    checked_rows = True  # the filter set reads ``ids`` (批量导出 on the 派单台, excel:export_checked)

    def __init__(self):
        self.audit_extra = {}
        self.area_path = ""

    def queryset(self, user, params):
        queryset = Appeal.objects.visible_to(user, "export")
        filtered = AppealFilterSet(params_querydict(params), queryset=queryset, request=_Request(user)).qs
        return filtered.order_by("-id")

    def headers(self) -> list[str]:
        return [header for header, _ in HEADERS]

    def widths(self) -> list[int]:
        return [width for _, width in HEADERS]

    def rows(self, user, queryset):
        """Each appeal as the list of cell values, in :data:`HEADERS` order."""
        own_departments = set(scope_for(user, APPEAL_VIEW).departments)
        names: dict[str, str] = {}
        batch = []
        for row in queryset.values_list(*FIELDS).iterator(chunk_size=CHUNK):
            batch.append(dict(zip(FIELDS, row, strict=True)))
            if len(batch) >= CHUNK:
                yield from self._convert(batch, names, own_departments)
                batch = []
        if batch:
            yield from self._convert(batch, names, own_departments)

    def _convert(self, batch, names, own_departments):
        wanted = {r["area_path"][:n] for r in batch for n in (9, 12) if len(r["area_path"]) >= n} - names.keys()
        if wanted:
            names.update(Area.objects.filter(code__in=wanted).values_list("code", "name"))
            if len(names) > 50_000:  # streets and communities repeat; keep the cache bounded anyway
                names.clear()
                names.update(Area.objects.filter(code__in=wanted).values_list("code", "name"))
        for r in batch:
            path = r["area_path"]
            spot = r["address"]
            if len(path) > 12:
                spot = f"{r['area__name']} {spot}".strip()
            if not spot and r["latitude"] is not None:
                spot = f"{r['latitude']},{r['longitude']}"
            if r["channel"] == Channel.TRANSFER:
                nature = "转办"
            elif own_departments and r["assigned_department_id"] not in own_departments:
                nature = "协办"
            else:
                nature = "主办"
            yield [
                r["number"] or "",
                _LABELS["kind"].get(r["kind"], r["kind"]),
                r["category__full_name"] or "",
                _LABELS["status"].get(r["status"], r["status"]),
                names.get(path[:9], "") if len(path) >= 9 else "",
                names.get(path[:12], "") if len(path) >= 12 else "",
                spot,
                _LABELS["outcome"].get(r["answer_result"], ""),
                r["answer_text"],
                _time(r["closed_at"]) if r["status"] == Status.CLOSED else "",
                _LABELS["outcome"].get(r["outcome"], ""),
                _LABELS["satisfaction"].get(r["satisfaction"], ""),
                nature,
                _time(r["created_at"]),
                _LABELS["channel"].get(r["channel"], r["channel"]),
                _LABELS["urgency"].get(r["urgency"], r["urgency"]),
                r["assigned_department__name"] or r["assigned_area__name"] or "",
                _time(r["answer_due"]),
                "是" if r["answer_overdue"] else "否",
                "是" if r["supervised"] else "否",
                r["reopen_count"],
            ]

    def write(self, user, queryset, target, progress=None) -> int:
        scope = scope_for(user, APPEAL_EXPORT)
        # The export's audit record is filed under the user's node when there is one.
        self.area_path = scope.areas[0] if len(scope.areas) == 1 and not scope.departments else ""
        return write_rows(
            target, "诉求工单", self.headers(), self.rows(user, queryset), self.widths(), progress=progress
        )

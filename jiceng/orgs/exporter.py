"""Excel export of any filtered org list, scoped like the list (issue 3, item 3).

Rows are ``Org.objects.visible_to(user, "view")`` filtered by the org list's own
:class:`~jiceng.orgs.filtersets.OrgFilterSet` with the same query parameters, in code order (the
tree order). Columns: the org's code, then the import template's columns (so an edited export
can be imported elsewhere: the code and count columns are ignored there), then the counters.
Org data holds no personal information, so nothing is masked.
"""

from jiceng.core.excel import Column, Spec, write_rows
from jiceng.core.masking import mask_phone
from jiceng.core.scope import scope_for

from .filtersets import DepartmentFilterSet, OrgFilterSet, ResidentUnitFilterSet
from .importer import ORG_SPEC
from .models import Department, DepartmentLevel, Org, ResidentUnit, UnitKind
from .permissions import UNIT_CHANGE

CHUNK = 5000


class OrgExporter:
    label = "党组织"

    def __init__(self):
        self.audit_extra = {}
        self.area_path = ""

    def queryset(self, user, params):
        from jiceng.members.exporter import params_querydict

        queryset = Org.objects.visible_to(user, "view")
        return OrgFilterSet(params_querydict(params), queryset=queryset).qs.order_by("code")

    def headers(self) -> list[str]:
        return ["组织编码", *ORG_SPEC.headers, "上级组织名称", "党员总数（含下级）", "正式党员（本级）", "下级组织数"]

    def write(self, user, queryset, target, progress=None) -> int:
        display = {c.key: c.display for c in ORG_SPEC.columns}
        fields = [
            "code",
            "name",
            "short_name",
            "org_type",
            "category",
            "parent__code",
            "area_path",
            "founded_on",
            "term_start",
            "term_end",
            "parent__name",
            "total_members",
            "full_members",
            "child_count",
        ]
        paths = {"low": None, "high": None}

        def rows():
            for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK):
                area = row[6]
                if paths["low"] is None or area < paths["low"]:
                    paths["low"] = area
                if paths["high"] is None or area > paths["high"]:
                    paths["high"] = area
                yield [
                    row[0],
                    row[1],
                    row[2],
                    display["org_type"](row[3]),
                    display["category"](row[4]),
                    row[5] or "",
                    row[6],
                    row[7],
                    row[8],
                    row[9],
                    row[10] or "",
                    row[11],
                    row[12],
                    row[13],
                ]

        widths = [16, *(c.width for c in ORG_SPEC.columns), 24, 10, 10, 10]
        count = write_rows(target, ORG_SPEC.title, self.headers(), rows(), widths, progress=progress)
        from jiceng.core.excel_jobs import common_prefix

        self.area_path = common_prefix([paths["low"], paths["high"]])
        return count


# --------------------------------------------------------------------------- units, departments

UNIT_HEADERS = [
    ("单位名称", 30),
    ("单位类型", 12),
    ("所在区划", 20),
    ("区划编码", 16),
    ("单位党组织", 28),
    ("党组织编码", 16),
    ("联系人", 10),
    ("联系电话", 14),
]
UNIT_SPEC = Spec("resident_units", "驻区单位", tuple(Column(h, f"col{i}") for i, (h, _) in enumerate(UNIT_HEADERS)))
DEPARTMENT_HEADERS = [("部门名称", 30), ("层级", 8), ("所属区划", 20), ("区划编码", 16), ("服务区域", 40)]
DEPARTMENT_SPEC = Spec(
    "departments", "职能部门", tuple(Column(h, f"col{i}") for i, (h, _) in enumerate(DEPARTMENT_HEADERS))
)


class _ListExporter:
    """The rows of a list page's filter (its FilterSet, the same parameters) in its default order,
    within ``visible_to(user, "view")``; ``ids`` keeps only the ticked rows (批量导出)."""

    model: type
    filterset_class: type
    order: tuple[str, ...] = ("area_path", "id")
    checked_rows = True  # the filter set reads ``ids`` (批量导出, excel:export_checked)

    def __init__(self):
        self.audit_extra = {}
        self.area_path = ""

    def queryset(self, user, params):
        from jiceng.members.exporter import params_querydict

        filterset = self.filterset_class(params_querydict(params), queryset=self.model.objects.visible_to(user, "view"))
        if not filterset.is_valid():
            return self.model.objects.none()
        return filterset.qs.order_by(*self.order)

    def _note_paths(self, paths: list[str]) -> None:
        from jiceng.core.excel_jobs import common_prefix

        self.area_path = common_prefix([min(paths), max(paths)]) if paths else ""


class ResidentUnitExporter(_ListExporter):
    """驻区单位. The contact's phone is personal data: shown in full only on the units the user
    may maintain (who sees it on the edit form anyway), masked on the others."""

    label = "驻区单位"
    model = ResidentUnit
    filterset_class = ResidentUnitFilterSet

    def headers(self) -> list[str]:
        return [h for h, _ in UNIT_HEADERS]

    def write(self, user, queryset, target, progress=None) -> int:
        change = scope_for(user, UNIT_CHANGE)
        paths: list[str] = []
        fields = [
            "name",
            "kind",
            "area__name",
            "area_path",
            "party_org__name",
            "party_org__code",
            "contact_name",
            "contact_phone",
        ]
        kinds = dict(UnitKind.choices)

        def rows():
            for name, kind, area_name, path, org_name, org_code, contact, phone in queryset.values_list(
                *fields
            ).iterator(chunk_size=CHUNK):
                if not paths or path < paths[0]:
                    paths[:1] = [path]
                if len(paths) < 2 or path > paths[1]:
                    paths[1:] = [path]
                shown = phone if phone and change.covers(path) else mask_phone(phone or "")
                yield [name, kinds.get(kind, kind), area_name, path, org_name or "", org_code or "", contact, shown]

        count = write_rows(target, "驻区单位", self.headers(), rows(), [w for _, w in UNIT_HEADERS], progress=progress)
        self._note_paths(paths)
        return count


class DepartmentExporter(_ListExporter):
    """职能部门, with the names of the areas each serves (one query per chunk of rows)."""

    label = "职能部门"
    model = Department
    filterset_class = DepartmentFilterSet

    def headers(self) -> list[str]:
        return [h for h, _ in DEPARTMENT_HEADERS]

    def write(self, user, queryset, target, progress=None) -> int:
        levels = dict(DepartmentLevel.choices)
        paths: list[str] = []

        def rows():
            batch: list = []
            for row in queryset.values_list("id", "name", "level", "area__name", "area_path").iterator(
                chunk_size=CHUNK
            ):
                batch.append(row)
                if len(batch) >= CHUNK:
                    yield from convert(batch)
                    batch = []
            if batch:
                yield from convert(batch)

        def convert(batch):
            served: dict[int, list[str]] = {}
            links = Department.areas_served.through.objects.filter(department_id__in=[r[0] for r in batch])
            for department_id, area_name in links.order_by("area__code").values_list("department_id", "area__name"):
                served.setdefault(department_id, []).append(area_name)
            for pk, name, level, area_name, path in batch:
                paths.append(path)
                yield [name, levels.get(level, level), area_name, path, "、".join(served.get(pk, [])) or "全辖区"]

        count = write_rows(
            target, "职能部门", self.headers(), rows(), [w for _, w in DEPARTMENT_HEADERS], progress=progress
        )
        self._note_paths(paths)
        return count

"""Excel export of any filtered org list, scoped like the list (issue 3, item 3).

Rows are ``Org.objects.visible_to(user, "view")`` filtered by the org list's own
:class:`~jiceng.orgs.filtersets.OrgFilterSet` with the same query parameters, in code order (the
tree order). Columns: the org's code, then the import template's columns (so an edited export
can be imported elsewhere: the code and count columns are ignored there), then the counters.
Org data holds no personal information, so nothing is masked.
"""

from jiceng.core.excel import write_rows

from .filtersets import OrgFilterSet
from .importer import ORG_SPEC
from .models import Org

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

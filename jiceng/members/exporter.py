"""Excel export of any filtered member list: scoped, masked, streamed (issue 3, item 3).

The rows are those of ``Member.objects.visible_to(user, "export")`` (``members.export_member``)
filtered by the member list's own :class:`~jiceng.members.filtersets.MemberFilterSet` with the
same query parameters, so "export" always gives what the list shows. Columns are the import
template's (an export can be edited and imported elsewhere) plus the branch's and residence's
names, which the import ignores.

Masking: ID number, phone and birth date are full only where the user holds
``members.view_pii_member`` on that member; elsewhere the ID number and phone are masked
(``1****************X``, ``138****1234``) and the birth date is the year only. That is the rule
of :class:`jiceng.members.privacy.MemberPrivacy`, which reads the user's scope once and tests each
row's two paths, so 560,000 rows cost no query each. The export's single audit record counts the
rows shown in full (a full view is audited), and never holds an ID number.
"""

from django.http import QueryDict

from jiceng.core.excel import write_rows
from jiceng.core.masking import mask_birth_date, mask_id_number, mask_phone

from .filtersets import MemberFilterSet, member_key_field
from .importer import MEMBER_SPEC
from .models import Member
from .privacy import MemberPrivacy

EXTRA_HEADERS = {"org_code": "所在党支部", "residence_code": "居住地"}  # name columns after the codes
CHUNK = 5000


def params_querydict(params) -> QueryDict:
    """Stored filter params (``{name: [values]}`` or ``{name: value}``) as a QueryDict."""
    if isinstance(params, QueryDict):
        return params
    data = QueryDict(mutable=True)
    for key, value in (params or {}).items():
        data.setlist(key, [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)])
    return data


class MemberExporter:
    label = "党员"
    checked_rows = True  # the filter set reads ``ids`` (批量导出 on the roster, excel:export_checked)

    def __init__(self):
        self.audit_extra = {}
        self.area_path = ""

    def queryset(self, user, params):
        data = params_querydict(params)
        queryset = Member.objects.visible_to(user, "export")
        filterset = MemberFilterSet(data, queryset=queryset, user=user)
        # A refused search (by number, without the full-data right) exports nothing, not everything.
        filtered = filterset.qs if filterset.is_valid() else queryset.none()
        key = member_key_field(user, data)
        return filtered.order_by(key, "id")

    def headers(self) -> list[str]:
        headers = []
        for column in MEMBER_SPEC.columns:
            headers.append(column.header)
            if column.key in EXTRA_HEADERS:
                headers.append(EXTRA_HEADERS[column.key])
        return headers

    def widths(self) -> list[int]:
        widths = []
        for column in MEMBER_SPEC.columns:
            widths.append(column.width)
            if column.key in EXTRA_HEADERS:
                widths.append(18)
        return widths

    def write(self, user, queryset, target, progress=None) -> int:
        privacy = MemberPrivacy(user)
        columns = MEMBER_SPEC.columns
        keys = []
        for column in columns:
            if column.key == "org_code":
                keys += ["org_path", "org__name"]
            elif column.key == "residence_code":
                keys += ["residence_path", "residence__name"]
            else:
                keys.append(column.key)
        fields = [*keys, "area_path"]
        displays = []
        for column in columns:
            displays.append(column.display)
            if column.key in EXTRA_HEADERS:
                displays.append(None)
        id_i = keys.index("id_number")
        phone_i = keys.index("phone")
        birth_i = keys.index("birth_date")
        org_i = keys.index("org_path")
        area_i = len(keys)
        stats = {"full": 0, "masked": 0, "low": None, "high": None}

        def rows():
            for row in queryset.values_list(*fields).iterator(chunk_size=CHUNK):
                area_path, org_path = row[area_i], row[org_i]
                full = privacy.holds_paths(area_path, org_path)
                out = [d(v) if d is not None else v for d, v in zip(displays, row, strict=False)]
                if full:
                    stats["full"] += 1
                else:
                    out[id_i] = mask_id_number(out[id_i])
                    out[phone_i] = mask_phone(out[phone_i])
                    out[birth_i] = mask_birth_date(row[birth_i])
                    stats["masked"] += 1
                if stats["low"] is None or area_path < stats["low"]:
                    stats["low"] = area_path
                if stats["high"] is None or area_path > stats["high"]:
                    stats["high"] = area_path
                yield out

        count = write_rows(target, MEMBER_SPEC.title, self.headers(), rows(), self.widths(), progress=progress)
        from jiceng.core.excel_jobs import common_prefix

        self.audit_extra = {"full_pii_rows": stats["full"], "masked_rows": stats["masked"]}
        self.area_path = common_prefix([stats["low"], stats["high"]])
        return count

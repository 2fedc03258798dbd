"""Excel import of party organisations (issue 3, item 3): the template spec and the import.

Each row is one new org. Its parent is either an org already on the platform (its code) or an org
of an *earlier* row of the same file (its name, when that name is unique in the file), so a
committee and its branches can be imported together. Every row is checked first: choices, dates
(founding not in the future; term end after start, defaulting to the term rule of the type and
category, ``orgs.terms``; no term for a 临时党支部), the area code, the parent (exists, active, a
type that may hold this type — the rule of ``orgs.services.validate_parent_type``), the importer's
scope for ``orgs.add_org`` (the new org's area, or the parent's org subtree), and duplicates: the
same name under the same parent in the file or on the platform. Then codes are issued (parent code
+ 3 digits, as ``orgs.services.issue_code``) and all orgs are created in one transaction, or none.

Re-importing the same file creates nothing: every row is refused as a duplicate of the org it
created the first time (same name under the same parent).
"""

from collections import defaultdict
from types import SimpleNamespace

from django.db.models import F, Max

from jiceng.core.excel import (
    CHOICE,
    CODE,
    DATE,
    TEXT,
    Column,
    ErrorCollector,
    RowConverter,
    RowError,
    Spec,
    cell_text,
)
from jiceng.core.excel_jobs import ImportResult
from jiceng.core.importing import RowImporter
from jiceng.core.paths import is_digits
from jiceng.core.scope import scope_for
from jiceng.orgs.models import ORG_CODE_MAX, ORG_SEGMENT, Org, OrgCategory, OrgType
from jiceng.orgs.permissions import ORG_ADD
from jiceng.orgs.services import OrgError, lock_org, validate_parent_type
from jiceng.orgs.terms import APPOINTED_TYPES, default_term_end

PERMISSION = ORG_ADD

ORG_SPEC = Spec(
    key="orgs",
    title="党组织",
    columns=(
        Column("名称", "name", TEXT, required=True, max_length=120, example="示例：北安门社区第一网格党支部", width=30),
        Column("简称", "short_name", TEXT, max_length=60, example="第一网格党支部", width=16),
        Column("组织类型", "org_type", CHOICE, required=True, choices=tuple(OrgType.choices), example="branch"),
        Column("类别", "category", CHOICE, required=True, choices=tuple(OrgCategory.choices), example="grid", width=22),
        Column(
            "上级组织编码",
            "parent_ref",
            TEXT,
            max_length=120,
            example="001001",
            note="系统中已有组织的编码；或本文件前面某一行的组织名称（该名称在本文件中须唯一）。空白表示顶级党组织",
            aliases=("上级党组织编码", "上级组织"),
            width=18,
        ),
        Column(
            "所在区划编码",
            "area_code",
            CODE,
            required=True,
            max_length=21,
            example="320102002011001",
            note="组织所在的区划（社区、网格等）编码",
            width=18,
        ),
        Column("成立日期", "founded_on", DATE, example="2018-07-01", width=12),
        Column("任期开始", "term_start", DATE, example="2021-07-01", note="本届班子任期开始日期", width=12),
        Column(
            "任期届满",
            "term_end",
            DATE,
            example="2026-07-01",
            note="空白时按类别自动计算：村、社区及其网格、小区、楼栋党组织5年，其他3年",
            width=12,
        ),
    ),
    notes=(
        "组织编码由系统按上级组织自动编排（上级编码 + 3位序号），不需要填写。",
        "同一上级组织下不能有同名组织；同一文件导入两次，第二次会逐行提示重复。",
        "可以在一个文件中同时导入上级组织和下级组织：下级组织的“上级组织编码”填上级组织的名称，且上级组织所在行须在前面。",
    ),
    ignore_headers=("组织编码", "上级组织名称", "所在区划", "党员总数（含下级）", "正式党员（本级）", "下级组织数"),
)

_HEADERS = {c.key: c.header for c in ORG_SPEC.columns}
_INDEX = {c.key: i for i, c in enumerate(ORG_SPEC.columns)}


def _existing_key(org_id):
    return ("org", org_id)


def _as_parent(row) -> SimpleNamespace:
    """An org on file as read with _PARENT_FIELDS: what a row's parent check needs."""
    return SimpleNamespace(id=row[0], code=row[1], name=row[2], org_type=row[3], is_active=row[4], area_path=row[5])


_PARENT_FIELDS = ("id", "code", "name", "org_type", "is_active", "area_path")


def _on_file(code: str, taken: dict):
    """The org on file that a row duplicates; its children join ``taken`` so the row's own
    children in the file are checked against them (a second import is refused row by row)."""
    row = Org.objects.filter(code=code).values_list(*_PARENT_FIELDS).first()
    if row is None:
        return None
    for name, child_code in Org.objects.filter(parent_id=row[0]).values_list("name", "code"):
        taken[(_existing_key(row[0]), name)] = child_code
    return _as_parent(row)


class OrgImporter(RowImporter):
    """The org import's steps of the skeleton (:class:`jiceng.core.importing.RowImporter`).

    A row's plan is a dict: its data, its parent (an org on file, "parent", or an earlier row of
    the file, "parent_plan", or neither), its depth and whether it is in the importer's scope.
    """

    spec = ORG_SPEC
    object_type = "orgs.org"
    audit_action = "import_orgs"
    checking_phase = "正在检查"

    def prepare(self, reader):
        from jiceng.areas.models import Area

        converter = RowConverter(ORG_SPEC)
        converted = []
        for number, values in reader.rows():
            bad: list[RowError] = []
            converted.append((number, values, converter.convert(number, values, bad), bad))
        datas = [d for _, _, d, _ in converted]
        # Lookups, once: the orgs named as parents, the areas, the names in the file.
        code_refs = {d["parent_ref"] for d in datas if d["parent_ref"] and is_digits(d["parent_ref"])}
        self.existing = {
            row[1]: _as_parent(row) for row in Org.objects.filter(code__in=code_refs).values_list(*_PARENT_FIELDS)
        }
        area_codes = {d["area_code"] for d in datas if d["area_code"]}
        self.areas = dict(Area.objects.filter(code__in=area_codes).values_list("code", "id"))
        self.taken: dict[tuple, str] = {}  # (parent key, name) → code of the org on file
        parent_ids = [o.id for o in self.existing.values()]
        children = Org.objects.filter(parent_id__in=parent_ids).values_list("parent_id", "name", "code")
        for parent_id, name, code in children:
            self.taken[(_existing_key(parent_id), name)] = code
        if any(not d["parent_ref"] for d in datas):
            for name, code in Org.objects.filter(parent__isnull=True).values_list("name", "code"):
                self.taken[(None, name)] = code
        self.name_count: dict[str, int] = defaultdict(int)
        for d in datas:
            if d["name"]:
                self.name_count[d["name"]] += 1
        self.scope = scope_for(self.user, PERMISSION)
        self.by_name: dict[str, dict] = {}  # name → plan of the first row with it (in-file parents)
        self.seen: dict[tuple, int] = {}  # (parent key, name) → row number, for duplicates in the file
        return converted

    def check(self, row, bad: list[RowError]):
        number, values, data, converted_bad = row
        bad.extend(converted_bad)
        name, ref = data["name"], data["parent_ref"]
        plan = {
            "number": number,
            "data": data,
            "bad": False,
            "existing": None,
            "depth": ORG_SEGMENT,
            "in_scope": False,
            "parent": None,
            "parent_plan": None,
            "parent_key": None,
        }
        parent, parent_error = self._parent(plan, ref, bad) if ref else (None, False)
        if data["org_type"] and not parent_error:
            try:
                validate_parent_type(data["org_type"], parent)
            except OrgError as exc:
                bad.append(RowError(number, _HEADERS["parent_ref"], ref, exc.messages[0].rstrip("。")))
            if parent is not None and not parent.is_active:
                bad.append(RowError(number, _HEADERS["parent_ref"], ref, f"上级组织“{parent.name}”已撤销"))
        if plan["depth"] > ORG_CODE_MAX:
            bad.append(
                RowError(number, _HEADERS["parent_ref"], ref, f"组织层级过深（最多{ORG_CODE_MAX // ORG_SEGMENT}级）")
            )
        self._check_area(plan, parent, parent_error, bad)
        self._check_dates(number, values, data, bad)
        if name and not parent_error:
            self._check_duplicate(plan, name, bad)
        if name and name not in self.by_name:
            self.by_name[name] = plan
        plan["bad"] = bool(bad)
        return plan

    def _parent(self, plan: dict, ref: str, bad: list[RowError]):
        """The row's parent (an org on file or an earlier row), or an error; sets the plan's
        parent, parent key and depth. Returns ``(parent, parent_error)``."""
        number = plan["number"]
        parent = None
        if is_digits(ref):
            org = self.existing.get(ref)
            if org is None or not (self.scope.covers(org.area_path) or self.scope.covers_org(org.code)):
                bad.append(RowError(number, _HEADERS["parent_ref"], ref, "找不到该上级组织，或您无权在其下新增组织"))
                return None, True
            parent = org
        else:
            earlier = self.by_name.get(ref)
            reason = None
            if self.name_count.get(ref, 0) > 1:
                reason = f"本文件中有多个名为“{ref}”的组织，请改填系统中的上级组织编码"
            elif earlier is None:
                reason = "既不是系统中的组织编码，也不是本文件前面行中的组织名称"
            elif earlier["existing"] is not None:
                parent = earlier["existing"]  # that row duplicates an org on file: hang under it
            elif earlier["bad"]:
                reason = f"上级组织（第{earlier['number']}行）有错误"
            else:
                plan["parent_plan"] = earlier
                plan["parent_key"], plan["depth"] = ("row", earlier["number"]), earlier["depth"] + ORG_SEGMENT
                return SimpleNamespace(org_type=earlier["data"]["org_type"], name=ref, is_active=True), False
            if reason:
                bad.append(RowError(number, _HEADERS["parent_ref"], ref, reason))
                return None, True
        plan["parent"] = parent
        plan["parent_key"], plan["depth"] = _existing_key(parent.id), len(parent.code) + ORG_SEGMENT
        return parent, False

    def _check_area(self, plan: dict, parent, parent_error: bool, bad: list[RowError]) -> None:
        """The new org is the importer's if its area is, or if it sits in their org subtree."""
        area_code = plan["data"]["area_code"]
        in_scope = bool(area_code) and self.scope.covers(area_code)
        if plan["parent_plan"] is not None:
            in_scope = in_scope or plan["parent_plan"]["in_scope"]
        elif parent is not None:
            in_scope = in_scope or self.scope.covers_org(parent.code)
        plan["in_scope"] = in_scope
        if area_code:
            if area_code not in self.areas:
                bad.append(RowError(plan["number"], _HEADERS["area_code"], area_code, "区划编码不存在"))
            elif not in_scope and not parent_error:
                bad.append(
                    RowError(plan["number"], _HEADERS["area_code"], area_code, "您无权在该区划或该上级组织下新增党组织")
                )

    def _check_dates(self, number: int, values, data: dict, bad: list[RowError]) -> None:
        founded, start, end = data["founded_on"], data["term_start"], data["term_end"]

        def date_error(key, reason):
            bad.append(RowError(number, _HEADERS[key], cell_text(values[_INDEX[key]]), reason))

        if founded and founded > self.today:
            date_error("founded_on", "成立日期晚于今天")
        if start and founded and start < founded:
            date_error("term_start", "任期开始早于成立日期")
        if data["org_type"] in APPOINTED_TYPES and (start or end):
            date_error("term_start" if start else "term_end", "临时党支部由上级党组织指派，不实行任期制，不填写任期")
            return
        if start and not end and data["category"] and data["org_type"]:
            data["term_end"] = end = default_term_end(data["org_type"], data["category"], start)
        if start and end and end <= start:
            date_error("term_end", "任期届满日期必须晚于任期开始日期")
        if end and not start:
            date_error("term_start", "填写了任期届满日期，缺少任期开始日期")

    def _check_duplicate(self, plan: dict, name: str, bad: list[RowError]) -> None:
        """The same name under the same parent, earlier in the file or on the platform."""
        number = plan["number"]
        dup_key = (plan["parent_key"], name)
        first = self.seen.get(dup_key)
        if first is not None:
            bad.append(RowError(number, _HEADERS["name"], name, f"与第{first}行重复（同一上级组织下同名）"))
        elif dup_key in self.taken:
            code = self.taken[dup_key]
            bad.append(RowError(number, _HEADERS["name"], name, f"上级组织下已有同名组织（编码 {code}），不能重复导入"))
            plan["existing"] = _on_file(code, self.taken)
        else:
            self.seen[dup_key] = number

    def write(self, items: list[dict]) -> None:
        self.created = _create(items, self.areas)
        self.area_paths = {o.area_path for o in self.created}

    def audit_summary(self) -> str:
        return f"Excel 导入党组织 {len(self.created)} 个"

    def audit_after(self) -> dict:
        codes = [o.code for o in self.created[:50]]
        return {"rows": len(self.created), "file": self.filename[:200], "codes": codes}

    def done_message(self) -> str:
        return f"已导入 {len(self.created)} 个党组织。"


def import_orgs(
    user, source, *, filename: str = "", errors: ErrorCollector | None = None, progress=None, job=None, today=None
) -> ImportResult:
    """Check every row and create all the orgs in one transaction, or none."""
    importer = OrgImporter(user, filename=filename, errors=errors, progress=progress, job=job, today=today)
    return importer.run(source)


def _create(planned: list[dict], areas: dict) -> list[Org]:
    """Issue codes and create the orgs generation by generation (parents before children)."""
    parents = {p["parent"].code: p["parent"] for p in planned if p["parent"] is not None}
    for code in sorted(parents):  # in code order, as every writer locks, so no deadlock
        lock_org(Org(pk=parents[code].id))
    if any(p["parent"] is None and p["parent_plan"] is None for p in planned):
        lock_org(None)
    issuer = _CodeIssuer([o.id for o in parents.values()])
    child_counts: dict = defaultdict(int)
    for plan in planned:
        child_counts[plan["parent_plan"]["number"] if plan["parent_plan"] else None] += 1
    created_by_row: dict[int, Org] = {}
    remaining = planned
    all_created: list[Org] = []
    while remaining:
        generation, later = [], []
        for plan in remaining:
            waiting = plan["parent_plan"] is not None and plan["parent_plan"]["number"] not in created_by_row
            (later if waiting else generation).append(plan)
        remaining = later
        objects = [_new_org(plan, created_by_row, issuer, areas, child_counts) for plan in generation]
        made = Org.objects.bulk_create(objects, batch_size=1000)
        if any(o.pk is None for o in made):
            made = list(Org.objects.filter(code__in=[o.code for o in made]).order_by("code"))
        by_code = {o.code: o for o in made}
        for plan, obj in zip(generation, objects, strict=True):
            created_by_row[plan["number"]] = by_code[obj.code]
        all_created += [by_code[o.code] for o in objects]
    # Existing parents gained children.
    gained: dict[int, int] = defaultdict(int)
    for plan in planned:
        if plan["parent_plan"] is None and plan["parent"] is not None:
            gained[plan["parent"].id] += 1
    for parent_id, n in gained.items():
        Org.objects.filter(pk=parent_id).update(child_count=F("child_count") + n)
    return all_created


class _CodeIssuer:
    """Codes for new orgs: the parent's code + the next 3-digit sequence under that parent."""

    def __init__(self, parent_ids: list[int]):
        self.last = dict(
            Org.objects.filter(parent_id__in=parent_ids)
            .values("parent_id")
            .annotate(m=Max("code"))
            .values_list("parent_id", "m")
        )
        self.root_last = Org.objects.filter(parent__isnull=True).aggregate(m=Max("code"))["m"]
        self.next_seq: dict = {}

    def issue(self, parent_code: str, parent_key) -> str:
        if parent_key not in self.next_seq:
            if parent_key is None:
                previous = self.root_last
            elif parent_key[0] == "org":
                previous = self.last.get(parent_key[1])
            else:
                previous = None  # a parent created by this import has no children yet
            self.next_seq[parent_key] = int(previous[-ORG_SEGMENT:]) + 1 if previous else 1
        sequence = self.next_seq[parent_key]
        if sequence >= 10**ORG_SEGMENT:
            raise OrgError("组织编码已用完（同一上级下最多999个）。")
        self.next_seq[parent_key] = sequence + 1
        return parent_code + str(sequence).zfill(ORG_SEGMENT)


def _new_org(plan: dict, created_by_row: dict, issuer: _CodeIssuer, areas: dict, child_counts: dict) -> Org:
    data = plan["data"]
    if plan["parent_plan"] is not None:
        parent_org = created_by_row[plan["parent_plan"]["number"]]
        parent_id, parent_code = parent_org.pk, parent_org.code
    elif plan["parent"] is not None:
        parent_id, parent_code = plan["parent"].id, plan["parent"].code
    else:
        parent_id, parent_code = None, ""
    area_code = data["area_code"]
    return Org(
        code=issuer.issue(parent_code, plan["parent_key"]),
        name=data["name"],
        short_name=data["short_name"],
        org_type=data["org_type"],
        category=data["category"],
        parent_id=parent_id,
        area_id=areas[area_code],
        area_path=area_code,
        founded_on=data["founded_on"],
        term_start=data["term_start"],
        term_end=data["term_end"],
        child_count=child_counts.get(plan["number"], 0),
    )

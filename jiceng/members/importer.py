"""Excel import of the party roster (issue 3, item 3): the template spec and the import.

Every row is checked before anything is kept: the cells (dates in any accepted form, choices by
their Chinese label, yes/no), the ID number (GB 11643: check digit, birth date, 15-digit numbers
upgraded, ``x`` read as ``X``; the row's birth date and gender must agree with the number), the
branch code (exists, is a 党支部, active, and inside the importer's scope for
``members.import_member``), the residence code, duplicates within the file and against the roster,
the mobile-member fields as in ``services.create_member``, and the pipeline rules of
:func:`jiceng.members.rules.check_record`. Then all rows are written in one transaction, or none.

Re-importing the same file creates nothing: every row's ID number is already on the roster, so
every row is refused as a duplicate (the ID number is the person's identity; there is no
"update from Excel" here, which would need its own review of what changes).

Speed (issue 3, item 7; docs/benchmarks-members-import.md): lookups are loaded once (org code →
branch, area code → id, the ID numbers on file), each row becomes a tuple in table-column order,
and rows go to the database through :mod:`jiceng.core.bulk` (on PostgreSQL a writer thread streams
them into a binary COPY while later rows are still being checked; otherwise they are spooled and
written with COPY / executemany once all are good). No ORM object and no query per row. A large
file is read in chunks, the next one parsed by calamine in a background thread meanwhile; text
dates are parsed once per distinct text and ID numbers checked by :class:`IDNumberParser` (both
give exactly the results of the plain functions, see their tests).
"""

from contextlib import contextmanager, suppress
from decimal import Decimal
from operator import itemgetter

from django.core.exceptions import ImproperlyConfigured
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from jiceng.core import ethnicity
from jiceng.core.bulk import insert_fields, row_sink
from jiceng.core.excel import (
    BOOL,
    CHOICE,
    CODE,
    DATE,
    DECIMAL,
    ID_NUMBER,
    INT,
    PHONE,
    TEXT,
    Column,
    ErrorCollector,
    RowConverter,
    RowError,
    Spec,
    cell_text,
)
from jiceng.core.excel_jobs import ImportResult
from jiceng.core.ids import IDNumberError, IDNumberParser, parse_id_number
from jiceng.core.importing import RowImporter
from jiceng.core.scope import scope_for
from jiceng.members.permissions import MEMBER_IMPORT
from jiceng.orgs.models import BRANCH_TYPES, OrgType

from .models import DUES_BASE_MAX, DuesCategory, Education, Gender, Member, Status

PERMISSION = MEMBER_IMPORT
# Up to this many rows, the codes and ID numbers in the file are looked up with IN (...);
# above it, all codes and ID numbers on file are loaded once (cheaper than huge IN lists).
PRESCAN_ROWS = 5000
PROGRESS_EVERY = 1000

MEMBER_SPEC = Spec(
    key="members",
    title="党员",
    columns=(
        Column("姓名", "name", TEXT, required=True, max_length=50, example="示例：张三", width=10),
        Column(
            "性别",
            "gender",
            CHOICE,
            choices=tuple(Gender.choices),
            example="F",
            note="可不填，按身份证号第17位自动确定；填写时须与身份证号一致",
            width=6,
        ),
        Column(
            "民族",
            "ethnicity",
            CHOICE,
            choices=tuple(ethnicity.CHOICES),
            choice_aliases=tuple(ethnicity.ALIASES.items()),
            choice_error=ethnicity.ERROR,
            default=ethnicity.DEFAULT,
            example="汉族",
            note="按国家标准 GB/T 3304 的民族名称；空白按“汉族”；“蒙古”等省略“族”字的写法按“蒙古族”",
            width=8,
        ),
        Column(
            "出生日期",
            "birth_date",
            DATE,
            example="1949-12-31",
            note="可不填，按身份证号自动确定；填写时须与身份证号一致",
            width=12,
        ),
        Column(
            "公民身份号码",
            "id_number",
            ID_NUMBER,
            required=True,
            example="11010519491231002X",
            aliases=("身份证号", "身份证号码", "身份证", "公民身份证号码"),
            width=21,
        ),
        Column("手机号", "phone", PHONE, example="13812341234", aliases=("手机", "手机号码", "联系电话"), width=14),
        Column("学历", "education", CHOICE, choices=tuple(Education.choices), example="bachelor", width=11),
        Column(
            "状态",
            "status",
            CHOICE,
            required=True,
            choices=tuple(Status.choices),
            example="full",
            note="入党申请人、积极分子、发展对象、预备党员、正式党员，或出党、停止党籍、死亡",
            aliases=("人员类别", "党员状态"),
            width=12,
        ),
        Column("申请入党日期", "application_date", DATE, example="1975-03-01", width=12),
        Column("谈话日期", "talk_date", DATE, example="1975-03-20", note="2014年6月以后申请的须填写", width=12),
        Column("确定积极分子日期", "activist_date", DATE, example="1975-06-01", width=12),
        Column("确定发展对象日期", "candidate_date", DATE, example="1976-07-01", width=12),
        Column("集中培训学时", "training_hours", INT, min_value=0, max_value=2000, default=0, example=24, width=8),
        Column(
            "接收预备党员日期",
            "admission_date",
            DATE,
            example="1976-09-01",
            note="支部大会通过接收为预备党员的日期",
            aliases=("支部大会通过日期", "入党日期"),
            width=12,
        ),
        Column("上级党委审批日期", "approval_date", DATE, example="1976-10-15", width=12),
        Column(
            "审批期限延长",
            "approval_extended",
            BOOL,
            example=False,
            note="因特殊情况审批超过3个月（最长6个月）的填“是”",
            width=8,
        ),
        Column("延长预备期至", "probation_extended_to", DATE, width=12),
        Column("转正日期", "full_member_date", DATE, example="1977-09-01", width=12),
        Column(
            "出党/停止党籍/去世日期",
            "exit_date",
            DATE,
            note="状态为出党、停止党籍或死亡时填写",
            aliases=("出党日期", "去世日期"),
            width=12,
        ),
        Column(
            "所在党支部编码",
            "org_code",
            CODE,
            required=True,
            max_length=48,
            example="001001001",
            note="系统中的党组织编码（在“党组织”页面查看），须是党支部、联合党支部或临时党支部",
            aliases=("党支部编码", "组织编码"),
            width=18,
        ),
        Column(
            "居住地区划编码",
            "residence_code",
            CODE,
            max_length=21,
            example="320102002011001",
            note="社区、网格或楼栋的区划编码",
            width=18,
        ),
        Column("工作单位", "workplace", TEXT, max_length=120, example="南京市玄武区某某公司", width=20),
        Column("在职", "is_employed", BOOL, example=True, width=6),
        Column("党员中心户", "is_center_household", BOOL, example=False, width=8),
        Column("流动党员", "is_mobile", BOOL, example=False, width=8),
        Column("流入地", "mobile_place", TEXT, max_length=120, note="流动党员须填写", width=14),
        Column("外出日期", "mobile_since", DATE, note="流动党员须填写", width=12),
        Column(
            "党费类别",
            "dues_category",
            CHOICE,
            choices=tuple(DuesCategory.choices),
            default=DuesCategory.EMPLOYED.value,
            example="employed",
            note="空白按“在职”",
            width=10,
        ),
        Column(
            "党费基数",
            "dues_base",
            DECIMAL,
            min_value=0,
            max_value=DUES_BASE_MAX,
            default=Decimal("0.00"),
            example=5000,
            note="每月税后固定收入（元）",
            width=10,
        ),
    ),
    notes=(
        "公民身份号码是每位党员的唯一标识：已在系统中登记的号码不能再次导入（同一文件导入两次，第二次会逐行提示不能导入）；党组织关系的变动请办理组织关系转接。",
        "“所在党支部编码”“居住地区划编码”请在系统中查询后填写；只能导入到您有权管理的党组织。",
        "各项日期须符合发展党员程序（年满18岁、谈话期限、积极分子培养一年以上、集中培训学时、审批期限、预备期一年等）。",
    ),
    ignore_headers=("所在党支部", "居住地"),
)

_FIELD_HEADERS = {c.key: c.header for c in MEMBER_SPEC.columns}
_FIELD_HEADERS.update({"org": "所在党支部编码", "residence": "居住地区划编码"})
_COLUMN_INDEX = {c.key: i for i, c in enumerate(MEMBER_SPEC.columns)}
_ORG_I, _AREA_I, _ID_I = _COLUMN_INDEX["org_code"], _COLUMN_INDEX["residence_code"], _COLUMN_INDEX["id_number"]
_GENDER_LABEL = dict(Gender.choices)
# The same answer whether the number is on the importer's own roster or in another district's: the
# importer learns neither where the person is nor whether they are a member at all (issue 13).
_ON_FILE = "该行不能导入。如需将此人的党组织关系转入，请由其现所在党组织发起组织关系转接。"


class _Lookups:
    """Everything the rows are checked against, loaded once per import."""

    def __init__(self, user, codes_orgs=None, codes_areas=None, id_numbers=None):
        from jiceng.areas.models import Area
        from jiceng.orgs.models import Org

        scope = scope_for(user, PERMISSION)
        orgs = Org.objects.order_by()
        if codes_orgs is not None:
            orgs = orgs.filter(code__in=codes_orgs)
        # code → (id, code, area_path, org_type, is_active, name)
        self.orgs = {
            row[1]: row for row in orgs.values_list("id", "code", "area_path", "org_type", "is_active", "name")
        }
        areas = Area.objects.order_by()
        if codes_areas is not None:
            areas = areas.filter(code__in=codes_areas)
        self.areas = dict(areas.values_list("code", "id"))
        taken = Member.objects.order_by()
        if id_numbers is not None:
            taken = taken.filter(id_number__in=id_numbers)
        self.taken = set(taken.values_list("id_number", flat=True))
        self.scope = scope
        self.checked_orgs: dict[str, tuple | str] = {}

    def org(self, code: str):
        """(id, code, area_path) of a branch the user may import into, or the reason it is refused."""
        cached = self.checked_orgs.get(code)
        if cached is not None:
            return cached
        row = self.orgs.get(code)
        scope = self.scope
        if row is None or not (scope.covers(row[2]) or scope.covers_org(row[1])):
            result = "找不到该党组织，或您无权向其导入党员"
        elif row[3] not in BRANCH_TYPES:
            result = f"“{row[5]}”是{OrgType(row[3]).label}，党员组织关系应在党支部（含联合党支部、临时党支部）"
        elif not row[4]:
            result = f"“{row[5]}”已撤销"
        else:
            result = (row[0], row[1], row[2])
        self.checked_orgs[code] = result
        return result


def _prescan(rows):
    """Codes and normalised ID numbers used by a small file (for targeted lookups)."""
    org_i, area_i, id_i = _ORG_I, _AREA_I, _ID_I
    orgs, areas, ids = set(), set(), set()
    for _, values in rows:
        orgs.add(cell_text(values[org_i]).strip())
        areas.add(cell_text(values[area_i]).strip())
        raw = values[id_i]
        with suppress(IDNumberError):
            ids.add(parse_id_number(raw if isinstance(raw, str) else cell_text(raw)).number)
    return orgs, areas, ids


def _row_layout():
    """Table columns in order, and for each the constant every imported row gets (if any)."""
    fields = insert_fields(Member)
    produced = {
        *(c.key for c in MEMBER_SPEC.columns),
        "id_last4",
        "org_id",
        "org_path",
        "area_path",
        "residence_id",
        "residence_path",
        "created_at",
        "updated_at",
    }
    constants = {}
    for f in fields:
        if f.attname in produced:
            continue
        if f.default is not NOT_PROVIDED:
            constants[f.attname] = f.get_default()
        elif f.null:
            constants[f.attname] = None
        else:
            raise ImproperlyConfigured(f"Member.{f.attname} has no default; the Excel import must fill it")
    return fields, constants


class MemberImporter(RowImporter):
    """The member roster's steps of the import skeleton (:class:`jiceng.core.importing.RowImporter`)."""

    spec = MEMBER_SPEC
    object_type = "members.member"
    audit_action = "import_members"
    checking_phase = "正在检查并写入"
    writing_phase = "正在写入数据库并更新组织党员数"
    conflict_message = "写入时发现与他人同时登记的记录冲突（如同一身份证号），整个文件未导入，请重新上传。"
    max_rows_rule = "members.import_max_rows"

    def __init__(self, user, *, stream: bool | None = None, **kwargs):
        super().__init__(user, **kwargs)
        self.stream = stream
        self.touched_orgs: set[int] = set()
        self.progress_every = PROGRESS_EVERY

    def prepare(self, reader):
        rows = reader.rows()
        if reader.total <= PRESCAN_ROWS:
            rows = list(rows)
            lookups = _Lookups(self.user, *_prescan(rows))
        else:
            lookups = _Lookups(self.user)
        from jiceng.members.rules import check_record

        self.check_record = check_record
        self.fields, constants = _row_layout()
        self.to_tuple = itemgetter(*(f.attname for f in self.fields))
        self.convert = RowConverter(MEMBER_SPEC).convert
        self.parse_id = IDNumberParser(self.today)
        now = timezone.now()
        # Every row names the job that wrote it: the member page shows "Excel 导入" (who, when,
        # which file) from it, instead of the import writing a history row per member.
        job = self.job
        constants.update(created_at=now, updated_at=now, import_job_id=job.pk if job is not None else None)
        self.constants = constants
        self.seen: dict[str, int] = {}
        self.taken = lookups.taken
        self.areas = lookups.areas
        self.org_of = lookups.org
        self.orgs_checked = lookups.checked_orgs  # what org_of found for each code so far
        return rows

    @contextmanager
    def batch(self, reader):
        stream = self.stream
        if stream is None:
            stream = reader.total > PRESCAN_ROWS  # a writer thread pays off only for large files
        with row_sink(Member, self.fields, stream=stream, binary=True) as sink:
            yield sink

    def check(self, row, bad: list[RowError]):
        number, values = row
        data = self.convert(number, values, bad, dict(self.constants))
        birth_from_bad_id = self._check_id(number, values, data, bad) if data["id_number"] else False
        self._check_place(number, values, data, bad)
        if data["is_mobile"]:
            if not data["mobile_place"]:
                bad.append(RowError(number, _FIELD_HEADERS["mobile_place"], "", "流动党员须填写流入地"))
            if data["mobile_since"] is None:
                bad.append(RowError(number, _FIELD_HEADERS["mobile_since"], "", "流动党员须填写外出日期"))
        else:
            data["mobile_place"], data["mobile_since"] = "", None
        problems = self.check_record(data, self.today)
        if problems:
            self._report_rules(number, values, problems, bad, birth_from_bad_id)
        if bad:
            return None
        self.touched_orgs.add(data["org_id"])
        self.area_paths.add(data["area_path"])
        return self.to_tuple(data)

    def _check_id(self, number: int, values, data: dict, bad: list[RowError]) -> bool:
        """The ID number, and the birth date and gender the row gives. True when the number is
        wrong and the birth date was left to it (its absence is then the same error)."""
        raw_id = data["id_number"]
        try:
            info = self.parse_id(raw_id)
        except IDNumberError as exc:
            bad.append(RowError(number, _FIELD_HEADERS["id_number"], cell_text(values[_ID_I]), str(exc)))
            return data["birth_date"] is None
        id_number = info.number
        data["id_number"] = id_number
        data["id_last4"] = id_number[-4:]
        # A blank cell takes what the number says; a filled one must agree with it.
        for field, derived, mismatch in (
            ("birth_date", info.birth_date, f"出生日期与身份证号不符（身份证号中为{info.birth_date:%Y-%m-%d}）"),
            ("gender", info.gender, f"性别与身份证号不符（身份证号第17位表示{_GENDER_LABEL[info.gender]}）"),
        ):
            given = data[field]
            if given is None or given == "":
                data[field] = derived
            elif given != derived:
                bad.append(RowError(number, _FIELD_HEADERS[field], cell_text(values[_COLUMN_INDEX[field]]), mismatch))
        first = self.seen.get(id_number)
        if first is not None:
            bad.append(RowError(number, _FIELD_HEADERS["id_number"], raw_id, f"与第{first}行的公民身份号码重复"))
        else:
            self.seen[id_number] = number
            if id_number in self.taken:
                bad.append(RowError(number, _FIELD_HEADERS["id_number"], raw_id, _ON_FILE))
        return False

    def _check_place(self, number: int, values, data: dict, bad: list[RowError]) -> None:
        """The branch (inside the importer's scope) and the residence."""
        org_code = data.pop("org_code")
        if org_code:
            org = self.orgs_checked.get(org_code) or self.org_of(org_code)
            if org.__class__ is str:
                bad.append(RowError(number, _FIELD_HEADERS["org"], cell_text(values[_ORG_I]), org))
            else:
                data["org_id"], data["org_path"], data["area_path"] = org
        residence_code = data.pop("residence_code")
        if residence_code:
            area_id = self.areas.get(residence_code)
            if area_id is None:
                bad.append(RowError(number, _FIELD_HEADERS["residence"], cell_text(values[_AREA_I]), "区划编码不存在"))
            data["residence_id"] = area_id
            data["residence_path"] = residence_code
        else:
            data["residence_id"] = None
            data["residence_path"] = ""

    @staticmethod
    def _report_rules(number: int, values, problems, bad: list[RowError], birth_from_bad_id: bool) -> None:
        """The pipeline rules' findings; a cell already reported is not reported again."""
        reported = {e.column for e in bad}
        if birth_from_bad_id:
            reported.add(_FIELD_HEADERS["birth_date"])
        for field, reason in problems:
            column = _FIELD_HEADERS.get(field, "")
            if column in reported:
                continue
            i = _COLUMN_INDEX.get(field)
            bad.append(RowError(number, column, cell_text(values[i]) if i is not None else "", reason))

    def after_write(self) -> None:
        # Runs in the sink's transaction (on PostgreSQL: in its writer thread).
        from jiceng.orgs.services import refresh_member_counts

        refresh_member_counts(sorted(self.touched_orgs))
        from django.db import transaction

        from jiceng.members import stats
        from jiceng.members.tasks import rebuild_member_stats
        from jiceng.orgs.services import FULL_REFRESH_THRESHOLD

        if len(self.touched_orgs) > FULL_REFRESH_THRESHOLD:
            # A city-wide import: the statistics are rebuilt by a task once it is committed (a
            # rebuild here would hold the import's transaction for as long again).
            transaction.on_commit(lambda: rebuild_member_stats.enqueue())
        else:
            stats.refresh(self.touched_orgs)

    def audit_summary(self) -> str:
        return f"Excel 导入党员 {self.count} 人"

    def audit_after(self) -> dict:
        return {"rows": self.count, "file": self.filename[:200], "orgs": len(self.touched_orgs)}

    def done_message(self) -> str:
        return f"已导入 {self.count} 名党员。"


def import_members(
    user,
    source,
    *,
    filename: str = "",
    errors: ErrorCollector | None = None,
    progress=None,
    job=None,
    today=None,
    stream: bool | None = None,
) -> ImportResult:
    """Check every row of ``source`` (a path or file object) and import all of them, or none.

    ``errors`` collects every bad cell (and writes the xlsx report if it has a path);
    ``progress(done)`` is told how far the check has got; ``job`` (an ExcelJob) is marked done in
    the same transaction as the rows, and every row records it (``Member.import_job``). Returns
    the counts; nothing is written if any row is bad.
    """
    importer = MemberImporter(
        user, filename=filename, errors=errors, progress=progress, job=job, today=today, stream=stream
    )
    return importer.run(source)

"""Excel import of members: every row checked, all or nothing, every bad row reported, jobs."""

import io
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiceng.accounts.models import AuditLog
from jiceng.core.excel import ErrorCollector
from jiceng.core.excel_jobs import start_import
from jiceng.core.ids import upgrade_15
from jiceng.core.models import ExcelJob
from jiceng.core.tasks import run_excel_job
from jiceng.members import importer
from jiceng.members.importer import MEMBER_SPEC, import_members
from jiceng.members.models import Member

from . import conftest_import
from .conftest_import import applicant_row, import_now, make_id, member_row, workbook_bytes, write_big

xl_orgs = conftest_import.xl_orgs  # the fixtures
xl_media = conftest_import.xl_media

pytestmark = pytest.mark.django_db


def run(user, source, **kwargs):
    errors = ErrorCollector()
    result = import_members(user, source, errors=errors, **kwargs)
    return result, errors


def reasons(errors):
    return [(e.row, e.column, e.reason) for e in errors.preview]


# --------------------------------------------------------------------------- good files


def test_a_good_file_imports_every_row(superuser, xl_orgs, tree):
    b1 = xl_orgs.branch1
    old_id = "320102800109123"  # 15 digits (1980-01-09), upgraded to 18
    rows = [
        member_row(b1.code, 姓名="张三", 公民身份号码="11010519491231002x", 出生日期=date(1949, 12, 31), 性别="女"),
        member_row(
            b1.code,
            姓名="李四",
            公民身份号码=old_id,
            居住地区划编码=tree.building.code,
            党员中心户="是",
            流动党员="是",
            流入地="广东省深圳市",
            外出日期="2023/5/1",
        ),
        applicant_row(xl_orgs.branch2.code, 姓名="王五"),
    ]
    result, errors = run(superuser, workbook_bytes(rows))
    assert result.ok, reasons(errors)
    assert (result.created, result.total) == (3, 3)

    zhang = Member.objects.get(name="张三")
    assert zhang.id_number == "11010519491231002X"
    assert zhang.id_last4 == "002X"
    assert (zhang.gender, zhang.birth_date) == ("F", date(1949, 12, 31))
    assert (zhang.org_id, zhang.org_path, zhang.area_path) == (b1.pk, b1.code, tree.grid1.code)
    assert zhang.status == "full" and zhang.full_member_date == date(2017, 9, 1)
    assert zhang.education == "bachelor" and zhang.dues_base == Decimal("5400.00") and zhang.is_employed
    assert zhang.ethnicity == "汉族"  # blank → the default

    li = Member.objects.get(name="李四")
    assert li.id_number == upgrade_15(old_id) and li.id_number.startswith("32010219800109123")
    assert li.birth_date == date(1980, 1, 9) and li.gender == "M"
    assert (li.residence_id, li.residence_path) == (tree.building.pk, tree.building.code)
    assert li.is_center_household and li.is_mobile and li.mobile_since == date(2023, 5, 1)

    wang = Member.objects.get(name="王五")
    assert wang.status == "applicant" and wang.gender == "M"  # from the ID's 17th digit

    b1.refresh_from_db()
    assert b1.full_members == 2  # counters refreshed for the orgs touched
    xl_orgs.beianmen.refresh_from_db()
    assert xl_orgs.beianmen.total_members == 2

    audits = AuditLog.objects.filter(action="import_members")
    assert audits.count() == 1  # one summary record per import
    record = audits.get()
    assert record.after["rows"] == 3
    text = str(record.after) + record.object_repr
    assert "11010519491231002X" not in text and "002X" not in text


@pytest.mark.parametrize(
    "written",
    ["2024-01-05", "2024/1/5", "2024年1月5日", "2024.1.5", date(2024, 1, 5), 45296],
    ids=["iso", "slash", "chinese", "dots", "date-cell", "serial"],
)
def test_each_date_format(superuser, xl_orgs, written):
    row = applicant_row(xl_orgs.branch1.code, 申请入党日期=written)
    result, errors = run(superuser, workbook_bytes([row]))
    assert result.ok, reasons(errors)
    assert Member.objects.get().application_date == date(2024, 1, 5)


def test_the_template_example_row_is_ignored(superuser, xl_orgs):
    example = {c.header: c.display(c.example) for c in MEMBER_SPEC.columns}
    rows = [example, applicant_row(xl_orgs.branch1.code)]
    result, errors = run(superuser, workbook_bytes(rows, headers=MEMBER_SPEC.headers))
    assert result.ok, reasons(errors)
    assert result.created == 1


# --------------------------------------------------------------------------- bad rows


def test_one_bad_row_among_10000_writes_nothing(superuser, xl_orgs, tmp_path):
    code = xl_orgs.branch1.code
    rows = [
        applicant_row(code, 公民身份号码=make_id(date(1990, 1, 1) + timedelta(days=i // 999), seq=i % 999))
        for i in range(10_000)
    ]
    good_id = rows[6000]["公民身份号码"]
    bad_id = good_id[:17] + ("0" if good_id[17] != "0" else "1")  # wrong check digit
    rows[6000]["公民身份号码"] = bad_id
    path = tmp_path / "big.xlsx"
    write_big(path, rows)
    errors = ErrorCollector(tmp_path / "errors.xlsx")
    result = import_members(superuser, path, errors=errors)

    assert not result.ok
    assert result.created == 0 and result.total == 10_000
    assert Member.objects.count() == 0  # all or nothing
    assert errors.count == 1 and errors.bad_rows == 1, [str(e) for e in errors.preview]
    error = errors.preview[0]
    assert (error.row, error.column, error.value) == (6002, "公民身份号码", bad_id)  # header is row 1
    assert "校验码" in error.reason
    report = errors.close()
    sheet = openpyxl.load_workbook(report).active
    assert [c.value for c in sheet[1]] == ["行号", "列", "值", "原因"]
    assert [c.value for c in sheet[2]][:3] == [6002, "公民身份号码", bad_id]


def test_id_number_checks(superuser, xl_orgs):
    code = xl_orgs.branch1.code
    good = make_id(date(1985, 6, 15), seq=123)
    rows = [
        applicant_row(code, 公民身份号码=good.lower()),  # row 2: fine
        applicant_row(code, 公民身份号码=good[:17] + ("1" if good[17] != "1" else "2")),  # 3: check digit
        applicant_row(code, 公民身份号码="32010219990230123X"),  # 4: 30 February
        applicant_row(code, 公民身份号码="3201021999023"),  # 5: length
        applicant_row(code, 公民身份号码=make_id(date(1985, 6, 15), seq=125), 出生日期="1985-06-16"),  # 6
        applicant_row(code, 公民身份号码=make_id(date(1985, 6, 15), seq=127), 性别="女"),  # 7: odd = male
        applicant_row(code, 公民身份号码=1.1010519491231002e17),  # 8: typed as a number
    ]
    result, errors = run(superuser, workbook_bytes(rows))
    assert not result.ok
    found = {(e.row, e.column): e.reason for e in errors.preview}
    assert 2 not in {row for row, _ in found}
    assert "校验码" in found[(3, "公民身份号码")]
    assert "出生日期" in found[(4, "公民身份号码")]
    assert "18位" in found[(5, "公民身份号码")]
    assert found[(6, "出生日期")] == "出生日期与身份证号不符（身份证号中为1985-06-15）"
    assert found[(7, "性别")] == "性别与身份证号不符（身份证号第17位表示男）"
    assert "文本" in found[(8, "公民身份号码")]
    assert Member.objects.count() == 0


def test_dues_base_out_of_range_is_a_row_error(superuser, xl_orgs):
    """``-1e308`` used to raise inside the decimal context ("系统内部错误"); anything the column
    (numeric(10, 2)) cannot hold is the row's error, as a number cell and as text."""
    code = xl_orgs.branch1.code
    values = [-1e308, "-1e308", 1e308, "1E+400", 100000000, "1e-400", "NaN", "99999999.99"]
    rows = [member_row(code, 公民身份号码=make_id(seq=301 + 2 * i), 党费基数=v) for i, v in enumerate(values)]
    result, errors = run(superuser, workbook_bytes(rows))
    found = {e.row: e.reason for e in errors.preview if e.column == "党费基数"}
    assert found == {
        2: "数值过大",
        3: "数值过大",
        4: "数值过大",
        5: "数值过大",
        6: "不能大于99999999.99",
        7: "最多2位小数",
        8: "应为数字",
    }
    assert not result.ok and Member.objects.count() == 0


def test_codes_scope_and_branch_type(users, xl_orgs, tree):
    rows = [
        applicant_row("009009"),  # 2: no such org
        applicant_row(xl_orgs.gongyuan_branch.code),  # 3: another community's branch
        applicant_row(xl_orgs.beianmen.code),  # 4: a committee, not a branch
        applicant_row(xl_orgs.branch1.code, 居住地区划编码="320102002011999"),  # 5: no such area
        applicant_row(xl_orgs.branch1.code, 居住地区划编码=tree.grid2.code),  # 6: fine
    ]
    result, errors = run(users.community, workbook_bytes(rows))
    found = {(e.row, e.column): e.reason for e in errors.preview}
    assert found[(2, "所在党支部编码")] == "找不到该党组织，或您无权向其导入党员"
    assert found[(3, "所在党支部编码")] == "找不到该党组织，或您无权向其导入党员"  # no leak of existence
    assert "党员组织关系应在党支部" in found[(4, "所在党支部编码")]
    assert found[(5, "居住地区划编码")] == "区划编码不存在"
    assert 6 not in {row for row, _ in found}
    assert not result.ok and Member.objects.count() == 0


def test_duplicates_within_the_file(superuser, xl_orgs):
    code = xl_orgs.branch1.code
    upgraded = "110105491231002"
    rows = [
        applicant_row(code, 公民身份号码=upgraded),
        applicant_row(code),
        applicant_row(code, 公民身份号码="11010519491231002X"),  # the same person as row 2
    ]
    _, errors = run(superuser, workbook_bytes(rows))
    assert reasons(errors) == [(4, "公民身份号码", "与第2行的公民身份号码重复")]


def test_pipeline_rules_from_check_record(superuser, xl_orgs):
    code = xl_orgs.branch1.code
    rows = [
        applicant_row(code, 公民身份号码=make_id(date(2008, 1, 1)), 申请入党日期=date(2024, 3, 1)),  # 16 years old
        member_row(code, 转正日期=None),  # full member without full-membership date
        member_row(code, 确定发展对象日期=date(2015, 12, 1)),  # activist for less than a year
        member_row(code, 流动党员="是"),  # mobile without place and date
        member_row(code, 申请入党日期="2015-02-30"),  # bad cell: reported once, not again by the rules
    ]
    _, errors = run(superuser, workbook_bytes(rows))
    found = {}
    for e in errors.preview:
        found.setdefault((e.row, e.column), []).append(e.reason)
    assert any("18" in r for r in found[(2, "申请入党日期")])
    assert any("转正日期" in r for r in found[(3, "转正日期")])
    assert (4, "确定发展对象日期") in found
    assert found[(5, "流入地")] == ["流动党员须填写流入地"]
    assert found[(5, "外出日期")] == ["流动党员须填写外出日期"]
    assert found[(6, "申请入党日期")] == ["日期“2015-02-30”不存在"]
    assert Member.objects.count() == 0


def test_wrong_headers_empty_and_not_excel(superuser, xl_orgs):
    wrong = workbook_bytes([{"名字": "张三", "身份证": "x"}], headers=["名字", "身份证"])
    result, errors = run(superuser, wrong)
    assert not result.ok and "缺少必填列：姓名、状态、所在党支部编码；无法识别的列：名字" in result.message
    assert {e.column for e in errors.preview} == {"姓名", "状态", "所在党支部编码", "名字"}

    result, errors = run(superuser, io.BytesIO(b""))
    assert not result.ok and "空的" in result.message and errors.count == 1

    header_only = workbook_bytes([], headers=MEMBER_SPEC.headers)
    result, _ = run(superuser, header_only)
    assert not result.ok and "没有数据行" in result.message

    text = io.BytesIO("姓名,公民身份号码\n张三,1\n".encode())
    result, _ = run(superuser, text, filename="members.csv")
    assert not result.ok and "只支持 Excel 文件" in result.message
    assert Member.objects.count() == 0


def test_two_imports_of_the_same_file_create_no_duplicates(superuser, xl_orgs):
    rows = [member_row(xl_orgs.branch1.code), applicant_row(xl_orgs.branch2.code)]
    data = workbook_bytes(rows).getvalue()
    first, _ = run(superuser, io.BytesIO(data))
    assert first.ok and first.created == 2
    second, errors = run(superuser, io.BytesIO(data))
    assert not second.ok and second.created == 0
    assert [(e.row, e.column) for e in errors.preview] == [(2, "公民身份号码"), (3, "公民身份号码")]
    assert all("组织关系转接" in e.reason for e in errors.preview)
    assert Member.objects.count() == 2


def test_large_files_load_the_lookups_once(superuser, xl_orgs, monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(importer, "PRESCAN_ROWS", 2)
    rows = [applicant_row(xl_orgs.branch1.code) for _ in range(30)]
    source = workbook_bytes(rows)
    with django_assert_max_num_queries(40):  # independent of the row count
        result, errors = run(superuser, source)
    assert result.ok, reasons(errors)
    assert Member.objects.count() == 30


def test_progress_is_reported_while_checking(superuser, xl_orgs, monkeypatch):
    monkeypatch.setattr(importer, "PROGRESS_EVERY", 5)
    calls = []

    class Recorder:
        def start(self, total, phase=""):
            calls.append(("start", total, phase))

        def __call__(self, done, phase=None, force=False):
            calls.append(("done", done, phase))

    rows = [applicant_row(xl_orgs.branch1.code) for _ in range(12)]
    result, _ = run(superuser, workbook_bytes(rows), progress=Recorder())
    assert result.ok
    assert ("start", 12, "正在检查并写入") in calls
    done = [c[1] for c in calls if c[0] == "done"]
    assert done[:2] == [5, 10] and done[-1] == 12


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_writer_thread_streams_into_copy(superuser, xl_orgs, monkeypatch):
    """Outside a transaction PostgreSQL imports stream through a writer thread with its own
    connection; a bad row later in the file, or a clash at write time, leaves nothing behind."""
    code = xl_orgs.branch1.code
    rows = [applicant_row(code) for _ in range(50)]
    result, errors = run(superuser, workbook_bytes(rows), stream=True)
    assert result.ok, reasons(errors)
    assert Member.objects.count() == 50
    xl_orgs.branch1.refresh_from_db()
    assert AuditLog.objects.filter(action="import_members").count() == 1

    late_bad = [applicant_row(code) for _ in range(30)] + [applicant_row(code, 公民身份号码="123")]
    result, errors = run(superuser, workbook_bytes(late_bad), stream=True)
    assert not result.ok and errors.count == 1
    assert Member.objects.count() == 50

    # Someone registers one of the numbers after the check: the unique index refuses it at write.
    monkeypatch.setattr(importer._Lookups, "__init__", _lookups_without_taken(importer._Lookups.__init__))
    clash = [applicant_row(code) for _ in range(5)] + [rows[0]]
    result, errors = run(superuser, workbook_bytes(clash), stream=True)
    assert not result.ok and "冲突" in result.message
    assert Member.objects.count() == 50


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("segment_rows", [7, 50_000])
def test_foreign_keys_are_checked_between_copy_segments(superuser, xl_orgs, monkeypatch, segment_rows):
    """The writer ends its COPY every ``segment_rows`` rows and has PostgreSQL check the deferred
    foreign keys of the rows so far; every row is still checked, and a row whose branch vanished
    after the check (here: an id that was never there) writes nothing, in any segment."""
    from jiceng.core.bulk import ThreadedCopySink

    monkeypatch.setattr(ThreadedCopySink, "segment_rows", segment_rows)
    monkeypatch.setattr(ThreadedCopySink, "batch_size", 3)
    code = xl_orgs.branch1.code
    rows = [applicant_row(code) for _ in range(40)]
    result, errors = run(superuser, workbook_bytes(rows), stream=True)
    assert result.ok, reasons(errors)
    assert Member.objects.count() == 40

    org = importer._Lookups.org

    def vanished(self, code):
        found = org(self, code)
        return found if isinstance(found, str) else (10**9, *found[1:])

    monkeypatch.setattr(importer._Lookups, "org", vanished)
    result, errors = run(superuser, workbook_bytes([applicant_row(code) for _ in range(30)]), stream=True)
    assert not result.ok and "冲突" in result.message
    assert Member.objects.count() == 40


def _lookups_without_taken(init):
    def patched(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.taken = set()

    return patched


def test_spool_path_matches_copy_path(superuser, xl_orgs):
    rows = [member_row(xl_orgs.branch1.code), applicant_row(xl_orgs.branch1.code)]
    result, errors = run(superuser, workbook_bytes(rows), stream=False)
    assert result.ok, reasons(errors)
    member = Member.objects.get(status="full")
    assert member.dues_base == Decimal("5400.00") and member.approval_date == date(2016, 10, 15)


# --------------------------------------------------------------------------- jobs


def upload(rows, name="党员.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook_bytes(rows).getvalue())


def test_the_upload_is_only_stored_and_queued(users, xl_orgs, django_capture_on_commit_callbacks, monkeypatch):
    """However small the file, the web request does not open it: the worker does."""
    from jiceng.core.excel import reading

    def no_reading(*args, **kwargs):
        raise AssertionError("the upload was opened in the web request")

    monkeypatch.setattr(reading, "check_excel_file", no_reading)
    monkeypatch.setattr(reading.XlsxChunker, "__init__", no_reading)
    with django_capture_on_commit_callbacks() as callbacks:
        job = start_import(users.community, "members", upload([applicant_row(xl_orgs.branch1.code)]))
    assert (job.status, job.in_worker, job.phase) == (ExcelJob.Status.PENDING, True, "排队等待后台处理")
    assert job.file and job.sha256
    assert len(callbacks) == 1  # enqueued on commit
    assert Member.objects.count() == 0
    monkeypatch.undo()

    assert run_excel_job.call(job.pk) == ExcelJob.Status.SUCCEEDED  # what the worker runs
    job.refresh_from_db()
    assert (job.total_rows, job.done_rows, job.created_rows, job.percent) == (1, 1, 1, 100)
    assert job.started_at and job.finished_at
    assert "已导入 1 名党员" in job.message
    assert job.scope_note == "北安门社区"
    assert AuditLog.objects.filter(action="import_members", object_id=f"excel:{job.pk}").count() == 1
    assert Member.objects.count() == 1
    assert run_excel_job.call(job.pk) == "skipped"  # idempotent
    assert Member.objects.count() == 1


def test_a_larger_import_in_the_worker(users, xl_orgs):
    rows = [applicant_row(xl_orgs.branch1.code) for _ in range(20)]
    job = import_now(users.community, upload(rows))
    assert (job.status, job.total_rows, job.done_rows, job.created_rows) == (ExcelJob.Status.SUCCEEDED, 20, 20, 20)
    assert Member.objects.count() == 20


def test_a_rejected_job_keeps_the_error_report(users, xl_orgs):
    rows = [applicant_row(xl_orgs.branch1.code), applicant_row(xl_orgs.branch1.code, 状态="党员")]
    job = import_now(users.community, upload(rows))
    assert job.status == ExcelJob.Status.REJECTED
    assert (job.error_count, job.bad_rows) == (1, 1)
    assert job.errors_preview[0]["row"] == 3 and job.errors_preview[0]["column"] == "状态"
    assert "整个文件未导入" in job.message
    with job.error_report.open("rb") as fh:
        sheet = openpyxl.load_workbook(fh).active
        assert [c.value for c in sheet[2]][:2] == [3, "状态"]
    assert Member.objects.count() == 0


def test_a_file_that_is_not_excel_is_rejected_by_the_worker(users, xl_orgs):
    job = import_now(users.community, SimpleUploadedFile("a.xlsx", b"not a workbook at all"))
    assert job.status == ExcelJob.Status.REJECTED
    assert "只支持 Excel 文件" in job.message


# --------------------------------------------------------------------------- pages


def test_pages_templates_upload_and_result(login, users, xl_orgs):
    client = login(users.community)
    assert "Excel 导入导出" in client.get("/").content.decode()
    page = client.get("/excel/")
    assert page.status_code == 200 and "下载党员导入模板" in page.content.decode()

    template = client.get("/excel/template/members/")
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    assert book.sheetnames[0] == "党员" and book["党员"]["A1"].value == "姓名*"

    assert client.get("/excel/import/members/").status_code == 200
    rows = [applicant_row(xl_orgs.branch1.code), applicant_row(xl_orgs.branch1.code, 申请入党日期="去年")]
    response = client.post("/excel/import/members/", {"file": upload(rows)})
    job = ExcelJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/excel/jobs/{job.pk}/"
    queued = client.get(response["Location"]).content.decode()
    assert "排队等待后台处理" in queued
    run_excel_job.call(job.pk)
    page = client.get(response["Location"]).content.decode()
    assert "第 3 行" in page and "申请入党日期" in page and "日期格式不正确" in page
    assert "下载错误报告" in page
    report = client.get(f"/excel/jobs/{job.pk}/errors/")
    assert report.status_code == 200 and b"".join(report.streaming_content)[:2] == b"PK"
    fragment = client.get(f"/excel/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment["HX-Refresh"] == "true"  # finished: the page reloads into the result


def test_pages_are_scoped(login, users, xl_orgs):
    job = import_now(users.community, upload([applicant_row(xl_orgs.branch1.code)]))
    other = login(users.other_community)
    assert other.get(f"/excel/jobs/{job.pk}/").status_code == 404
    assert other.get(f"/excel/jobs/{job.pk}/errors/").status_code == 404
    nobody = login(users.nobody)
    assert nobody.get("/excel/").status_code == 403
    assert nobody.get("/excel/template/members/").status_code == 403
    assert nobody.post("/excel/import/members/", {"file": upload([])}).status_code == 403
    grid = login(users.grid)
    assert grid.get("/excel/import/members/").status_code == 403  # grid workers do not import


def test_an_import_keeps_the_member_statistics(superuser, xl_orgs):
    from jiceng.members import stats
    from jiceng.members.models import MemberStat

    rows = [member_row(xl_orgs.branch1.code, 姓名=f"统计{n}") for n in range(3)]
    rows.append(applicant_row(xl_orgs.branch2.code, 姓名="统计申请人"))
    _, errors = run(superuser, workbook_bytes(rows))
    assert not errors.preview

    def snapshot():
        return sorted(MemberStat.objects.values_list("tree", "code", "dim", "value", "count"))

    incremental = snapshot()
    assert ("orgs", xl_orgs.branch1.code, "status", "full", 3) in incremental
    stats.rebuild()
    assert snapshot() == incremental

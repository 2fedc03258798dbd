"""Imports that cannot exhaust memory (issue 13, point 2), end to end for the member roster: the
page stores the upload and queues it, the worker refuses a hostile file with a Chinese message on
the job, and the job page keeps only a short prefix of a cell."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiceng.core.excel import reading
from jiceng.core.models import ExcelJob, Rule
from jiceng.core.rules import forget_rule
from jiceng.core.tasks import run_excel_job
from jiceng.core.tests import hostile_xlsx as hostile
from jiceng.members.importer import MEMBER_SPEC
from jiceng.members.models import Member

from . import conftest_import
from .conftest_import import applicant_row, import_now, workbook_bytes

xl_orgs = conftest_import.xl_orgs
xl_media = conftest_import.xl_media
HEADERS = MEMBER_SPEC.headers


def upload(rows) -> SimpleUploadedFile:
    return SimpleUploadedFile("党员.xlsx", workbook_bytes(rows).getvalue())


@pytest.fixture
def no_reading(monkeypatch):
    """Fails the test if anything opens the upload (run the worker after ``monkeypatch.undo()``)."""

    def refuse(*args, **kwargs):
        raise AssertionError("the upload was opened in the web request")

    monkeypatch.setattr(reading, "check_excel_file", refuse)
    monkeypatch.setattr(reading.XlsxChunker, "__init__", refuse)
    monkeypatch.setattr(reading, "open_sheet", refuse)
    return monkeypatch


def test_the_cv1048576_file_costs_the_request_nothing_and_the_worker_refuses_it(login, users, no_reading):
    client = login(users.community)
    content = hostile.far_cell(HEADERS, "CV1048576")
    response = client.post("/excel/import/members/", {"file": SimpleUploadedFile("名册.xlsx", content)})
    job = ExcelJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/excel/jobs/{job.pk}/"
    assert (job.status, job.in_worker) == (ExcelJob.Status.PENDING, True)
    no_reading.undo()

    assert run_excel_job.call(job.pk) == ExcelJob.Status.REJECTED
    job.refresh_from_db()
    assert "文件超过 1,000,000 行的导入上限（第 1,048,576 行还有内容或格式）" in job.message
    page = client.get(f"/excel/jobs/{job.pk}/").content.decode()
    assert "文件超过 1,000,000 行的导入上限" in page
    assert Member.objects.count() == 0


def test_a_cell_outside_the_member_template_is_refused(users):
    last = len(MEMBER_SPEC.columns) + len(MEMBER_SPEC.ignore_headers) + 20
    job = import_now(users.community, SimpleUploadedFile("a.xlsx", hostile.too_many_columns(HEADERS, last + 1)))
    assert job.status == ExcelJob.Status.REJECTED
    assert f"超出了模板的列数（最多到 {hostile.letters(last)} 列）" in job.message


def test_a_zip_bomb_is_refused_on_the_job(users):
    job = import_now(users.community, SimpleUploadedFile("a.xlsx", hostile.ratio_bomb(HEADERS, 20)))
    assert job.status == ExcelJob.Status.REJECTED
    assert "文件的压缩比异常" in job.message and "已拒绝导入" in job.message


def test_the_row_cap_is_the_kinds_rule(users, xl_orgs):
    Rule.objects.create(key="members.import_max_rows", value=3)
    forget_rule("members.import_max_rows")
    rows = [applicant_row(xl_orgs.branch1.code) for _ in range(15)]
    job = import_now(users.community, upload(rows))
    assert job.status == ExcelJob.Status.REJECTED
    assert "文件超过 3 行的导入上限（第 14 行还有内容或格式）" in job.message
    assert Member.objects.count() == 0


def test_the_job_page_keeps_a_short_prefix_of_a_long_cell(login, users, xl_orgs):
    long_name = "名" * 5000
    job = import_now(users.community, upload([applicant_row(xl_orgs.branch1.code, 姓名=long_name)]))
    assert job.status == ExcelJob.Status.REJECTED
    error = next(e for e in job.errors_preview if e["column"] == "姓名")
    assert error["value"] == "名" * 50 + "…" and error["reason"] == "长度超过50个字符"
    page = login(users.community).get(f"/excel/jobs/{job.pk}/").content.decode()
    assert "名" * 50 + "…" in page and "名" * 51 not in page


def test_a_limit_met_after_the_first_chunk_rejects_the_whole_file(users, xl_orgs, monkeypatch):
    monkeypatch.setattr(reading, "CHUNK_ROWS", 1000)
    rows = [[f"人员{n}"] for n in range(1200)]
    body = "".join(f'<row r="{n}">{hostile.text_cell(f"A{n}", row[0])}</row>' for n, row in enumerate(rows, start=2))
    content = hostile.book(HEADERS, body + '<row r="1300">' + hostile.text_cell("ZZ1300", "x") + "</row>")
    job = import_now(users.community, SimpleUploadedFile("a.xlsx", content))
    assert job.status == ExcelJob.Status.REJECTED
    assert "单元格 ZZ1300 超出了模板的列数" in job.message
    assert Member.objects.count() == 0

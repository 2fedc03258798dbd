"""Fixtures and file builders for the Excel import/export tests (imported explicitly by them).

Kept apart from the app's ``conftest.py`` so these tests do not depend on its fixtures: names
start with ``xl_``.
"""

import io
import itertools
from datetime import date

import openpyxl
import pytest

from jiceng.core.excel import write_rows
from jiceng.core.ids import check_char
from jiceng.members.importer import MEMBER_SPEC

_sequence = itertools.count(101)


def make_id(birth: date = date(1980, 1, 9), seq: int | None = None, area: str = "320102") -> str:
    """A valid 18-character ID number for ``birth``; an odd ``seq`` is male."""
    seq = next(_sequence) % 1000 if seq is None else seq
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def member_row(branch_code: str, **overrides) -> dict:
    """One valid full member as a row of the template, keyed by header."""
    row = {
        "姓名": "王建国",
        "公民身份号码": make_id(),
        "手机号": "13812341234",
        "学历": "大学本科",
        "状态": "正式党员",
        "申请入党日期": date(2015, 3, 1),
        "谈话日期": date(2015, 3, 20),
        "确定积极分子日期": date(2015, 6, 1),
        "确定发展对象日期": date(2016, 6, 1),
        "集中培训学时": 24,
        "接收预备党员日期": date(2016, 9, 1),
        "上级党委审批日期": date(2016, 10, 15),
        "转正日期": date(2017, 9, 1),
        "所在党支部编码": branch_code,
        "在职": "是",
        "党费类别": "在职",
        "党费基数": 5400,
    }
    row.update(overrides)
    return row


def applicant_row(branch_code: str, **overrides) -> dict:
    row = {
        "姓名": "李申请",
        "公民身份号码": make_id(date(1995, 5, 5)),
        "状态": "入党申请人",
        "申请入党日期": date(2024, 3, 1),
        "所在党支部编码": branch_code,
    }
    row.update(overrides)
    return row


def workbook_bytes(rows: list[dict], headers: list[str] | None = None, title: str = "党员") -> io.BytesIO:
    """An xlsx as Excel writes it (openpyxl: shared strings, date cells), from rows keyed by header."""
    headers = headers or [h for h in MEMBER_SPEC.headers if any(h in r for r in rows)] or MEMBER_SPEC.headers
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "党员.xlsx"
    return buffer


def write_big(path, rows: list[dict], headers: list[str] | None = None) -> None:
    """Large files through the stream writer (openpyxl is slow for 10,000 rows)."""
    headers = headers or MEMBER_SPEC.headers
    write_rows(path, "党员", headers, ([row.get(h) for h in headers] for row in rows))


@pytest.fixture
def xl_orgs(orgs):
    """The members tests' org tree (``orgs`` in conftest.py): 北安门社区党委 with two grid
    branches, and 贡院社区党委 with one branch."""
    return orgs


@pytest.fixture(autouse=True)
def xl_media(settings, tmp_path):
    """Uploads, reports and results go to a temporary MEDIA_ROOT, not the developer's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def import_now(user, upload, kind: str = "members"):
    """Upload as the page does (stored and queued), then run the job as the worker does."""
    from jiceng.core.excel_jobs import start_import
    from jiceng.core.tasks import run_excel_job

    job = start_import(user, kind, upload)
    run_excel_job.call(job.pk)
    job.refresh_from_db()
    return job

"""Excel export of member lists: scoped, masked per role, filtered like the list, jobs when large."""

import io
from dataclasses import replace

import openpyxl
import pytest

from jiceng.accounts.models import AuditLog
from jiceng.accounts.roles import ROLES
from jiceng.core.excel_jobs import INLINE_ROWS, start_export
from jiceng.core.models import ExcelJob, Rule
from jiceng.core.rules import forget_rule
from jiceng.core.tasks import run_excel_job
from jiceng.members.importer import import_members
from jiceng.members.models import Member
from jiceng.members.permissions import MEMBER_EXPORT

from . import conftest_import
from .conftest_import import applicant_row, member_row, workbook_bytes

xl_orgs = conftest_import.xl_orgs  # the fixtures
xl_media = conftest_import.xl_media

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(superuser, xl_orgs, tree):
    """Three members in 北安门 (two in 第一网格, one in 第二网格) and one in 贡院."""
    rows = [
        member_row(xl_orgs.branch1.code, 姓名="北一", 手机号="13800000001", 居住地区划编码=tree.building.code),
        applicant_row(xl_orgs.branch1.code, 姓名="北二", 手机号="13800000002"),
        member_row(xl_orgs.branch2.code, 姓名="北三", 手机号="13800000003"),
        member_row(xl_orgs.gongyuan_branch.code, 姓名="贡一", 手机号="13800000004"),
    ]
    result = import_members(superuser, workbook_bytes(rows))
    assert result.ok, [str(e) for e in result.errors.preview]
    return {row["姓名"]: row for row in rows}


def sheet_rows(content: bytes) -> list[dict]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def export(client, query=""):
    response = client.get(f"/excel/export/members/{query}")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return sheet_rows(b"".join(response.streaming_content))


def test_community_export_is_scoped_and_full(login, users, roster):
    rows = export(login(users.community))
    assert sorted(r["姓名"] for r in rows) == ["北一", "北三", "北二"]
    first = next(r for r in rows if r["姓名"] == "北一")
    assert first["公民身份号码"] == roster["北一"]["公民身份号码"]  # holds view_pii here
    assert first["手机号"] == "13800000001"
    assert first["所在党支部"] == "北安门社区第一网格党支部"
    assert first["状态"] == "正式党员" and first["在职"] == "是" and first["居住地"] == "1栋"
    audit = AuditLog.objects.get(action="export_members")
    assert audit.after["rows"] == 3 and audit.after["full_pii_rows"] == 3
    assert roster["北一"]["公民身份号码"] not in str(audit.after)


def test_another_community_gets_none_of_these_rows(login, users, roster):
    rows = export(login(users.other_community))
    assert [r["姓名"] for r in rows] == ["贡一"]


def test_grid_worker_cannot_export_without_the_permission(login, users, roster):
    assert login(users.grid).get("/excel/export/members/").status_code == 403


def test_roles_without_pii_get_masked_ids_and_phones(login, users, roster, monkeypatch):
    """A role that may export but not see personal data (a grid worker granted export)."""
    grid = ROLES["grid_worker"]
    monkeypatch.setitem(ROLES, "grid_worker", replace(grid, permissions=grid.permissions | {MEMBER_EXPORT}))
    users.grid.forget_grants()
    rows = export(login(users.grid))
    assert [r["姓名"] for r in rows] == ["北一", "北二"]  # the grid worker's grid only
    for row in rows:
        full = roster[row["姓名"]]["公民身份号码"]
        assert row["公民身份号码"] == full[:1] + "*" * 16 + full[-1:]
        assert row["手机号"].startswith("138****")
        assert row["出生日期"] == int(full[6:10])  # the year only
    audit = AuditLog.objects.get(action="export_members")
    assert audit.after["masked_rows"] == 2 and audit.after["full_pii_rows"] == 0


def test_export_follows_the_list_filters(login, users, roster, xl_orgs):
    client = login(users.community)
    assert [r["姓名"] for r in export(client, "?status=applicant")] == ["北二"]
    assert sorted(r["姓名"] for r in export(client, f"?org={xl_orgs.branch2.code}")) == ["北三"]
    assert [r["姓名"] for r in export(client, "?q=北一")] == ["北一"]
    # A filter pointing outside the scope still returns only rows in scope.
    assert export(client, f"?org={xl_orgs.gongyuan_branch.code}") == []


def test_an_export_reimports_elsewhere(superuser, login, users, roster):
    """Exported columns are the template's; the name columns it adds are ignored on import."""
    rows = export(login(users.community))
    from jiceng.core.excel import SheetReader
    from jiceng.members.importer import MEMBER_SPEC

    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    workbook.active.title = "党员"
    headers = list(rows[0])
    workbook.active.append(headers)
    for row in rows:
        workbook.active.append([row[h] for h in headers])
    workbook.save(buffer)
    buffer.seek(0)
    reader = SheetReader(buffer, MEMBER_SPEC)
    assert len(list(reader.rows())) == 3


def test_large_export_runs_in_the_worker_with_progress(users, roster, django_capture_on_commit_callbacks):
    Rule.objects.create(key=INLINE_ROWS, value=2)
    forget_rule(INLINE_ROWS)
    with django_capture_on_commit_callbacks() as callbacks:
        job, inline = start_export(users.community, "members", {"status": ["full", "applicant"]})
    assert inline is None and len(callbacks) == 1
    assert (job.status, job.total_rows, job.in_worker) == (ExcelJob.Status.PENDING, 3, True)
    assert run_excel_job.call(job.pk) == ExcelJob.Status.SUCCEEDED
    job.refresh_from_db()
    assert (job.done_rows, job.total_rows, job.percent) == (3, 3, 100)
    with job.result.open("rb") as fh:
        rows = sheet_rows(fh.read())
    assert sorted(r["姓名"] for r in rows) == ["北一", "北三", "北二"]
    assert run_excel_job.call(job.pk) == "skipped"


def test_export_job_pages(login, users, roster):
    Rule.objects.create(key=INLINE_ROWS, value=1)
    forget_rule(INLINE_ROWS)
    client = login(users.community)
    response = client.get("/excel/export/members/")
    job = ExcelJob.objects.get(direction="export")
    assert response.status_code == 302 and response["Location"] == f"/excel/jobs/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    progress = f"/excel/jobs/{job.pk}/progress/"
    assert progress in page and "排队" in page  # polls while pending
    run_excel_job.call(job.pk)
    page = client.get(f"/excel/jobs/{job.pk}/").content.decode()
    assert "下载导出文件" in page and progress not in page  # stops polling when done
    download = client.get(f"/excel/jobs/{job.pk}/result/")
    assert download.status_code == 200
    assert len(sheet_rows(b"".join(download.streaming_content))) == 3
    assert login(users.other_community).get(f"/excel/jobs/{job.pk}/result/").status_code == 404


def test_the_list_links_the_export_of_its_own_filter(login, users, roster, xl_orgs):
    client = login(users.community)
    page = client.get("/members/", {"org": xl_orgs.branch1.code, "status": "applicant"})
    url = page.context["export_url"]
    assert url.startswith("/excel/export/members/?") and 'id="member-export"' in page.text
    listed = [m.name for m in page.context["rows"]]
    assert [r["姓名"] for r in export(client, url.removeprefix("/excel/export/members/"))] == listed == ["北二"]
    # No link for a user who may list but not export.
    assert login(users.grid).get("/members/").context["export_url"] is None


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_an_export_reads_its_rows_from_the_replica(settings, users, roster):
    """With a replica (DATABASE_REPLICA_URL), the rows of an export are read there and only the
    audit entry is written to the primary (jiceng/core/replica.py)."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    settings.JICENG_READ_REPLICA = True
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        job, (path, written) = start_export(users.community, "members", {"status": ["full", "applicant"]})
    assert job is None and written == 3
    with open(path, "rb") as fh:
        assert sorted(r["姓名"] for r in sheet_rows(fh.read())) == ["北一", "北三", "北二"]
    replica_sql = [q["sql"] for q in on_replica.captured_queries]
    assert any("members_member" in sql for sql in replica_sql)
    assert not any("members_member" in sql for sql in (q["sql"] for q in on_primary.captured_queries))
    assert AuditLog.objects.get(action="export_members").after["rows"] == 3  # written to the primary


def _checked(client, ids):
    response = client.post("/excel/export/members/checked/", {"ids": ids, "next": "/members/"})
    assert response.status_code == 200, response.status_code
    return sheet_rows(b"".join(response.streaming_content))


def test_checked_export_holds_only_the_ticked_rows_in_scope(login, users, roster):
    """批量导出 on the roster: the ticked members only; a ticked id outside the scope is not in it."""
    ids = {m.name: m.pk for m in Member.objects.all()}
    client = login(users.community)
    page = client.get("/members/").content.decode()
    assert 'id="bulk-export"' in page and f'name="ids" value="{ids["北一"]}"' in page
    rows = _checked(client, [ids["北一"], ids["北三"], ids["贡一"]])
    assert sorted(r["姓名"] for r in rows) == ["北一", "北三"]
    assert next(r for r in rows if r["姓名"] == "北一")["手机号"] == "13800000001"  # holds view_pii here
    audit = AuditLog.objects.get(action="export_members")
    assert audit.after["rows"] == 2


def test_checked_export_is_masked_for_a_role_without_personal_data(login, users, roster, monkeypatch):
    grid = ROLES["grid_worker"]
    monkeypatch.setitem(ROLES, "grid_worker", replace(grid, permissions=grid.permissions | {MEMBER_EXPORT}))
    users.grid.forget_grants()
    ids = {m.name: m.pk for m in Member.objects.all()}
    rows = _checked(login(users.grid), [ids["北一"], ids["北三"]])  # 北三 is in the other grid
    assert [r["姓名"] for r in rows] == ["北一"]
    full = roster["北一"]["公民身份号码"]
    assert rows[0]["公民身份号码"] == full[:1] + "*" * 16 + full[-1:] and rows[0]["手机号"].startswith("138****")

"""A member who came in by Excel import has a history: "Excel 导入", who, when, which file.

The import writes no event per row (COPY of hundreds of thousands of rows); each row records its
job (``Member.import_job``) and the member page builds the entry from it.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jiceng.core.excel import ErrorCollector
from jiceng.core.excel_jobs import start_import
from jiceng.core.models import ExcelJob
from jiceng.core.tasks import run_excel_job
from jiceng.members.importer import _row_layout, import_members
from jiceng.members.models import Member, MemberEvent

from . import conftest_import
from .conftest_import import applicant_row, import_now, member_row, workbook_bytes

xl_orgs = conftest_import.xl_orgs
xl_media = conftest_import.xl_media

pytestmark = pytest.mark.django_db


def upload(rows, name):
    return SimpleUploadedFile(name, workbook_bytes(rows).getvalue())


def history(client, member) -> str:
    body = client.get(reverse("members:member_detail", args=[member.pk])).content.decode()
    return body[body.index('id="history"') :]


def test_the_import_job_column_is_filled_by_the_importer_not_a_constant_default():
    fields, constants = _row_layout()
    assert "import_job_id" in [f.attname for f in fields]
    assert constants["import_job_id"] is None  # filled per import in import_members


def test_an_imported_member_shows_excel_import_first(login, users, xl_orgs):
    users.community.display_name = "北安门组织委员"
    users.community.save()
    rows = [member_row(xl_orgs.branch1.code, 姓名="导入党员"), applicant_row(xl_orgs.branch2.code, 姓名="导入申请人")]
    job = import_now(users.community, upload(rows, "北安门党员名册2024.xlsx"))
    assert job.status == ExcelJob.Status.SUCCEEDED
    # No history row per member: the rows point at the job instead.
    assert MemberEvent.objects.count() == 0
    assert set(Member.objects.values_list("import_job_id", flat=True)) == {job.pk}

    member = Member.objects.get(name="导入党员")
    client = login(users.community)
    section = history(client, member)
    assert "暂无记录" not in section
    assert 'id="history-import"' in section
    assert "Excel 导入，文件：北安门党员名册2024.xlsx" in section
    assert "北安门组织委员" in section
    job.refresh_from_db()
    assert f"{timezone.localtime(job.finished_at):%Y-%m-%d %H:%M}" in section
    # The importer may open the job's result; nobody else gets the link (the job page is theirs).
    assert reverse("excel:job_detail", args=[job.pk]) in section
    street = login(users.street)
    section = history(street, member)
    assert "Excel 导入，文件：北安门党员名册2024.xlsx" in section
    assert reverse("excel:job_detail", args=[job.pk]) not in section


def test_later_events_come_before_the_import(login, users, xl_orgs):
    job = import_now(users.community, upload([member_row(xl_orgs.branch1.code)], "a.xlsx"))
    member = Member.objects.get(import_job=job)
    from jiceng.members import services

    services.update_member(users.community, member, phone="13900001111")
    section = history(login(users.community), member)
    assert section.index("修改信息") < section.index("Excel 导入")


def test_a_worker_import_marks_every_row(users, xl_orgs, django_capture_on_commit_callbacks):
    rows = [applicant_row(xl_orgs.branch1.code) for _ in range(12)]
    with django_capture_on_commit_callbacks():
        job = start_import(users.community, "members", upload(rows, "big.xlsx"))
    assert job.in_worker
    assert run_excel_job.call(job.pk) == ExcelJob.Status.SUCCEEDED
    assert Member.objects.filter(import_job_id=job.pk).count() == 12


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_streaming_copy_writes_the_job_too(users, xl_orgs):
    """PostgreSQL's writer thread COPYs the same tuples: every row names the job."""
    job = ExcelJob.objects.create(direction="import", kind="members", user=users.community, original_name="s.xlsx")
    rows = [applicant_row(xl_orgs.branch1.code) for _ in range(30)]
    result = import_members(users.community, workbook_bytes(rows), errors=ErrorCollector(), job=job, stream=True)
    assert result.ok
    assert Member.objects.filter(import_job_id=job.pk).count() == 30
    job.refresh_from_db()
    assert job.status == ExcelJob.Status.SUCCEEDED


def test_an_import_without_a_job_leaves_the_column_empty(superuser, xl_orgs):
    result = import_members(superuser, workbook_bytes([applicant_row(xl_orgs.branch1.code)]), errors=ErrorCollector())
    assert result.ok
    assert Member.objects.get().import_job_id is None


def test_members_added_by_the_form_keep_their_events(login, users, make_member):
    person = make_member(name="表单登记")
    assert person.import_job_id is None
    section = history(login(users.community), person)
    assert "登记为正式党员" in section
    assert "Excel 导入" not in section


def test_the_entry_survives_a_deleted_job(login, users, xl_orgs):
    job = import_now(users.community, upload([applicant_row(xl_orgs.branch1.code)], "a.xlsx"))
    member = Member.objects.get()
    ExcelJob.objects.filter(pk=job.pk).delete()  # no constraint: the member row keeps the id
    section = history(login(users.street), member)
    assert "Excel 导入（导入记录已删除）" in section


def test_member_page_queries_stay_bounded_for_imported_members(login, users, xl_orgs, django_assert_max_num_queries):
    import_now(users.community, upload([member_row(xl_orgs.branch1.code)], "a.xlsx"))
    member = Member.objects.get()
    client = login(users.community)
    client.get(reverse("members:member_detail", args=[member.pk]))
    with django_assert_max_num_queries(17):  # the member page's 16, plus the job (with its user)
        client.get(reverse("members:member_detail", args=[member.pk]))


def test_the_api_history_has_the_import_too(api_client, users, xl_orgs):
    import_now(users.community, upload([member_row(xl_orgs.branch1.code)], "api.xlsx"))
    member = Member.objects.get()
    api_client.force_authenticate(users.community)
    data = api_client.get(f"/api/v1/members/{member.pk}/").json()
    assert data["events"][-1]["kind"] == "excel_import"
    assert data["events"][-1]["summary"] == "Excel 导入，文件：api.xlsx"
    assert data["events"][-1]["actor"] == str(users.community)

"""民族 from the national list (GB/T 3304-1991): the import, the forms, the roster filter, the API."""

import io

import openpyxl
import pytest

from jiceng.core import ethnicity
from jiceng.core.excel import ErrorCollector
from jiceng.members.importer import MEMBER_SPEC, import_members
from jiceng.members.models import Member

from . import conftest_import
from .conftest_import import make_id, member_row, workbook_bytes

xl_orgs = conftest_import.xl_orgs  # the fixture

pytestmark = pytest.mark.django_db


def test_the_list_is_the_standards():
    assert len(ethnicity.NAMES) == 58  # the 56, 其他 (97) and 外国血统中国籍人士 (98)
    assert ethnicity.NAMES[:3] == ("汉族", "蒙古族", "回族") and ethnicity.NAMES[55] == "基诺族"
    assert ethnicity.CODE_OF["蒙古族"] == "02" and ethnicity.CODE_OF["基诺族"] == "56"
    assert ethnicity.CODE_OF["其他"] == "97" and ethnicity.CODE_OF["外国血统中国籍人士"] == "98"
    assert ethnicity.normalise("蒙古") == "蒙古族" and ethnicity.normalise("汉") == "汉族"
    assert ethnicity.normalise(" 回 族 ") == "回族" and ethnicity.normalise("02") == "蒙古族"
    assert ethnicity.normalise("穿青人") == "其他"
    assert ethnicity.normalise("火星族") is None and ethnicity.normalise("汉族人") is None


def _run(user, rows):
    errors = ErrorCollector()
    return import_members(user, workbook_bytes(rows), errors=errors), errors


def test_a_bad_ethnicity_is_a_row_error_and_nothing_is_imported(superuser, xl_orgs):
    code = xl_orgs.branch1.code
    rows = [
        member_row(code, 公民身份号码=make_id(seq=11), 民族="蒙古族"),
        member_row(code, 公民身份号码=make_id(seq=13), 民族="火星族"),
        member_row(code, 公民身份号码=make_id(seq=15), 民族="汉"),
        member_row(code, 公民身份号码=make_id(seq=17), 民族="汉族人"),
    ]
    result, errors = _run(superuser, rows)
    found = {(e.row, e.column): e.reason for e in errors.preview}
    assert found == {(3, "民族"): ethnicity.ERROR, (5, "民族"): ethnicity.ERROR}
    assert "GB/T 3304" in ethnicity.ERROR
    assert not result.ok and Member.objects.count() == 0


def test_names_without_zu_codes_and_blanks_are_read(superuser, xl_orgs):
    code = xl_orgs.branch1.code
    given = ["蒙古", "维吾尔族", "", "02", "穿青人", "外国血统中国籍人士"]
    rows = [member_row(code, 公民身份号码=make_id(seq=101 + 2 * i), 民族=v) for i, v in enumerate(given)]
    result, errors = _run(superuser, rows)
    assert result.ok, [(e.row, e.column, e.reason) for e in errors.preview]
    stored = list(Member.objects.order_by("id").values_list("ethnicity", flat=True))
    assert stored == ["蒙古族", "维吾尔族", "汉族", "蒙古族", "其他", "外国血统中国籍人士"]


def test_the_template_offers_the_list():
    from jiceng.core.excel.template import write_template

    stream = io.BytesIO()
    write_template(MEMBER_SPEC, stream)
    stream.seek(0)
    book = openpyxl.load_workbook(stream)
    sheet = book.worksheets[0]
    column = MEMBER_SPEC.headers.index("民族") + 1
    letter = openpyxl.utils.get_column_letter(column)
    validations = [v for v in sheet.data_validations.dataValidation if f"{letter}2" in str(v.sqref).split(":")[0]]
    assert validations and validations[0].type == "list"
    lists = book["选项"]
    offered = [c.value for c in next(col for col in lists.iter_cols() if col[0].value == "民族")[1:] if c.value]
    assert offered == list(ethnicity.NAMES)  # the aliases are accepted, not offered


def _members(make_member, org, n, **fields):
    return [make_member(org, name=f"成员{org.pk}{i}{fields.get('ethnicity', '')}", **fields) for i in range(n)]


def test_the_roster_filters_by_ethnicity(login, users, orgs, make_member):
    mongol = _members(make_member, orgs.branch1, 2, ethnicity="蒙古族")
    _members(make_member, orgs.branch1, 3)
    client = login(users.community)
    response = client.get("/members/", {"ethnicity": "蒙古族"})
    assert sorted(m.name for m in response.context["rows"]) == sorted(m.name for m in mongol)
    page = response.content.decode()
    assert 'id="filter-ethnicity"' in page and '<option value="蒙古族" selected>' in page
    # The form as it loads (全部民族) filters nothing; a value not on the list is said in Chinese.
    assert len(client.get("/members/", {"ethnicity": ""}).context["rows"]) == 5
    assert "选择一个有效的选项" not in client.get("/members/", {"ethnicity": "火星族"}).content.decode()


def test_the_api_filter_is_validated(api_client, users, orgs, make_member):
    _members(make_member, orgs.branch1, 2, ethnicity="回族")
    _members(make_member, orgs.branch1, 1)
    api_client.force_authenticate(users.community)
    answer = api_client.get("/api/v1/members/", {"ethnicity": "回族"}).json()
    assert [m["ethnicity"] for m in answer["results"]] == ["回族", "回族"]
    bad = api_client.get("/api/v1/members/", {"ethnicity": "火星族"})
    assert bad.status_code == 400
    assert "ethnicity" in str(bad.json())


def test_the_member_form_is_a_select_of_the_list(login, users, orgs):
    client = login(users.community)
    page = client.get(f"/members/add/?org={orgs.branch1.code}").content.decode()
    assert '<select name="ethnicity"' in page and '<option value="汉族" selected>' in page
    data = {"name": "王五", "id_number": make_id(seq=901), "ethnicity": "火星族", "status": "applicant"}
    data["application_date"] = "2024-01-01"
    response = client.post(f"/members/add/?org={orgs.branch1.code}", data)
    assert response.status_code == 200 and not Member.objects.filter(name="王五").exists()
    assert "ethnicity" in response.context["form"].errors

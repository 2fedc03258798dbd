"""Excel import of party organisations (kept with the other import tests).

Parents by code or by an earlier row's name, codes issued under the parent, the setup rules for
parent types, scope, duplicates (a second import of the same file creates nothing), terms.
"""

import io
from datetime import date

import openpyxl
import pytest

from jiceng.accounts.models import AuditLog
from jiceng.core.excel import ErrorCollector
from jiceng.orgs.importer import ORG_SPEC, import_orgs
from jiceng.orgs.models import Org

from . import conftest_import

xl_orgs = conftest_import.xl_orgs  # the fixtures
xl_media = conftest_import.xl_media

pytestmark = pytest.mark.django_db


def org_file(rows: list[dict]) -> io.BytesIO:
    headers = ORG_SPEC.headers
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "党组织"
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def run(user, rows):
    errors = ErrorCollector()
    result = import_orgs(user, org_file(rows), errors=errors)
    return result, {(e.row, e.column): e.reason for e in errors.preview}


def test_a_committee_and_its_branches_in_one_file(superuser, xl_orgs, tree):
    rows = [
        {
            "名称": "中共梅园新村社区委员会",
            "组织类型": "党委",
            "类别": "社区",
            "所在区划编码": tree.meiyuan_cm.code,
            "成立日期": "2018/7/1",
            "任期开始": "2021年7月1日",
        },
        {
            "名称": "梅园新村社区第一网格党支部",
            "组织类型": "党支部",
            "类别": "网格",
            "上级组织编码": "中共梅园新村社区委员会",
            "所在区划编码": tree.meiyuan_grid.code,
        },
        {
            "名称": "北安门社区第三网格党支部",
            "组织类型": "党支部",
            "类别": "网格",
            "上级组织编码": xl_orgs.beianmen.code,
            "所在区划编码": tree.beianmen.code,
            "任期开始": date(2023, 3, 1),
        },
    ]
    result, errors = run(superuser, rows)
    assert result.ok, errors
    assert result.created == 3
    committee = Org.objects.get(name="中共梅园新村社区委员会")
    assert committee.parent is None and len(committee.code) == 3
    assert committee.term_end == date(2026, 7, 1)  # community: 5 years by default
    assert committee.child_count == 1
    branch = Org.objects.get(name="梅园新村社区第一网格党支部")
    assert branch.parent == committee and branch.code == committee.code + "001"
    assert branch.area_path == tree.meiyuan_grid.code
    third = Org.objects.get(name="北安门社区第三网格党支部")
    assert third.code == xl_orgs.beianmen.code + "003"  # after the two branches on file
    assert third.term_end == date(2028, 3, 1)  # a grid branch counts as a community org: 5 years
    xl_orgs.beianmen.refresh_from_db()
    assert xl_orgs.beianmen.child_count == 3
    assert AuditLog.objects.filter(action="import_orgs").count() == 1


def test_two_imports_of_the_same_file_create_nothing_the_second_time(superuser, xl_orgs, tree):
    rows = [
        {"名称": "中共梅园新村社区委员会", "组织类型": "党委", "类别": "社区", "所在区划编码": tree.meiyuan_cm.code},
        {
            "名称": "梅园新村社区第一网格党支部",
            "组织类型": "党支部",
            "类别": "网格",
            "上级组织编码": "中共梅园新村社区委员会",
            "所在区划编码": tree.meiyuan_grid.code,
        },
    ]
    first, errors = run(superuser, rows)
    assert first.ok, errors
    count = Org.objects.count()
    second, errors = run(superuser, rows)
    assert not second.ok and second.created == 0
    assert "已有同名组织" in errors[(2, "名称")]
    assert "已有同名组织" in errors[(3, "名称")]  # the child, under the committee on file
    assert Org.objects.count() == count


def test_rows_are_checked(users, xl_orgs, tree):
    rows = [
        {"名称": "党小组", "组织类型": "党小组", "类别": "网格", "上级组织编码": xl_orgs.beianmen.code,
         "所在区划编码": tree.grid1.code},  # 2: a group under a committee
        {"名称": "贡院新支部", "组织类型": "党支部", "类别": "社区", "上级组织编码": xl_orgs.gongyuan.code,
         "所在区划编码": tree.gongyuan.code},  # 3: another community's org
        {"名称": "北安门社区第一网格党支部", "组织类型": "党支部", "类别": "网格",
         "上级组织编码": xl_orgs.beianmen.code, "所在区划编码": tree.grid1.code},  # 4: duplicate on file
        {"名称": "新支部", "组织类型": "支部", "类别": "网格", "上级组织编码": "不存在的组织",
         "所在区划编码": "320102002011999"},  # 5: several problems
        {"名称": "顶级党委", "组织类型": "党委", "类别": "社区", "所在区划编码": tree.beianmen.code,
         "任期开始": "2024-01-01", "任期届满": "2023-01-01", "成立日期": "2099-01-01"},  # 6
        {"名称": "北安门社区第四网格党支部", "组织类型": "党支部", "类别": "网格",
         "上级组织编码": xl_orgs.beianmen.code, "所在区划编码": tree.grid2.code},  # 7: fine
    ]  # fmt: skip
    result, errors = run(users.community, rows)
    assert not result.ok and Org.objects.filter(name="北安门社区第四网格党支部").count() == 0
    assert "党小组的上级应为" in errors[(2, "上级组织编码")]
    assert errors[(3, "上级组织编码")] == "找不到该上级组织，或您无权在其下新增组织"
    assert "已有同名组织" in errors[(4, "名称")]
    assert "应为以下之一" in errors[(5, "组织类型")]
    assert "既不是系统中的组织编码" in errors[(5, "上级组织编码")]
    assert errors[(5, "所在区划编码")] == "区划编码不存在"
    assert errors[(6, "任期届满")] == "任期届满日期必须晚于任期开始日期"
    assert errors[(6, "成立日期")] == "成立日期晚于今天"
    assert not any(row == 7 for row, _ in errors)


def test_a_community_user_cannot_create_a_root_elsewhere(users, tree):
    rows = [{"名称": "中共贡院社区委员会二", "组织类型": "党委", "类别": "社区", "所在区划编码": tree.gongyuan.code}]
    _, errors = run(users.community, rows)
    assert errors[(2, "所在区划编码")] == "您无权在该区划或该上级组织下新增党组织"


def test_org_template_and_pages(login, users):
    client = login(users.community)
    response = client.get("/excel/template/orgs/")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["党组织"]
    assert [c.value for c in sheet[1]][:4] == ["名称*", "简称", "组织类型*", "类别*"]
    assert str(sheet["A2"].value).startswith("示例")
    assert any("C2:C" in str(v.sqref) for v in sheet.data_validations.dataValidation)
    assert client.get("/excel/import/orgs/").status_code == 200


def test_org_export_is_scoped_and_reads_back(login, users, xl_orgs):
    from jiceng.core.excel import SheetReader

    client = login(users.community)
    response = client.get("/excel/export/orgs/")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("组织编码", "名称", "简称")
    names = [r[1] for r in rows[1:]]
    assert names == ["中共北安门社区委员会", "北安门社区第一网格党支部", "北安门社区第二网格党支部"]
    assert rows[2][3] == "党支部" and rows[2][5] == xl_orgs.beianmen.code
    assert AuditLog.objects.filter(action="export_orgs").count() == 1
    reader = SheetReader(io.BytesIO(content), ORG_SPEC)  # the extra columns are ignored
    assert len(list(reader.rows())) == 3


def test_terms_follow_the_type_and_a_temporary_branch_has_none(superuser, xl_orgs, tree):
    rows = [
        {"名称": "某机关党委", "组织类型": "党委", "类别": "机关", "所在区划编码": tree.beianmen.code,
         "任期开始": "2024-02-29"},  # 2: 党章第三十一条, 3–5 years: the city's default 5
        {"名称": "某临时党支部", "组织类型": "临时党支部", "类别": "其他", "上级组织编码": "某机关党委",
         "所在区划编码": tree.beianmen.code, "任期开始": "2025-01-01"},  # 3: appointed, no term
    ]  # fmt: skip
    result, errors = run(superuser, rows)
    assert errors == {(3, "任期开始"): "临时党支部由上级党组织指派，不实行任期制，不填写任期"}
    result, errors = run(superuser, [rows[0], {**rows[1], "任期开始": None}])
    assert result.ok, errors
    assert Org.objects.get(name="某机关党委").term_end == date(2029, 2, 28)
    temporary = Org.objects.get(name="某临时党支部")
    assert (temporary.term_start, temporary.term_end) == (None, None)

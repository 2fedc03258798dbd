"""Resident units and departments (issue 9 point 3): every offered column sorts both ways, paging
forward under a sort shows every row once at a bounded cost, and 导出 Excel (all filtered rows,
or only the ticked ones) holds exactly the rows in the user's scope, the contact phone masked
where the user may not maintain the unit."""

import pytest

from jiceng.orgs import services
from jiceng.orgs.models import DepartmentLevel, ResidentUnit
from tests.sorting import expected, sheet_rows, walk

UNIT_KEYS = {"name": lambda u: u.name, "kind": lambda u: u.kind, "area": lambda u: u.area_path}


@pytest.fixture
def units(tree):
    made = []
    for n, (name, kind, area) in enumerate(
        [
            ("北安门中学", "school", tree.grid1),
            ("安康医院", "hospital", tree.grid2),
            ("成贤街公司", "private_enterprise", tree.grid1),
            ("北安门医院", "hospital", tree.beianmen),
            ("梅园机关", "organ", tree.meiyuan_cm),
            ("公园路学校", "school", tree.gongyuan),
            ("安康医院", "hospital", tree.grid1),  # the same name twice: the id breaks the tie
        ]
    ):
        made.append(
            services.create_resident_unit(
                None, name=name, kind=kind, area=area, contact_name="联系人", contact_phone=f"1380000{n:04d}"
            )
        )
    return made


def _unit_pages(context):
    cursor = context["next_cursor"]
    return f"?{context['query']}&after={cursor}" if cursor else None


@pytest.mark.parametrize("column", list(UNIT_KEYS))
@pytest.mark.parametrize("descending", [False, True])
def test_units_sort_by_each_column_both_ways_across_pages(client, users, units, monkeypatch, column, descending):
    monkeypatch.setattr("jiceng.orgs.views.units.PAGE_SIZE", 2)
    client.force_login(users.street)  # 梅园新村街道: not 公园路 (another street)
    in_scope = [u for u in units if u.area_path.startswith("320102002")]
    sort = f"-{column}" if descending else column
    ids, counts = walk(client, f"/orgs/units/?sort={sort}", rows="units", next_link=_unit_pages)
    assert ids == expected(in_scope, UNIT_KEYS[column], descending=descending)
    assert len(ids) == len(set(ids)) == 6  # every row once, none from outside
    assert max(counts) <= min(counts) + 1  # the first and the last page cost the same


def test_unit_headers_link_the_other_way_and_keep_the_filter(client, users, units):
    client.force_login(users.street)
    page = client.get("/orgs/units/?kind=hospital&sort=name").content.decode()
    assert 'aria-sort="ascending"' in page and "?kind=hospital&amp;sort=-name" in page
    assert "?kind=hospital&amp;sort=kind" in page  # another column: ascending first, filter kept
    # The default order (area path) shows its arrow; an unknown sort is ignored, never an error.
    default = client.get("/orgs/units/")
    unknown = client.get("/orgs/units/?sort=contact_phone")
    assert unknown.status_code == 200
    assert [u.pk for u in unknown.context["units"]] == [u.pk for u in default.context["units"]]
    assert "?sort=-area" in default.content.decode()


def test_departments_sort_and_api_ordering(client, users, tree, api_client):
    made = [
        services.create_department(None, name=name, level=level, area=area)
        for name, level, area in [
            ("玄武区城管局", DepartmentLevel.DISTRICT, tree.xuanwu),
            ("梅园街道城管科", DepartmentLevel.STREET, tree.meiyuan),
            ("玄武区水务局", DepartmentLevel.DISTRICT, tree.xuanwu),
            ("梅园街道安监科", DepartmentLevel.STREET, tree.meiyuan),
        ]
    ]
    client.force_login(users.district)
    for column, key in {"name": lambda d: d.name, "level": lambda d: d.level, "area": lambda d: d.area_path}.items():
        for descending in (False, True):
            sort = f"-{column}" if descending else column
            ids, _ = walk(client, f"/orgs/departments/?sort={sort}", rows="departments", next_link=_unit_pages)
            assert ids == expected(made, key, descending=descending), sort
    api_client.force_authenticate(users.district)
    body = api_client.get("/api/v1/departments/?ordering=-name&page_size=3").json()
    names = [row["name"] for row in body["results"]]
    following = api_client.get(body["next"]).json()["results"]
    assert names + [row["name"] for row in following] == sorted((d.name for d in made), reverse=True)
    # An unknown ordering is ignored (the default order), not an error.
    assert api_client.get("/api/v1/departments/?ordering=secret").status_code == 200


def test_unit_export_holds_the_filtered_rows_in_scope_with_phones_masked(client, users, units, tree, make_user):
    client.force_login(users.street)
    page = client.get("/orgs/units/?kind=hospital")
    assert 'id="export-excel"' in page.content.decode()
    response = client.get(page.context["export_url"])
    assert response.status_code == 200
    rows = sheet_rows(response)
    assert sorted(r[0] for r in rows) == ["北安门医院", "安康医院", "安康医院"]  # not 公园路 (秦淮区)
    assert sorted(r[7] for r in rows) == ["13800000001", "13800000003", "13800000006"]  # they maintain them
    # 批量导出: only the ticked rows, and only those in scope (公园路学校 is in 秦淮区).
    client.force_login(users.city)
    ticked = [units[0].pk, units[5].pk]
    response = client.post("/excel/export/resident_units/checked/", {"ids": ticked, "next": "/orgs/units/"})
    assert sorted(r[0] for r in sheet_rows(response)) == sorted([units[0].name, units[5].name])
    client.force_login(users.district)
    response = client.post("/excel/export/resident_units/checked/", {"ids": ticked, "next": "/orgs/units/"})
    assert [r[0] for r in sheet_rows(response)] == [units[0].name]


def test_unit_checked_export_refuses_rows_out_of_scope_and_an_empty_selection(client, users, units):
    client.force_login(users.community)  # 北安门社区
    outside = next(u for u in units if u.name == "公园路学校")
    inside = units[0]
    response = client.post("/excel/export/resident_units/checked/", {"ids": [inside.pk, outside.pk]})
    assert [r[0] for r in sheet_rows(response)] == [inside.name]
    response = client.post("/excel/export/resident_units/checked/", {"next": "/orgs/units/"}, follow=True)
    assert "请先勾选要导出的记录" in response.content.decode()
    response = client.post("/excel/export/resident_units/checked/", {"ids": ["1e9"]}, follow=True)
    assert "勾选的记录编号无效" in response.content.decode()
    # A kind whose list has no ticked-row filter is not offered (it would export everything).
    assert client.post("/excel/export/orgs/checked/", {"ids": [inside.pk]}).status_code == 404
    assert ResidentUnit.objects.count() == len(units)


def test_unit_export_masks_the_phone_where_the_user_may_not_maintain_the_unit(client, users, units, monkeypatch):
    # Every role that sees units maintains them today; were view and maintain ever split, the
    # export masks the contact phone of the units the user may only see.
    monkeypatch.setattr("jiceng.orgs.exporter.UNIT_CHANGE", "orgs.import_residentunit")  # held by no role
    client.force_login(users.street)
    rows = sheet_rows(client.get("/excel/export/resident_units/?kind=hospital"))
    assert sorted(r[7] for r in rows) == ["138****0001", "138****0003", "138****0006"]
    client.force_login(users.nobody)
    assert client.get("/excel/export/resident_units/").status_code == 403


@pytest.mark.parametrize(
    "url",
    ["/orgs/units/?sort=-name", "/orgs/departments/?sort=-name", "/members/?sort=-area", "/appeals/queue/?sort=-id"],
)
def test_the_filter_form_keeps_the_current_sort(client, users, url):
    """查询 on a sorted list sends the sort again: the filter form carries it."""
    client.force_login(users.community)
    html = client.get(url).content.decode()
    sort = url.split("sort=")[1]
    form = html.split('method="get" role="search"')[1].split("</form>")[0]
    assert f'<input type="hidden" name="sort" value="{sort}">' in form

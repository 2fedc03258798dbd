"""Area pages: drill-down, search, edit, add, move — each only inside the user's scope."""

import pytest

from jiceng.accounts.models import AuditLog
from jiceng.areas.models import Area, Level

PAGES = ["/areas/{}/", "/areas/{}/edit/", "/areas/{}/add/", "/areas/{}/move/"]


def child_codes(response):
    return [child.code for child in response.context["children"]]


def test_anonymous_is_sent_to_login(client, tree):
    for page in [*PAGES, "/areas/", "/areas/search/?q=社区"]:
        response = client.get(page.format(tree.beianmen.code))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("page", PAGES)
def test_community_user_gets_404_for_another_community(login, tree, users, page):
    client = login(users.community)
    for other in (tree.gongyuan, tree.meiyuan_cm, tree.meiyuan_grid, tree.meiyuan, tree.city):
        assert client.get(page.format(other.code)).status_code == 404
        assert client.post(page.format(other.code), {"name": "被改了", "households": 1}).status_code == 404
    assert Area.objects.filter(name="被改了").count() == 0


@pytest.mark.parametrize("page", PAGES[:3])
def test_community_user_may_use_own_pages(login, tree, users, page):
    client = login(users.community)
    assert client.get(page.format(tree.beianmen.code)).status_code == 200
    assert client.get(page.format(tree.grid1.code)).status_code == 200


def test_missing_code_is_404(login, tree, superuser):
    assert login(superuser).get("/areas/320102002011999/").status_code == 404


def test_tree_starts_at_the_users_scope(login, tree, users, superuser):
    assert login(users.community).get("/areas/")["Location"] == "/areas/320102002011/"
    assert login(users.district).get("/areas/")["Location"] == "/areas/320102/"
    assert login(superuser).get("/areas/")["Location"] == "/areas/3201/"


def test_tree_with_several_roots_lists_them(login, tree, users, make_user):
    from jiceng.accounts.services import assign_role

    user = make_user("two_places", role="community", area=tree.beianmen)
    assign_role(None, user, "community", tree.gongyuan)
    response = login(user).get("/areas/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "北安门社区" in content and "贡院社区" in content
    assert "梅园新村社区" not in content


def test_community_page_shows_its_grids_with_counts(login, tree, users):
    response = login(users.community).get(f"/areas/{tree.beianmen.code}/")
    assert response.status_code == 200
    assert child_codes(response) == ["320102002011001", "320102002011002"]
    content = response.content.decode()
    assert "北安门社区第一网格" in content and "北安门社区第二网格" in content
    assert "梅园新村社区" not in content and "贡院社区" not in content
    # The grid row shows its roll-up: 140 households, 350 people, 1 sub-area.
    assert response.context["children"][0].total_households == 140
    assert ">140<" in content and ">350<" in content
    # Breadcrumbs show only what the user may see: no street or district above the community.
    assert [a.code for a in response.context["breadcrumbs"]] == ["320102002011"]


def test_district_user_sees_its_whole_subtree(login, tree, users):
    client = login(users.district)
    for area in Area.objects.subtree(tree.xuanwu.code):
        assert client.get(f"/areas/{area.code}/").status_code == 200, area.code
    for area in Area.objects.exclude(code__startswith="320102"):
        assert client.get(f"/areas/{area.code}/").status_code == 404, area.code
    response = client.get(f"/areas/{tree.building.code}/")
    assert [a.code for a in response.context["breadcrumbs"]] == [
        "320102",
        "320102002",
        "320102002011",
        "320102002011001",
        "320102002011001001",
    ]


def test_superuser_sees_all(login, tree, superuser):
    client = login(superuser)
    response = client.get("/areas/3201/")
    assert child_codes(response) == ["320102", "320104"]
    for area in Area.objects.all():
        assert client.get(f"/areas/{area.code}/").status_code == 200


def test_grid_worker_sees_own_grid_but_cannot_edit(login, tree, users):
    client = login(users.grid)
    response = client.get(f"/areas/{tree.grid1.code}/")
    assert response.status_code == 200
    assert response.context["can_change"] is False
    assert "编辑" not in response.content.decode().split("下级区划")[0]
    assert client.get(f"/areas/{tree.grid2.code}/").status_code == 404
    assert client.get(f"/areas/{tree.beianmen.code}/").status_code == 404
    for page in PAGES[1:]:
        assert client.get(page.format(tree.grid1.code)).status_code == 404
    response = client.post(f"/areas/{tree.grid1.code}/edit/", {"name": "改名", "households": 1, "population": 1})
    assert response.status_code == 404
    tree.grid1.refresh_from_db()
    assert tree.grid1.name == "北安门社区第一网格"


def test_community_user_cannot_move(login, tree, users):
    client = login(users.community)
    response = client.get(f"/areas/{tree.grid1.code}/")
    assert response.context["can_move"] is False
    assert client.get(f"/areas/{tree.grid1.code}/move/").status_code == 404


def test_search_is_scoped(login, tree, users, superuser):
    def found(user, **params):
        response = login(user).get("/areas/search/", params)
        assert response.status_code == 200
        return [a.code for a in response.context["results"]]

    assert found(users.community, q="社区", level="community") == ["320102002011"]
    assert found(users.community, q="网格") == ["320102002011001", "320102002011002"]
    assert found(users.community, q="3201") == [
        "320102002011",
        "320102002011001",
        "320102002011001001",
        "320102002011002",
    ]
    assert found(users.community, q="贡院") == []
    assert found(users.district, q="社区", level="community") == ["320102002001", "320102002011"]
    assert found(users.district, level="grid") == ["320102002001001", "320102002011001", "320102002011002"]
    assert found(superuser, level="community") == ["320102002001", "320102002011", "320104001001"]
    assert found(superuser, q="3201040") == ["320104001", "320104001001"]
    assert "没有找到" in login(users.community).get("/areas/search/", {"q": "贡院"}).content.decode()


@pytest.mark.parametrize("q", ["²", "３２０１", "3201²", "' OR 1=1 --", "%", "_"])
def test_search_survives_odd_input(login, tree, superuser, q):
    response = login(superuser).get("/areas/search/", {"q": q})
    assert response.status_code == 200
    assert response.context["results"] == []


def test_edit_updates_rollups_and_audits(login, tree, users):
    client = login(users.community)
    response = client.post(
        f"/areas/{tree.grid1.code}/edit/",
        {"name": "北安门一网格", "kind": "comprehensive_grid", "households": 110, "population": 280},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/areas/{tree.grid1.code}/"
    tree.grid1.refresh_from_db()
    assert tree.grid1.name == "北安门一网格"
    assert tree.grid1.total_households == 150
    tree.city.refresh_from_db()
    assert tree.city.total_households == 710
    log = AuditLog.objects.get(action="update_area")
    assert log.actor == users.community
    assert log.before["households"] == 100 and log.after["households"] == 110
    assert log.before["name"] == "北安门社区第一网格" and log.after["name"] == "北安门一网格"
    page = client.get(response["Location"]).content.decode()
    assert "已保存" in page


def test_edit_with_invalid_values_shows_errors(login, tree, users):
    client = login(users.community)
    response = client.post(f"/areas/{tree.grid1.code}/edit/", {"name": "", "households": -1, "population": 0})
    assert response.status_code == 200
    assert response.context["form"].errors
    tree.grid1.refresh_from_db()
    assert tree.grid1.households == 100
    assert not AuditLog.objects.filter(action="update_area").exists()


def test_add_grid_issues_the_next_code(login, tree, users):
    client = login(users.community)
    response = client.post(
        f"/areas/{tree.beianmen.code}/add/",
        {"level": "grid", "name": "北安门社区第三网格", "code": "", "kind": "", "households": 30, "population": 70},
    )
    assert response.status_code == 302
    grid = Area.objects.get(name="北安门社区第三网格")
    assert grid.code == "320102002011003"
    assert grid.parent == tree.beianmen
    tree.beianmen.refresh_from_db()
    assert tree.beianmen.child_count == 3
    assert tree.beianmen.total_households == 380
    assert "320102002011003" in client.get(response["Location"]).content.decode()


def test_add_offers_only_the_allowed_levels(login, tree, users):
    client = login(users.district)
    form = client.get(f"/areas/{tree.xuanwu.code}/add/").context["form"]
    assert [value for value, _ in form.fields["level"].choices] == ["street"]
    form = client.get(f"/areas/{tree.grid1.code}/add/").context["form"]
    assert [value for value, _ in form.fields["level"].choices] == ["compound", "building"]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "须填写国家统计编码"),
        ("32010200", "9位"),
        ("320104003", "开头"),
        ("320102002", "已被使用"),
        ("32010200a", "数字"),
    ],
)
def test_add_street_with_bad_code_is_refused(login, tree, users, code, message):
    client = login(users.district)
    count = Area.objects.count()
    response = client.post(
        f"/areas/{tree.xuanwu.code}/add/",
        {
            "level": "street",
            "name": "新街口街道",
            "code": code,
            "kind": "subdistrict",
            "households": 0,
            "population": 0,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Area.objects.count() == count


def test_add_under_a_building_is_refused(login, tree, superuser):
    response = login(superuser).get(f"/areas/{tree.building.code}/add/")
    assert response.status_code == 403


def test_move_grid_to_another_community(login, tree, users):
    client = login(users.street)
    response = client.post(f"/areas/{tree.grid2.code}/move/", {"new_parent": tree.meiyuan_cm.code, "new_code": ""})
    assert response.status_code == 302
    assert response["Location"] == "/areas/320102002001002/"
    tree.grid2.refresh_from_db()
    assert tree.grid2.code == "320102002001002"
    assert tree.grid2.parent == tree.meiyuan_cm


def test_move_to_a_parent_outside_scope_is_refused(login, tree, users):
    client = login(users.street)
    response = client.post(f"/areas/{tree.grid2.code}/move/", {"new_parent": tree.gongyuan.code, "new_code": ""})
    assert response.status_code == 200
    assert "不在您的管理范围内" in response.content.decode()
    tree.grid2.refresh_from_db()
    assert tree.grid2.code == "320102002011002"


def test_move_under_own_descendant_is_refused_on_the_page(login, tree, users):
    client = login(users.district)
    response = client.post(
        f"/areas/{tree.beianmen.code}/move/", {"new_parent": tree.grid1.code, "new_code": "320102002099"}
    )
    assert response.status_code == 200
    assert "下级" in response.content.decode()
    assert Area.objects.filter(code="320102002011").exists()


def test_community_move_requires_new_code_on_the_page(login, tree, superuser):
    client = login(superuser)
    response = client.post(f"/areas/{tree.beianmen.code}/move/", {"new_parent": tree.fuzimiao.code, "new_code": ""})
    assert response.status_code == 200
    assert "必须给出新编码" in response.content.decode()
    response = client.post(
        f"/areas/{tree.beianmen.code}/move/", {"new_parent": tree.fuzimiao.code, "new_code": "320104001011"}
    )
    assert response["Location"] == "/areas/320104001011/"
    assert Area.objects.get(code="320104001011001001").name == "1栋"


def test_level_labels_are_chinese(login, tree, superuser):
    content = login(superuser).get(f"/areas/{tree.beianmen.code}/").content.decode()
    assert "社区" in content and "网格" in content
    assert Level.GRID.label == "网格"


# --- grid sizes (DOMAIN.md §5.2: a 综合网格 holds 300–500 households) -----------------------------


@pytest.mark.parametrize(
    ("households", "note"),
    [
        (299, "网格有299户，少于综合网格一般300—500户的范围，宜合并或调整网格划分。"),
        (300, None),
        (500, None),
        (501, "网格有501户，超过综合网格一般300—500户的范围，宜拆分或调整网格划分。"),
    ],
)
def test_a_grid_outside_the_households_range_is_flagged_on_its_page(login, tree, users, households, note):
    from jiceng.areas.services import update_area

    update_area(None, tree.grid2, households=households)
    client = login(users.community)
    content = client.get(f"/areas/{tree.grid2.code}/").content.decode()
    assert (note in content) if note else ('id="grid-size"' not in content)
    community = client.get(f"/areas/{tree.beianmen.code}/")
    flagged = [child.code for child in community.context["children"] if child.grid_problem]
    assert (tree.grid2.code in flagged) is bool(note)
    assert tree.grid1.code in flagged  # 140 households


def test_a_dedicated_grid_and_a_grid_without_households_are_not_flagged(login, tree, users):
    from jiceng.areas.models import Kind
    from jiceng.areas.services import create_area, update_area

    update_area(None, tree.grid2, kind=Kind.DEDICATED_GRID)  # a school, hospital …: its unit, not households
    empty = create_area(None, parent=tree.beianmen, level=Level.GRID, name="新划网格")
    client = login(users.community)
    assert 'id="grid-size"' in client.get(f"/areas/{tree.grid1.code}/").content.decode()  # 140, comprehensive
    for grid in (tree.grid2, empty):
        assert 'id="grid-size"' not in client.get(f"/areas/{grid.code}/").content.decode()


def test_the_households_range_is_a_rule(login, tree, users):
    from jiceng.core.models import Rule
    from jiceng.core.rules import forget_rule

    Rule.objects.create(key="grid.min_households", value=100)
    forget_rule("grid.min_households")
    content = login(users.community).get(f"/areas/{tree.grid1.code}/").content.decode()
    assert 'id="grid-size"' not in content  # 140 households
    content = login(users.community).get(f"/areas/{tree.grid2.code}/").content.decode()
    assert 'id="grid-size"' not in content  # 200 households
    Rule.objects.create(key="grid.max_households", value=150)
    forget_rule("grid.max_households")
    content = login(users.community).get(f"/areas/{tree.grid2.code}/").content.decode()
    assert "网格有200户，超过综合网格一般100—150户的范围" in content

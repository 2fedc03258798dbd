"""Login page and the home page per role."""

from jiceng.accounts.roles import ROLES, permissions_of


def test_login_page_is_chinese(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "登录" in content and "用户名" in content and "密码" in content


def test_home_requires_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_community_home_shows_its_community_and_grids(client, tree, users):
    client.force_login(users.community)
    response = client.get("/")
    assert response.status_code == 200
    assert [a.code for a in response.context["scope_areas"]] == ["320102002011"]
    assert [a.code for a in response.context["children"]] == ["320102002011001", "320102002011002"]
    content = response.content.decode()
    assert "北安门社区" in content
    assert "社区党委" in content
    assert "贡院社区" not in content and "梅园新村社区" not in content


def test_district_home(client, tree, users):
    client.force_login(users.district)
    response = client.get("/")
    assert [a.code for a in response.context["scope_areas"]] == ["320102"]
    assert [a.code for a in response.context["children"]] == ["320102002"]
    assert "区委组织部" in response.content.decode()


def test_grid_worker_home(client, tree, users):
    client.force_login(users.grid)
    response = client.get("/")
    assert response.context["is_grid_worker"] is True
    assert [a.code for a in response.context["scope_areas"]] == [tree.grid1.code]


def test_superuser_home_starts_at_the_city(client, tree, superuser):
    client.force_login(superuser)
    assert [a.code for a in client.get("/").context["scope_areas"]] == ["3201"]


def test_user_without_roles_sees_no_area(client, tree, users):
    client.force_login(users.nobody)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["scope_areas"] == []
    assert client.get("/areas/").status_code in (200, 302)
    assert client.get(f"/areas/{tree.city.code}/").status_code == 404


def test_menu_hides_what_the_role_cannot_use(client, tree, users):
    client.force_login(users.grid)
    labels = [item["label"] for item in client.get("/").context["nav_menu"]]
    assert "区划与网格" in labels
    assert "操作日志" not in labels
    client.force_login(users.district)
    labels = [item["label"] for item in client.get("/").context["nav_menu"]]
    assert "操作日志" in labels


def test_roles_cover_the_design_table():
    labels = {role.label for role in ROLES.values()}
    for label in [
        "市委组织部",
        "区委组织部",
        "街道党工委",
        "职能部门",
        "社区党委",
        "网格员",
        "党员",
        "驻区单位联络人",
        "居民",
    ]:
        assert label in labels
    assert "areas.move_area" in permissions_of("street")
    assert "areas.move_area" not in permissions_of("community")
    assert "areas.change_area" not in permissions_of("grid_worker")
    assert permissions_of("no-such-role") == frozenset()

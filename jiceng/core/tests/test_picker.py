"""The area and org pickers' suggestions: only what the user may see, named by path, bounded."""

import pytest

from jiceng.areas.models import Level
from jiceng.areas.services import create_area
from jiceng.orgs.tests.conftest import build_orgs
from tests.queries import count_queries

AREA = "/areas/pick/"
ORG = "/orgs/pick/"


def _codes(response):
    return [node["code"] for node in response.json()["results"]]


def test_a_name_fragment_finds_areas_in_scope_with_their_path(client, tree, users):
    client.force_login(users.street)
    response = client.get(AREA, {"q": "社区"})
    assert response.status_code == 200
    # Communities before grids, each level in tree order.
    assert _codes(response) == [
        tree.meiyuan_cm.code,
        tree.beianmen.code,
        tree.meiyuan_grid.code,
        tree.grid1.code,
        tree.grid2.code,
    ]
    beianmen = response.json()["results"][1]
    # The street user sees the path from their own street down; 玄武区 is above their scope.
    assert beianmen == {
        "code": tree.beianmen.code,
        "name": "北安门社区",
        "path": "梅园新村街道 / 北安门社区",
        "children": True,
    }
    assert tree.gongyuan.code not in _codes(response)  # 贡院社区 is another street's


def test_the_city_sees_the_whole_path(client, tree, users):
    client.force_login(users.city)
    response = client.get(AREA, {"q": "北安门社区"})
    assert response.json()["results"][0]["path"] == "南京市 / 玄武区 / 梅园新村街道 / 北安门社区"
    assert tree.gongyuan.code in _codes(client.get(AREA, {"q": "贡院"}))


@pytest.mark.parametrize("params", [{"q": "贡院"}, {"q": "320104"}, {"code": "320104001001"}, {"parent": "320104001"}])
def test_another_streets_nodes_never_appear(client, tree, users, params):
    client.force_login(users.street)
    assert _codes(client.get(AREA, params)) == []


def test_a_code_prefix_finds_the_subtree(client, tree, users):
    client.force_login(users.street)
    assert _codes(client.get(AREA, {"q": tree.beianmen.code}))[:2] == [tree.beianmen.code, tree.grid1.code]


def test_browsing_starts_at_the_scope_and_goes_down(client, tree, users):
    client.force_login(users.street)
    tops = client.get(AREA, {"parent": ""}).json()
    assert [n["code"] for n in tops["results"]] == [tree.meiyuan.code]
    children = client.get(AREA, {"parent": tree.meiyuan.code}).json()
    assert [n["name"] for n in children["results"]] == ["梅园新村社区", "北安门社区"]
    assert children["parent"]["name"] == "梅园新村街道" and children["parent"]["up"] == ""
    grids = client.get(AREA, {"parent": tree.beianmen.code}).json()
    assert grids["parent"]["up"] == tree.meiyuan.code
    offered = [(n["name"], n["children"]) for n in grids["results"]]
    assert offered == [("北安门社区第一网格", True), ("北安门社区第二网格", False)]
    # Above the scope there is nothing to browse.
    assert client.get(AREA, {"parent": tree.xuanwu.code}).json() == {"results": [], "more": False, "parent": None}


def test_a_chosen_code_is_named(client, tree, users):
    client.force_login(users.community)
    assert client.get(AREA, {"code": tree.grid1.code}).json()["results"][0]["path"] == "北安门社区 / 北安门社区第一网格"
    assert _codes(client.get(AREA, {"code": "abc"})) == []


def test_suggestions_are_capped(client, tree, users):
    for i in range(25):
        create_area(None, parent=tree.beianmen, level=Level.GRID, name=f"测试网格{i}")
    client.force_login(users.street)
    answer = client.get(AREA, {"q": "测试网格"}).json()
    assert len(answer["results"]) == 20 and answer["more"] is True


@pytest.mark.parametrize("params", [{"q": "网格"}, {"parent": "320102002011"}, {"parent": ""}])
def test_queries_do_not_grow_with_rows(client, tree, users, params):
    client.force_login(users.street)
    client.get(AREA, params)
    few, _ = count_queries(client, AREA + "?" + "&".join(f"{k}={v}" for k, v in params.items()))
    for i in range(15):
        grid = create_area(None, parent=tree.beianmen, level=Level.GRID, name=f"新网格{i}")
        create_area(None, parent=grid, level=Level.BUILDING, name="1栋")
    many, response = count_queries(client, AREA + "?" + "&".join(f"{k}={v}" for k, v in params.items()))
    assert len(response.json()["results"]) > 0
    # Session, user, grants; the nodes, their visible ancestors, which have children.
    assert many == few and many <= 8


def test_the_org_picker_is_scoped_too(client, tree, users):
    orgs = build_orgs(tree)
    client.force_login(users.street)
    response = client.get(ORG, {"q": "党支部"})
    assert _codes(response) == [orgs.grid1.code, orgs.grid2.code]  # not 贡院社区第一党支部
    assert response.json()["results"][0]["path"] == "梅园新村街道党工委 / 北安门社区党委 / 第一网格党支部"
    assert [n["name"] for n in client.get(ORG, {"parent": ""}).json()["results"]] == ["梅园新村街道党工委"]
    assert _codes(client.get(ORG, {"code": orgs.gongyuan_branch.code})) == []
    client.force_login(users.city)
    assert orgs.gongyuan_branch.code in _codes(client.get(ORG, {"q": "党支部"}))
    assert [n["name"] for n in client.get(ORG, {"parent": ""}).json()["results"]] == ["中共南京市委员会"]


def test_anonymous_users_are_sent_to_log_in(client, tree):
    assert client.get(AREA, {"q": "社区"}).status_code == 302
    assert client.get(ORG, {"q": "党"}).status_code == 302

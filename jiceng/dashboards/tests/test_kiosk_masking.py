"""Issue 12 point 3 / docs/metrics.md "Masking": on the 大屏 and its share link (page and JSON), a
count below its metric's ``min_cell`` prints "<N", never the number; the logged-in dashboard of a
holder of the roster's permission shows the exact number."""

import json
import re
from datetime import date

import pytest
from django.urls import reverse

from jiceng.dashboards.kiosk import create_share, token_for
from jiceng.members.tests.conftest import make_member, orgs  # noqa: F401

pytestmark = pytest.mark.django_db

WOMEN = "members.area.women"
MEN = "members.area.men"
PARTY = "members.area.party"
OLD = "members.area.age_ge61"


@pytest.fixture
def small_roster(make_member, orgs):  # noqa: F811
    """第一网格: one woman of 61 or over and four men; 第二网格: nobody (北安门社区: 5 members)."""
    woman_born = date(1950, 3, 3)
    from jiceng.members.tests.conftest import make_id

    make_member(birth=woman_born, id_number=make_id(woman_born, seq=22), gender="F")
    for i in range(4):
        born = date(1980, 1, 10 + i)
        make_member(birth=born, id_number=make_id(born, seq=11 + 2 * i), gender="M")


def page_figures(client, code):
    html = client.get(reverse("dashboards:dashboard", args=["areas", code])).content.decode()
    found = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found[1])


def assert_masked(data, community, grid1, grid2):
    figures = {f["key"]: f for f in data["figures"]}
    assert figures[WOMEN]["value"] == "<3" and figures[WOMEN]["text"] == "<3"
    assert OLD not in figures  # 党员年龄 is not in a community's default figures …
    assert figures[MEN]["value"] == 4 and figures[MEN]["text"] == "4"
    assert figures[PARTY]["value"] == 5  # a total without min_cell: exact
    children = {c["code"]: c["figures"] for c in data["children"]}
    assert children[grid1][WOMEN] == "<3" and children[grid1][MEN] == 4
    assert children[grid1][OLD] == "<3"  # … but every child's figures are masked all the same
    assert children[grid2][WOMEN] == "<3" and children[grid2][MEN] == "<3"  # zero is masked too


def test_kiosk_and_share_link_print_small_counts_as_less_than_min_cell(small_roster, tree, users, login, client):
    community, grid1, grid2 = tree.beianmen.code, tree.grid1.code, tree.grid2.code
    viewer = login(users.community)
    # The dashboard of a holder of the roster's permission shows the exact number.
    exact = page_figures(viewer, community)
    assert exact["figures"][WOMEN] == 1 and exact["figures"][MEN] == 4 and exact["figures"][OLD] == 1

    data = viewer.get(reverse("dashboards:kiosk_data", args=["areas", community]), {"rank": WOMEN}).json()
    assert_masked(data, community, grid1, grid2)
    # Ranked by a masked figure: no order among the masked children, no treemap area telling it.
    assert [r["value"] for r in data["ranking"]] == ["<3", "<3"]
    assert [r["code"] for r in data["ranking"]] == sorted([grid1, grid2])
    assert {item["value"] for item in data["treemap"]} == {1}
    page = viewer.get(reverse("dashboards:kiosk", args=["areas", community])).content.decode()
    assert f'data-metric="{WOMEN}">&lt;3<small>' in page
    assert f'data-metric="{MEN}">4<small>' in page
    embedded = json.loads(re.search(r'<script id="kiosk-data" type="application/json">(.*?)</script>', page, re.S)[1])
    assert_masked(embedded, community, grid1, grid2)

    link = create_share(users.community, "areas", community, 7)
    client.logout()
    token = token_for(link)
    shared = client.get(reverse("screen:shared_data", args=[token])).json()
    assert_masked(shared, community, grid1, grid2)
    shared_page = client.get(reverse("screen:shared", args=[token])).content.decode()
    assert f'data-metric="{WOMEN}">&lt;3<small>' in shared_page
    for series_key in (WOMEN, OLD):
        assert all(v in (None, "<3") for v in shared.get("trend", {}).get("series", {}).get(series_key, []))


def test_the_kiosk_shows_the_users_chosen_figures_masked(small_roster, tree, users, login):
    from jiceng.dashboards.choice import save_choice

    save_choice(users.community, "areas", [OLD, WOMEN, PARTY])
    client = login(users.community)
    data = client.get(reverse("dashboards:kiosk_data", args=["areas", tree.beianmen.code])).json()
    # Headline first (党员), then 党员结构 (女党员), then 党员年龄.
    assert [(f["key"], f["text"]) for f in data["figures"]] == [(PARTY, "5"), (WOMEN, "<3"), (OLD, "<3")]

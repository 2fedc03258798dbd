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
SHARE = "members.area.women_share"


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
    # 4 men next to 5 members would tell the one woman: the other counts of the split are hidden.
    assert figures[MEN]["value"] == "—" and figures[MEN]["text"] == "—"
    assert figures[PARTY]["value"] == 5  # a total without min_cell: exact
    children = {c["code"]: c["figures"] for c in data["children"]}
    assert children[grid1][WOMEN] == "<3" and children[grid1][MEN] == "—"
    assert children[grid1][SHARE] == "—"  # 女党员占比 × 党员 would tell it too
    assert children[grid1][OLD] == "<3"  # … but every child's figures are masked all the same
    assert children[grid2][WOMEN] == "<3" and children[grid2][MEN] == "<3"  # zero is masked too
    assert 4 not in [children[grid1].get(k) for k in (MEN, WOMEN, OLD)]


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
    assert f'data-metric="{MEN}">—<small>' in page
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


def test_one_hidden_child_hides_a_second_so_the_sum_tells_nothing():
    """The node shows 女党员 40 and its grids 20, 19 and 1: the 1 is "<3", and 40 − 20 − 19 would
    tell it, so a second grid is hidden too; a grid's men and women go together (a split), and a
    hidden count hides its share."""
    from types import SimpleNamespace

    from jiceng.dashboards.kiosk import HIDDEN, _Suppression

    women = SimpleNamespace(key=WOMEN, min_cell=3, cell_group="gender", share_of="", percent=False, base="")
    men = SimpleNamespace(key=MEN, min_cell=3, cell_group="gender", share_of="", percent=False, base="")
    share = SimpleNamespace(key=SHARE, min_cell=0, cell_group="", share_of=WOMEN, percent=True, base="")
    rules = _Suppression([women, men, share])
    parent = rules.node({WOMEN: 40, MEN: 60, SHARE: 0.4})
    assert parent == {WOMEN: 40, MEN: 60, SHARE: 0.4}
    children = [
        {"code": "a", "figures": rules.node({WOMEN: 20, MEN: 20, SHARE: 0.5})},
        {"code": "b", "figures": rules.node({WOMEN: 19, MEN: 21, SHARE: 0.475})},
        {"code": "c", "figures": rules.node({WOMEN: 1, MEN: 19, SHARE: 0.05})},
    ]
    rules.siblings(parent, children)
    by = {c["code"]: c["figures"] for c in children}
    assert by["c"] == {WOMEN: "<3", MEN: HIDDEN, SHARE: HIDDEN}
    for key in (WOMEN, MEN):
        # Never one hidden cell alone: the node's figure minus the shown ones is a sum of two or more.
        assert sum(isinstance(f[key], str) for f in by.values()) >= 2
    for figures in by.values():
        if isinstance(figures[WOMEN], str):
            assert isinstance(figures[MEN], str) and isinstance(figures[SHARE], str)
    assert sum(isinstance(v, int) for f in by.values() for v in f.values()) == 2  # one grid still shown


DUES = "members.area.dues_rate"


def test_a_rate_over_one_or_two_members_is_hidden_on_the_kiosk(make_member, orgs, tree, users, login):  # noqa: F811
    """党费按月交纳率 of a grid with two members (one paid up, 50 %) would tell each one's status:
    the 大屏 shows "—" for it on the grid and among the community's children; the community's own
    rate (5 members) is shown, and so the other grid's is hidden too (community rate × 5 − grid rate
    × 3 would give the first grid's)."""
    from jiceng.dashboards.choice import save_choice
    from jiceng.members import stats
    from jiceng.members.models import Member

    paid_up = make_member()
    make_member()  # 第一网格: two members, one of them paid up
    for _ in range(3):
        make_member(org=orgs.branch2)  # 第二网格: three, none paid up
    today = date.today()
    last_month = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    Member.objects.filter(pk=paid_up.pk).update(dues_paid_through=last_month)
    stats.rebuild()
    save_choice(users.community, "areas", [PARTY, DUES])
    client = login(users.community)
    grid1, grid2 = tree.grid1.code, tree.grid2.code
    # The logged-in dashboard of a holder of the dues permission shows the exact rate.
    assert page_figures(client, grid1)["figures"][DUES] == 0.5

    data = client.get(reverse("dashboards:kiosk_data", args=["areas", grid1])).json()
    figures = {f["key"]: f for f in data["figures"]}
    assert figures[PARTY]["text"] == "2"
    assert figures[DUES]["value"] == "—" and figures[DUES]["text"] == "—"
    assert "50.0%" not in json.dumps(data, ensure_ascii=False)
    page = client.get(reverse("dashboards:kiosk", args=["areas", grid1])).content.decode()
    assert f'data-metric="{DUES}">—<small>' in page and "50.0%" not in page and "0.5" not in page

    community = client.get(reverse("dashboards:kiosk_data", args=["areas", tree.beianmen.code]), {"rank": DUES})
    community = community.json()
    assert {f["key"]: f["text"] for f in community["figures"]}[DUES] == "20.0%"  # 1 of 5
    children = {c["code"]: c["figures"] for c in community["children"]}
    assert children[grid1][DUES] == "—" and children[grid2][DUES] == "—"
    assert [r["value"] for r in community["ranking"]] == ["—", "—"]

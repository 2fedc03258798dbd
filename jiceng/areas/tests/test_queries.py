"""Pages and API calls issue a bounded number of queries, independent of the number of rows."""

import pytest

from jiceng.accounts.services import issue_token
from jiceng.areas.models import Level
from jiceng.areas.services import create_area, update_area
from tests.queries import count_queries

# Session, user, grants, the area, breadcrumbs, children, history, menu... Generous but fixed.
MAX_PAGE_QUERIES = 12
MAX_API_QUERIES = 6


def add_grids(community, n):
    for i in range(n):
        create_area(None, parent=community, level=Level.GRID, name=f"{community.name}网格{i + 1}", households=i)


@pytest.fixture
def small_and_big(tree):
    """Two communities: one with 3 grids, one with 30."""
    small = create_area(None, parent=tree.meiyuan, level=Level.COMMUNITY, code="320102002021", name="小社区")
    big = create_area(None, parent=tree.meiyuan, level=Level.COMMUNITY, code="320102002022", name="大社区")
    add_grids(small, 3)
    add_grids(big, 30)
    return small, big


@pytest.mark.parametrize("role_user", ["street", "district", "superuser"])
def test_tree_page_queries_do_not_grow_with_children(client, tree, users, superuser, small_and_big, role_user):
    small, big = small_and_big
    user = superuser if role_user == "superuser" else getattr(users, role_user)
    client.force_login(user)
    client.get(f"/areas/{small.code}/")  # warm up: session, content types
    n_small, r_small = count_queries(client, f"/areas/{small.code}/")
    n_big, r_big = count_queries(client, f"/areas/{big.code}/")
    assert len(r_small.context["children"]) == 3
    assert len(r_big.context["children"]) == 30
    assert n_small == n_big
    assert n_big <= MAX_PAGE_QUERIES


def test_tree_page_queries_do_not_grow_with_history(client, tree, users, small_and_big):
    small, big = small_and_big
    update_area(users.district, small, households=1)
    for i in range(8):
        update_area(users.district, big, households=i + 1)
    client.force_login(users.district)
    client.get(f"/areas/{small.code}/")
    n_small, r_small = count_queries(client, f"/areas/{small.code}/")
    n_big, r_big = count_queries(client, f"/areas/{big.code}/")
    assert len(r_big.context["history"]) > len(r_small.context["history"])
    assert n_small == n_big


def test_city_page_is_bounded(client, tree, superuser, small_and_big):
    client.force_login(superuser)
    client.get("/areas/3201/")
    n, _ = count_queries(client, "/areas/3201/")
    assert n <= MAX_PAGE_QUERIES


def test_api_list_queries_do_not_grow_with_rows(api_client, tree, users, small_and_big):
    small, big = small_and_big
    _, key = issue_token(None, users.district)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    api_client.get("/api/v1/areas/")  # the token's first use is recorded once (at most a write a minute)
    n_small, r_small = count_queries(api_client, "/api/v1/areas/", data={"parent": small.code})
    n_big, r_big = count_queries(api_client, "/api/v1/areas/", data={"parent": big.code})
    assert len(r_small.json()["results"]) == 3
    assert len(r_big.json()["results"]) == 30
    assert n_small == n_big <= MAX_API_QUERIES
    n_all, r_all = count_queries(api_client, "/api/v1/areas/", data={"page_size": 500})
    assert len(r_all.json()["results"]) > 40
    assert n_all <= MAX_API_QUERIES


def test_api_detail_is_bounded(api_client, tree, users, small_and_big, django_assert_max_num_queries):
    _, key = issue_token(None, users.district)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with django_assert_max_num_queries(MAX_API_QUERIES):
        assert api_client.get(f"/api/v1/areas/{small_and_big[1].code}/").status_code == 200


def test_search_page_is_bounded(client, tree, users, small_and_big, django_assert_max_num_queries):
    client.force_login(users.district)
    client.get("/areas/search/", {"q": "网格"})
    with django_assert_max_num_queries(MAX_PAGE_QUERIES):
        response = client.get("/areas/search/", {"q": "网格"})
    assert len(response.context["results"]) == 36

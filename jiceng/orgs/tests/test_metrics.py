"""The org tree's figures on the dashboard and in the metrics API (the metric registry)."""

import pytest
from django.urls import reverse

from jiceng.members.models import Status

from .conftest import make_members

pytestmark = pytest.mark.django_db
FIGURES = "/api/v1/metrics/figures/"


def test_org_figures_follow_the_kept_counters_and_the_scope(orgtree, org_users, api_client, login):
    make_members(orgtree.grid1, 3)
    make_members(orgtree.grid2, 2, Status.PROBATIONARY)
    api_client.force_authenticate(org_users.community)
    body = api_client.get(FIGURES, {"tree": "orgs", "node": orgtree.beianmen.code}).json()
    orgtree.beianmen.refresh_from_db()
    assert body["figures"]["orgs.members"] == orgtree.beianmen.total_members == 5
    assert body["figures"]["orgs.full_members"] == 3
    ranked = [(c["name"], c["figures"]["orgs.members"]) for c in body["children"]]
    assert ranked == [("第一网格党支部", 3), ("第二网格党支部", 2)]
    # Counters as they are now: no monthly trend (the monthly ones are other apps', e.g. 组织生活).
    assert not [key for key in body["trend"]["series"] if key.startswith("orgs.")]
    # The page shows the same number and links each child to its own dashboard.
    html = (
        login(org_users.community)
        .get(reverse("dashboards:dashboard", args=["orgs", orgtree.beianmen.code]))
        .content.decode()
    )
    assert 'data-metric="orgs.members">5' in html
    assert reverse("dashboards:dashboard", args=["orgs", orgtree.grid1.code]) in html
    # A branch secretary (an org grant) sees their branch, not the committee above it.
    api_client.force_authenticate(org_users.secretary)
    assert api_client.get(FIGURES, {"tree": "orgs", "node": orgtree.beianmen.code}).status_code == 404
    assert api_client.get(FIGURES, {"tree": "orgs", "node": orgtree.grid1.code}).json()["figures"]["orgs.members"] == 3
    # Another district's org is not found.
    assert api_client.get(FIGURES, {"tree": "orgs", "node": orgtree.gongyuan.code}).status_code == 404


def test_the_dashboard_home_goes_to_the_users_node(org_users, login, orgtree):
    response = login(org_users.street).get(reverse("dashboards:home"))
    assert response.status_code == 302 and response["Location"].endswith("/dashboard/areas/320102002/")
    response = login(org_users.secretary).get(reverse("dashboards:home"))
    assert response["Location"].endswith(f"/dashboard/orgs/{orgtree.grid1.code}/")
    assert "暂无数据看板" in login(org_users.nobody).get(reverse("dashboards:home")).content.decode()

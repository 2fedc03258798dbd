"""API v1 for orgs, resident units and departments: scoped lists, 404 details, filters, schema."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.orgs import services
from jiceng.orgs.models import DepartmentLevel, Org, Post
from jiceng.orgs.tests.conftest import make_members


def codes(response):
    return [row["code"] for row in response.json()["results"]]


def subtree(org):
    return sorted(Org.objects.subtree(org.code).values_list("code", flat=True))


def test_list_shows_only_the_users_subtree(api_client, orgtree, org_users):
    api_client.force_authenticate(org_users.community)
    assert codes(api_client.get("/api/v1/orgs/")) == subtree(orgtree.beianmen)
    api_client.force_authenticate(org_users.secretary)
    assert codes(api_client.get("/api/v1/orgs/")) == subtree(orgtree.grid1)
    api_client.force_authenticate(org_users.nobody)
    assert codes(api_client.get("/api/v1/orgs/")) == []


def test_anonymous_is_refused(api_client, orgtree):
    response = api_client.get("/api/v1/orgs/")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["message"]


def test_detail_is_404_outside_the_scope(api_client, orgtree, org_users):
    api_client.force_authenticate(org_users.other_community)
    response = api_client.get(f"/api/v1/orgs/{orgtree.beianmen.code}/")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "未找到该记录，或您无权访问。"
    api_client.force_authenticate(org_users.secretary)
    assert api_client.get(f"/api/v1/orgs/{orgtree.grid2.code}/").status_code == 404
    assert api_client.get(f"/api/v1/orgs/{orgtree.group.code}/").status_code == 200


def test_detail_has_counts_committee_and_part_time_members(api_client, orgtree, users):
    make_members(orgtree.grid1, 3)
    services.appoint_post(None, orgtree.beianmen, post=Post.SECRETARY, holder_name="张书记", start_on=date(2023, 1, 1))
    services.record_vacancy(None, orgtree.beianmen, post=Post.DISCIPLINE, since=date(2024, 1, 1))
    services.add_part_time_member(None, orgtree.beianmen, role="first_secretary", person_name="陈院长")
    api_client.force_authenticate(users.community)
    body = api_client.get(f"/api/v1/orgs/{orgtree.beianmen.code}/").json()
    assert body["name"] == "北安门社区党委" and body["org_type_display"] == "党委"
    assert body["parent"] == orgtree.meiyuan.code and body["area"] == "320102002011"
    assert body["total_members"] == 3 and body["child_count"] == 2
    committee = {row["post"]: row for row in body["committee"]}
    assert committee["secretary"]["holder_name"] == "张书记" and not committee["secretary"]["is_vacant"]
    assert committee["discipline"]["is_vacant"] and committee["discipline"]["vacant_since"] == "2024-01-01"
    assert body["part_time_members"][0]["role_display"] == "兼职第一书记"


def test_filters(api_client, orgtree, users, tree):
    api_client.force_authenticate(users.district)
    assert codes(api_client.get("/api/v1/orgs/", {"parent": orgtree.beianmen.code})) == [
        orgtree.grid1.code,
        orgtree.grid2.code,
    ]
    assert codes(api_client.get("/api/v1/orgs/", {"org_type": "group"})) == [orgtree.group.code]
    assert codes(api_client.get("/api/v1/orgs/", {"category": "community"})) == [
        orgtree.beianmen.code,
        orgtree.meiyuan_cm.code,
    ]
    assert codes(api_client.get("/api/v1/orgs/", {"area": tree.grid1.code})) == [orgtree.grid1.code, orgtree.group.code]
    assert codes(api_client.get("/api/v1/orgs/", {"area": "abc"})) == []
    assert codes(api_client.get("/api/v1/orgs/", {"q": "网格"})) == [orgtree.grid1.code, orgtree.grid2.code]
    assert codes(api_client.get("/api/v1/orgs/", {"q": orgtree.grid1.code})) == [orgtree.grid1.code, orgtree.group.code]
    # A filter never widens the scope.
    assert codes(api_client.get("/api/v1/orgs/", {"parent": orgtree.gongyuan.code})) == []


def test_cursor_pagination_and_bounded_queries(api_client, orgtree, users, tree):
    for i in range(12):
        services.create_org(
            None, parent=orgtree.beianmen, name=f"支部{i}", org_type="branch", category="grid", area=tree.grid1
        )
    api_client.force_authenticate(users.community)
    first = api_client.get("/api/v1/orgs/", {"page_size": 10}).json()
    assert len(first["results"]) == 10 and first["next"]
    second = api_client.get(first["next"]).json()
    assert len(second["results"]) == 6 and second["next"] is None
    with CaptureQueriesContext(connection) as ctx:
        api_client.get("/api/v1/orgs/", {"page_size": 100})
    assert len(ctx) <= 4


def test_resident_units_and_departments(api_client, orgtree, users, tree):
    unit = services.create_resident_unit(None, name="北安门某公司", kind="private_enterprise", area=tree.grid1)
    other = services.create_resident_unit(None, name="贡院某公司", kind="private_enterprise", area=tree.gongyuan)
    department = services.create_department(
        None, name="梅园新村街道城管科", level=DepartmentLevel.STREET, area=tree.meiyuan, areas_served=[tree.beianmen]
    )
    api_client.force_authenticate(users.community)
    rows = api_client.get("/api/v1/resident-units/").json()["results"]
    assert [r["name"] for r in rows] == ["北安门某公司"] and rows[0]["area"] == tree.grid1.code
    assert api_client.get(f"/api/v1/resident-units/{unit.pk}/").status_code == 200
    assert api_client.get(f"/api/v1/resident-units/{other.pk}/").status_code == 404
    assert api_client.get("/api/v1/resident-units/", {"has_org": "true"}).json()["results"] == []
    # A community user does not see the street's departments; the street user does.
    assert api_client.get("/api/v1/departments/").json()["results"] == []
    assert api_client.get(f"/api/v1/departments/{department.pk}/").status_code == 404
    api_client.force_authenticate(users.street)
    body = api_client.get(f"/api/v1/departments/{department.pk}/").json()
    assert body["areas_served"] == [tree.beianmen.code] and body["level_display"] == "街道"


def test_schema_lists_the_endpoints(api_client, superuser):
    api_client.force_authenticate(superuser)
    text = api_client.get("/api/schema/").content.decode()
    for path in ("/api/v1/orgs/", "/api/v1/orgs/{code}/", "/api/v1/resident-units/", "/api/v1/departments/"):
        assert path in text

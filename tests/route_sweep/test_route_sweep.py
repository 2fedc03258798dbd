"""The route sweep over every route of the resolver (see tests/route_sweep/sweep.py and docs)."""

import pytest
from django.test import override_settings

from tests.route_sweep import table
from tests.route_sweep.data import build_world
from tests.route_sweep.openapi import SchemaChecker, load_schema
from tests.route_sweep.sweep import stale_entries, sweep, walk


@pytest.fixture
def world(db):
    return build_world()


def test_every_route_is_swept_or_exempted_and_none_leaks(world):
    routes = walk()
    names = {route.name for route in routes}
    # The walk reaches into every include: pages, the API router, Open311, Excel, admin.
    for expected in ("members:member_detail", "api:member-detail", "open311:request", "excel:job_detail"):
        assert expected in names
    assert any(name.startswith("admin:") for name in names)
    assert not stale_entries(routes), f"table entries for routes that no longer exist: {stale_entries(routes)}"
    findings = sweep(world, routes, schema=load_schema())
    assert not findings, "the route sweep found problems:\n" + "\n".join(map(str, findings))


@override_settings(ROOT_URLCONF="tests.route_sweep.leaky_urls")
def test_the_sweep_reports_an_unscoped_view(world, monkeypatch):
    monkeypatch.setitem(table.KWARGS, "leaky:member", {"pk": "member.pk"})
    routes = [route for route in walk() if route.name.startswith("leaky:")]
    assert {route.name for route in routes} == {"leaky:member", "leaky:member_list", "leaky:ticket"}

    findings: dict[tuple[str, str], list[str]] = {}
    for finding in sweep(world, routes):
        findings.setdefault((finding.route, finding.check), []).append(finding.message)

    leak = f"/leaky/members/{world.outside.member.pk}/"
    out_of_scope = findings[("leaky:member", "get out of scope")]
    assert f"{leak} as district: 200, expected 404" in out_of_scope
    assert f"{leak} as grid: 200, expected 403 or 404" in out_of_scope  # every role, not only one
    assert ("leaky:member", "get no grant") in findings
    assert world.outside.member.name in findings[("leaky:member_list", "list in scope")][0]
    assert ("leaky:member_list", "list as department") in findings
    assert "neither swept nor exempted" in findings[("leaky:ticket", "table")][0]


@override_settings(ROOT_URLCONF="tests.route_sweep.leaky_urls")
def test_an_exempted_route_is_not_swept(world, monkeypatch):
    monkeypatch.setitem(table.ROUTES, "leaky:ticket", table.Exempt("takes a ticket the world has none of"))
    routes = [route for route in walk() if route.name == "leaky:ticket"]
    assert len(routes) == 1 and sweep(world, routes) == []


def test_the_schema_check_reads_nullable_and_statuses():
    """The OpenAPI 3.0 → JSON Schema conversion: a null is refused unless the field is nullable."""
    document = {
        "paths": {},
        "components": {
            "schemas": {
                "Row": {"type": "object", "properties": {"parent": {"type": "string", "nullable": True}}},
                "Strict": {"type": "object", "properties": {"parent": {"type": "string"}}},
            }
        },
    }
    checker = SchemaChecker(document)

    def operation(name):
        ref = {"$ref": f"#/components/schemas/{name}"}
        return {"responses": {"200": {"content": {"application/json": {"schema": ref}}}}}

    body = b'{"parent": null}'
    assert checker.check(operation("Row"), 200, "application/json", body) == []
    assert "None is not of type 'string'" in checker.check(operation("Strict"), 200, "application/json", body)[0]
    assert checker.check(operation("Row"), 404, "application/json", body) == ["answers 404, not documented"]

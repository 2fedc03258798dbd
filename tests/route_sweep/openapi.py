"""The OpenAPI document checked against what the API really answers.

drf-spectacular writes OpenAPI 3.0, where ``nullable: true`` marks a field that may be null;
JSON Schema spells that as a union with ``null``, so the document is converted before
``jsonschema`` validates the sweep's in-scope API responses against it.
"""

import re

from django.test import Client
from jsonschema import Draft202012Validator

from tests.route_sweep.sweep import Finding, Target, rule_for, walk
from tests.route_sweep.table import Exempt

# Routes the document does not describe, with the reason.
UNDOCUMENTED = {"api:api-root": "the browsable index of links, not an operation"}


def load_schema() -> dict:
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.status_code
    return response.json()


def to_json_schema(node):
    """OpenAPI 3.0 → JSON Schema: ``nullable: true`` becomes ``anyOf [..., null]``."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: to_json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def openapi_path(pattern: str) -> str:
    """``api/v1/^appeals/(?P<pk>[0-9]+)/$`` → ``/api/v1/appeals/{}/`` (parameter names vary:
    the schema calls a ``pk`` ``{id}``)."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "{}", pattern.replace("^", "").replace("$", ""))
    return "/" + path


def operations_by_path(schema: dict) -> dict[str, dict]:
    return {re.sub(r"\{\w+\}", "{}", path): operations for path, operations in schema["paths"].items()}


def check_api_responses(world, schema: dict) -> list[Finding]:
    """GET every API route in scope and validate the JSON against its documented response."""
    components = to_json_schema(schema.get("components", {}))
    paths = operations_by_path(schema)
    findings = []
    clients: dict[str, Client] = {}
    for route in walk():
        rule = rule_for(route.name)
        if not route.is_api or isinstance(rule, Exempt) or route.name in UNDOCUMENTED:
            continue
        operations = paths.get(openapi_path(route.pattern))
        if operations is None:
            findings.append(Finding(route.name, "schema", f"{openapi_path(route.pattern)} is not documented"))
            continue
        if "get" not in operations:
            continue
        if rule.user not in clients:
            clients[rule.user] = Client()
            clients[rule.user].force_login(getattr(world.users, rule.user))
        target = Target.build(route, rule, world)
        response = clients[rule.user].get(target.inside)
        findings.extend(validate(route.name, operations["get"], response, components))
    return findings


def validate(name: str, operation: dict, response, components: dict) -> list[Finding]:
    documented = operation.get("responses", {}).get(str(response.status_code))
    if documented is None:
        return [Finding(name, "schema", f"answers {response.status_code}, not documented")]
    content = documented.get("content", {})
    if not response.get("Content-Type", "").startswith("application/json") or "application/json" not in content:
        return []
    schema = {**to_json_schema(content["application/json"]["schema"]), "components": components}
    errors = sorted(Draft202012Validator(schema).iter_errors(response.json()), key=lambda e: list(e.absolute_path))
    return [
        Finding(name, "schema", f"{'/'.join(map(str, error.absolute_path)) or '(body)'}: {error.message}")
        for error in errors[:5]
    ]

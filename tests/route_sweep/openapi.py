"""The OpenAPI document checked against what the API really answers.

drf-spectacular writes OpenAPI 3.0, where ``nullable: true`` marks a field that may be null;
JSON Schema spells that as a union with ``null``, so the document is converted before
``jsonschema`` validates the sweep's API responses (every status it meets: in scope, anonymous,
out of scope, an empty POST) against the operation's documented answer for that status.
"""

import json
import re

from django.test import Client
from jsonschema import Draft202012Validator

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


class SchemaChecker:
    def __init__(self, schema: dict):
        self.paths = {re.sub(r"\{\w+\}", "{}", path): operations for path, operations in schema["paths"].items()}
        self.components = to_json_schema(schema.get("components", {}))
        self.validators: dict[int, Draft202012Validator] = {}

    def validator(self, content: dict) -> Draft202012Validator:
        """One validator per documented answer (building one is most of the cost of a check)."""
        key = id(content)
        if key not in self.validators:
            schema = {**to_json_schema(content["application/json"]["schema"]), "components": self.components}
            self.validators[key] = Draft202012Validator(schema)
        return self.validators[key]

    def operations(self, route) -> dict | None:
        return self.paths.get(openapi_path(route.pattern))

    def check(self, operation: dict, status: int, content_type: str, body: bytes) -> list[str]:
        """What is wrong with one answer of ``operation`` (empty: it is as documented)."""
        documented = operation.get("responses", {}).get(str(status))
        if documented is None:
            return [f"answers {status}, not documented"]
        content = documented.get("content", {})
        if not content_type.startswith("application/json") or "application/json" not in content:
            return []
        errors = sorted(self.validator(content).iter_errors(json.loads(body)), key=lambda e: list(e.path))
        return [f"{status}: {'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}" for e in errors[:5]]

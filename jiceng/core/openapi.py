"""The error answers of the API in its OpenAPI document.

drf-spectacular documents the success of each operation only. Every operation can also answer
in the error envelope of ``jiceng.core.api.exception_handler`` (ADR 0011); this hook lists those
answers on each operation, so a client generated from the document knows them:

- 400 where the caller sends something (a body or query parameters) that can be refused;
- 401 and 403 where a login is needed (everything but the token exchange, which can itself
  refuse a locked-out account with 403);
- 404 where the path or a required parameter names an object (absent or out of the caller's
  scope: existence never leaks, ADR 0012), and on a keyset-paged list, whose ``cursor`` names
  a page (DRF answers a cursor it cannot read with 404);
- 409 for a POST on one object (a workflow step the object's state does not allow).

A view may declare another error answer with ``extend_schema`` (a create that names an object
in its body answers 404 when the object is out of scope); it gets the same envelope.
"""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True, "description": "各字段的错误（400）"},
            },
        }
    },
}

DESCRIPTIONS = {
    400: "请求参数有误。",
    401: "未登录或令牌无效。",
    403: "没有权限执行此操作。",
    404: "未找到该记录，或您无权访问。",
    409: "当前状态不允许此操作。",
    415: "请求体的媒体类型不受支持。",
}


def error_codes(path: str, method: str, operation: dict) -> list[int]:
    parameters = operation.get("parameters", [])
    names_object = "{" in path or any(
        p.get("in") == "query" and (p.get("required") or p.get("name") == "cursor") for p in parameters
    )
    anonymous = {} in operation.get("security", [])
    codes = []
    if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
        codes.append(400)
    codes.extend([403] if anonymous else [401, 403])
    if names_object:
        codes.append(404)
    if method == "post" and "{" in path:
        codes.append(409)
    body = operation.get("requestBody")
    if body is not None and not body.get("required"):
        # A body the caller may leave out: one sent without (or with an unknown) media type is 415.
        codes.append(415)
    return codes


def document_errors(result, generator, request, public):
    """A drf-spectacular post-processing hook (``POSTPROCESSING_HOOKS``)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in error_codes(path, method, operation):
                responses.setdefault(str(code), {"content": content, "description": DESCRIPTIONS[code]})
            # An error a view declares itself (its own description) still answers in the envelope.
            for code, response in responses.items():
                if code.startswith("4"):
                    response.setdefault("content", content)
    return result

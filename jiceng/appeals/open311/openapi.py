"""The Open311 GeoReport v2 endpoints as an OpenAPI 3 document (the JSON format; the XML carries
the same fields). drf-spectacular describes only the REST API, so this is the contract of
/open311/v2/ on its own: what a client may send, every status it may get and the shape of each
answer. ``tests/test_api_fuzz.py`` walks it with schemathesis as it walks /api/schema/.
"""

from jiceng.appeals.open311.views import MAX_REQUESTS
from jiceng.core.inputs import LATITUDE_RANGE, LONGITUDE_RANGE

BASE = "/open311/v2"

_STRING = {"type": "string"}
_ERRORS = {
    "description": "错误（errors[]）",
    "content": {
        "application/json": {
            "schema": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["code", "description"],
                    "properties": {"code": _STRING, "description": _STRING},
                },
            }
        }
    },
}
_SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": _STRING,
        "service_name": _STRING,
        "description": _STRING,
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": _STRING,
        "group": _STRING,
    },
}
_ATTRIBUTE = {
    "type": "object",
    "required": ["code", "datatype", "required", "variable", "order", "description", "values"],
    "properties": {
        "variable": {"type": "boolean"},
        "code": _STRING,
        "datatype": _STRING,
        "required": {"type": "boolean"},
        "datatype_description": _STRING,
        "order": {"type": "integer"},
        "description": _STRING,
        "values": {
            "type": "array",
            "items": {"type": "object", "required": ["key", "name"], "properties": {"key": _STRING, "name": _STRING}},
        },
    },
}
_REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status"],
    "properties": {
        "service_request_id": _STRING,
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": _STRING,
        "service_name": _STRING,
        "service_code": _STRING,
        "description": _STRING,
        "agency_responsible": _STRING,
        "service_notice": _STRING,
        "requested_datetime": _STRING,
        "updated_datetime": _STRING,
        "expected_datetime": _STRING,
        "address": _STRING,
        "address_id": _STRING,
        "zipcode": _STRING,
        "lat": _STRING,
        "long": _STRING,
        "media_url": _STRING,
    },
}
_CREATED = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id"],
        "properties": {"service_request_id": _STRING, "service_notice": _STRING, "account_id": _STRING},
    },
}
_TOKEN = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_request_id", "token"],
        "properties": {"service_request_id": _STRING, "token": _STRING},
    },
}
_DISCOVERY = {
    "type": "object",
    "required": ["changeset", "endpoints", "max_requests"],
    "properties": {
        "changeset": _STRING,
        "contact": _STRING,
        "key_service": _STRING,
        "max_requests": {"type": "integer"},
        "endpoints": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["specification", "url", "type", "formats"],
                "properties": {
                    "specification": _STRING,
                    "url": _STRING,
                    "changeset": _STRING,
                    "type": _STRING,
                    "formats": {"type": "array", "items": _STRING},
                },
            },
        },
    },
}


def _ok(schema: dict, description: str = "成功") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, schema: dict, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def _path(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": description}


def _coordinate(bounds) -> dict:
    return {"type": "number", "minimum": float(bounds[0]), "maximum": float(bounds[1])}


JURISDICTION = _query("jurisdiction_id", _STRING, "城市标识（可选；给出时须与本服务一致）")
# Every answer may be refused for too many requests (the throttles are rules of the city).
_ALWAYS = {"400": _ERRORS, "429": _ERRORS}

_CREATE_BODY = {
    "type": "object",
    "required": ["api_key", "service_code"],
    "properties": {
        "api_key": _STRING,
        "service_code": _STRING,
        "lat": _coordinate(LATITUDE_RANGE),
        "long": _coordinate(LONGITUDE_RANGE),
        "address_string": {"type": "string", "maxLength": 200},
        "address_id": _STRING,
        "description": {"type": "string", "maxLength": 4000},
        "first_name": _STRING,
        "last_name": _STRING,
        "phone": _STRING,
        "email": _STRING,
        "device_id": _STRING,
        "account_id": _STRING,
        "client_token": {"type": "string", "maxLength": 200},
        "media_url": {"type": "string", "format": "uri", "maxLength": 500},
        "jurisdiction_id": _STRING,
    },
}


def open311_schema() -> dict:
    """The OpenAPI document of /open311/v2/ (``.json``)."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "基层治理平台 Open311 GeoReport v2", "version": "2"},
        "paths": {
            f"{BASE}/discovery.json": {
                "get": {
                    "operationId": "open311_discovery",
                    "responses": {**_ALWAYS, "200": _ok(_DISCOVERY)},
                }
            },
            f"{BASE}/services.json": {
                "get": {
                    "operationId": "open311_services",
                    "parameters": [
                        JURISDICTION,
                        _query("lat", _coordinate(LATITUDE_RANGE), "纬度（与 long 同时给出：只列该处网格受理的类别）"),
                        _query("long", _coordinate(LONGITUDE_RANGE), "经度"),
                    ],
                    "responses": {**_ALWAYS, "200": _ok({"type": "array", "items": _SERVICE}), "404": _ERRORS},
                }
            },
            f"{BASE}/services/{{service_code}}.json": {
                "get": {
                    "operationId": "open311_service_definition",
                    "parameters": [JURISDICTION, _path("service_code", "诉求类别编码")],
                    "responses": {
                        **_ALWAYS,
                        "200": _ok(
                            {
                                "type": "object",
                                "required": ["service_code", "attributes"],
                                "properties": {
                                    "service_code": _STRING,
                                    "attributes": {"type": "array", "items": _ATTRIBUTE},
                                },
                            }
                        ),
                        "404": _ERRORS,
                    },
                }
            },
            f"{BASE}/requests.json": {
                "get": {
                    "operationId": "open311_requests",
                    "parameters": [
                        JURISDICTION,
                        _query("service_request_id", _STRING, "工单编号，逗号分隔（给出时忽略其他条件）"),
                        _query("service_code", _STRING, "类别编码，逗号分隔"),
                        _query("start_date", {"type": "string", "format": "date-time"}, "受理时间起（W3C）"),
                        _query("end_date", {"type": "string", "format": "date-time"}, "受理时间止（W3C）"),
                        _query("status", {"type": "string", "enum": ["open", "closed", "open,closed"]}, "状态"),
                        _query("max_requests", {"type": "integer", "minimum": 1, "maximum": MAX_REQUESTS}, "最多条数"),
                    ],
                    "responses": {**_ALWAYS, "200": _ok({"type": "array", "items": _REQUEST}), "404": _ERRORS},
                },
                "post": {
                    "operationId": "open311_create_request",
                    "requestBody": {
                        "required": True,
                        "content": {"application/x-www-form-urlencoded": {"schema": _CREATE_BODY}},
                    },
                    "responses": {
                        **_ALWAYS,
                        "200": _ok(_CREATED, "重复提交：已有的工单"),
                        "201": _ok(_CREATED, "已受理"),
                        "403": _ERRORS,
                        "404": _ERRORS,
                    },
                },
            },
            f"{BASE}/requests/{{service_request_id}}.json": {
                "get": {
                    "operationId": "open311_request",
                    "parameters": [JURISDICTION, _path("service_request_id", "工单编号")],
                    "responses": {**_ALWAYS, "200": _ok({"type": "array", "items": _REQUEST}), "404": _ERRORS},
                }
            },
            f"{BASE}/tokens/{{token_id}}.json": {
                "get": {
                    "operationId": "open311_token",
                    "parameters": [JURISDICTION, _path("token_id", "提交令牌")],
                    "responses": {**_ALWAYS, "200": _ok(_TOKEN), "404": _ERRORS},
                }
            },
        },
    }

"""Control characters stop at the door: every request's query, form fields and JSON body.

Whatever writes text (a page's form, an API serializer, Open311, a service called from either)
receives it from a request, so one check here covers them all; the importer reads files and
checks its cells itself (``core.excel.cells.parse_text``), and model text fields carry the
stricter single-line check for the forms and serializers built from them (``core.inputs``).
Tab, line feed and carriage return pass here (multi-line fields need them).

The refusal is a 400 in the shape the caller expects: a view may name its own with a
``refuse_input(request, message, **view_kwargs)`` attribute (Open311 answers ``errors[]`` in
its format); under /api/ it is the API's JSON envelope; elsewhere the 400 page.
"""

import json

from django.http import JsonResponse
from django.shortcuts import render

from jiceng.core.inputs import CONTROL_MESSAGE, FORBIDDEN_IN_TEXT


def _bad_strings(value, name: str = ""):
    """Names of the parts of a JSON value holding a forbidden character (keys included)."""
    if isinstance(value, str):
        if FORBIDDEN_IN_TEXT.search(value):
            yield name or "body"
    elif isinstance(value, dict):
        for key, child in value.items():
            if FORBIDDEN_IN_TEXT.search(str(key)):
                yield str(key).encode("unicode_escape").decode()
            else:
                yield from _bad_strings(child, key if not name else f"{name}.{key}")
    elif isinstance(value, list):
        for child in value:
            yield from _bad_strings(child, name)


def bad_fields(request) -> list[str]:
    """The query and form fields (and JSON members) of ``request`` that hold a forbidden character."""
    found = []
    sources = [request.GET]
    if request.method not in ("GET", "HEAD", "OPTIONS") and request.content_type != "application/json":
        sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            if FORBIDDEN_IN_TEXT.search(key) or any(FORBIDDEN_IN_TEXT.search(v) for v in values):
                found.append(key.encode("unicode_escape").decode())
    if request.content_type == "application/json" and request.body:
        try:
            # The strictest reading: a control character raw inside a JSON string is refused too.
            document = json.loads(request.body)
        except ValueError:
            return found  # the parser's own 400 says why
        found += _bad_strings(document)
    return found


class RefuseControlCharacters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        fields = bad_fields(request)
        if not fields:
            return None
        refuse = getattr(view_func, "refuse_input", None)
        if refuse is not None:
            return refuse(request, CONTROL_MESSAGE, **view_kwargs)
        if request.path.startswith("/api/"):
            body = {
                "status": 400,
                "code": "invalid",
                "message": "请求参数有误。",
                "fields": {name: [CONTROL_MESSAGE] for name in fields},
            }
            return JsonResponse({"error": body}, status=400, json_dumps_params={"ensure_ascii": False})
        return render(request, "bad_request.html", {"message": CONTROL_MESSAGE, "fields": fields}, status=400)

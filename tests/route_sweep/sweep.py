"""The route sweep: every URL pattern of the resolver, checked against the sweep's world.

``walk()`` lists the routes (recursively through every ``include``, the API router's routes
among them). ``sweep(world)`` requests each one as an anonymous user, as a user without any
grant, as a user whose scope covers the object and on the object of the other subtree, and
returns a list of ``Finding``: an empty list is a clean sweep. Every request runs in a
savepoint that is rolled back, so a POST (or a view that writes on GET) leaves the world as it
was and a failing request cannot poison the next one on PostgreSQL.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.route_sweep.openapi import UNDOCUMENTED, SchemaChecker
from tests.route_sweep.table import KWARGS, ROLES, ROUTES, Exempt, Expect

ADD_IT = "add it to tests/route_sweep/table.py (KWARGS for its URL kwargs, or ROUTES with an Exempt reason)"
TEXT_TYPES = ("text/", "application/json", "application/xml")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"; "namespace:<its pattern>" when the route has no name
    pattern: str
    kwargs: tuple[str, ...]  # captured by the pattern (default args excluded)
    named: bool = True

    @property
    def label(self) -> str:
        return f"{self.name} (.format)" if "format" in self.kwargs else self.name

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")


@dataclass(frozen=True)
class Finding:
    route: str
    check: str
    message: str

    def __str__(self) -> str:
        return f"{self.route} [{self.check}]: {self.message}"


def walk(patterns=None, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            routes.extend(walk(entry.url_patterns, pattern, inner))
        elif isinstance(entry, URLPattern):
            name = entry.name or pattern
            name = f"{namespace}:{name}" if namespace else name
            routes.append(Route(name, pattern, tuple(sorted(entry.pattern.regex.groupindex)), bool(entry.name)))
    return routes


def rule_for(name: str) -> Exempt | Expect:
    if name in ROUTES:
        return ROUTES[name]
    namespace = name.split(":")[0] + ":*"
    return ROUTES.get(namespace, Expect())


def kwarg_source(name: str, kwarg: str) -> str | None:
    """The world expression for ``kwarg`` of route ``name``: the longest matching prefix wins."""
    matches = [prefix for prefix, kwargs in KWARGS.items() if name.startswith(prefix) and kwarg in kwargs]
    return KWARGS[max(matches, key=len)][kwarg] if matches else None


def evaluate(expression: str, side):
    if expression.startswith("="):
        return expression[1:]
    value = side
    for part in expression.split("."):
        value = getattr(value, part)
    return value


def names_object(expression: str) -> bool:
    return not expression.startswith("=")


@dataclass
class Target:
    """A route made concrete: its URLs on both sides, and whether they name a scoped object."""

    route: Route
    rule: Expect
    inside: str
    outside: str | None  # None: the URL names no object, so the route is a list (or a form)

    @classmethod
    def build(cls, route: Route, rule: Expect, world) -> "Target":
        if not route.named:
            raise LookupError("the route has no name, so no URL can be built for it")
        sources = {kwarg: kwarg_source(route.name, kwarg) for kwarg in route.kwargs}
        missing = [kwarg for kwarg, source in sources.items() if source is None]
        if missing:
            raise LookupError(f"no KWARGS entry for {', '.join(missing)}")
        scoped = not rule.unscoped and any(map(names_object, [*sources.values(), *rule.query.values()]))

        def url(side) -> str:
            kwargs = {kwarg: evaluate(source, side) for kwarg, source in sources.items()}
            query = {param: evaluate(source, side) for param, source in rule.query.items()}
            return reverse(route.name, kwargs=kwargs) + ("?" + urlencode(query) if query else "")

        return cls(route, rule, url(world.inside), url(world.outside) if scoped else None)


class Sweeper:
    def __init__(self, world, schema: dict | None = None):
        self.world = world
        self.schema = SchemaChecker(schema) if schema is not None else None
        self.findings: list[Finding] = []
        self.clients = {"anonymous": Client()}
        self.login_url = resolve_url(settings.LOGIN_URL)

    def client(self, user_key: str) -> Client:
        if user_key not in self.clients:
            client = Client()
            client.force_login(getattr(self.world.users, user_key))
            self.clients[user_key] = client
        return self.clients[user_key]

    def fail(self, target: Target, check: str, message: str) -> None:
        self.findings.append(Finding(target.route.label, check, message))

    def request(self, target: Target, user_key: str, method: str, url: str):
        """``(response, body, queries)``; the response is the exception when the view raised."""
        client = self.client(user_key)
        with transaction.atomic():
            try:
                with CaptureQueriesContext(connection) as queries:
                    response = getattr(client, method)(url)
                    # Reading a streamed body to the end closes it, as the test client arranges;
                    # closing it again would fire request_finished and drop the test's connection.
                    body = response.content if not response.streaming else b"".join(response.streaming_content)
            except Exception as exc:  # reported as the route's finding
                response, body = exc, b""
            transaction.set_rollback(True)
        if self.schema is not None and target.route.is_api and not isinstance(response, Exception):
            self.check_schema(target, method, response, body)
        return response, body, len(queries)

    def check_schema(self, target: Target, method: str, response, body: bytes) -> None:
        if target.route.name in UNDOCUMENTED or response.status_code == 405:
            return
        operations = self.schema.operations(target.route)
        if operations is None or method not in operations:
            self.fail(target, "schema", f"{method.upper()} {target.route.pattern} is not in /api/schema/")
            return
        content_type = response.get("Content-Type", "")
        for problem in self.schema.check(operations[method], response.status_code, content_type, body):
            self.fail(target, f"{method} schema", problem)

    def sweep_target(self, target: Target) -> None:
        accepted = 0
        for method in ("get", "post"):
            response, body, queries = self.request(target, target.rule.user, method, target.inside)
            if isinstance(response, Exception):
                self.fail(target, f"{method} in scope", f"raised {type(response).__name__}: {response}")
                continue
            if response.status_code == 405:
                continue
            accepted += 1
            self.check_in_scope(target, method, response, body, queries)
            self.check_anonymous(target, method)
            if target.rule.public:
                continue
            self.check_nobody(target, method)
            self.check_out_of_scope(target, method)
            if method == "get":
                self.check_roles(target)
        if not accepted:
            self.fail(target, "methods", "answers 405 to both GET and POST: " + ADD_IT)

    def check_in_scope(self, target: Target, method: str, response, body: bytes, queries: int) -> None:
        status = response.status_code
        if method == "get" and status != target.rule.status:
            self.fail(
                target,
                "get in scope",
                f"{target.inside} as {target.rule.user}: {status}, expected {target.rule.status}",
            )
        if method == "post" and (status >= 500 or status == 404 != target.rule.status):
            self.fail(target, "post in scope", f"{target.inside} as {target.rule.user}: {status}")
        if queries > target.rule.max_queries:
            self.fail(target, f"{method} queries", f"{queries} queries, bound {target.rule.max_queries}")
        if method == "get" and target.outside is None and not (target.rule.list_may_show or target.rule.public):
            self.check_markers(target, "list in scope", response, body, self.world.outside.markers)
            if status == 200 and not target.rule.shows_none:
                self.check_shows_inside(target, response, body)

    def check_shows_inside(self, target: Target, response, body: bytes) -> None:
        """A list that shows nothing in scope either proves nothing about what it hides."""
        if not response.get("Content-Type", "").startswith(TEXT_TYPES):
            return
        text = body.decode("utf-8", errors="replace")
        if not any(marker in text for marker in self.world.inside.markers):
            self.fail(target, "list in scope", "shows no in-scope object: set shows_none with the reason")

    def check_markers(self, target: Target, check: str, response, body: bytes, markers) -> None:
        if not response.get("Content-Type", "").startswith(TEXT_TYPES):
            return
        text = body.decode("utf-8", errors="replace")
        shown = [marker for marker in markers if marker in text]
        if shown:
            self.fail(target, check, f"shows out-of-scope objects: {', '.join(shown)}")

    def check_anonymous(self, target: Target, method: str) -> None:
        response, _, _ = self.request(target, "anonymous", method, target.inside)
        status = getattr(response, "status_code", 500)
        if target.rule.public:
            if status >= 500:
                self.fail(target, f"{method} anonymous", f"{status} on a public route")
        elif target.route.is_api:
            if status != 401:
                self.fail(target, f"{method} anonymous", f"{status}, expected 401")
        elif status != 302 or not response["Location"].startswith(self.login_url):
            self.fail(target, f"{method} anonymous", f"{status}, expected a redirect to {self.login_url}")

    def check_nobody(self, target: Target, method: str) -> None:
        response, body, _ = self.request(target, "nobody", method, target.inside)
        status = getattr(response, "status_code", 500)
        if status not in target.rule.nobody:
            self.fail(target, f"{method} no grant", f"{status}, expected one of {target.rule.nobody}")
        elif status == 200:
            markers = self.world.inside.markers + self.world.outside.markers
            self.check_markers(target, "list without grant", response, body, markers)

    def check_out_of_scope(self, target: Target, method: str) -> None:
        if target.outside is None:
            return
        response, _, _ = self.request(target, target.rule.user, method, target.outside)
        status = getattr(response, "status_code", 500)
        if status not in (404, 405):
            self.fail(
                target, f"{method} out of scope", f"{target.outside} as {target.rule.user}: {status}, expected 404"
            )

    def check_roles(self, target: Target) -> None:
        """Every other role of the inside subtree: the outside object is 403/404, lists hide it."""
        for role in ROLES:
            if role == target.rule.user:
                continue
            if target.outside is not None:
                response, _, _ = self.request(target, role, "get", target.outside)
                status = getattr(response, "status_code", 500)
                if status not in (403, 404):
                    self.fail(target, "get out of scope", f"{target.outside} as {role}: {status}, expected 403 or 404")
            elif not target.rule.list_may_show:
                response, body, _ = self.request(target, role, "get", target.inside)
                if getattr(response, "status_code", 500) == 200:
                    self.check_markers(target, f"list as {role}", response, body, self.world.outside.markers)


def sweep(world, routes=None, schema: dict | None = None) -> list[Finding]:
    """Sweep ``routes`` (default: every route of the resolver) and return what is wrong; with
    ``schema`` (the OpenAPI document), every API answer is also checked against it."""
    sweeper = Sweeper(world, schema)
    routes = walk() if routes is None else routes
    for route in routes:
        rule = rule_for(route.name)
        if isinstance(rule, Exempt):
            continue
        try:
            target = Target.build(route, rule, world)
        except (LookupError, NoReverseMatch) as exc:
            sweeper.findings.append(Finding(route.label, "table", f"neither swept nor exempted ({exc}): {ADD_IT}"))
            continue
        sweeper.sweep_target(target)
    return sweeper.findings


def stale_entries(routes) -> list[str]:
    """Table entries (ROUTES keys, KWARGS prefixes) that match no route any more."""
    names = {route.name for route in routes}
    namespaces = {name.split(":")[0] + ":*" for name in names if ":" in name}
    stale = [key for key in ROUTES if key not in names and key not in namespaces]
    stale += [f"KWARGS[{prefix!r}]" for prefix in KWARGS if not any(name.startswith(prefix) for name in names)]
    return sorted(stale)

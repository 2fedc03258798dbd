"""What each app plugs into the platform, and the collector core reads it through.

Every installed app may have a ``registry.py`` with one ``REGISTRY = AppRegistry(...)``: its
permissions and the roles that hold them, menu entries, scheduled jobs, Excel kinds, page URLs,
API routes, rules modules, denormalised tree paths, cached tables, its kinds of waiting work (待办)
and its notification inbox. Core finds these modules
through ``django.apps.apps.get_app_configs()`` (``<app>.registry``), never by naming an app, so a
new app is a folder plus one line in ``INSTALLED_APPS``. Everything here is plain data (dotted
paths, model labels as ``"app_label.Model"``), so declaring it imports nothing heavy.

The collection is cached per set of installed apps: ``override_settings(INSTALLED_APPS=...)`` in a
test sees the registries of the apps it installs, and the old ones again afterwards.

This module is also core's own registry (its Excel pages, file clean-up jobs and calendar cache),
declared at the end like every app's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module
from importlib.util import find_spec
from typing import Any, cast

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Permission:
    """A permission an app checks, named ``<app>.<action>_<model>``, and the role keys holding it."""

    name: str
    label: str  # what an administrator reads: 查看区划
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    permission: str | None = None  # None: every signed-in user sees it
    icon: str = "dot"  # a name from templates/includes/icon.html
    order: int = 500  # smaller first; equal orders keep app order, then declaration order
    group: str = ""  # the key of a MenuGroup (any app's); "" stands alone at the top level


@dataclass(frozen=True)
class MenuGroup:
    """A heading of the left menu (区划网格, 党员, 民呼我应 …) that folds its entries away."""

    key: str
    label: str
    icon: str = "dot"


@dataclass(frozen=True)
class TodoSource:
    """One kind of waiting work on the home page's 待办 list (see :mod:`jiceng.core.todos`)."""

    key: str  # "appeals.dispatch"
    label: str  # 待派单
    # Dotted path of ``fetch(user, now, limit) -> list[TodoItem]``: the user's items, the most
    # urgent first, at most ``limit`` (one bounded query).
    fetch: str
    permission: str | None = None  # skipped without a query when the user holds it nowhere
    list_url: str = ""  # URL name of the page with all of them (查看全部)
    menu_url: str = ""  # URL name of the menu entry that shows the count
    order: int = 500


@dataclass(frozen=True)
class Inbox:
    """Where a user's notifications are kept: ``unread(user) -> int`` and the list's URL name."""

    unread: str  # dotted path
    url_name: str


@dataclass(frozen=True)
class MetricSource:
    """Where figures come from: maintained aggregates read for many nodes at once (one query).

    ``fetch(codes, start, end, by_month) -> dict`` maps each node code (or ``(code, month)`` with
    ``by_month``) to a row of numbers; ``start``/``end`` are first days of months (ignored by a
    source that is not ``periodic``: a stock read as of now, such as today's population).
    """

    key: str  # "appeals.area_months"
    tree: str  # the ScopeTree its codes belong to: "areas" or "orgs"
    fetch: str  # dotted path
    periodic: bool = True


@dataclass(frozen=True)
class Metric:
    """A figure declared once by its app and read the same way by dashboards, the API and exports."""

    key: str  # "appeals.response_rate"
    label: str  # 响应率
    unit: str  # 件, 人, %
    source: str  # a MetricSource key
    # The field of the source's row, or the dotted path of ``value(row) -> number | None``.
    value: str
    definition: str  # how it is counted, with its legal basis or the document that defines it
    permission: str  # the user sees it on a node where they hold this permission
    group: str = ""  # the dashboard's heading: 民呼我应, 区划, 党组织
    order: int = 500
    # A share is not summed over time or nodes: figures keep its row's own ratio.
    percent: bool = False
    # Drill to detail: the dotted path of ``url(code, start, end) -> str``, the list of the records
    # behind the figure (scoped by that list as always), shown to holders of ``detail_permission``.
    detail: str = ""
    detail_permission: str = ""
    # Masking needs: what the figure could reveal about a person and who may see it (docs/metrics.md).
    masking: str = ""
    # A count below this on a node could single a person out (one woman member of 61 or over in a
    # grid): a page shown outside the roster's permission (the kiosk, a share link) prints "<N"
    # instead. 0: the figure never identifies anyone.
    min_cell: int = 0
    # Counts that split one total (男/女, the age bands, the education groups): where one of them is
    # shown as "<N", the others of the same node are hidden too, or total − the rest would tell it.
    cell_group: str = ""
    # A share whose numerator is the count metric of this key (女党员占比 of 女党员): hidden wherever
    # that count is, or share × total would tell it.
    share_of: str = ""
    # A share whose denominator is the count metric of this key (党费按月交纳率 of 党员): where that
    # count is below the share's ``min_cell`` (or not on the page at all), the kiosk hides the share,
    # or the rate of one or two people would tell each one's status (100 %: all paid).
    base: str = ""


@dataclass(frozen=True)
class Job:
    """A periodic job: the scheduler enqueues ``task`` (a ``django_tasks`` task) once per interval."""

    task: str
    interval: timedelta


@dataclass(frozen=True)
class ExcelKind:
    """A roster with an import template, an import and an export (core/excel_jobs.py runs them)."""

    key: str
    label: str  # 党员
    spec: str  # dotted path of the import Spec
    importer: str | None  # dotted path of import(user, path, *, filename, errors, progress, job) -> ImportResult
    exporter: str | None  # dotted path of an exporter class (queryset(user, params), write(...))
    import_permission: str
    export_permission: str
    order: int = 500  # place on the Excel page, smaller first

    def load_spec(self):
        return import_string(self.spec)

    def load_importer(self):
        if self.importer is None:
            raise LookupError(f"Excel kind {self.key} has no importer")
        return import_string(self.importer)

    def load_exporter(self):
        if self.exporter is None:
            raise LookupError(f"Excel kind {self.key} has no exporter")
        return import_string(self.exporter)()


@dataclass(frozen=True)
class OrgCheck:
    """Findings an app adds to the orgs' 组织设置检查 (jiceng.orgs.checks), e.g. organisational life
    not held. ``fetch(orgs, today)`` gets the orgs already loaded for a check run (a list) and
    returns ``orgs.checks.Finding`` rows of the ``kinds`` it declares, in a fixed number of queries."""

    fetch: str  # dotted path
    kinds: tuple[tuple[str, str], ...]  # (kind, label): ("orglife_not_held", "组织生活未召开")


@dataclass(frozen=True)
class UrlMount:
    """Page URLs: ``module`` (with its ``app_name``) mounted under ``prefix``."""

    prefix: str
    module: str


@dataclass(frozen=True)
class ApiRoute:
    """A viewset on the API router: ``/api/v1/<prefix>/``, URL names ``api:<basename>-list`` etc."""

    prefix: str
    viewset: str  # dotted path
    basename: str


@dataclass(frozen=True)
class StoredPath:
    """A denormalised copy of a tree code on another model, rewritten when the tree changes.

    ``via`` names the foreign key to the node whose path is copied, where the owner of the tree
    needs it (an org's anchor area copied to its members through ``org``).
    """

    model: str  # "members.Member"
    field: str
    via: str = ""


@dataclass(frozen=True)
class ScopeTree:
    """The model whose codes a :class:`~jiceng.core.scope.Scope` field holds (``areas``, ``orgs``)."""

    scope_field: str
    model: str
    code_field: str = "code"
    name_field: str = "name"


@dataclass(frozen=True)
class CachedTable:
    """A per-process cached table (core/cache.py) forgotten whenever a row of ``models`` changes."""

    key: str  # dotted path of the constant holding the cache key
    models: tuple[str, ...]


@dataclass(frozen=True)
class AppRegistry:
    permissions: tuple[Permission, ...] = ()
    menu: tuple[MenuEntry, ...] = ()
    menu_groups: tuple[MenuGroup, ...] = ()
    jobs: tuple[Job, ...] = ()
    excel_kinds: tuple[ExcelKind, ...] = ()
    urls: tuple[UrlMount, ...] = ()
    api_routes: tuple[ApiRoute, ...] = ()
    # Modules whose ``urlpatterns`` join the API namespace: endpoints that are not viewsets.
    api_urls: tuple[str, ...] = ()
    # Modules that register rules with numbers (core.rules.register) when imported.
    rules: tuple[str, ...] = ()
    scope_trees: tuple[ScopeTree, ...] = ()
    # Copies of an area code, rewritten on area moves (areas.services.register_area_path).
    area_paths: tuple[StoredPath, ...] = ()
    # Copies of an org code, rewritten on org moves; and anchor areas that follow their org.
    org_paths: tuple[StoredPath, ...] = ()
    org_area_paths: tuple[StoredPath, ...] = ()
    cached_tables: tuple[CachedTable, ...] = ()
    # Dotted path of a function returning lines that ``manage.py serve`` prints when it starts.
    serve_banner: str = ""
    todos: tuple[TodoSource, ...] = ()
    inboxes: tuple[Inbox, ...] = ()
    # Figures for dashboards, the metrics API and reports (jiceng/core/metrics.py).
    metric_sources: tuple[MetricSource, ...] = ()
    metrics: tuple[Metric, ...] = ()
    # Findings for the orgs' setup checks (组织设置检查).
    org_checks: tuple[OrgCheck, ...] = ()


@dataclass(frozen=True)
class Collected:
    """Every installed app's registry, in ``INSTALLED_APPS`` order."""

    apps: tuple[tuple[str, AppRegistry], ...] = ()
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def each(self, attribute: str) -> list:
        """The entries of one kind from every app, app by app, each app in declaration order."""
        return [entry for _, registry in self.apps for entry in getattr(registry, attribute)]

    def with_app(self, attribute: str) -> list[tuple[str, object]]:
        return [(label, entry) for label, registry in self.apps for entry in getattr(registry, attribute)]


_lock = threading.Lock()
_cache: dict[str, object] = {"key": None, "collected": None}


def installed_key() -> tuple[str, ...]:
    """Names of the installed apps: what the cached collection and the lazy lists are built for."""
    return tuple(config.name for config in apps.get_app_configs())


def collected() -> Collected:
    """The registries of the installed apps (imported once per set of installed apps)."""
    apps.check_apps_ready()
    key = installed_key()
    if _cache["key"] != key:
        with _lock:
            if _cache["key"] != key:
                _cache["collected"] = _collect()
                _cache["key"] = key
    return cast(Collected, _cache["collected"])


def _collect() -> Collected:
    found = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.registry"
        if find_spec(module_name) is None:
            continue
        registry = getattr(import_module(module_name), "REGISTRY", None)
        if not isinstance(registry, AppRegistry):
            raise ImproperlyConfigured(f"{module_name} must define REGISTRY = AppRegistry(...).")
        for rules_module in registry.rules:
            import_module(rules_module)
        found.append((config.label, registry))
    result = Collected(tuple(found))
    _check_unique(result)
    return result


def _check_unique(result: Collected) -> None:
    for attribute, key in (
        ("permissions", "name"),
        ("jobs", "task"),
        ("excel_kinds", "key"),
        ("api_routes", "basename"),
        ("api_routes", "prefix"),
        ("urls", "prefix"),
        ("menu", "url_name"),
        ("menu_groups", "key"),
        ("todos", "key"),
        ("metric_sources", "key"),
        ("metrics", "key"),
    ):
        seen: dict[str, str] = {}
        for label, entry in result.with_app(attribute):
            value = getattr(entry, key)
            if value in seen:
                raise ImproperlyConfigured(f"{attribute} {key} {value!r} is declared by {seen[value]} and {label}.")
            seen[value] = label


# --------------------------------------------------------------------------- reading


def permissions() -> list[Permission]:
    return collected().each("permissions")


def menu() -> list[MenuEntry]:
    entries = collected().each("menu")
    # sorted() is stable: equal orders keep app order, then declaration order.
    return sorted(entries, key=lambda entry: entry.order)


def menu_groups() -> dict[str, MenuGroup]:
    return {group.key: group for group in collected().each("menu_groups")}


def jobs() -> list[Job]:
    return collected().each("jobs")


def excel_kinds() -> dict[str, ExcelKind]:
    kinds = sorted(collected().each("excel_kinds"), key=lambda kind: kind.order)
    return {kind.key: kind for kind in kinds}


def url_mounts() -> list[UrlMount]:
    return collected().each("urls")


def api_routes() -> list[ApiRoute]:
    return collected().each("api_routes")


def api_url_modules() -> list[str]:
    return collected().each("api_urls")


def scope_trees() -> list[ScopeTree]:
    return collected().each("scope_trees")


def stored_paths(kind: str) -> list[tuple[type, StoredPath]]:
    """``(model class, entry)`` for ``area_paths``, ``org_paths`` or ``org_area_paths``."""
    return [(apps.get_model(entry.model), entry) for entry in collected().each(kind)]


def todo_sources() -> list[TodoSource]:
    return sorted(collected().each("todos"), key=lambda source: source.order)


def inboxes() -> list[Inbox]:
    return collected().each("inboxes")


def metric_sources() -> dict[str, MetricSource]:
    return {source.key: source for source in collected().each("metric_sources")}


def metrics() -> dict[str, Metric]:
    """Every app's metrics by key, in dashboard order (``order``, then app and declaration order)."""
    ordered = sorted(collected().each("metrics"), key=lambda metric: metric.order)
    return {metric.key: metric for metric in ordered}


def org_checks() -> list[OrgCheck]:
    return collected().each("org_checks")


def cached_tables() -> list[CachedTable]:
    return collected().each("cached_tables")


def serve_banner_lines() -> list[str]:
    lines: list[str] = []
    for registry in (registry for _, registry in collected().apps):
        if registry.serve_banner:
            lines.extend(import_string(registry.serve_banner)())
    return lines


class _Rebuilt:
    """Built from the registries on first read, and built again if the installed apps change.

    The shared half of LazyList and LazyMapping: each only adds the collection type it reads as.
    """

    def __init__(self, build: Callable[[], Any]):
        self._build = build
        self._key: tuple[str, ...] | None = None
        self._items: Any = None

    def _current(self) -> Any:
        key = installed_key()
        if self._key != key:
            self._items = self._build()
            self._key = key
        return self._items

    def __getitem__(self, index_or_key):
        return self._current()[index_or_key]

    def __len__(self) -> int:
        return len(self._current())

    def __iter__(self) -> Iterator:
        return iter(self._current())

    def __repr__(self) -> str:
        return repr(self._current())


class LazyList(_Rebuilt, Sequence):
    """A list built from the registries on first read (and again if the installed apps change)."""

    def __init__(self, build: Callable[[], list]):
        super().__init__(build)


class LazyMapping(_Rebuilt, Mapping):
    """A mapping built from the registries on first read (and again if the installed apps change)."""

    def __init__(self, build: Callable[[], dict]):
        super().__init__(build)


# --------------------------------------------------------------------------- core's own entries

REGISTRY = AppRegistry(
    jobs=(
        Job("jiceng.core.tasks.purge_excel_files", timedelta(hours=24)),
        # Excel jobs whose worker died: failed with a message instead of a progress bar that never ends.
        Job("jiceng.core.tasks.fail_stalled_excel_jobs", timedelta(minutes=5)),
    ),
    urls=(UrlMount("excel/", "jiceng.core.excel_urls"), UrlMount("todo/", "jiceng.core.todo_urls")),
    rules=("jiceng.core.excel_jobs", "jiceng.core.excel_limits"),
    cached_tables=(CachedTable("jiceng.core.workdays.CITY_CALENDAR", ("core.CalendarDay",)),),
    todos=(
        TodoSource(
            "core.excel", "Excel 导入导出结果", "jiceng.core.todos.excel_jobs", list_url="excel:home", order=900
        ),
    ),
)

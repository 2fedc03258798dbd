"""The one place where scope is decided.

A ``RoleAssignment(user, role, area | org | department)`` grants the role's permissions on that node
and its whole subtree (Wagtail's rule): on the area tree for an area, on the party-organisation tree
for an org; a department (职能部门) is a node of its own, without a subtree, matched by id. Every
queryset a page, API, export or report reads goes through
``<Model>.objects.visible_to(user, action)`` (NetBox's ``restrict()``), and every single object
through a ``get_<thing>_for_user`` helper built on :func:`get_object_for_user`, which answers 404
for objects outside the user's scope (Zulip's ``access_*``). Views never filter by scope by hand.
"""

from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.http import Http404

from jiceng.core.paths import collapse_prefixes, is_in_subtree, subtrees_q


def permission_name(model, action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


@dataclass(frozen=True)
class Scope:
    """Where a user holds one permission: area-code prefixes, org-code prefixes, department ids."""

    everywhere: bool = False
    areas: tuple[str, ...] = ()
    orgs: tuple[str, ...] = ()
    departments: tuple[int, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.everywhere or self.areas or self.orgs or self.departments)

    def covers(self, node_or_path) -> bool:
        """Whether an area (an ``Area``, an object with ``area_path``, or a path string) is in scope."""
        path = _path_of(node_or_path, ("code", "area_path"))
        return self.everywhere or (bool(path) and any(is_in_subtree(path, prefix) for prefix in self.areas))

    def covers_org(self, node_or_path) -> bool:
        """Whether an org (an ``Org``, an object with ``org_path``, or an org code) is in scope."""
        path = _path_of(node_or_path, ("code", "org_path"))
        return self.everywhere or (bool(path) and any(is_in_subtree(path, prefix) for prefix in self.orgs))

    def covers_any(self, areas=(), orgs=()) -> bool:
        """Whether any of these areas (nodes or paths) or orgs (nodes or codes) is in scope; empty
        paths are skipped, so a row's optional sides can be passed as they are."""
        return (
            self.everywhere
            or any(self.covers(area) for area in areas if area)
            or any(self.covers_org(org) for org in orgs if org)
        )

    def q(self, *, area: str | None = None, org: str | None = None) -> Q:
        """The rows whose ``area`` path field or ``org`` path field is in scope: for one side of a
        row (a transfer's sending side) where ``visible_to`` answers for the whole row."""
        if self.everywhere:
            return Q()
        parts = [subtrees_q(self.areas, area)] if area and self.areas else []
        parts += [subtrees_q(self.orgs, org)] if org and self.orgs else []
        if not parts:
            return Q(pk__in=[])
        return parts[0] | parts[1] if len(parts) == 2 else parts[0]

    def covers_department(self, department_or_id) -> bool:
        """Whether a department (a ``Department`` or its id) is one this scope holds."""
        pk = getattr(department_or_id, "pk", department_or_id)
        return self.everywhere or (pk is not None and pk in self.departments)

    def granted_at(self, node_or_path) -> bool:
        """Whether an area is itself a node of a grant (not merely inside one's subtree): the
        unit assigned a piece of work, as opposed to the offices above it."""
        return _path_of(node_or_path, ("code", "area_path")) in self.areas

    def granted_at_q(self, area_field: str, department_field: str | None = None) -> Q:
        """The rows whose ``area_field`` is a grant's own node, or whose ``department_field`` is
        one of the scope's departments (the Q form of :meth:`granted_at` / ``covers_department``)."""
        q = Q(**{f"{area_field}__in": self.areas}) if self.areas else Q(pk__in=[])
        if department_field and self.departments:
            q |= Q(**{f"{department_field}__in": self.departments})
        return q


def _path_of(node_or_path, attributes: tuple[str, ...]) -> str:
    if node_or_path is None or isinstance(node_or_path, str):
        return node_or_path or ""
    for attribute in attributes:
        value = getattr(node_or_path, attribute, None)
        if value is not None:
            return value
    raise TypeError(f"not a tree node or path: {node_or_path!r}")


def scope_for(user, permission: str) -> Scope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everywhere=True)
    areas, orgs, departments = [], [], set()
    for perm_set, area_code, org_code, department_id in user.grants():
        if permission in perm_set:
            if area_code:
                areas.append(area_code)
            if org_code:
                orgs.append(org_code)
            if department_id:
                departments.add(department_id)
    return Scope(
        areas=tuple(collapse_prefixes(areas)),
        orgs=tuple(collapse_prefixes(orgs)),
        departments=tuple(sorted(departments)),
    )


def holds(user, permission: str, *, areas=(), orgs=()) -> bool:
    """Whether ``user`` holds ``permission`` over a node given by its area and/or org paths (or
    nodes): for a row not loaded yet, or one side of a row (a transfer's sending side)."""
    return scope_for(user, permission).covers_any(areas, orgs)


def scope_prefixes(user, permission: str) -> list[str] | None:
    """Area-code prefixes where ``user`` holds ``permission``; ``None`` means everywhere."""
    scope = scope_for(user, permission)
    return None if scope.everywhere else list(scope.areas)


class VisibilityRule:
    """An app's own reason to show a row beyond the grants on its nodes.

    The rule is written once in two forms that must agree: :meth:`q` for querysets
    (``visible_to``) and :meth:`allows` for one loaded object (``can``). The default ``allows``
    asks the database with ``q`` for that one row, so a rule that only defines ``q`` is right by
    construction; a rule whose object form is cheap (a field comparison) overrides it to save the
    query. ``tests/test_scope_agreement.py`` checks both forms against each other for
    every scoped model and every role. ``q`` returns ``None`` when the rule adds nothing for this
    user and action.

    ``own`` marks a rule that shows users their own rows (a reporter's requests): such a row is
    seen with the owner's view, not through a grant, and ``visible_to(..., own_rows=False)``
    leaves it out (the appeals tell a reporter's view from the staff's view this way).
    """

    own = False

    def q(self, user, action: str, scope: Scope) -> Q | None:
        raise NotImplementedError

    def allows(self, user, action: str, scope: Scope, obj) -> bool:
        q = self.q(user, action, scope)
        if q is None or obj.pk is None:
            return False
        return type(obj)._default_manager.filter(q, pk=obj.pk).exists()


class OwnRows(VisibilityRule):
    """Rows whose ``field`` (a foreign key to the user) is the user: a reporter sees their own."""

    own = True

    def __init__(self, field: str, actions: tuple[str, ...] = ("view",)):
        self.field = field
        self.actions = frozenset(actions)

    def _applies(self, user, action: str) -> bool:
        return action in self.actions and getattr(user, "is_authenticated", False) and user.is_active

    def q(self, user, action, scope):
        return Q(**{f"{self.field}_id": user.pk}) if self._applies(user, action) else None

    def allows(self, user, action, scope, obj):
        return self._applies(user, action) and getattr(obj, f"{self.field}_id") == user.pk


class ScopedQuerySet(models.QuerySet):
    """Base queryset for every model read under scope.

    ``scope_path_fields`` name the indexed fields holding area paths of each row (a row is visible
    if any of them is in the user's area scope); ``scope_org_fields`` likewise for org paths;
    ``scope_department_fields`` name foreign keys to ``orgs.Department`` (a row is visible to a
    department's handlers if any of them is that department). ``visibility_rules`` are the
    model's own further reasons (:class:`VisibilityRule`), ORed with the grants; another app adds
    one to a model it does not own with :func:`add_visibility_rule`.
    Fields may follow a relation (``member__area_path``).
    """

    scope_path_fields: tuple[str, ...] = ("area_path",)
    scope_org_fields: tuple[str, ...] = ()
    scope_department_fields: tuple[str, ...] = ()
    visibility_rules: tuple[VisibilityRule, ...] = ()

    def scope_q(self, scope: Scope) -> Q:
        parts = [subtrees_q(scope.areas, field) for field in self.scope_path_fields if scope.areas]
        parts += [subtrees_q(scope.orgs, field) for field in self.scope_org_fields if scope.orgs]
        parts += [
            Q(**{f"{field}__in": scope.departments}) for field in self.scope_department_fields if scope.departments
        ]
        # No always-false ``pk__in=[]`` branch ORed in front: compiling it cost a fifth of a scoped
        # query's ORM time (bench/: street user vs superuser). Nothing to match still matches nothing.
        q = parts[0] if parts else Q(pk__in=[])
        for part in parts[1:]:
            q |= part
        return q

    def rules(self, own_rows: bool = True) -> tuple[VisibilityRule, ...]:
        rules = self.visibility_rules + _EXTRA_RULES.get(self.model._meta.label_lower, ())
        return rules if own_rows else tuple(rule for rule in rules if not rule.own)

    def visible_to(self, user, action: str = "view", *, own_rows: bool = True):
        """Rows ``user`` may ``action``; ``own_rows=False`` leaves out those seen only as their owner."""
        scope = scope_for(user, permission_name(self.model, action))
        if scope.everywhere:
            return self
        parts = [] if scope.empty else [self.scope_q(scope)]
        parts += [q for q in (rule.q(user, action, scope) for rule in self.rules(own_rows)) if q is not None]
        if not parts:
            return self.none()
        q = parts[0]
        for part in parts[1:]:
            q |= part
        return self.filter(q)

    def allows(self, user, action: str, obj, scope: Scope | None = None, *, own_rows: bool = True) -> bool:
        """The object form of :meth:`visible_to`: whether that queryset would hold ``obj``."""
        if scope is None:
            scope = scope_for(user, permission_name(self.model, action))
        if scope.everywhere:
            return True
        if scope.areas and any(scope.covers(_value(obj, f) or "") for f in self.scope_path_fields):
            return True
        if scope.orgs and any(scope.covers_org(_value(obj, f) or "") for f in self.scope_org_fields):
            return True
        if scope.departments and any(
            scope.covers_department(_value(obj, f, attname=True)) for f in self.scope_department_fields
        ):
            return True
        return any(rule.allows(user, action, scope, obj) for rule in self.rules(own_rows))


_EXTRA_RULES: dict[str, tuple[VisibilityRule, ...]] = {}


def add_visibility_rule(model, rule: VisibilityRule) -> None:
    """Add ``rule`` to ``model``'s scope from another app (call it from that app's ``ready()``)."""
    label = model._meta.label_lower
    if rule not in _EXTRA_RULES.get(label, ()):
        _EXTRA_RULES[label] = (*_EXTRA_RULES.get(label, ()), rule)


def _value(obj, field: str, attname: bool = False):
    """``field`` of ``obj``, following ``__`` through relations; a foreign key gives its id if
    ``attname`` (so a department check does not load the department)."""
    *relations, last = field.split("__")
    for name in relations:
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    if attname:
        last = obj._meta.get_field(last).attname
    return getattr(obj, last)


def scoped_querysets():
    """Every installed model whose default manager reads under scope, with its queryset."""
    from django.apps import apps

    for model in apps.get_models():
        queryset = model._default_manager.all()
        if isinstance(queryset, ScopedQuerySet):
            yield model, queryset


def get_object_for_user(queryset, user, action: str = "view", **lookup):
    """The object matching ``lookup`` if ``user`` may ``action`` it, else 404 (never 403).

    Out-of-scope and non-existent objects look the same, so scope does not leak existence.
    """
    try:
        return queryset.visible_to(user, action).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404("未找到该记录，或您无权访问。") from exc


def can(user, action: str, obj) -> bool:
    """Whether ``user`` may ``action`` the single, already loaded ``obj``.

    Always the same answer as ``visible_to(user, action)`` holding ``obj``, the model's own
    visibility rules included.
    """
    return type(obj)._default_manager.all().allows(user, action, obj)


def holders_of(
    permission: str,
    *,
    area: str | None = None,
    org: str | None = None,
    department: int | None = None,
    depths: tuple[int, ...] | None = None,
) -> set[int]:
    """Ids of the active users who hold ``permission`` over a node (for notifications and to-do lists).

    A grant on the node itself or on any ancestor counts (Wagtail's rule, as in ``scope_for``);
    ``depths`` keeps only grants on nodes whose code has one of these lengths (for example the
    street and the community of an address, not the whole city). Superusers are not listed: they
    see everything but are nobody's desk. Give one of ``area`` (a path), ``org`` (an org code)
    or ``department`` (an id).
    """
    from jiceng.accounts.models import RoleAssignment
    from jiceng.accounts.roles import roles_holding

    roles = roles_holding(permission)
    if not roles:
        return set()
    assignments = RoleAssignment.objects.filter(role__in=roles, user__is_active=True)
    if department is not None:
        assignments = assignments.filter(department_id=department)
    else:
        path = area if area is not None else org
        if not path:
            return set()
        lengths = range(1, len(path) + 1) if depths is None else [d for d in depths if d <= len(path)]
        codes = [path[:n] for n in lengths]
        field = "area__code__in" if area is not None else "org__code__in"
        assignments = assignments.filter(**{field: codes})
    return set(assignments.values_list("user_id", flat=True))

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

    def covers_department(self, department_or_id) -> bool:
        """Whether a department (a ``Department`` or its id) is one this scope holds."""
        pk = getattr(department_or_id, "pk", department_or_id)
        return self.everywhere or (pk is not None and pk in self.departments)


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


def scope_prefixes(user, permission: str) -> list[str] | None:
    """Area-code prefixes where ``user`` holds ``permission``; ``None`` means everywhere."""
    scope = scope_for(user, permission)
    return None if scope.everywhere else list(scope.areas)


class ScopedQuerySet(models.QuerySet):
    """Base queryset for every model read under scope.

    ``scope_path_fields`` name the indexed fields holding area paths of each row (a row is visible
    if any of them is in the user's area scope); ``scope_org_fields`` likewise for org paths;
    ``scope_department_fields`` name foreign keys to ``orgs.Department`` (a row is visible to a
    department's handlers if any of them is that department).
    """

    scope_path_fields: tuple[str, ...] = ("area_path",)
    scope_org_fields: tuple[str, ...] = ()
    scope_department_fields: tuple[str, ...] = ()

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

    def visible_to(self, user, action: str = "view"):
        scope = scope_for(user, permission_name(self.model, action))
        if scope.everywhere:
            return self
        if scope.empty:
            return self.none()
        return self.filter(self.scope_q(scope))


def get_object_for_user(queryset, user, action: str = "view", **lookup):
    """The object matching ``lookup`` if ``user`` may ``action`` it, else 404 (never 403).

    Out-of-scope and non-existent objects look the same, so scope does not leak existence.
    """
    try:
        return queryset.visible_to(user, action).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404("未找到该记录，或您无权访问。") from exc


def can(user, action: str, obj) -> bool:
    """Whether ``user`` may ``action`` the single, already loaded ``obj``."""
    scope = scope_for(user, permission_name(type(obj), action))
    if scope.everywhere:
        return True
    qs = type(obj).objects.none()
    paths = [getattr(obj, f) or "" for f in qs.scope_path_fields]
    org_paths = [getattr(obj, f) or "" for f in qs.scope_org_fields]
    department_ids = [getattr(obj, obj._meta.get_field(f).attname) for f in qs.scope_department_fields]
    return (
        any(p and p.startswith(s) for p in paths for s in scope.areas)
        or any(p and p.startswith(s) for p in org_paths for s in scope.orgs)
        or any(d is not None and d in scope.departments for d in department_ids)
    )


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

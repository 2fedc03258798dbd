"""Writes for accounts, and the audit record every service writes."""

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Model
from django.forms.models import model_to_dict

from jiceng.accounts.models import AuditLog, RoleAssignment, User

if TYPE_CHECKING:
    from jiceng.areas.models import Area
    from jiceng.orgs.models import Department, Org

# Who writes: a signed-in user (``request.user``), or None for the system (imports, jobs).
Actor: TypeAlias = User | AnonymousUser | None


def snapshot(obj: Model, fields: Sequence[str] | None = None) -> dict[str, Any]:
    data = model_to_dict(obj, fields=fields)
    return {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}


def audit_record(
    actor: Actor,
    action: str,
    obj: Model | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    area_path: str = "",
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
) -> AuditLog:
    """The unsaved record of one write, with the fields every record gets (see :func:`audit`).

    The one place that decides what a record holds: :func:`audit` saves it, and a service that
    writes its row in a statement of its own (the appeal create's single statement on PostgreSQL)
    inserts exactly this row.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = str(obj.pk) if object_id is None else object_id
        object_repr = str(obj) if object_repr is None else object_repr
    if not object_type or object_id is None:
        raise ValueError("audit() needs the object, or its object_type and object_id")
    return AuditLog(
        actor=actor if isinstance(actor, User) and actor.pk else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=(object_repr or "")[:200],
        area_path=area_path[:21],
        before=before,
        after=after,
    )


def audit(
    actor: Actor,
    action: str,
    obj: Model | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    area_path: str = "",
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
) -> AuditLog:
    """Record one write. Call inside the service's transaction so both land or neither.

    The record names ``obj`` (a model instance); a write that has no single object (an Excel
    import, an export) names its ``object_type``/``object_id``/``object_repr`` instead.
    """
    record = audit_record(
        actor,
        action,
        obj,
        before,
        after,
        area_path,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
    )
    record.save(force_insert=True)
    return record


@transaction.atomic
def create_user(actor: Actor, *, username: str, password: str, display_name: str = "", **extra: Any) -> User:
    user = User(username=username, display_name=display_name, **extra)
    user.set_password(password)
    user.save()
    audit(actor, "create_user", user, after=snapshot(user, ["username", "display_name", "is_superuser"]))
    return user


def _node(assignment: RoleAssignment) -> tuple[dict[str, Any], str]:
    if assignment.area is not None:
        return {"role": assignment.role, "area": assignment.area.code}, assignment.area.code
    if assignment.department is not None:
        department = assignment.department
        return {"role": assignment.role, "department": department.pk}, department.area_path
    if assignment.org is None:
        raise ValueError("a role assignment names no node")
    return {"role": assignment.role, "org": assignment.org.code}, assignment.org.area_path


@transaction.atomic
def assign_role(
    actor: Actor,
    user: User,
    role: str,
    area: "Area | None" = None,
    *,
    org: "Org | None" = None,
    department: "Department | None" = None,
) -> RoleAssignment:
    """Grant ``role`` on an area node, a party org (covering its subtree) or a department: exactly one."""
    if sum(node is not None for node in (area, org, department)) != 1:
        raise ValueError("a role is granted on exactly one node: an area, an org or a department")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, area=area, org=org, department=department
    )
    if created:
        after, path = _node(assignment)
        audit(actor, "assign_role", assignment, after=after, area_path=path)
    user.forget_grants()
    return assignment


@transaction.atomic
def revoke_role(actor: Actor, assignment: RoleAssignment) -> None:
    before, path = _node(assignment)
    audit(actor, "revoke_role", assignment, before=before, area_path=path)
    assignment.delete()
    assignment.user.forget_grants()

"""Writes for accounts, and the audit record every service writes."""

from django.db import transaction
from django.forms.models import model_to_dict

from jiceng.accounts.models import AuditLog, RoleAssignment, User


def snapshot(obj, fields=None) -> dict:
    data = model_to_dict(obj, fields=fields)
    return {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}


def audit(
    actor,
    action: str,
    obj=None,
    before=None,
    after=None,
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
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = str(obj.pk) if object_id is None else object_id
        object_repr = str(obj) if object_repr is None else object_repr
    if not object_type or object_id is None:
        raise ValueError("audit() needs the object, or its object_type and object_id")
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=(object_repr or "")[:200],
        area_path=area_path[:21],
        before=before,
        after=after,
    )


@transaction.atomic
def create_user(actor, *, username: str, password: str, display_name: str = "", **extra) -> User:
    user = User(username=username, display_name=display_name, **extra)
    user.set_password(password)
    user.save()
    audit(actor, "create_user", user, after=snapshot(user, ["username", "display_name", "is_superuser"]))
    return user


def _node(assignment: RoleAssignment) -> tuple[dict, str]:
    if assignment.area_id:
        return {"role": assignment.role, "area": assignment.area.code}, assignment.area.code
    if assignment.department_id:
        department = assignment.department
        return {"role": assignment.role, "department": department.pk}, department.area_path
    return {"role": assignment.role, "org": assignment.org.code}, assignment.org.area_path


@transaction.atomic
def assign_role(actor, user: User, role: str, area=None, *, org=None, department=None) -> RoleAssignment:
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
def revoke_role(actor, assignment: RoleAssignment) -> None:
    before, path = _node(assignment)
    audit(actor, "revoke_role", assignment, before=before, area_path=path)
    assignment.delete()
    assignment.user.forget_grants()

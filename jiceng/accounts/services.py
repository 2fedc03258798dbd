"""Writes for accounts, and the audit record every service writes."""

import functools
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Model
from django.forms.models import model_to_dict
from django.utils import timezone

from jiceng.accounts.models import ApiToken, AuditLog, RoleAssignment, User
from jiceng.accounts.rules import TOKEN_LIFETIME_DAYS, TOKENS_PER_USER
from jiceng.core.rules import get_rule

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
def create_user(
    actor: Actor, *, username: str, password: str, display_name: str = "", area: "Area | None" = None, **extra: Any
) -> User:
    """A new account; ``area`` is its home (the office whose administrators manage it)."""
    user = User(username=username, display_name=display_name, area=area, area_path=area.code if area else "", **extra)
    user.set_password(password)
    user.save()
    audit(
        actor,
        "create_user",
        user,
        after=snapshot(user, ["username", "display_name", "phone", "area_path", "is_superuser"]),
        area_path=user.area_path,
    )
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


def _settle_home(user: User, path: str) -> None:
    """An account without a home area gets the node of its first grant as its home."""
    if not user.area_path and path:
        from jiceng.areas.models import Area

        area = Area.objects.filter(code=path).first()
        if area is not None:
            User.objects.filter(pk=user.pk).update(area=area, area_path=path)
            user.area, user.area_path = area, path


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
        _settle_home(user, path)
    user.forget_grants()
    return assignment


@transaction.atomic
def revoke_role(actor: Actor, assignment: RoleAssignment) -> None:
    before, path = _node(assignment)
    audit(actor, "revoke_role", assignment, before=before, area_path=path)
    assignment.delete()
    assignment.user.forget_grants()


# --------------------------------------------------------------------------- API tokens

# How stale ``last_used_at`` may get before a request writes it again: one write per token and
# minute at most, not one per request.
TOUCH_EVERY = timedelta(minutes=1)


def hash_key(key: str) -> str:
    """The stored form of a token key (keys are random, so a fast hash is enough)."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def issue_token(actor: Actor, user: User, *, label: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``, valid for the rule's lifetime; returns it and its key (shown once).

    Beyond the rule's number of live tokens per user, the oldest are revoked.
    """
    key = secrets.token_urlsafe(30)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_key(key),
        prefix=key[:6],
        label=label.strip()[:60],
        expires_at=now + timedelta(days=get_rule(TOKEN_LIFETIME_DAYS)),
    )
    live = ApiToken.objects.filter(user=user, revoked_at=None, expires_at__gt=now).order_by("-created_at", "-id")
    surplus = list(live.values_list("pk", flat=True)[get_rule(TOKENS_PER_USER) :])
    if surplus:
        ApiToken.objects.filter(pk__in=surplus).update(revoked_at=now)
    audit(
        actor,
        "issue_token",
        token,
        after={"user": user.username, "label": token.label, "expires_at": token.expires_at, "revoked": surplus},
        area_path=user.area_path,
    )
    return token, key


@transaction.atomic
def revoke_token(actor: Actor, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(actor, "revoke_token", token, after={"user": token.user.username}, area_path=token.user.area_path)
    return token


def _revoke_all(user: User) -> list[int]:
    live = ApiToken.objects.filter(user=user, revoked_at=None)
    ids = list(live.values_list("pk", flat=True))
    live.update(revoked_at=timezone.now())
    return ids


def find_token(key: str) -> ApiToken | None:
    """The token with this key, its user loaded and ``locked`` set (the user is locked out).

    Every API request runs this, so it is one statement written once per process (``_token_sql``)
    rather than a queryset compiled on each request: building the ORM query with its lock-out
    subquery cost about 1.5 ms of CPU, three times its execution (the 组织生活 sign-in burst,
    bench/orglife.py). The same columns and the same condition as
    ``ApiToken.objects.select_related("user").annotate(locked=locked_exists("user__username"))``;
    ``test_find_token_equals_the_orm_query`` compares the two. On PostgreSQL, the production
    database, whose driver returns every column here as its Python type."""
    from django.conf import settings
    from django.db import connections

    connection = connections[ApiToken.objects.db]
    if connection.vendor != "postgresql":
        # SQLite (the demo) returns dates as text to a raw cursor; the ORM converts them.
        from jiceng.accounts.lockout import locked_exists

        return (
            ApiToken.objects.select_related("user")
            .annotate(locked=locked_exists("user__username"))
            .filter(key_hash=hash_key(key))
            .first()
        )
    sql, token_fields, user_fields = _token_sql(bool(settings.AXES_COOLOFF_TIME))
    params: list = [settings.AXES_FAILURE_LIMIT]
    if settings.AXES_COOLOFF_TIME:
        params.append(timezone.now() - settings.AXES_COOLOFF_TIME)
    params.append(hash_key(key))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    token_values = row[: len(token_fields)]
    user_values = row[len(token_fields) : len(token_fields) + len(user_fields)]
    token = ApiToken.from_db(connection.alias, token_fields, token_values)
    token.user = User.from_db(connection.alias, user_fields, user_values)
    token.locked = bool(row[-1])  # type: ignore[attr-defined]
    return token


@functools.cache
def _token_sql(cooloff: bool) -> tuple[str, list[str], list[str]]:
    """The statement of :func:`find_token` with its parameters (failure limit, [cool-off start],
    key hash), and the attribute names of the token's and the user's columns in its order."""
    from axes.models import AccessAttempt
    from django.db import connections

    quote = connections[ApiToken.objects.db].ops.quote_name

    def col(model: type[Model], name: str) -> str:
        return quote(str(model._meta.get_field(name).column))  # type: ignore[union-attr]

    token_cols = ApiToken._meta.concrete_fields
    user_cols = User._meta.concrete_fields
    since = f" AND a.{col(AccessAttempt, 'attempt_time')} >= %s" if cooloff else ""
    locked = (
        f"EXISTS(SELECT 1 FROM {quote(AccessAttempt._meta.db_table)} a"
        f" WHERE a.{col(AccessAttempt, 'failures_since_start')} >= %s"
        f" AND a.{col(AccessAttempt, 'username')} = u.{col(User, 'username')}{since})"
    )
    columns = [f"t.{quote(str(f.column))}" for f in token_cols] + [f"u.{quote(str(f.column))}" for f in user_cols]
    sql = (
        f"SELECT {', '.join(columns)}, {locked} FROM {quote(ApiToken._meta.db_table)} t"
        f" INNER JOIN {quote(User._meta.db_table)} u ON t.{col(ApiToken, 'user')} = u.{col(User, 'id')}"
        f" WHERE t.{col(ApiToken, 'key_hash')} = %s"
    )
    return sql, [f.attname for f in token_cols], [f.attname for f in user_cols]


def record_token_use(token: ApiToken) -> None:
    """Bookkeeping, not a change of state: no audit record, at most one write a minute."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --------------------------------------------------------------------------- 系统管理


class AccountError(Exception):
    """A refused account change, with a Chinese message and the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field


def _manageable(actor: User, user: User) -> User:
    """``user`` locked for the change, if ``actor`` may manage it (else AccountError)."""
    from jiceng.accounts.granting import management_refusal

    user = User.objects.select_for_update().get(pk=user.pk)
    refusal = management_refusal(actor, user)
    if refusal:
        raise AccountError(refusal)
    return user


@transaction.atomic
def onboard_user(
    actor: User, *, username: str, password: str, display_name: str, phone: str = "", area: "Area"
) -> User:
    """An administrator creates an account homed on an area of their subtree."""
    from jiceng.accounts.permissions import USER_CHANGE
    from jiceng.core.scope import holds

    if not holds(actor, USER_CHANGE, areas=[area]):
        raise AccountError(f"“{area.name}”不在您的管理范围内。", "area")
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"用户名“{username}”已被使用。", "username")
    return create_user(actor, username=username, password=password, display_name=display_name, phone=phone, area=area)


@transaction.atomic
def set_user_active(actor: User, user: User, active: bool) -> User:
    """Enable or disable an account; a disabled account cannot log in, and its tokens are refused."""
    user = _manageable(actor, user)
    if not active and user.pk == actor.pk:
        raise AccountError("不能停用自己的账号。")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit(
            actor,
            "enable_user" if active else "disable_user",
            user,
            before={"is_active": not active},
            after={"is_active": active},
            area_path=user.area_path,
        )
    return user


@transaction.atomic
def reset_password(actor: User, user: User, password: str) -> User:
    """Set a new password (checked by the password validators); every token of the account is
    revoked and its sessions end (Django ties a session to the password hash)."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = _manageable(actor, user)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError("".join(exc.messages), "password") from None
    user.set_password(password)
    user.save(update_fields=["password"])
    revoked = _revoke_all(user)
    audit(actor, "reset_password", user, after={"tokens_revoked": revoked}, area_path=user.area_path)
    return user


@transaction.atomic
def unlock_user(actor: User, user: User) -> int:
    """Lift a login lockout (django-axes) for every address; returns the attempt records cleared."""
    from axes.utils import reset

    user = _manageable(actor, user)
    cleared = reset(username=user.username)
    audit(actor, "unlock_user", user, after={"attempts_cleared": cleared}, area_path=user.area_path)
    return cleared


@transaction.atomic
def grant_role(
    actor: User,
    user: User,
    role: str,
    *,
    area: "Area | None" = None,
    org: "Org | None" = None,
    department: "Department | None" = None,
) -> RoleAssignment:
    """An administrator grants ``role`` on a node of their subtree to an account they manage."""
    from jiceng.accounts.granting import grant_refusal
    from jiceng.core.scope import can

    node = area or org or department
    if node is None:
        raise AccountError("请选择授权的节点。", "node")
    if not can(actor, "change", user):
        raise AccountError("该账号不在您的管理范围内。")
    refusal = grant_refusal(actor, role, node)
    if refusal:
        raise AccountError(refusal, "role")
    return assign_role(actor, user, role, area, org=org, department=department)


@transaction.atomic
def withdraw_role(actor: User, assignment: RoleAssignment) -> None:
    """Revoke a grant the administrator could have made."""
    from jiceng.accounts.granting import grant_refusal

    node = assignment.node
    refusal = grant_refusal(actor, assignment.role, node) if node is not None else "该授权没有节点。"
    if refusal:
        raise AccountError(refusal)
    revoke_role(actor, assignment)


def revoke_token_of(actor: User, token: ApiToken) -> ApiToken:
    """The owner revokes their own token; an administrator one of an account they manage."""
    from jiceng.accounts.granting import management_refusal

    if token.user_id != actor.pk:
        refusal = management_refusal(actor, token.user)
        if refusal:
            raise AccountError(refusal)
    return revoke_token(actor, token)

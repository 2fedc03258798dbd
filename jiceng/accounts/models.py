from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from jiceng.accounts.roles import ROLE_CHOICES, ROLES, permissions_of
from jiceng.core.phones import validate_phone
from jiceng.core.scope import ScopedQuerySet

if TYPE_CHECKING:
    from jiceng.areas.models import Area
    from jiceng.orgs.models import Department, Org


class UserQuerySet(ScopedQuerySet):
    """Accounts are read under scope by their home area (``area_path``): an administrator sees the
    accounts of their subtree, whatever roles those accounts hold."""


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """The platform's user; custom from the start so later fields need no migration dance."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True, validators=[validate_phone])
    # The node the account belongs to (the office that onboarded it): who may manage the account.
    area = models.ForeignKey(
        "areas.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="所属区划"
    )
    area_path = models.CharField("所属区划编码", max_length=21, blank=True, db_index=True)

    objects: ClassVar[ScopedUserManager] = ScopedUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def grants(self) -> list[tuple[frozenset[str], str, str, int | None]]:
        """(permission set, area code, org code, department id) for each role assignment, cached.

        Exactly one node is set: the other codes are "" and the department id is ``None``.
        """
        cached = getattr(self, "_grants_cache", None)
        if cached is None:
            cached = [
                (permissions_of(role), area_code or "", org_code or "", department_id)
                for role, area_code, org_code, department_id in self.role_assignments.values_list(
                    "role", "area__code", "org__code", "department_id"
                )
            ]
            self._grants_cache = cached
        return cached

    def forget_grants(self) -> None:
        self.__dict__.pop("_grants_cache", None)
        self.__dict__.pop("_granting_rows", None)

    def assignments_for_display(self) -> models.QuerySet["RoleAssignment"]:
        return self.role_assignments.select_related("area", "org", "department").order_by(
            "area__code", "org__code", "department__name"
        )


class RoleAssignment(models.Model):
    """Grants ``role`` on one node: an ``area`` or an ``org`` and its whole subtree, or a ``department``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments", verbose_name="用户"
    )
    role = models.CharField("角色", max_length=30, choices=ROLE_CHOICES)
    area = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name="范围（区划节点）",
    )
    org = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name="范围（党组织）",
    )
    department = models.ForeignKey(
        "orgs.Department",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name="范围（职能部门）",
    )
    created_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area"], name="unique_role_assignment"),
            models.UniqueConstraint(fields=["user", "role", "org"], name="unique_role_assignment_org"),
            models.UniqueConstraint(fields=["user", "role", "department"], name="unique_role_assignment_department"),
            models.CheckConstraint(
                condition=models.Q(area__isnull=False, org__isnull=True, department__isnull=True)
                | models.Q(area__isnull=True, org__isnull=False, department__isnull=True)
                | models.Q(area__isnull=True, org__isnull=True, department__isnull=False),
                name="role_assignment_one_node",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role_label} · {self.area_id or self.org_id or self.department_id}"

    @property
    def node(self) -> "Area | Org | Department | None":
        """The area, org or department the role is granted on."""
        return self.area or self.org or self.department

    @property
    def role_label(self) -> str:
        role = ROLES.get(self.role)
        return role.label if role else self.role


class AuditLog(models.Model):
    """Who changed what, when, with the state before and after. Written only by services."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
    )
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    action = models.CharField("操作", max_length=50)
    object_type = models.CharField("对象类型", max_length=50)
    object_id = models.CharField("对象", max_length=64)
    object_repr = models.CharField("对象名称", max_length=200, blank=True)
    area_path = models.CharField("所属区划", max_length=21, blank=True)
    before = models.JSONField("修改前", null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField("修改后", null=True, blank=True, encoder=DjangoJSONEncoder)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # Scope reads are ranges on the path (core.paths.subtree_q): no LIKE twin needed.
            models.Index(fields=["area_path"], name="auditlog_area_path"),
        ]
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class ApiToken(models.Model):
    """An API token (``Authorization: Token <key>``): several per user, each expiring and revocable.

    Only a hash of the key is stored; the key itself is shown once, when it is issued. ``prefix``
    (its first characters) lets the owner tell tokens apart in the list.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户"
    )
    key_hash = models.CharField("令牌摘要", max_length=64, unique=True)
    prefix = models.CharField("令牌前缀", max_length=8)
    label = models.CharField("用途", max_length=60, blank=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"], name="apitoken_user_live")]

    def __str__(self) -> str:
        return f"{self.prefix}…（{self.label or '未命名'}）"

    @property
    def state_label(self) -> str:
        """有效, 已过期 or 已撤销, now."""
        if self.revoked_at is not None:
            return "已撤销"
        return "已过期" if self.expires_at <= timezone.now() else "有效"

"""Open311 API keys: who may ``POST requests``, and where.

The key itself is shown once when issued; only its SHA-256 is stored. A key is bounded to an area
subtree (``area``; none = the whole city) and, when it has an ``owner``, also to that user's
``appeals.add_appeal`` scope (the owner is recorded as 登记人 of the requests it creates).
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from jiceng.core.paths import is_in_subtree


def hash_key(raw: str) -> str:
    return hashlib.sha256((raw or "").encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def for_key(self, raw: str):
        """The active key matching ``raw``, or ``None``."""
        if not raw or len(raw) > 200:
            return None
        return self.filter(key_hash=hash_key(raw), is_active=True).select_related("area", "owner").first()


class ApiKey(models.Model):
    name = models.CharField("名称", max_length=100, help_text="使用该密钥的系统或单位，如“12345 热线平台”")
    prefix = models.CharField("密钥前缀", max_length=8, editable=False)
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True, editable=False)
    area = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="可提交区域",
        help_text="只能提交该区域（含下级）内的诉求；留空为全市",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="责任账号",
        help_text="以该账号的登记权限和管辖范围提交（记为登记人）；留空为系统接口",
    )
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "Open311 接口密钥"
        verbose_name_plural = "Open311 接口密钥"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @classmethod
    def issue(cls, name: str, *, area=None, owner=None) -> tuple["ApiKey", str]:
        """A new key and its secret (shown once, never stored)."""
        raw = secrets.token_urlsafe(32)
        key = cls.objects.create(name=name, prefix=raw[:8], key_hash=hash_key(raw), area=area, owner=owner)
        return key, raw

    def covers(self, area_path: str) -> bool:
        return self.area_id is None or is_in_subtree(area_path or "", self.area.code)

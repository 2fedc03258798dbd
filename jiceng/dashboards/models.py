"""The dashboards' own records: area boundaries for the 大屏 map, 大屏 share links, 月报 snapshots.

None holds personal data: boundaries are geometry keyed by area code, share links name a node and
their creator, snapshots hold aggregate figures per node.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Boundary(models.Model):
    """An area's outline (a GeoJSON geometry) imported by ``manage.py import_boundaries``."""

    code = models.CharField("区划编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100, blank=True)
    geometry = models.JSONField("边界（GeoJSON 几何）")
    imported_at = models.DateTimeField("导入时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "区划边界"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ShareLink(models.Model):
    """A read-only link to one node's 大屏 for a wall screen's browser (no login), until it expires.

    The URL carries a signed token naming this row; the screen shows what its creator may see there,
    checked again on every request (a creator who loses the right, or is disabled, ends the link).
    """

    tree = models.CharField("树", max_length=8)
    code = models.CharField("节点编码", max_length=32)
    node_name = models.CharField("节点名称", max_length=100)
    note = models.CharField("用途", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    expires_at = models.DateTimeField("有效期至")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_seen_at = models.DateTimeField("最近访问", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "大屏分享链接"
        indexes = [models.Index(fields=["created_by", "-created_at"], name="sharelink_creator")]

    def __str__(self) -> str:
        return f"{self.node_name} 大屏（至 {self.expires_at:%Y-%m-%d %H:%M}）"

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "已撤销"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效"

    @property
    def active(self) -> bool:
        return self.status == "有效"


class Snapshot(models.Model):
    """Official figures of one node and period frozen as of ``created_at`` (月报).

    ``values`` maps node codes (the node and its children at the time) to ``{metric key: value}``
    for every metric of the tree; ``names`` keeps the children's names as they were. Later
    corrections of the data change the live figures, never a snapshot.
    """

    tree = models.CharField("树", max_length=8)
    code = models.CharField("节点编码", max_length=32)
    node_name = models.CharField("节点名称", max_length=100)
    period = models.CharField("统计期", max_length=24)
    values = models.JSONField("指标值")
    names = models.JSONField("下级名称", default=dict)
    trend = models.JSONField("趋势", default=dict)
    created_at = models.DateTimeField("冻结时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="冻结人",
    )

    class Meta:
        verbose_name = verbose_name_plural = "月报快照"
        constraints = [models.UniqueConstraint(fields=["tree", "code", "period"], name="snapshot_node_period")]

    def __str__(self) -> str:
        return f"{self.node_name} {self.period}"


class DashboardChoice(models.Model):
    """The figures a user chose to see on their dashboards of one tree (the 指标设置 panel); without
    a row the curated default of the node's level applies (``dashboards.choice``). Metric keys only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="用户")
    tree = models.CharField("树", max_length=8)
    metrics = models.JSONField("显示的指标", default=list)
    updated_at = models.DateTimeField("更新时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "看板指标设置"
        constraints = [models.UniqueConstraint(fields=["user", "tree"], name="dashboard_choice_user_tree")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.tree}（{len(self.metrics)} 项）"

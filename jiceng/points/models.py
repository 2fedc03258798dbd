"""党员积分 (DOMAIN.md §4.4): an append-only award ledger and a maintained yearly total per member.

An award is never edited or deleted: a corrected source is a reversal row (negative points,
``reverses`` naming the award it undoes) followed, if the source still counts, by a new award of
the next ``generation``. ``(source_kind, source_ref, generation)`` is unique among awards, so a
source awarded twice at once has one winner. Rows carry the member's paths (``org_path`` the
branch, ``area_path`` the branch's area) and are read under the member's side.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from jiceng.core.scope import ScopedQuerySet, VisibilityRule

from .rules import KIND_CHOICES


class OwnPoints(VisibilityRule):
    """A member sees their own awards and totals (我的积分)."""

    own = True

    def q(self, user, action, scope):
        if action != "view" or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        return Q(member__user_id=user.pk)

    def allows(self, user, action, scope, obj):
        return self.q(user, action, scope) is not None and obj.member.user_id == user.pk


class PointRule(models.Model):
    """The city's value for one source kind (a kind without a row uses ``rules.DEFAULTS``)."""

    source_kind = models.CharField("积分来源", max_length=20, choices=KIND_CHOICES, unique=True)
    points_per_unit = models.DecimalField("每单位分值", max_digits=5, decimal_places=1)
    yearly_cap = models.PositiveIntegerField("每人每年上限（分）")
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="修改人"
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["source_kind"]
        constraints = [
            models.CheckConstraint(condition=Q(points_per_unit__gte=0), name="points_rule_per_unit_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_kind_display()}：{self.points_per_unit}"


class PathsQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)
    scope_org_fields = ("org_path",)
    visibility_rules = (OwnPoints(),)


class Award(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="point_awards")
    source_kind = models.CharField("积分来源", max_length=20, choices=KIND_CHOICES)
    source_ref = models.CharField("来源编号", max_length=40)
    generation = models.PositiveSmallIntegerField("第几次记分", default=0)
    quantity = models.DecimalField("数量", max_digits=7, decimal_places=1)
    points = models.DecimalField("积分", max_digits=7, decimal_places=1)
    capped = models.BooleanField("因年度上限少记", default=False)
    awarded_on = models.DateField("记分日期")
    year = models.PositiveSmallIntegerField("年度")
    note = models.CharField("说明", max_length=120, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal", verbose_name="冲销的记录"
    )
    area_path = models.CharField("组织所在区划", max_length=21)
    org_path = models.CharField("组织路径", max_length=48)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = PathsQuerySet.as_manager()

    class Meta:
        verbose_name = "积分记录"
        verbose_name_plural = "积分记录"
        ordering = ["-awarded_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_kind", "source_ref", "generation"],
                condition=Q(reverses__isnull=True),
                name="points_award_once_per_source",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "year"], name="points_award_member_year"),
            models.Index(fields=["source_kind", "source_ref"], name="points_award_source"),
            models.Index(fields=["area_path"], name="points_award_area"),
            models.Index(fields=["org_path"], name="points_award_org"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.source_kind}:{self.source_ref} {self.points}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class YearTotal(models.Model):
    """One member's points in one year, per source kind (the cap is per kind) and in all
    (``source_kind=""``): kept by :mod:`jiceng.points.services` in the award's transaction."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    source_kind = models.CharField("积分来源", max_length=20, choices=KIND_CHOICES, blank=True)
    points = models.DecimalField("积分", max_digits=8, decimal_places=1, default=Decimal("0"))
    area_path = models.CharField("组织所在区划", max_length=21)
    org_path = models.CharField("组织路径", max_length=48)

    objects = PathsQuerySet.as_manager()

    class Meta:
        verbose_name = "年度积分"
        verbose_name_plural = "年度积分"
        ordering = ["-year", "source_kind"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year", "source_kind"], name="points_total_member_year_kind"),
        ]
        indexes = [models.Index(fields=["year", "org_path"], name="points_total_org")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year} {self.source_kind or '合计'}: {self.points}"

"""微心愿 (seed 003): a resident in need's small wish, published by the community (or its grid
worker), claimed by one party member or one resident unit, delivered with a photo, confirmed by
the beneficiary (or the grid worker for them).

The beneficiary's name, phone and address are personal data of a vulnerable resident: shown in
full only to holders of ``wishes.view_beneficiary_wish`` on the community (the community's staff
and its grid workers), masked everywhere else (:func:`jiceng.wishes.privacy.shown`).
"""

from django.db import models
from django.db.models import Q

from jiceng.core.scope import ScopedQuerySet


class WishStatus(models.TextChoices):
    OPEN = "open", "待认领"
    CLAIMED = "claimed", "已认领"
    DELIVERED = "delivered", "已送达"
    CONFIRMED = "confirmed", "已确认"
    CANCELLED = "cancelled", "已撤销"


class WishQuerySet(ScopedQuerySet):
    # The community's staff read by the community; its grid workers by the beneficiary's grid.
    scope_path_fields = ("area_path", "beneficiary_path")


class Wish(models.Model):
    community = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="社区")
    area_path = models.CharField("社区编码", max_length=21)
    title = models.CharField("心愿", max_length=60)
    content = models.CharField("心愿说明", max_length=300, blank=True)
    beneficiary_name = models.CharField("心愿人姓名", max_length=50)
    beneficiary_phone = models.CharField("心愿人电话", max_length=20, blank=True)
    beneficiary_address = models.CharField("心愿人住址", max_length=120)
    beneficiary_area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="心愿人所在网格或小区"
    )
    beneficiary_path = models.CharField("心愿人所在区划编码", max_length=21)
    beneficiary_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="心愿人账号"
    )
    status = models.CharField("状态", max_length=10, choices=WishStatus.choices, default=WishStatus.OPEN)
    claimer_member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="认领党员"
    )
    claimer_unit = models.ForeignKey(
        "orgs.ResidentUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="认领单位"
    )
    claimed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="认领操作人"
    )
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    delivery_note = models.CharField("送达说明", max_length=200, blank=True)
    photo = models.FileField("送达照片", upload_to="wishes/%Y/%m/", max_length=300, blank=True)
    photo_type = models.CharField("照片类型", max_length=20, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="确认人"
    )
    confirmed_for = models.BooleanField("网格员代为确认", default=False)
    reason = models.CharField("撤销原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="发布人"
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = WishQuerySet.as_manager()

    class Meta:
        verbose_name = "微心愿"
        verbose_name_plural = "微心愿"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "status"], name="wish_area_status"),
            models.Index(fields=["beneficiary_path"], name="wish_beneficiary_path"),
        ]
        constraints = [
            # One claimer: a member or a unit, never both; none while open or cancelled before a claim.
            models.CheckConstraint(
                condition=~(Q(claimer_member__isnull=False) & Q(claimer_unit__isnull=False)),
                name="wish_one_claimer",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "cancelled"])
                | Q(claimer_member__isnull=False)
                | Q(claimer_unit__isnull=False),
                name="wish_claimed_has_claimer",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def claimer_name(self) -> str:
        if self.claimer_member_id:
            return self.claimer_member.name  # type: ignore[union-attr]
        if self.claimer_unit_id:
            return self.claimer_unit.name  # type: ignore[union-attr]
        return ""

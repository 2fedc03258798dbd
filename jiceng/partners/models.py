"""共驻共建 agreements (seed 001): a community's (or street's) party org and a resident unit's party
org agree on content, each side's duties with deadlines, resources committed and contacts, and
review them yearly (each duty rated, a score). Read by the community side (``area_path``, the
community org's area) and the unit's side (``org_path``, the unit's party org)."""

from django.db import models

from jiceng.core.scope import ScopedQuerySet


class Side(models.TextChoices):
    COMMUNITY = "community", "社区（街道）方"
    UNIT = "unit", "驻区单位方"


class Rating(models.TextChoices):
    DONE = "done", "完成"
    PARTLY = "partly", "部分完成"
    NOT_DONE = "not_done", "未完成"


class AgreementStatus(models.TextChoices):
    ACTIVE = "active", "履行中"
    ENDED = "ended", "已到期"


class PathsQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)
    scope_org_fields = ("org_path",)


class Agreement(models.Model):
    community_org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="社区（街道）党组织"
    )
    unit = models.ForeignKey(
        "orgs.ResidentUnit", on_delete=models.PROTECT, related_name="agreements", verbose_name="驻区单位"
    )
    unit_org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="单位党组织")
    area_path = models.CharField("区划路径", max_length=21)
    org_path = models.CharField("单位党组织路径", max_length=48)
    title = models.CharField("协议名称", max_length=80)
    content = models.TextField("共建内容", max_length=2000)
    resources = models.TextField(
        "承诺投入的资源",
        max_length=1000,
        blank=True,
        help_text="文字说明；清单中的资源另见“关联的资源清单”。",
    )
    resource_items = models.ManyToManyField(
        "cobuild.Item", blank=True, related_name="agreements", verbose_name="关联的资源清单"
    )
    community_contact = models.CharField("社区方联系人", max_length=60)
    unit_contact = models.CharField("单位方联系人", max_length=60)
    signed_on = models.DateField("签订日期")
    ends_on = models.DateField("有效期至")
    status = models.CharField("状态", max_length=8, choices=AgreementStatus.choices, default=AgreementStatus.ACTIVE)
    created_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = PathsQuerySet.as_manager()

    class Meta:
        verbose_name = "共建协议"
        verbose_name_plural = "共建协议"
        ordering = ["-signed_on", "-id"]
        indexes = [
            models.Index(fields=["area_path"], name="partners_agreement_area"),
            models.Index(fields=["org_path"], name="partners_agreement_org"),
        ]

    def __str__(self) -> str:
        return self.title


class Duty(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="duties", verbose_name="协议")
    side = models.CharField("责任方", max_length=10, choices=Side.choices)
    content = models.CharField("责任内容", max_length=200)
    due_on = models.DateField("完成期限")
    done_on = models.DateField("完成日期", null=True, blank=True)
    area_path = models.CharField("区划路径", max_length=21)
    org_path = models.CharField("单位党组织路径", max_length=48)

    objects = PathsQuerySet.as_manager()

    class Meta:
        verbose_name = "共建责任"
        verbose_name_plural = "共建责任"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["area_path", "due_on"], name="partners_duty_due")]

    def __str__(self) -> str:
        return self.content


class Review(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="reviews", verbose_name="协议")
    unit = models.ForeignKey("orgs.ResidentUnit", on_delete=models.PROTECT, related_name="+", verbose_name="驻区单位")
    year = models.PositiveSmallIntegerField("年度")
    score = models.DecimalField("得分", max_digits=5, decimal_places=1)
    comment = models.CharField("评议意见", max_length=300, blank=True)
    reviewed_on = models.DateField("评议日期")
    reviewed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    area_path = models.CharField("区划路径", max_length=21)
    org_path = models.CharField("单位党组织路径", max_length=48)

    objects = PathsQuerySet.as_manager()

    class Meta:
        verbose_name = "年度评议"
        verbose_name_plural = "年度评议"
        ordering = ["-year", "-id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "year"], name="partners_review_once_a_year")]
        indexes = [models.Index(fields=["unit", "year"], name="partners_review_unit_year")]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.year}: {self.score}"


class DutyRating(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="ratings")
    duty = models.ForeignKey(Duty, on_delete=models.PROTECT, related_name="ratings")
    rating = models.CharField("履行情况", max_length=10, choices=Rating.choices)

    class Meta:
        verbose_name = "责任评议"
        verbose_name_plural = "责任评议"
        constraints = [models.UniqueConstraint(fields=["review", "duty"], name="partners_rating_once")]

    def __str__(self) -> str:
        return f"{self.duty_id}: {self.rating}"

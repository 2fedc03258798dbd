"""在职党员双报到 (DOMAIN.md §4.3): employed members and resident units' party orgs report to the
community where they live (or sit), serve on the community's posts, and the community reports back.

Every row carries the paths it is read under: ``area_path`` is the community's code (the
community's and street's staff), ``org_path`` the member's own branch (or the unit's party org)
and ``branch_area_path`` that branch's anchor area (the branch's street and district), so the
community side and the member's own side both see it through ``visible_to``.
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from jiceng.core.scope import ScopedQuerySet, VisibilityRule

HOURS_MAX = Decimal("24")  # one service is at most a day


class OwnMemberRows(VisibilityRule):
    """A member sees their own rows (``member.user`` is the signed-in account): 我的双报到."""

    own = True

    def __init__(self, field: str = "member"):
        self.field = field

    def q(self, user, action, scope):
        if action != "view" or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        return Q(**{f"{self.field}__user_id": user.pk})

    def allows(self, user, action, scope, obj):
        if self.q(user, action, scope) is None:
            return False
        member = getattr(obj, self.field, None)
        return member is not None and member.user_id == user.pk


class PostsOfMyCommunity(VisibilityRule):
    """A member sees the posts of the community they are registered with (confirmed)."""

    own = True

    def q(self, user, action, scope):
        if action != "view" or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        # A subquery, not a join: a join through the community's registrations repeated each post
        # once per registration there.
        mine = Registration.objects.filter(member__user_id=user.pk, status=RegistrationStatus.CONFIRMED)
        return Q(community_id__in=mine.values("community_id"))


class RegistrationKind(models.TextChoices):
    MEMBER = "member", "在职党员报到"
    UNIT = "unit", "单位党组织报到"


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已报到"
    REJECTED = "rejected", "已退回"
    ENDED = "ended", "已结束"


ACTIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)


class PathsQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path", "branch_area_path")
    scope_org_fields = ("org_path",)


class RegistrationQuerySet(PathsQuerySet):
    visibility_rules = (OwnMemberRows(),)

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)


class Registration(models.Model):
    kind = models.CharField("报到类型", max_length=8, choices=RegistrationKind.choices)
    status = models.CharField(
        "状态", max_length=10, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    member = models.ForeignKey(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dual_registrations",
        verbose_name="在职党员",
    )
    unit = models.ForeignKey(
        "orgs.ResidentUnit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="dual_registrations",
        verbose_name="驻区单位",
    )
    org = models.ForeignKey(
        "orgs.Org", on_delete=models.PROTECT, related_name="dual_registrations", verbose_name="所在党组织"
    )
    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="dual_registrations", verbose_name="报到社区"
    )
    area_path = models.CharField("社区编码", max_length=21)
    org_path = models.CharField("组织路径", max_length=48)
    branch_area_path = models.CharField("组织所在区划", max_length=21)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    skills = models.CharField("特长与服务意向", max_length=200, blank=True)
    reason = models.CharField("退回/结束原因", max_length=200, blank=True)
    registered_on = models.DateField("报到日期")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="登记人"
    )
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="确认人"
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = "双报到登记"
        verbose_name_plural = "双报到登记"
        ordering = ["-created_at", "-id"]
        constraints = [
            # Exactly one active registration per member, and per unit (a race has one winner).
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["pending", "confirmed"], member__isnull=False),
                name="dual_one_active_per_member",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(status__in=["pending", "confirmed"], unit__isnull=False),
                name="dual_one_active_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(kind="member", member__isnull=False, unit__isnull=True)
                | Q(kind="unit", unit__isnull=False, member__isnull=True),
                name="dual_registration_kind_matches",
            ),
        ]
        indexes = [
            models.Index(fields=["area_path", "status"], name="dual_reg_area"),
            models.Index(fields=["org_path"], name="dual_reg_org"),
            models.Index(fields=["branch_area_path"], name="dual_reg_branch_area"),
        ]

    def __str__(self) -> str:
        who = self.member.name if self.member_id and self.member else (self.unit.name if self.unit else "")
        return f"{who} → {self.community.name if self.community_id else ''}"

    @property
    def who(self) -> str:
        return self.member.name if self.member_id else self.unit.name  # type: ignore[union-attr]

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class PostStatus(models.TextChoices):
    OPEN = "open", "招募中"
    CLOSED = "closed", "已结束"


class ServicePostQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)
    visibility_rules = (PostsOfMyCommunity(),)


class ServicePost(models.Model):
    """岗位 / 服务需求 the community publishes for those who reported to it."""

    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="dual_posts", verbose_name="发布社区"
    )
    area_path = models.CharField("社区编码", max_length=21)
    title = models.CharField("岗位名称", max_length=80)
    needs = models.CharField("服务内容与要求", max_length=300)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    places = models.PositiveSmallIntegerField("招募人数")
    taken = models.PositiveSmallIntegerField("已报名", default=0)
    status = models.CharField("状态", max_length=8, choices=PostStatus.choices, default=PostStatus.OPEN)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="发布人"
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = ServicePostQuerySet.as_manager()

    class Meta:
        verbose_name = "服务岗位"
        verbose_name_plural = "服务岗位"
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["area_path", "starts_on"], name="dual_post_area")]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=models.F("places")), name="dual_post_taken_within_places"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def left(self) -> int:
        return max(self.places - self.taken, 0)


class SignUpQuerySet(PathsQuerySet):
    visibility_rules = (OwnMemberRows(),)


class SignUp(models.Model):
    post = models.ForeignKey(ServicePost, on_delete=models.CASCADE, related_name="signups", verbose_name="岗位")
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="signups", verbose_name="报到登记"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="dual_signups", verbose_name="党员"
    )
    area_path = models.CharField("社区编码", max_length=21)
    org_path = models.CharField("组织路径", max_length=48)
    branch_area_path = models.CharField("组织所在区划", max_length=21)
    created_at = models.DateTimeField("报名时间", auto_now_add=True)

    objects = SignUpQuerySet.as_manager()

    class Meta:
        verbose_name = "岗位报名"
        verbose_name_plural = "岗位报名"
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["post", "member"], name="dual_signup_once")]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.post_id}"


class ServiceStatus(models.TextChoices):
    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未认可"


class ServiceQuerySet(PathsQuerySet):
    visibility_rules = (OwnMemberRows(),)


class Service(models.Model):
    """One service a member did for the community; confirmed by the community, then locked."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="services", verbose_name="报到登记"
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="dual_services", verbose_name="党员"
    )
    post = models.ForeignKey(
        ServicePost, null=True, blank=True, on_delete=models.SET_NULL, related_name="services", verbose_name="岗位"
    )
    served_on = models.DateField("服务日期")
    hours = models.DecimalField("服务时长（小时）", max_digits=4, decimal_places=1)
    content = models.CharField("服务内容", max_length=300)
    status = models.CharField("状态", max_length=10, choices=ServiceStatus.choices, default=ServiceStatus.PENDING)
    reason = models.CharField("未认可原因", max_length=200, blank=True)
    area_path = models.CharField("社区编码", max_length=21)
    org_path = models.CharField("组织路径", max_length=48)
    branch_area_path = models.CharField("组织所在区划", max_length=21)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="登记人"
    )
    confirmed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="确认人"
    )
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = "服务记录"
        verbose_name_plural = "服务记录"
        ordering = ["-served_on", "-id"]
        indexes = [
            models.Index(fields=["area_path", "status"], name="dual_service_area"),
            models.Index(fields=["org_path"], name="dual_service_org"),
            models.Index(fields=["branch_area_path"], name="dual_service_branch_area"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=HOURS_MAX), name="dual_service_hours_range"),
        ]

    def __str__(self) -> str:
        return f"{self.served_on} {self.content}"

    @property
    def locked(self) -> bool:
        return self.status == ServiceStatus.CONFIRMED


class ServiceCorrection(models.Model):
    """A change to a confirmed (locked) service: who, when, why, before and after."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="corrections", verbose_name="服务记录")
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="更正人"
    )
    at = models.DateTimeField("更正时间", auto_now_add=True)
    reason = models.CharField("更正原因", max_length=200)
    before = models.JSONField("更正前")
    after = models.JSONField("更正后")

    class Meta:
        verbose_name = "服务记录更正"
        verbose_name_plural = "服务记录更正"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.service_id} {self.reason}"


class TallyQuerySet(PathsQuerySet):
    visibility_rules = (OwnMemberRows(),)


class YearTally(models.Model):
    """Confirmed services of one member in one year: kept by the services that confirm or correct
    a service, in the same transaction; the below-target lists read these, never the services."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+", verbose_name="党员")
    year = models.PositiveSmallIntegerField("年度")
    services = models.PositiveIntegerField("已确认服务次数", default=0)
    hours = models.DecimalField("已确认服务时长", max_digits=7, decimal_places=1, default=0)
    area_path = models.CharField("社区编码", max_length=21)
    org_path = models.CharField("组织路径", max_length=48)
    branch_area_path = models.CharField("组织所在区划", max_length=21)

    objects = TallyQuerySet.as_manager()

    class Meta:
        verbose_name = "年度服务统计"
        verbose_name_plural = "年度服务统计"
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="dual_tally_member_year")]
        indexes = [
            models.Index(fields=["year", "area_path"], name="dual_tally_area"),
            models.Index(fields=["year", "org_path"], name="dual_tally_org"),
            models.Index(fields=["year", "branch_area_path"], name="dual_tally_branch_area"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}: {self.services}"


class Delivery(models.TextChoices):
    SYSTEM = "system", "系统内送达"
    LETTER = "letter", "反馈函（打印寄送）"


class FeedbackQuerySet(PathsQuerySet):
    visibility_rules = (OwnMemberRows(),)


class Feedback(models.Model):
    """服务情况反馈: the community tells the member's own branch how the member served in a year."""

    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="feedbacks", verbose_name="报到登记"
    )
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+", verbose_name="党员")
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+", verbose_name="党员所在支部")
    community = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="反馈社区")
    year = models.PositiveSmallIntegerField("年度")
    sent_on = models.DateField("反馈日期")
    delivery = models.CharField("送达方式", max_length=8, choices=Delivery.choices)
    services = models.PositiveIntegerField("服务次数")
    hours = models.DecimalField("服务时长", max_digits=7, decimal_places=1)
    target = models.PositiveSmallIntegerField("年度目标（次）")
    comment = models.CharField("社区评价", max_length=300)
    area_path = models.CharField("社区编码", max_length=21)
    org_path = models.CharField("组织路径", max_length=48)
    branch_area_path = models.CharField("组织所在区划", max_length=21)
    sent_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="反馈人"
    )
    read_at = models.DateTimeField("支部查阅时间", null=True, blank=True)
    read_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="查阅人"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = "服务情况反馈"
        verbose_name_plural = "服务情况反馈"
        ordering = ["-sent_on", "-id"]
        constraints = [
            # A double submit on the same day sends one feedback.
            models.UniqueConstraint(fields=["registration", "year", "sent_on"], name="dual_feedback_once_a_day"),
        ]
        indexes = [
            models.Index(fields=["org_path", "read_at"], name="dual_feedback_org"),
            models.Index(fields=["area_path"], name="dual_feedback_area"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.member_id}"

    @property
    def below_target(self) -> bool:
        return self.services < self.target

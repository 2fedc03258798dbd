"""志愿服务 (issue 11 point 4): volunteers, teams, activities with sign-up, waiting list and QR
sign-in, and the hours each volunteer served (from verified attendance or self-reported and
approved). Approved hours are what the 时间银行 (jiceng/timebank) credits, and what the
``hours_approved`` signal (signals.py) tells other apps (党员积分) about.

Every row carries ``area_path``, the code of the community it belongs to, so the community and
the street and district above it read it through ``visible_to``.
"""

import secrets
from datetime import date
from decimal import Decimal

from django.db import models
from django.db.models import Q

from jiceng.core.scope import ScopedQuerySet, VisibilityRule

HOURS_MAX = Decimal("24")


class OwnVolunteerRows(VisibilityRule):
    """A volunteer sees their own rows (``volunteer.user`` is the signed-in account)."""

    own = True

    def __init__(self, field: str = "volunteer"):
        self.field = field

    def q(self, user, action, scope):
        if action != "view" or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        prefix = f"{self.field}__" if self.field else ""
        return Q(**{f"{prefix}user_id": user.pk})

    def allows(self, user, action, scope, obj):
        if self.q(user, action, scope) is None:
            return False
        volunteer = getattr(obj, self.field) if self.field else obj
        return volunteer is not None and volunteer.user_id == user.pk


class OpenActivitiesOfMyCommunity(VisibilityRule):
    """A volunteer sees the activities published in the community they are registered with."""

    own = True

    def q(self, user, action, scope):
        if action != "view" or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        mine = Volunteer.objects.filter(user_id=user.pk)
        return Q(area_path__in=mine.values("area_path"))


class VolunteerQuerySet(ScopedQuerySet):
    visibility_rules = (OwnVolunteerRows(""),)


class Volunteer(models.Model):
    """A registered volunteer: a resident (with or without an account) or a party member."""

    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("手机号", max_length=20, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="volunteers", verbose_name="所在社区"
    )
    area_path = models.CharField("社区编码", max_length=21)
    user = models.OneToOneField(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
        verbose_name="登录账号",
    )
    member = models.OneToOneField(
        "members.Member",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer",
        verbose_name="党员",
    )
    skills = models.CharField("技能特长", max_length=200, blank=True)
    registered_on = models.DateField("注册日期", default=date.today)

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿者"
        verbose_name_plural = "志愿者"
        ordering = ["area_path", "id"]
        indexes = [models.Index(fields=["area_path", "id"], name="vol_volunteer_area")]

    def __str__(self) -> str:
        return self.name

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Team(models.Model):
    name = models.CharField("队伍名称", max_length=80)
    org = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_teams",
        verbose_name="所属党组织",
    )
    org_path = models.CharField("组织路径", max_length=48, blank=True)
    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="volunteer_teams", verbose_name="所在社区"
    )
    area_path = models.CharField("社区编码", max_length=21)
    service_scope = models.CharField("服务内容", max_length=200, blank=True)
    member_count = models.PositiveIntegerField("队员人数", default=0)
    created_at = models.DateTimeField("成立时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿服务队"
        verbose_name_plural = "志愿服务队"
        ordering = ["area_path", "id"]
        indexes = [models.Index(fields=["area_path", "id"], name="vol_team_area")]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", verbose_name="队伍")
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="memberships", verbose_name="志愿者"
    )
    is_leader = models.BooleanField("队长", default=False)
    joined_on = models.DateField("加入日期", default=date.today)

    class Meta:
        verbose_name = "队员"
        verbose_name_plural = "队员"
        constraints = [models.UniqueConstraint(fields=["team", "volunteer"], name="vol_one_membership")]

    def __str__(self) -> str:
        return f"{self.team_id}:{self.volunteer_id}"


class ActivityStatus(models.TextChoices):
    OPEN = "open", "报名中"
    CLOSED = "closed", "已结束"
    CANCELLED = "cancelled", "已取消"


class ActivityQuerySet(ScopedQuerySet):
    visibility_rules = (OpenActivitiesOfMyCommunity(),)


class Activity(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="activities", verbose_name="志愿服务队")
    title = models.CharField("活动名称", max_length=80)
    place = models.CharField("活动地点", max_length=120)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    places = models.PositiveSmallIntegerField("招募人数")
    taken = models.PositiveSmallIntegerField("已报名", default=0)
    waiting = models.PositiveSmallIntegerField("候补人数", default=0)
    status = models.CharField("状态", max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.OPEN)
    area_path = models.CharField("社区编码", max_length=21)
    signin_secret = models.CharField(max_length=32, editable=False, default="")
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="发布人"
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿服务活动"
        verbose_name_plural = "志愿服务活动"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["area_path", "starts_at"], name="vol_activity_area")]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=models.F("places")), name="vol_activity_not_overbooked"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="vol_activity_ends_after"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        if not self.signin_secret:
            self.signin_secret = secrets.token_hex(16)
        super().save(*args, **kwargs)

    @property
    def hours(self) -> Decimal:
        seconds = (self.ends_at - self.starts_at).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.1"))

    @property
    def free(self) -> int:
        return max(self.places - self.taken, 0)


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", "已报名"
    WAITING = "waiting", "候补"
    CANCELLED = "cancelled", "已取消"


class SignUpQuerySet(ScopedQuerySet):
    visibility_rules = (OwnVolunteerRows(),)


class SignUp(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name="活动")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="signups", verbose_name="志愿者")
    status = models.CharField("状态", max_length=10, choices=SignUpStatus.choices)
    area_path = models.CharField("社区编码", max_length=21)
    created_at = models.DateTimeField("报名时间", auto_now_add=True)
    promoted_at = models.DateTimeField("候补转正时间", null=True, blank=True)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    signed_out_at = models.DateTimeField("签退时间", null=True, blank=True)

    objects = SignUpQuerySet.as_manager()

    class Meta:
        verbose_name = "活动报名"
        verbose_name_plural = "活动报名"
        ordering = ["created_at", "id"]
        constraints = [
            # One live sign-up per volunteer and activity: a double submit has one winner.
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=Q(status__in=["confirmed", "waiting"]),
                name="vol_one_live_signup",
            )
        ]
        indexes = [models.Index(fields=["activity", "status", "created_at"], name="vol_signup_queue")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} → {self.activity_id}"


class HoursSource(models.TextChoices):
    ATTENDANCE = "attendance", "签到签退核定"
    SELF = "self", "本人申报"
    REDEMPTION = "redemption", "时间银行兑换服务"
    CLAIM = "claim", "志愿队认领服务（队长登记）"


class HoursStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已审核"
    REJECTED = "rejected", "已退回"


class HoursQuerySet(ScopedQuerySet):
    visibility_rules = (OwnVolunteerRows(),)


class HoursRecord(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hours", verbose_name="志愿者")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="hours", verbose_name="活动"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="hours", verbose_name="志愿服务队"
    )
    source = models.CharField("来源", max_length=12, choices=HoursSource.choices)
    status = models.CharField("状态", max_length=10, choices=HoursStatus.choices, default=HoursStatus.PENDING)
    served_on = models.DateField("服务日期")
    hours = models.DecimalField("时长（小时）", max_digits=5, decimal_places=1)
    content = models.CharField("服务内容", max_length=200)
    area_path = models.CharField("社区编码", max_length=21)
    reason = models.CharField("退回原因", max_length=200, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="审核人"
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    created_at = models.DateTimeField("申报时间", auto_now_add=True)

    objects = HoursQuerySet.as_manager()

    class Meta:
        verbose_name = "志愿服务时长"
        verbose_name_plural = "志愿服务时长"
        ordering = ["-served_on", "-id"]
        indexes = [
            models.Index(fields=["area_path", "status"], name="vol_hours_area"),
            models.Index(fields=["volunteer", "served_on"], name="vol_hours_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="vol_hours_positive"),
            # Attendance hours are recorded once per sign-up's activity and volunteer.
            models.UniqueConstraint(
                fields=["volunteer", "activity"],
                condition=Q(source="attendance"),
                name="vol_hours_once_per_activity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer_id} {self.served_on} {self.hours}h"


class HoursMonth(models.Model):
    """Approved hours per area node (city … community) and month, kept by the approving service."""

    path = models.CharField("区划编码", max_length=21)
    month = models.DateField("月份")
    hours = models.DecimalField("志愿服务时长", max_digits=14, decimal_places=1, default=Decimal("0"))
    records = models.PositiveIntegerField("记录数", default=0)

    class Meta:
        verbose_name = "志愿服务时长统计（区划·月）"
        verbose_name_plural = verbose_name
        constraints = [models.UniqueConstraint(fields=["path", "month"], name="vol_hoursmonth_path_month")]

    def __str__(self) -> str:
        return f"{self.path} {self.month:%Y-%m}"


def get_activity_for_user(user, pk: int, action: str = "view") -> Activity:
    from jiceng.core.scope import get_object_for_user

    return get_object_for_user(Activity.objects.select_related("team"), user, action, pk=pk)


def get_team_for_user(user, pk: int, action: str = "view") -> Team:
    from jiceng.core.scope import get_object_for_user

    return get_object_for_user(Team.objects.select_related("community", "org"), user, action, pk=pk)


def volunteer_of(user) -> Volunteer | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.filter(user=user).first()

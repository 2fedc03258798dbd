"""组织生活: meetings (三会一课, 主题党日, 组织生活会, 民主评议, 谈心谈话), attendance and QR sign-in,
minutes with their review, 补学 tasks, 党小组 membership and recurring plans.

A meeting belongs to one org and counts for one or more types (:class:`MeetingKind` rows). When a
meeting is recorded held (``services.close_meeting``) the per-org, per-month, per-type fact
:class:`HeldMonth` is bumped in the same transaction: the compliance engine (issue 10 point 5)
reads those rows instead of counting meetings on request.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from jiceng.core.scope import ScopedQuerySet, VisibilityRule


class MeetingType(models.TextChoices):
    CONGRESS = "congress", "支部党员大会"
    COMMITTEE = "committee", "支部委员会"
    GROUP = "group", "党小组会"
    LECTURE = "lecture", "党课"
    THEME_DAY = "theme_day", "主题党日"
    LIFE = "life", "组织生活会"
    REVIEW = "review", "民主评议党员"
    TALK = "talk", "谈心谈话"


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    SIGNIN = "signin", "签到中"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class MeetingAttendeeRule(VisibilityRule):
    """A member sees the meetings they are expected at (their own meetings), nothing else."""

    own = True

    def q(self, user, action, scope):
        if action != "view" or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        return Q(pk__in=Attendance.objects.filter(member__user=user).values("meeting_id"))


class PlanQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)
    scope_org_fields = ("org_path",)


class RecurringPlan(models.Model):
    """A branch's recurring plan: one meeting per period of a year, created idempotently."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "每月"
        QUARTERLY = "quarterly", "每季度"
        YEARLY = "yearly", "每年"

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="meeting_plans", verbose_name="党组织")
    org_path = models.CharField("组织路径", max_length=48, db_index=True)
    area_path = models.CharField("区划路径", max_length=21, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    types = models.JSONField("会议类型", default=list)
    frequency = models.CharField("频次", max_length=12, choices=Frequency.choices)
    day = models.PositiveSmallIntegerField("固定日", help_text="每期第几日（1—28）")
    start_time = models.TimeField("开始时间")
    place = models.CharField("地点", max_length=120, blank=True)
    topic = models.CharField("主题", max_length=120)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "组织生活计划"
        verbose_name_plural = "组织生活计划"
        ordering = ["org_path", "-year", "id"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.topic}"


class OwnMemberRows(VisibilityRule):
    """A member sees their own rows (``member`` is the roster entry of their login)."""

    own = True

    def q(self, user, action, scope):
        if action != "view" or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        return Q(member__user_id=user.pk)


class MeetingQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)
    scope_org_fields = ("org_path",)
    visibility_rules = (MeetingAttendeeRule(),)


class Meeting(models.Model):
    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="meetings", verbose_name="党组织")
    org_path = models.CharField("组织路径", max_length=48)
    area_path = models.CharField("区划路径", max_length=21)
    # A 党小组会 names its group (an org of type 党小组 under the branch); otherwise empty.
    group = models.ForeignKey(
        "orgs.Org",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="group_meetings",
        verbose_name="党小组",
    )
    topic = models.CharField("主题", max_length=120)
    status = models.CharField("状态", max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    planned_start = models.DateTimeField("计划时间")
    actual_start = models.DateTimeField("实际开始时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    place = models.CharField("地点", max_length=120, blank=True)
    host = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="主持人"
    )
    recorder = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="记录人"
    )
    agenda = models.TextField("议程", blank=True, help_text="每行一项")
    plan = models.ForeignKey(
        RecurringPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings", verbose_name="计划"
    )
    plan_period = models.PositiveSmallIntegerField("计划期次", null=True, blank=True)
    # Rotating QR codes are HMACs over this per-meeting secret: a code of another meeting never fits.
    signin_secret = models.CharField(max_length=32, editable=False)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-planned_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "plan_period"], name="meeting_plan_period_unique", condition=Q(plan__isnull=False)
            ),
        ]
        indexes = [
            models.Index(fields=["org_path", "planned_start"], name="meeting_org_start"),
            models.Index(fields=["area_path", "planned_start"], name="meeting_area_start"),
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def type_keys(self) -> list[str]:
        return [kind.type for kind in self.kinds.all()]

    @property
    def type_labels(self) -> str:
        return "、".join(MeetingType(kind.type).label for kind in self.kinds.all())

    @property
    def is_congress(self) -> bool:
        return MeetingType.CONGRESS in self.type_keys


class MeetingKind(models.Model):
    """One type a meeting counts for (a 主题党日 held as the 支部党员大会 has two rows)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="kinds")
    type = models.CharField("会议类型", max_length=12, choices=MeetingType.choices)

    class Meta:
        verbose_name = "会议类型"
        verbose_name_plural = "会议类型"
        constraints = [models.UniqueConstraint(fields=["meeting", "type"], name="meeting_kind_unique")]

    def __str__(self) -> str:
        return self.get_type_display()


class HeldMonth(models.Model):
    """Maintained fact: how many meetings of ``type`` ``org`` held in ``month`` (the first day).

    Written by ``services.close_meeting`` (and its undo) in the meeting's transaction; the
    compliance engine reads these rows, never the meetings."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="held_months")
    org_path = models.CharField("组织路径", max_length=48)
    area_path = models.CharField("区划路径", max_length=21)
    type = models.CharField("会议类型", max_length=12, choices=MeetingType.choices)
    month = models.DateField("月份")
    held = models.PositiveIntegerField("召开次数", default=0)
    # Of ``held``: meetings held this month that were due in an earlier period of the type (逾期召开);
    # they do not count as held on time for this month's period.
    late = models.PositiveIntegerField("其中逾期召开", default=0)
    # Meetings due this month (their plan date or planned date) that were held in a later period.
    due_late = models.PositiveIntegerField("本月应开、逾期召开", default=0)
    first_held_on = models.DateField("首次召开日期", null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "组织生活召开情况"
        verbose_name_plural = "组织生活召开情况"
        constraints = [models.UniqueConstraint(fields=["org", "type", "month"], name="held_month_unique")]
        indexes = [models.Index(fields=["org_path", "month"], name="held_month_org_path")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.type} {self.month:%Y-%m}: {self.held}"


class ExemptionKind(models.TextChoices):
    POSTPONE = "postpone", "批准延期召开"
    DISSOLVING = "dissolving", "党组织撤销中"


class ExemptionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"
    REVOKED = "revoked", "已撤销"


class Exemption(models.Model):
    """免于考核: a branch asks the higher org to exempt it, with a reason, and the higher org
    decides. A postponement (延期召开) covers one type in one period; a branch in dissolution
    (撤销中) covers every type from the period it names on (``ends`` empty). Only approved rows
    count; the compliance engine reads them next to :class:`HeldMonth`."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="orglife_exemptions")
    org_path = models.CharField("组织路径", max_length=48)
    area_path = models.CharField("区划路径", max_length=21)
    kind = models.CharField("类别", max_length=12, choices=ExemptionKind.choices)
    # Empty: every type (a branch in dissolution).
    type = models.CharField("会议类型", max_length=12, choices=MeetingType.choices, blank=True)
    period = models.CharField("考核期", max_length=8)  # 2026-Q4, 2026-11, 2026
    starts = models.DateField("起始日")
    ends = models.DateField("截止日（不含）", null=True, blank=True)
    reason = models.CharField("申请理由", max_length=300)
    status = models.CharField("状态", max_length=10, choices=ExemptionStatus.choices, default=ExemptionStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        verbose_name = "免于考核申请"
        verbose_name_plural = "免于考核申请"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["org_path", "starts"], name="exemption_org_starts")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.kind} {self.period}"


class MeetingEvent(models.Model):
    """The meeting's log: created, moved, cancelled, 代签, closed, minutes reviewed and amended."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", auto_now_add=True)
    kind = models.CharField("事项", max_length=20)
    summary = models.CharField("说明", max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "会议记录"
        verbose_name_plural = "会议记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.kind}"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", "照片"
    DOCUMENT = "document", "文档"


class Attachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("类别", max_length=10, choices=AttachmentKind.choices)
    file = models.FileField("文件", upload_to="orglife/%Y/%m/", max_length=300)
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AttendanceRole(models.TextChoices):
    ATTENDEE = "attendee", "应到"
    OBSERVER = "observer", "列席"


class AttendanceStatus(models.TextChoices):
    EXPECTED = "expected", "未签到"
    PRESENT = "present", "出席"
    LATE = "late", "迟到"
    LEAVE = "leave", "请假"
    ABSENT = "absent", "缺席"


SIGNED_STATUSES = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)


class SignMethod(models.TextChoices):
    QR = "qr", "扫码签到"
    PERSONAL = "personal", "扫党员签到码"
    PROXY = "proxy", "代签"


class AttendanceQuerySet(ScopedQuerySet):
    scope_path_fields = ("meeting__area_path",)
    scope_org_fields = ("meeting__org_path",)
    visibility_rules = (OwnMemberRows(),)


class Attendance(models.Model):
    """One expected attendee of a meeting; a member has at most one row per meeting (constraint)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="attendances")
    role = models.CharField("身份", max_length=10, choices=AttendanceRole.choices, default=AttendanceRole.ATTENDEE)
    # Whether the member had a vote at the meeting's date (正式党员): the 党员大会's quorum reads it.
    can_vote = models.BooleanField("有表决权", default=False)
    status = models.CharField(
        "状态", max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.EXPECTED
    )
    signed_at = models.DateTimeField("签到时间", null=True, blank=True)
    method = models.CharField("签到方式", max_length=10, choices=SignMethod.choices, blank=True)
    reason = models.CharField("请假/代签事由", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = "出席情况"
        verbose_name_plural = "出席情况"
        ordering = ["meeting", "role", "member__name", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id} {self.member_id} {self.status}"

    @property
    def signed(self) -> bool:
        return self.status in SIGNED_STATUSES


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已通过"


class Minutes(models.Model):
    """The meeting's minutes (会议记录): written by the recorder, submitted by the host, reviewed
    by the street or a higher org; approved minutes change only by logged amendments."""

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    status = models.CharField("状态", max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT)
    topics = models.TextField("议题", blank=True)
    discussion = models.TextField("讨论情况", blank=True)
    resolutions = models.TextField("决议", blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "会议纪要"
        verbose_name_plural = "会议纪要"

    def __str__(self) -> str:
        return f"纪要 {self.meeting_id}"

    @property
    def locked(self) -> bool:
        return self.status == MinutesStatus.APPROVED


class Decision(models.Model):
    """A matter put to the vote (表决) and its tally; ``passed`` is decided by ``rules.decision_reasons``."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="decisions")
    subject = models.CharField("表决事项", max_length=200)
    votes_for = models.PositiveIntegerField("赞成")
    votes_against = models.PositiveIntegerField("反对")
    votes_abstain = models.PositiveIntegerField("弃权")
    entitled = models.PositiveIntegerField("有表决权的应到党员")
    present_entitled = models.PositiveIntegerField("有表决权的实到党员")
    passed = models.BooleanField("通过")
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "表决"
        verbose_name_plural = "表决"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.subject


class Amendment(models.Model):
    """A logged change to approved minutes: which part, before, after, why, by whom."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="amendments")
    field = models.CharField("修改部分", max_length=20)
    before = models.TextField("修改前")
    after = models.TextField("修改后")
    reason = models.CharField("修改原因", max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("修改时间", auto_now_add=True)

    class Meta:
        verbose_name = "纪要修改记录"
        verbose_name_plural = "纪要修改记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.minutes_id} {self.field}"


class MakeupQuerySet(ScopedQuerySet):
    scope_path_fields = ("meeting__area_path",)
    scope_org_fields = ("meeting__org_path",)
    visibility_rules = (OwnMemberRows(),)


class MakeupTask(models.Model):
    """补学: a member who missed a meeting reads its minutes and confirms."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="makeups")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="makeups")
    created_at = models.DateTimeField("布置时间", auto_now_add=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    note = models.CharField("学习体会", max_length=300, blank=True)

    objects = MakeupQuerySet.as_manager()

    class Meta:
        verbose_name = "补学"
        verbose_name_plural = "补学"
        ordering = ["done_at", "-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="makeup_once")]

    def __str__(self) -> str:
        return f"补学 {self.meeting_id} {self.member_id}"


class GroupMemberQuerySet(ScopedQuerySet):
    scope_path_fields = ("group__area_path",)
    scope_org_fields = ("group__code",)


class GroupMember(models.Model):
    """A member's place in a 党小组 (an org of type 党小组 under the member's branch)."""

    group = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="group_members")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="group_memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GroupMemberQuerySet.as_manager()

    class Meta:
        verbose_name = "党小组成员"
        verbose_name_plural = "党小组成员"
        constraints = [models.UniqueConstraint(fields=["member"], name="group_member_one_group")]

    def __str__(self) -> str:
        return f"{self.group_id} {self.member_id}"


def get_meeting_for_user(user, pk: int, action: str = "view") -> Meeting:
    from jiceng.core.scope import get_object_for_user

    return get_object_for_user(Meeting.objects.select_related("org", "group", "host", "recorder"), user, action, pk=pk)


class ComplianceYear(models.Model):
    """A year whose compliance roll-up (:class:`ComplianceBranch`, :class:`ComplianceTally`) is
    maintained: written by ``rollup.rebuild`` (the worker's daily job creates the new year on its
    first run in January); the incremental path keeps the years listed here up to date."""

    year = models.PositiveSmallIntegerField("年度", primary_key=True)
    rebuilt_at = models.DateTimeField("重建时间")

    class Meta:
        verbose_name = "落实情况统计年度"
        verbose_name_plural = "落实情况统计年度"

    def __str__(self) -> str:
        return str(self.year)


class ComplianceBranch(models.Model):
    """One branch's statuses for one year, the base the incremental roll-up diffs: ``cells`` maps
    each period key of the year (``2026-01`` … ``2026-Q1`` … ``2026``) to {type: status}, and the
    paths are the ones its counts were rolled up under (an org moved since moves them)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    org_path = models.CharField("组织路径", max_length=48)
    area_path = models.CharField("区划路径", max_length=21)
    cells = models.JSONField("各期情况", default=dict)

    class Meta:
        verbose_name = "支部落实情况"
        verbose_name_plural = "支部落实情况"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="compliance_branch_unique")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year}"


class ComplianceTally(models.Model):
    """Maintained roll-up: for a node of the area tree (city down to community), of the org tree
    (every org above a branch) or the whole city (``tree`` "all", ``code`` ""), how many of the
    branches below it held a required type on time, are exempt, held it late, or missed it in a
    period. The 落实情况 page reads these rows for its counts."""

    tree = models.CharField("树", max_length=5)  # "areas", "orgs" or "all"
    code = models.CharField("节点编码", max_length=48, blank=True)
    period = models.CharField("考核期", max_length=8)
    type = models.CharField("会议类型", max_length=12, choices=MeetingType.choices)
    held = models.IntegerField("按期召开", default=0)
    exempt = models.IntegerField("免于考核", default=0)
    late = models.IntegerField("逾期召开", default=0)
    missed = models.IntegerField("未召开", default=0)

    class Meta:
        verbose_name = "落实情况汇总"
        verbose_name_plural = "落实情况汇总"
        constraints = [models.UniqueConstraint(fields=["tree", "code", "period", "type"], name="compliance_tally_key")]
        indexes = [models.Index(fields=["period", "tree", "code"], name="compliance_tally_read")]

    def __str__(self) -> str:
        return f"{self.tree} {self.code} {self.period} {self.type}"

"""民呼我应: residents' requests (诉求), their timeline, 吹哨报到, notifications and the rate tables.

Every write goes through :mod:`jiceng.appeals.services` (the state machine) or the other service
modules of this app; nothing here changes state by itself. Every read under scope goes through
``Appeal.objects.visible_to(user, action)`` or :func:`get_appeal_for_user`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jiceng.core.paths import is_in_subtree, subtree_q
from jiceng.core.scope import OwnRows, ScopedQuerySet, VisibilityRule

CATEGORY_SEGMENT = 3
CATEGORY_CODE_MAX = 15  # five levels of 3 digits


# --------------------------------------------------------------------------- choices


class Channel(models.TextChoices):
    RESIDENT = "resident", "居民自助"
    GRID = "grid", "网格员代录"
    HOTLINE = "hotline", "热线"
    OPEN311 = "open311", "Open311"
    TRANSFER = "transfer", "上级转办"


class Kind(models.TextChoices):
    APPEAL = "appeal", "诉求"
    COMPLAINT = "complaint", "投诉"
    CONSULT = "consult", "咨询"
    HELP = "help", "求助"
    SUGGESTION = "suggestion", "建议"


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", "紧急"
    URGENT = "urgent", "加急（水电气热等）"
    GENERAL = "general", "一般"
    COMPLEX = "complex", "疑难复杂"


class ResponsibleLevel(models.TextChoices):
    GRID = "grid", "网格"
    COMMUNITY = "community", "社区"
    STREET = "street", "街道"
    DEPARTMENT = "department", "职能部门"
    DISTRICT = "district", "区"


class Status(models.TextChoices):
    ACCEPTED = "accepted", "已受理"
    DISPATCHED = "dispatched", "已派单"
    SIGNED = "signed", "已签收"
    HANDLING = "handling", "办理中"
    ANSWERED = "answered", "已答复"
    RATED = "rated", "已回访"
    CLOSED = "closed", "已办结"
    RETURNED = "returned", "已退单"
    MERGED = "merged", "已合并"
    CANCELLED = "cancelled", "已撤销"


FINAL_STATUSES = frozenset({Status.CLOSED, Status.MERGED, Status.CANCELLED})
# The answer clock runs in these states.
OPEN_STATUSES = frozenset({Status.ACCEPTED, Status.DISPATCHED, Status.SIGNED, Status.HANDLING, Status.RETURNED})
# The assignee holds the appeal.
WITH_HANDLER = frozenset({Status.DISPATCHED, Status.SIGNED, Status.HANDLING})
# The 派单台's tabs (待处理, 办理中), as conditions shared by the queue and its partial indexes: the
# query then carries the index's own predicate, so PostgreSQL and SQLite use the index, and a
# street's queue reads the few requests waiting, not every request the street ever had.
QUEUE_TODO = models.Q(status__in=sorted([Status.ACCEPTED, Status.RETURNED, Status.ANSWERED])) | models.Q(
    extension_pending=True
)
QUEUE_OPEN = models.Q(status__in=sorted(WITH_HANDLER))
# 督办: supervised and not yet final. Few rows at any size (37 of 1 M in the benchmark database), so
# a partial index on them keeps the tab from scanning every supervised request ever closed.
QUEUE_SUPERVISED = models.Q(supervised=True) & ~models.Q(status__in=sorted(FINAL_STATUSES))


class Outcome(models.TextChoices):
    RESOLVED = "resolved", "解决"
    PARTLY = "partly", "部分解决"
    UNRESOLVED = "unresolved", "未解决"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class LocationSource(models.TextChoices):
    AREA = "area", "选择区划"
    COORDINATES = "coordinates", "坐标定位"
    ADDRESS = "address", "地址"


# --------------------------------------------------------------------------- service catalogue


class CategoryQuerySet(models.QuerySet):
    def subtree(self, code: str, include_self: bool = True):
        return self.filter(subtree_q(code, "code", include_self=include_self))

    def active(self):
        return self.filter(is_active=True)

    def available_at(self, area_path: str):
        """Active categories offered at a location (no restriction, or one covering it)."""
        return [c for c in self.active() if c.is_available_at(area_path)]


class Category(models.Model):
    """One entry of the city's service catalogue (Open311 ``service``); the code is its path."""

    code = models.CharField("类别编码", max_length=CATEGORY_CODE_MAX, unique=True)
    name = models.CharField("名称", max_length=60)
    full_name = models.CharField("完整名称", max_length=300, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级类别"
    )
    description = models.CharField("说明", max_length=500, blank=True)
    keywords = models.CharField("关键词", max_length=200, blank=True, help_text="以逗号分隔，用于 Open311 keywords")
    responsible_level = models.CharField(
        "责任层级", max_length=12, choices=ResponsibleLevel.choices, default=ResponsibleLevel.COMMUNITY
    )
    department_keyword = models.CharField(
        "责任部门关键词",
        max_length=40,
        blank=True,
        help_text="责任层级为“职能部门”时，按部门名称中的关键词匹配服务该地点的部门，如“城市管理”“水务”",
    )
    default_urgency = models.CharField("默认紧急程度", max_length=12, choices=Urgency.choices, default=Urgency.GENERAL)
    # {urgency: {"dispatch": "1h", "response": "1h", "answer": "7wd"}}: overrides appeals.deadlines.
    deadlines = models.JSONField("时限（覆盖默认值）", default=dict, blank=True)
    # Open311 service definition attributes: [{code, datatype, required, description, order,
    # variable, datatype_description, values: [{key, name}]}].
    attributes = models.JSONField("附加字段定义", default=list, blank=True)
    # Area-code prefixes where the category is offered; empty = everywhere.
    area_paths = models.JSONField("适用区域", default=list, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = "诉求类别"
        verbose_name_plural = "诉求类别（服务目录）"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.full_name or self.name

    def is_available_at(self, area_path: str) -> bool:
        if not self.is_active:
            return False
        return not self.area_paths or any(is_in_subtree(area_path or "", p) for p in self.area_paths)

    @property
    def group(self) -> str:
        """The top-level name (Open311 ``group``)."""
        return (self.full_name or self.name).split("/")[0]


# --------------------------------------------------------------------------- appeals


class SummonedDepartments(VisibilityRule):
    """A department summoned by a whistle sees it (and, through ``field``, its appeal) as 协办,
    after the appeal is returned too."""

    def __init__(self, field: str):
        self.field = field  # the whistle id (or appeal id) a summons points to

    def q(self, user, action, scope):
        if not scope.departments:
            return None
        summons = WhistleSummons.objects.filter(department_id__in=scope.departments, **{f"{self.field}__isnull": False})
        return Q(pk__in=summons.values(self.field))


class AppealQuerySet(ScopedQuerySet):
    """Visible by location (area scope), by assigned or summoned department, and to the reporter."""

    scope_path_fields = ("area_path",)
    scope_department_fields = ("assigned_department",)
    visibility_rules = (SummonedDepartments("whistle__appeal_id"), OwnRows("reporter"))

    def subtree(self, code: str):
        return self.filter(subtree_q(code, "area_path"))


class Appeal(models.Model):
    """One request (工单). ``area_path`` copies the location's code, so scope is one indexed range."""

    # Set on insert from the local date and the id (20261121 + 00001234). On PostgreSQL a trigger
    # does it (migration 0004) and the value comes back with the insert; elsewhere the service
    # sets it right after (services.create_appeal).
    number = models.CharField("工单编号", max_length=24, null=True, blank=True, db_default=None)
    channel = models.CharField("渠道", max_length=12, choices=Channel.choices)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices, default=Kind.APPEAL)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="appeals", verbose_name="问题分类")
    urgency = models.CharField("紧急程度", max_length=12, choices=Urgency.choices, default=Urgency.GENERAL)
    title = models.CharField("标题", max_length=100, blank=True)
    description = models.TextField("诉求内容", max_length=4000)
    attributes = models.JSONField("附加信息", default=dict, blank=True)

    area = models.ForeignKey(
        "areas.Area",
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name="所在区划（点位）",
        db_index=False,  # reads go by area_path; see ADR 0016
    )
    area_path = models.CharField("区划路径", max_length=21)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    location_source = models.CharField(
        "定位方式", max_length=12, choices=LocationSource.choices, default=LocationSource.AREA
    )

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appeals",
        verbose_name="诉求人账号",
        db_index=False,
    )
    reporter_name = models.CharField("诉求人", max_length=50, blank=True)
    reporter_phone = models.CharField("联系电话", max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="登记人",
        db_index=False,
    )
    # Sent by the client with the submission: a repeated submit finds the first request.
    client_token = models.CharField("提交令牌", max_length=64, null=True, blank=True)

    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.ACCEPTED)
    assigned_area = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_appeals",
        verbose_name="承办单位（区划）",
        db_index=False,
    )
    assigned_department = models.ForeignKey(
        "orgs.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_appeals",
        verbose_name="承办部门",
        db_index=False,
    )

    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    rated_at = models.DateTimeField("回访时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    dispatch_due = models.DateTimeField("派单时限", null=True, blank=True)
    response_due = models.DateTimeField("签收时限", null=True, blank=True)
    answer_due = models.DateTimeField("答复时限", null=True, blank=True)
    # Some due day was computed through a day no calendar knows (Mon–Fri guess): shown as such.
    deadline_fallback = models.BooleanField("时限含推算日", default=False)
    dispatch_remind_at = models.DateTimeField("派单提醒时间", null=True, blank=True)
    answer_remind_at = models.DateTimeField("答复提醒时间", null=True, blank=True)
    dispatch_reminded = models.BooleanField("已提醒派单", default=False)
    answer_reminded = models.BooleanField("已提醒答复", default=False)
    dispatch_overdue = models.BooleanField("派单超时", default=False)
    response_overdue = models.BooleanField("签收超时", default=False)
    answer_overdue = models.BooleanField("办理超期", default=False)
    extension_pending = models.BooleanField("延期待批", default=False)
    extension_count = models.PositiveSmallIntegerField("延期次数", default=0)

    supervised = models.BooleanField("挂牌督办", default=False)
    supervised_at = models.DateTimeField("督办时间", null=True, blank=True)
    supervised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="督办人",
        db_index=False,
    )
    supervise_note = models.CharField("督办要求", max_length=500, blank=True)

    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    return_count = models.PositiveSmallIntegerField("退单次数", default=0)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
        verbose_name="合并到",
        db_index=False,
    )

    answer_text = models.TextField("答复内容", blank=True)
    answer_result = models.CharField("办理结果", max_length=12, choices=Outcome.choices, blank=True)
    outcome = models.CharField("是否解决", max_length=12, choices=Outcome.choices, blank=True)
    satisfaction = models.CharField("是否满意", max_length=12, choices=Satisfaction.choices, blank=True)
    rating_comment = models.CharField("评价意见", max_length=500, blank=True)

    created_at = models.DateTimeField("受理时间", default=timezone.now)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        verbose_name = "诉求"
        verbose_name_plural = "诉求"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["area_path", "id"], name="appeal_area_path_id"),
            models.Index(fields=["area_path", "id"], condition=QUEUE_TODO, name="appeal_queue_todo"),
            models.Index(fields=["area_path", "id"], condition=QUEUE_OPEN, name="appeal_queue_open"),
            models.Index(fields=["area_path", "id"], condition=QUEUE_SUPERVISED, name="appeal_queue_supervised"),
            # 待办 at the city's scale: the extensions waiting for approval, the first rows of a
            # small partial index (a scan of every request waiting in the city before).
            models.Index(
                fields=["answer_due", "id"], condition=models.Q(extension_pending=True), name="appeal_extension_due"
            ),
            models.Index(fields=["status", "answer_due"], name="appeal_status_answer_due"),
            models.Index(fields=["status", "dispatch_due"], name="appeal_status_dispatch_due"),
            models.Index(fields=["assigned_area", "status"], name="appeal_assigned_area_status"),
            models.Index(fields=["assigned_department", "status"], name="appeal_assigned_dept_status"),
            models.Index(fields=["reporter", "id"], name="appeal_reporter_id"),
            # The caller's earlier requests on the request page (same phone, newest first).
            models.Index(fields=["reporter_phone", "id"], name="appeal_reporter_phone_id"),
            models.Index(fields=["created_at"], name="appeal_created_at"),
            # The lists' 答复时限 sort (jiceng.appeals.filtersets.APPEAL_SORTS), both ways.
            models.Index(fields=["answer_due", "id"], name="appeal_answer_due_id"),
        ]
        constraints = [
            # One index each serves "=" and (for the number) a prefix LIKE: no twin LIKE index.
            models.UniqueConstraint(fields=["number"], name="appeal_number_unique", opclasses=["varchar_pattern_ops"]),
            models.UniqueConstraint(fields=["client_token"], name="appeal_client_token_unique"),
            models.CheckConstraint(
                condition=~Q(assigned_area__isnull=False, assigned_department__isnull=False),
                name="appeal_one_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number or '（未编号）'} {self.title or self.description[:20]}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES

    @property
    def assignee(self):
        return self.assigned_department or self.assigned_area

    @property
    def assignee_name(self) -> str:
        assignee = self.assignee
        return assignee.name if assignee is not None else ""


def get_appeal_for_user(user, pk, action: str = "view") -> Appeal:
    from jiceng.core.scope import get_object_for_user

    queryset = Appeal.objects.select_related("category", "area", "assigned_area", "assigned_department")
    return get_object_for_user(queryset, user, action, pk=pk)


class EventKind(models.TextChoices):
    CREATE = "create", "受理"
    DISPATCH = "dispatch", "派单"
    SIGN = "sign", "签收"
    PROGRESS = "progress", "办理"
    ANSWER = "answer", "答复"
    RATE = "rate", "回访评价"
    CLOSE = "close", "办结"
    RETURN = "return", "退单"
    EXTEND_REQUEST = "extend_request", "申请延期"
    EXTEND_APPROVE = "extend_approve", "批准延期"
    EXTEND_REJECT = "extend_reject", "驳回延期"
    SUPERVISE = "supervise", "挂牌督办"
    REOPEN = "reopen", "重办"
    MERGE = "merge", "合并（重复件）"
    MERGED_HERE = "merged_here", "并入重复件"
    CANCEL = "cancel", "撤销"
    PHOTO = "photo", "上传照片"
    DISPATCH_OVERDUE = "dispatch_overdue", "派单超时"
    RESPONSE_OVERDUE = "response_overdue", "签收超时"
    OVERDUE = "overdue", "办理超期"
    WHISTLE = "whistle", "吹哨"
    SUMMONS_REPORT = "summons_report", "部门报到"
    SUMMONS_FEEDBACK = "summons_feedback", "部门反馈"
    SUMMONS_RATE = "summons_rate", "评价部门"
    ESCALATE = "escalate", "超时未报到，上报区"


class AppealEvent(models.Model):
    """One line of an appeal's timeline; also the source the rate tables can be rebuilt from."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="events", verbose_name="诉求", db_index=False
    )  # (appeal, at) below serves it
    kind = models.CharField("环节", max_length=20, choices=EventKind.choices)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="操作人",
        db_index=False,
    )
    actor_name = models.CharField("操作人", max_length=100, blank=True)
    from_status = models.CharField("原状态", max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=Status.choices, blank=True)
    note = models.TextField("说明", blank=True)
    # Shown to the reporter on the follow page; internal steps (督办, 延期审批, 超期) are not.
    public = models.BooleanField("居民可见", default=True)
    # The appeal's location and the department concerned at the time, for the rate tables.
    area_path = models.CharField("区划路径", max_length=21)
    department = models.ForeignKey(
        "orgs.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="部门",
        db_index=False,
    )
    target_name = models.CharField("派往", max_length=120, blank=True)
    data = models.JSONField("数据", default=dict, blank=True)

    class Meta:
        verbose_name = "诉求办理记录"
        verbose_name_plural = "诉求办理记录"
        ordering = ["appeal", "at", "id"]
        indexes = [
            models.Index(fields=["appeal", "at"], name="appealevent_appeal_at"),
            models.Index(fields=["at"], name="appealevent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class PhotoStage(models.TextChoices):
    INTAKE = "intake", "受理"
    PROGRESS = "progress", "办理"
    ANSWER = "answer", "答复"


class AppealPhoto(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos", verbose_name="诉求")
    event = models.ForeignKey(
        AppealEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos", verbose_name="办理记录"
    )
    stage = models.CharField("环节", max_length=12, choices=PhotoStage.choices, default=PhotoStage.INTAKE)
    file = models.FileField("照片", upload_to="appeals/%Y/%m/", max_length=300)
    content_type = models.CharField("类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="上传人",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "诉求照片"
        verbose_name_plural = "诉求照片"
        ordering = ["appeal", "id"]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.get_stage_display()} {self.pk}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已驳回"


class Extension(models.Model):
    """延期: asked by the handler before the answer deadline, decided by the dispatcher."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="extensions", verbose_name="诉求")
    workdays = models.PositiveSmallIntegerField("延长工作日")
    reason = models.CharField("理由", max_length=500)
    status = models.CharField("状态", max_length=12, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间")
    old_due = models.DateTimeField("原时限")
    new_due = models.DateTimeField("新时限", null=True, blank=True)
    new_due_fallback = models.BooleanField("新时限含推算日", default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["appeal", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(status="pending"), name="extension_one_pending_per_appeal"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} 延期{self.workdays}个工作日（{self.get_status_display()}）"


# --------------------------------------------------------------------------- 吹哨报到


class WhistleCase(models.TextChoices):
    RESIDENT_DEMAND = "resident_demand", "群众诉求（街道难以单独解决）"
    ENFORCEMENT = "enforcement", "综合执法"
    EMERGENCY = "emergency", "应急处置"


class WhistleStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class WhistleQuerySet(ScopedQuerySet):
    """Visible in the blowing unit's subtree (and above), and to the summoned departments."""

    scope_path_fields = ("area_path",)
    visibility_rules = (SummonedDepartments("whistle_id"),)


class Whistle(models.Model):
    """街乡吹哨: a street or community summons departments, on an appeal or on an incident."""

    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="whistles", verbose_name="吹哨单位")
    area_path = models.CharField("区划路径", max_length=21, db_index=True)
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.PROTECT, related_name="whistles", verbose_name="关联诉求"
    )
    case = models.CharField("吹哨情形", max_length=20, choices=WhistleCase.choices)
    title = models.CharField("事项", max_length=100)
    description = models.TextField("情况说明", blank=True)
    address = models.CharField("地点", max_length=200, blank=True)
    report_due = models.DateTimeField("报到时限")
    status = models.CharField("状态", max_length=12, choices=WhistleStatus.choices, default=WhistleStatus.OPEN)
    blown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="吹哨人"
    )
    blown_at = models.DateTimeField("吹哨时间")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    close_note = models.CharField("结束说明", max_length=500, blank=True)

    objects = WhistleQuerySet.as_manager()

    class Meta:
        verbose_name = "吹哨"
        verbose_name_plural = "吹哨"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.area.name if self.area_id else ''}吹哨：{self.title}"


class SummonsStatus(models.TextChoices):
    SUMMONED = "summoned", "待报到"
    REPORTED = "reported", "已报到"
    FED_BACK = "fed_back", "已反馈"
    RATED = "rated", "已评价"


class SummonsQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)
    scope_department_fields = ("department",)


class WhistleSummons(models.Model):
    """部门报到: one summoned department's report, plan, report-back and the street's rating."""

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="summons", verbose_name="吹哨")
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="summons", verbose_name="职能部门"
    )
    area_path = models.CharField("区划路径", max_length=21, db_index=True)  # the whistle's
    status = models.CharField("状态", max_length=12, choices=SummonsStatus.choices, default=SummonsStatus.SUMMONED)
    report_due = models.DateTimeField("报到时限")
    reported_at = models.DateTimeField("报到时间", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="报到人",
    )
    on_time = models.BooleanField("按时报到", null=True, blank=True)
    plan = models.TextField("处置措施", blank=True)
    feedback = models.TextField("办理反馈", blank=True)
    fed_back_at = models.DateTimeField("反馈时间", null=True, blank=True)
    rating = models.PositiveSmallIntegerField("街道评价（分）", null=True, blank=True)
    rating_note = models.CharField("评价意见", max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="评价人",
    )
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    escalated_at = models.DateTimeField("上报区时间", null=True, blank=True)

    objects = SummonsQuerySet.as_manager()

    class Meta:
        verbose_name = "部门报到"
        verbose_name_plural = "部门报到"
        ordering = ["whistle", "id"]
        constraints = [models.UniqueConstraint(fields=["whistle", "department"], name="summons_one_per_department")]
        indexes = [
            models.Index(fields=["status", "report_due"], name="summons_status_due"),
            models.Index(fields=["department", "status"], name="summons_department_status"),
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_status_display()}"


# --------------------------------------------------------------------------- notifications


class Notification(models.Model):
    """An in-app message (站内提醒); an email goes out too when the user has an address."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    key = models.CharField("去重键", max_length=120)
    kind = models.CharField("类型", max_length=30)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications", verbose_name="诉求"
    )
    whistle = models.ForeignKey(
        Whistle, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications", verbose_name="吹哨"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内提醒"
        verbose_name_plural = "站内提醒"
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [models.Index(fields=["recipient", "read_at", "-id"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------- rate tables


class StatCounters(models.Model):
    """Monthly counters, maintained by the services as events happen (see docs/appeals-rates.md)."""

    month = models.DateField("月份")  # the first day of the month
    received = models.PositiveIntegerField("受理量", default=0)
    dispatched = models.PositiveIntegerField("派单量", default=0)
    signed = models.PositiveIntegerField("签收量", default=0)
    responded = models.PositiveIntegerField("按时响应量", default=0)
    returned = models.PositiveIntegerField("退单量", default=0)
    answered = models.PositiveIntegerField("答复量", default=0)
    closed = models.PositiveIntegerField("办结量", default=0)
    closed_on_time = models.PositiveIntegerField("按时办结量", default=0)
    rated = models.PositiveIntegerField("有效回访量", default=0)
    resolved = models.PositiveIntegerField("已解决", default=0)
    partly_resolved = models.PositiveIntegerField("部分解决", default=0)
    satisfied = models.PositiveIntegerField("满意", default=0)
    basically_satisfied = models.PositiveIntegerField("基本满意", default=0)
    unsatisfied = models.PositiveIntegerField("不满意", default=0)
    reopened = models.PositiveIntegerField("重办量", default=0)
    overdue = models.PositiveIntegerField("超期量", default=0)
    response_overdue = models.PositiveIntegerField("签收超时量", default=0)
    supervised = models.PositiveIntegerField("督办量", default=0)
    cancelled = models.PositiveIntegerField("撤销量", default=0)
    merged = models.PositiveIntegerField("合并量", default=0)
    whistles = models.PositiveIntegerField("吹哨次数", default=0)
    summons = models.PositiveIntegerField("被召集次数", default=0)
    summons_reported = models.PositiveIntegerField("报到次数", default=0)
    summons_on_time = models.PositiveIntegerField("按时报到次数", default=0)
    summons_rated = models.PositiveIntegerField("被评价次数", default=0)
    summons_rating_sum = models.PositiveIntegerField("评价分合计", default=0)
    summons_escalated = models.PositiveIntegerField("超时上报次数", default=0)

    class Meta:
        abstract = True


COUNTER_FIELDS = [f.name for f in StatCounters._meta.local_fields if isinstance(f, models.PositiveIntegerField)]


class AreaStat(StatCounters):
    """One area node (city … grid) and month: appeals located in its subtree, whistles it blew."""

    path = models.CharField("区划编码", max_length=21)
    level = models.CharField("层级", max_length=12)

    class Meta:
        verbose_name = "诉求统计（区划·月）"
        verbose_name_plural = "诉求统计（区划·月）"
        constraints = [models.UniqueConstraint(fields=["path", "month"], name="areastat_path_month")]
        indexes = [models.Index(fields=["month", "level", "path"], name="areastat_month_level_path")]

    def __str__(self) -> str:
        return f"{self.path} {self.month:%Y-%m}"


class DepartmentStat(StatCounters):
    """One department and month: appeals it handled (主办) and summons it answered (报到)."""

    department = models.ForeignKey(
        "orgs.Department", on_delete=models.CASCADE, related_name="appeal_stats", verbose_name="职能部门"
    )

    class Meta:
        verbose_name = "诉求统计（部门·月）"
        verbose_name_plural = "诉求统计（部门·月）"
        constraints = [models.UniqueConstraint(fields=["department", "month"], name="departmentstat_month")]
        indexes = [models.Index(fields=["month", "department"], name="departmentstat_month_dept")]

    def __str__(self) -> str:
        return f"{self.department_id} {self.month:%Y-%m}"


from jiceng.appeals.open311.models import ApiKey  # noqa: E402, F401  (Open311 keys: jiceng/appeals/open311/)

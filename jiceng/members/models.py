"""The party roster: members, their development stages, history, transfers and dues."""

from decimal import Decimal

from django.conf import settings
from django.db import models

from jiceng.core.ethnicity import CHOICES as ETHNICITY_CHOICES
from jiceng.core.ethnicity import DEFAULT as DEFAULT_ETHNICITY
from jiceng.core.scope import ScopedQuerySet

# The largest monthly dues base the column holds (numeric(10, 2)); the importer and the service check it.
DUES_BASE_MAX = Decimal("99999999.99")


class Status(models.TextChoices):
    APPLICANT = "applicant", "入党申请人"
    ACTIVIST = "activist", "入党积极分子"
    CANDIDATE = "candidate", "发展对象"
    PROBATIONARY = "probationary", "预备党员"
    FULL = "full", "正式党员"
    EXPELLED = "expelled", "出党"
    SUSPENDED = "suspended", "停止党籍"
    DECEASED = "deceased", "死亡"


PIPELINE = [Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE, Status.PROBATIONARY, Status.FULL]
EXIT_STATUSES = {Status.EXPELLED, Status.SUSPENDED, Status.DECEASED}
PARTY_MEMBER_STATUSES = {Status.PROBATIONARY, Status.FULL}


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class Education(models.TextChoices):
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中/中专"
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "大学本科"
    MASTER = "master", "硕士研究生"
    DOCTOR = "doctor", "博士研究生"


class DuesCategory(models.TextChoices):
    EMPLOYED = "employed", "在职"
    RETIRED = "retired", "离退休"
    STUDENT = "student", "学生"
    UNEMPLOYED = "unemployed", "下岗失业"
    SUBSISTENCE = "subsistence", "享受低保"
    FARMER = "farmer", "农民"


class MemberQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)
    scope_org_fields = ("org_path",)


class Member(models.Model):
    name = models.CharField("姓名", max_length=50)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, default=DEFAULT_ETHNICITY, choices=ETHNICITY_CHOICES)
    birth_date = models.DateField("出生日期")
    id_number = models.CharField("公民身份号码", max_length=18)
    id_last4 = models.CharField("身份证后四位", max_length=4)
    phone = models.CharField("手机号", max_length=20, blank=True)
    education = models.CharField("学历", max_length=12, choices=Education.choices, blank=True)

    status = models.CharField("状态", max_length=16, choices=Status.choices)
    application_date = models.DateField("申请入党日期", null=True, blank=True)
    talk_date = models.DateField("谈话日期", null=True, blank=True)
    activist_date = models.DateField("确定积极分子日期", null=True, blank=True)
    candidate_date = models.DateField("确定发展对象日期", null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField("集中培训学时", default=0)
    admission_date = models.DateField("接收预备党员日期（支部大会）", null=True, blank=True)
    approval_date = models.DateField("上级党委审批日期", null=True, blank=True)
    approval_extended = models.BooleanField("审批期限经特殊情况延长", default=False)
    probation_extended_to = models.DateField("延长预备期至", null=True, blank=True)
    full_member_date = models.DateField("转正日期", null=True, blank=True)
    exit_date = models.DateField("出党/停止党籍/去世日期", null=True, blank=True)
    # Set when the formal relationship left the platform (转出平台, receipt returned); the record
    # stays for history but is off the roster.
    left_on = models.DateField("转出平台日期", null=True, blank=True)
    introducers = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="introduced", verbose_name="入党介绍人"
    )

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="members", verbose_name="所在党支部")
    org_path = models.CharField("组织路径", max_length=48)
    area_path = models.CharField("组织所在区划", max_length=21)
    residence = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,  # residence_path is indexed and is what lists filter on
        related_name="resident_members",
        verbose_name="居住地",
    )
    residence_path = models.CharField("居住地路径", max_length=21, blank=True)
    workplace = models.CharField("工作单位", max_length=120, blank=True)
    workplace_unit = models.ForeignKey(
        "orgs.ResidentUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,  # a partial index over the few members who have one (Meta)
        related_name="employees",
        verbose_name="所在驻区单位",
    )
    is_employed = models.BooleanField("在职", default=False)
    is_center_household = models.BooleanField("党员中心户", default=False)
    is_mobile = models.BooleanField("流动党员", default=False)
    mobile_place = models.CharField("流入地", max_length=120, blank=True)
    mobile_since = models.DateField("外出日期", null=True, blank=True)

    dues_category = models.CharField(
        "党费类别", max_length=12, choices=DuesCategory.choices, default=DuesCategory.EMPLOYED
    )
    dues_base = models.DecimalField("党费基数（月）", max_digits=10, decimal_places=2, default=0)
    dues_paid_through = models.DateField("党费交至（月份）", null=True, blank=True)

    # The Excel import that put the person on the roster: the member page's first history entry
    # (who, when, which file) without a history row per imported member. No constraint and no
    # index, so the COPY of hundreds of thousands of rows pays nothing for it; the job is only
    # ever read from the member (select_related), and a deleted job leaves a dangling id that
    # reads as "no import" rather than an error.
    import_job = models.ForeignKey(
        "core.ExcelJob",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        verbose_name="导入任务",
    )

    # The member's own login (the "member" role: my meetings, sign-in by QR code, 双报到). At most one
    # member per account, enforced by a partial unique index that the imported rows (no account)
    # do not pay for.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_index=False,
        related_name="member_records",
        verbose_name="本人账号",
    )

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        ordering = ["org_path", "id"]
        # Every index is paid for on each of the hundreds of thousands of rows an Excel import
        # writes, so there is none that another covers (ADR 0015): the (path, id) pairs serve the
        # subtree ranges and the keyset pages; no LIKE index (paths are matched by range, not LIKE);
        # no index on status (always filtered together with a path).
        constraints = [
            models.UniqueConstraint(fields=["id_number"], name="member_id_number_unique"),
            models.UniqueConstraint(fields=["user"], name="member_user_unique", condition=models.Q(user__isnull=False)),
        ]
        indexes = [
            models.Index(fields=["area_path", "id"], name="member_area_keyset"),
            models.Index(fields=["org_path", "id"], name="member_org_keyset"),
            models.Index(fields=["residence_path"], name="member_residence_path"),
            models.Index(fields=["id_last4"], name="member_id_last4"),
            models.Index(
                fields=["workplace_unit"],
                name="member_workplace_unit",
                condition=models.Q(workplace_unit__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def can_vote(self) -> bool:
        """Probationary members have no vote and cannot elect or be elected (DOMAIN §2)."""
        return self.status == Status.FULL


class MemberEvent(models.Model):
    """The member's history: stage changes, transfers, edits. Written only by services."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="events", verbose_name="党员")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    on_date = models.DateField("发生日期", null=True, blank=True)
    kind = models.CharField("事项", max_length=30)
    summary = models.CharField("说明", max_length=300)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="操作人"
    )
    from_org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="原组织"
    )
    to_org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="新组织"
    )

    class Meta:
        verbose_name = "党员记录"
        verbose_name_plural = "党员记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.summary}"


class TransferKind(models.TextChoices):
    INTERNAL = "internal", "平台内转接"
    OUTGOING = "outgoing", "转出平台"
    INCOMING = "incoming", "转入平台"


class TransferStatus(models.TextChoices):
    PENDING = "pending", "待接收"
    ACCEPTED = "accepted", "已接收"
    REJECTED = "rejected", "已退回"
    EXPIRED = "expired", "已过期"
    CANCELLED = "cancelled", "已撤销"


class TransferQuerySet(ScopedQuerySet):
    # Both the sending and the receiving side see a transfer (by area or by org grant).
    scope_path_fields = ("area_path", "from_area_path")
    scope_org_fields = ("org_path", "from_org_path")


class Transfer(models.Model):
    """组织关系转接 with an introduction letter (介绍信) and its receipt (回执)."""

    kind = models.CharField("类型", max_length=12, choices=TransferKind.choices)
    status = models.CharField("状态", max_length=12, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.CASCADE, related_name="transfers", verbose_name="党员"
    )
    person_name = models.CharField("姓名", max_length=50, blank=True)
    person_id_number = models.CharField("公民身份号码", max_length=18, blank=True)
    from_org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="转出组织"
    )
    to_org = models.ForeignKey(
        "orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="接收组织"
    )
    external_org_name = models.CharField("平台外组织", max_length=120, blank=True)
    letter_no = models.CharField("介绍信编号", max_length=40, blank=True)
    issued_on = models.DateField("开具日期")
    valid_until = models.DateField("有效期至")
    receipt_no = models.CharField("回执编号", max_length=40, blank=True)
    received_on = models.DateField("回执日期", null=True, blank=True)
    reason = models.CharField("原因/说明", max_length=300, blank=True)
    # Scope: the receiving side's area for incoming/internal, the sending side's for outgoing.
    area_path = models.CharField("区划路径", max_length=21, db_index=True)
    from_area_path = models.CharField("转出区划路径", max_length=21, blank=True, db_index=True)
    org_path = models.CharField("接收组织路径", max_length=48, blank=True, db_index=True)
    from_org_path = models.CharField("转出组织路径", max_length=48, blank=True, db_index=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.letter_no or self.pk}"


class DuesPaymentQuerySet(ScopedQuerySet):
    # Scoped through the member's paths (payments are always read per member or per branch).
    scope_path_fields = ("member__area_path",)
    scope_org_fields = ("member__org_path",)


class DuesPayment(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="dues_payments", verbose_name="党员")
    month = models.DateField("所属月份")  # first day of the month
    amount = models.DecimalField("金额", max_digits=10, decimal_places=2)
    paid_on = models.DateField("交纳日期")
    # Why a payment departs from the rule: a back-payment beyond the usual months, or an amount
    # other than the one due (DOMAIN.md §3); required then by ``services.record_payment``.
    note = models.CharField("说明", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="登记人"
    )

    objects = DuesPaymentQuerySet.as_manager()

    class Meta:
        verbose_name = "党费交纳"
        verbose_name_plural = "党费交纳"
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="unique_dues_month")]
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m} {self.amount}"


def member_of(user) -> Member | None:
    """The roster entry of a signed-in member (``Member.user``), or None for staff and residents.

    Only members still on the roster count: one who left the platform or the party has no
    member pages any more."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("org").filter(user=user, left_on__isnull=True, exit_date__isnull=True).first()


def get_member_for_user(user, pk: int, action: str = "view") -> Member:
    from jiceng.core.scope import get_object_for_user

    return get_object_for_user(Member.objects.select_related("org", "residence"), user, action, pk=pk)


class MemberTally(models.Model):
    """One branch's own members counted by one dimension (status, gender, education, birth month,
    first unpaid dues month): the base that ``members.stats`` diffs after a write to find what to
    add to the rolled-up :class:`MemberStat` rows. Written only by ``jiceng.members.stats``."""

    org_path = models.CharField("组织路径", max_length=48)
    area_path = models.CharField("组织所在区划", max_length=21)
    dim = models.CharField("维度", max_length=12)
    value = models.CharField("取值", max_length=16)
    count = models.IntegerField("人数", default=0)

    class Meta:
        verbose_name = "党员统计（本支部）"
        verbose_name_plural = "党员统计（本支部）"
        constraints = [
            models.UniqueConstraint(fields=["org_path", "area_path", "dim", "value"], name="member_tally_key"),
        ]

    def __str__(self) -> str:
        return f"{self.org_path} {self.dim}={self.value}: {self.count}"


class MemberStat(models.Model):
    """Members of a node's whole subtree (an area or an org, ``tree``) counted by one dimension:
    the maintained aggregate the party-member metrics read (``jiceng.members.metrics``), so a
    dashboard never counts the member table. Written only by ``jiceng.members.stats``."""

    tree = models.CharField("树", max_length=5)  # "areas" or "orgs"
    code = models.CharField("节点编码", max_length=48)
    dim = models.CharField("维度", max_length=12)
    value = models.CharField("取值", max_length=16)
    count = models.IntegerField("人数", default=0)

    class Meta:
        verbose_name = "党员统计（含下级）"
        verbose_name_plural = "党员统计（含下级）"
        constraints = [
            models.UniqueConstraint(fields=["tree", "code", "dim", "value"], name="member_stat_key"),
        ]

    def __str__(self) -> str:
        return f"{self.tree} {self.code} {self.dim}={self.value}: {self.count}"

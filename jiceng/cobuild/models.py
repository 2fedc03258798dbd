"""共建清单: the 需求清单, 资源清单 and 项目清单 of a community (seeds 000, 001, 003: Fuzhou's
党建超市, Nanjing's 民生菜单招亲会) and the claims (认领) on them.

One :class:`Item` model holds the three lists (``kind``). A divisible item has a ``quantity``
(20 volunteers, 50 meal boxes) shared by several :class:`Claim` rows; ``taken`` is the sum of the
active claims' quantities, kept by the claim verbs under the item's row lock and checked by a
database constraint (``taken <= quantity``), so it can never go beyond.

Who reads an item: the offices through their grants (``area_path``), and residents, members and
unit contacts through :class:`OpenToMyArea`: an open item is shown to those whose community lies
inside the item's ``visible_path`` (the item's community, street, district or city, as published).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from jiceng.areas.models import ancestor_codes
from jiceng.core.scope import ScopedQuerySet, VisibilityRule, scope_for

from .permissions import BOARD_VIEW


class Kind(models.TextChoices):
    NEED = "need", "需求"
    RESOURCE = "resource", "资源"
    PROJECT = "project", "项目"


class Visibility(models.TextChoices):
    COMMUNITY = "community", "本社区"
    STREET = "street", "本街道"
    DISTRICT = "district", "本区"
    CITY = "city", "全市"


VISIBLE_LENGTH = {Visibility.COMMUNITY: 12, Visibility.STREET: 9, Visibility.DISTRICT: 6, Visibility.CITY: 4}


class ItemStatus(models.TextChoices):
    OPEN = "open", "认领中"
    CLOSED = "closed", "已关闭"
    EXPIRED = "expired", "已过期"
    DONE = "done", "已完成"


PUBLIC_STATUSES = (ItemStatus.OPEN, ItemStatus.DONE)


class Category(models.Model):
    """The city-editable category tree (two levels: 助老服务 › 上门助餐)."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级类别"
    )
    name = models.CharField("类别名称", max_length=40)
    order = models.PositiveSmallIntegerField("排序", default=100)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "清单类别"
        verbose_name_plural = "清单类别"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="cobuild_category_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class OpenToMyArea(VisibilityRule):
    """Residents, members and unit contacts see the open (and done) items published for their
    community, street, district or city: the item's ``visible_path`` is one of their communities
    or an ancestor of it."""

    def q(self, user, action, scope):
        if action != "view":
            return None
        board = scope_for(user, BOARD_VIEW)
        if board.empty:
            return None
        if board.everywhere:
            return Q(status__in=PUBLIC_STATUSES)
        codes: set[str] = set()
        for code in board.areas:
            codes.add(code)
            codes.update(ancestor_codes(code))
        return Q(visible_path__in=sorted(codes), status__in=PUBLIC_STATUSES)

    def allows(self, user, action, scope, obj):
        q = self.q(user, action, scope)
        if q is None:
            return False
        board = scope_for(user, BOARD_VIEW)
        if obj.status not in PUBLIC_STATUSES:
            return False
        return board.everywhere or any(
            code == obj.visible_path or obj.visible_path in ancestor_codes(code) for code in board.areas
        )


class ItemQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path",)
    visibility_rules = (OpenToMyArea(),)


class MenuEvent(models.Model):
    """民生菜单招亲会: a set of items published together; none can be claimed before ``opens_at``."""

    title = models.CharField("活动名称", max_length=80)
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="举办社区/街道")
    area_path = models.CharField("区划编码", max_length=21)
    opens_at = models.DateTimeField("开始认领时间")
    place = models.CharField("地点", max_length=80, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="发布人"
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "民生菜单招亲会"
        verbose_name_plural = "民生菜单招亲会"
        ordering = ["-opens_at", "-id"]
        indexes = [models.Index(fields=["area_path", "opens_at"], name="cobuild_event_area")]

    def __str__(self) -> str:
        return self.title


class Item(models.Model):
    kind = models.CharField("清单", max_length=10, choices=Kind.choices)
    title = models.CharField("名称", max_length=80)
    description = models.CharField("内容", max_length=500, blank=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="items", verbose_name="类别")
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name="所在社区/街道")
    area_path = models.CharField("区划编码", max_length=21)
    visibility = models.CharField("公开范围", max_length=10, choices=Visibility.choices, default=Visibility.COMMUNITY)
    visible_path = models.CharField("公开范围编码", max_length=21)
    quantity = models.PositiveIntegerField("数量", default=1)
    unit_label = models.CharField("计量单位", max_length=8, default="项")
    taken = models.PositiveIntegerField("已认领", default=0)
    status = models.CharField("状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    event = models.ForeignKey(
        MenuEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="items", verbose_name="招亲会"
    )
    opens_at = models.DateTimeField("开始认领时间", null=True, blank=True)
    expires_on = models.DateField("截止日期")
    # Where a need came from: a 民呼我应 request the community turned into a need.
    source_appeal = models.ForeignKey(
        "appeals.Appeal", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="来源诉求"
    )
    # Who offers a resource (a resident unit or a member); empty for the community's own items.
    offered_by_unit = models.ForeignKey(
        "orgs.ResidentUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="提供单位"
    )
    # Or a volunteer team offers it (its skills, its people): at most one of the two.
    offered_by_team = models.ForeignKey(
        "volunteers.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offered_items",
        verbose_name="提供志愿服务队",
    )
    # 项目: owner, budget, progress, and the needs and resources it matches.
    owner_name = models.CharField("项目负责人", max_length=40, blank=True)
    budget = models.DecimalField("预算（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    matches = models.ManyToManyField(
        "self", blank=True, symmetrical=False, related_name="projects", verbose_name="对接的需求和资源"
    )
    published_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="发布人"
    )
    published_at = models.DateTimeField("发布时间")
    closed_reason = models.CharField("关闭原因", max_length=200, blank=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = "清单事项"
        verbose_name_plural = "清单事项"
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "kind", "status"], name="cobuild_item_area"),
            models.Index(fields=["visible_path", "status"], name="cobuild_item_visible"),
            models.Index(fields=["status", "expires_on"], name="cobuild_item_expiry"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(taken__lte=F("quantity")), name="cobuild_item_taken_within_quantity"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cobuild_item_quantity_positive"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="cobuild_item_progress_range"),
            models.CheckConstraint(
                condition=Q(offered_by_unit__isnull=True) | Q(offered_by_team__isnull=True),
                name="cobuild_item_one_offerer",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def offerer_name(self) -> str:
        if self.offered_by_team_id is not None and self.offered_by_team is not None:
            return f"{self.offered_by_team.name}（志愿服务队）"
        return self.offered_by_unit.name if self.offered_by_unit_id and self.offered_by_unit else ""

    @property
    def left(self) -> int:
        return max(self.quantity - self.taken, 0)

    @property
    def percent_taken(self) -> int:
        return min(100, round(100 * self.taken / self.quantity)) if self.quantity else 0


class Milestone(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="milestones", verbose_name="项目")
    title = models.CharField("节点", max_length=80)
    due_on = models.DateField("计划完成")
    done_on = models.DateField("实际完成", null=True, blank=True)

    class Meta:
        verbose_name = "项目节点"
        verbose_name_plural = "项目节点"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class ClaimerKind(models.TextChoices):
    UNIT = "unit", "驻区单位"
    MEMBER = "member", "党员"
    TEAM = "team", "志愿服务队"


class ClaimStatus(models.TextChoices):
    INTENT = "intent", "意向"
    CONFIRMED = "confirmed", "已确认"
    ACTIVE = "active", "实施中"
    COMPLETED = "completed", "已完成"
    RATED = "rated", "已评价"
    RELEASED = "released", "已释放"
    REJECTED = "rejected", "未通过"


# The claims that hold their quantity of the item.
HOLDING_STATUSES = (
    ClaimStatus.INTENT,
    ClaimStatus.CONFIRMED,
    ClaimStatus.ACTIVE,
    ClaimStatus.COMPLETED,
    ClaimStatus.RATED,
)


def led_team_ids(user):
    """The volunteer teams ``user`` leads (队长 in the volunteers app), as a subquery."""
    from jiceng.volunteers.models import TeamMember

    return TeamMember.objects.filter(volunteer__user_id=user.pk, is_leader=True).values("team_id")


class OwnClaims(VisibilityRule):
    """A member sees the claims they made for themselves (我的认领); a team leader (队长) sees
    their team's claims, whoever of the team's leaders made them."""

    own = True

    def q(self, user, action, scope):
        if action != "view" or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        return Q(member__user_id=user.pk) | Q(created_by_id=user.pk) | Q(team_id__in=led_team_ids(user))


class ClaimQuerySet(ScopedQuerySet):
    scope_path_fields = ("area_path", "claimer_area_path")
    visibility_rules = (OwnClaims(),)


class Claim(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="claims", verbose_name="事项")
    claimer_kind = models.CharField("认领方类型", max_length=8, choices=ClaimerKind.choices)
    unit = models.ForeignKey(
        "orgs.ResidentUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="驻区单位"
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="党员"
    )
    team = models.ForeignKey(
        "volunteers.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cobuild_claims",
        verbose_name="志愿服务队",
    )
    quantity = models.PositiveIntegerField("认领数量")
    status = models.CharField("状态", max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.INTENT)
    note = models.CharField("认领说明", max_length=300, blank=True)
    reason = models.CharField("释放/退回原因", max_length=200, blank=True)
    result = models.CharField("完成情况", max_length=300, blank=True)
    served = models.PositiveIntegerField("服务人次", null=True, blank=True)
    beneficiary_rating = models.PositiveSmallIntegerField("受益方评价（星）", null=True, blank=True)
    beneficiary_comment = models.CharField("受益方评语", max_length=200, blank=True)
    publisher_rating = models.PositiveSmallIntegerField("发布方评价（星）", null=True, blank=True)
    publisher_comment = models.CharField("发布方评语", max_length=200, blank=True)
    area_path = models.CharField("事项区划", max_length=21)
    claimer_area_path = models.CharField("认领方区划", max_length=21)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="认领人"
    )
    created_at = models.DateTimeField("认领时间", auto_now_add=True)
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = "认领"
        verbose_name_plural = "认领"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["area_path", "status"], name="cobuild_claim_area"),
            models.Index(fields=["claimer_area_path"], name="cobuild_claim_claimer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(claimer_kind="member", member__isnull=False, unit__isnull=True, team__isnull=True)
                | Q(claimer_kind="unit", unit__isnull=False, member__isnull=True, team__isnull=True)
                | Q(claimer_kind="team", team__isnull=False, member__isnull=True, unit__isnull=True),
                name="cobuild_claimer_kind_matches",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cobuild_claim_quantity_positive"),
            # One open claim per claimer and item (a double submit has one winner).
            models.UniqueConstraint(
                fields=["item", "member"],
                condition=Q(status__in=["intent", "confirmed", "active"], member__isnull=False),
                name="cobuild_claim_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["item", "unit"],
                condition=Q(status__in=["intent", "confirmed", "active"], unit__isnull=False),
                name="cobuild_claim_once_per_unit",
            ),
            models.UniqueConstraint(
                fields=["item", "team"],
                condition=Q(status__in=["intent", "confirmed", "active"], team__isnull=False),
                name="cobuild_claim_once_per_team",
            ),
            models.CheckConstraint(
                condition=Q(beneficiary_rating__isnull=True) | Q(beneficiary_rating__gte=1, beneficiary_rating__lte=5),
                name="cobuild_claim_beneficiary_rating",
            ),
            models.CheckConstraint(
                condition=Q(publisher_rating__isnull=True) | Q(publisher_rating__gte=1, publisher_rating__lte=5),
                name="cobuild_claim_publisher_rating",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claimer_name} → {self.item_id}"

    @property
    def claimer_name(self) -> str:
        if self.claimer_kind == ClaimerKind.UNIT:
            return self.unit.name if self.unit else ""
        if self.claimer_kind == ClaimerKind.TEAM:
            return self.team.name if self.team else ""
        return self.member.name if self.member else ""

    @property
    def holds(self) -> bool:
        return self.status in HOLDING_STATUSES


class TeamHours(models.Model):
    """The volunteer hours a team's completed claim recorded for one of its members: the link
    from the claim to the volunteers app's (pending, then approved) hours record; once per
    claim and volunteer."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="team_hours", verbose_name="认领")
    volunteer = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.PROTECT, related_name="+", verbose_name="志愿者"
    )
    record = models.OneToOneField(
        "volunteers.HoursRecord", on_delete=models.PROTECT, related_name="cobuild_claim", verbose_name="时长记录"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "认领服务时长"
        verbose_name_plural = "认领服务时长"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["claim", "volunteer"], name="cobuild_team_hours_once")]

    def __str__(self) -> str:
        return f"{self.claim_id}:{self.volunteer_id}"


class Evidence(models.Model):
    """A photo (or document) proving a claim was carried out: the same checks as meeting attachments."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence", verbose_name="认领")
    file = models.FileField("文件", upload_to="cobuild/%Y/%m/", max_length=300)
    name = models.CharField("文件名", max_length=120)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    uploaded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="上传人"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "完成凭证"
        verbose_name_plural = "完成凭证"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AreaMonth(models.Model):
    """One area node (city … community) and month: items published and claims completed in its
    subtree; kept by the verbs in their transaction (the dashboards' and board's figures)."""

    path = models.CharField("区划编码", max_length=21)
    month = models.DateField("月份")
    needs = models.PositiveIntegerField("发布需求", default=0)
    resources = models.PositiveIntegerField("发布资源", default=0)
    projects = models.PositiveIntegerField("发布项目", default=0)
    claims = models.PositiveIntegerField("认领", default=0)
    completed = models.PositiveIntegerField("完成认领", default=0)

    class Meta:
        verbose_name = "共建清单统计（区划·月）"
        verbose_name_plural = "共建清单统计（区划·月）"
        constraints = [models.UniqueConstraint(fields=["path", "month"], name="cobuild_areamonth_unique")]

    def __str__(self) -> str:
        return f"{self.path} {self.month:%Y-%m}"


COUNTERS = ("needs", "resources", "projects", "claims", "completed")

"""时间银行 (issue 11 point 5): an append-only double-entry ledger of service hours.

Every :class:`Movement` takes ``amount`` (> 0) hours out of its ``debit`` account and puts them
into its ``credit`` account, so the movements of the whole ledger always sum to zero. An
account's balance is what it was credited minus what it was debited. :class:`Account.balance`
keeps that figure, updated by the service that inserts the movement in the same transaction
(both rows locked in primary-key order), so a balance read is one row, never a sum of history;
the nightly check (``checks.py``) recomputes every balance from the movements and reports a
difference.

Movements are never changed or deleted: the queryset's ``update``/``delete``, the instance's
``save`` of a stored row and ``delete`` raise; the admin offers neither; and a database trigger
(migration 0003, PostgreSQL and SQLite) refuses ``UPDATE`` and, on PostgreSQL, ``DELETE``. A
correction is a reversal entry (``reverses``), itself never reversed.

Account kinds: a person's account (a volunteer), a team's account, a community's 公益基金 (fund:
receives donated hours and the hours above the cap), and two system accounts per community that
are allowed to go below zero: 发放 (``issue``: the counterpart of the hours earned by approved
service) and 兑换 (``redeemed``: hours spent on redeemed services end there).
"""

from decimal import Decimal

from django.db import models
from django.db.models import Q

from jiceng.core.scope import ScopedQuerySet, VisibilityRule


class LedgerImmutable(Exception):
    """A change or deletion of a movement was attempted: the ledger is append-only."""


class AccountKind(models.TextChoices):
    PERSON = "person", "个人账户"
    TEAM = "team", "队伍账户"
    FUND = "fund", "社区公益基金"
    ISSUE = "issue", "时长发放"
    REDEEMED = "redeemed", "兑换服务"


# Accounts whose balance may be negative (the system's counterpart accounts).
SYSTEM_KINDS = (AccountKind.ISSUE, AccountKind.REDEEMED)


class OwnAccount(VisibilityRule):
    own = True

    def __init__(self, prefix: str = ""):
        self.prefix = prefix

    def q(self, user, action, scope):
        if action != "view" or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        return Q(**{f"{self.prefix}volunteer__user_id": user.pk})


class AccountQuerySet(ScopedQuerySet):
    visibility_rules = (OwnAccount(),)


class Account(models.Model):
    kind = models.CharField("账户类型", max_length=10, choices=AccountKind.choices)
    volunteer = models.OneToOneField(
        "volunteers.Volunteer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account",
        verbose_name="志愿者",
    )
    team = models.OneToOneField(
        "volunteers.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="account", verbose_name="队伍"
    )
    community = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="timebank_accounts", verbose_name="所在社区"
    )
    area_path = models.CharField("社区编码", max_length=21)
    name = models.CharField("户名", max_length=80)
    # Maintained with every movement (same transaction, row locked); checked nightly.
    balance = models.DecimalField("余额（小时）", max_digits=14, decimal_places=1, default=Decimal("0"))
    movement_count = models.PositiveIntegerField("流水笔数", default=0)
    created_at = models.DateTimeField("开户时间", auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = "时间银行账户"
        verbose_name_plural = "时间银行账户"
        ordering = ["area_path", "id"]
        indexes = [models.Index(fields=["area_path", "kind"], name="tb_account_area")]
        constraints = [
            # Only the system accounts may go below zero.
            models.CheckConstraint(
                condition=Q(kind__in=["issue", "redeemed"]) | Q(balance__gte=0), name="tb_balance_not_negative"
            ),
            models.UniqueConstraint(
                fields=["community", "kind"],
                condition=Q(kind__in=["fund", "issue", "redeemed"]),
                name="tb_one_system_account",
            ),
            models.CheckConstraint(
                condition=Q(kind="person", volunteer__isnull=False, team__isnull=True)
                | Q(kind="team", team__isnull=False, volunteer__isnull=True)
                | Q(kind__in=["fund", "issue", "redeemed"], team__isnull=True, volunteer__isnull=True),
                name="tb_account_owner_matches",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_system(self) -> bool:
        return self.kind in SYSTEM_KINDS


class MovementKind(models.TextChoices):
    EARN = "earn", "服务时长入账"
    REDEEM = "redeem", "兑换服务"
    DONATE = "donate", "捐赠"
    OVERFLOW = "overflow", "超出上限转入公益基金"
    REVERSAL = "reversal", "冲正"


class MovementQuerySet(ScopedQuerySet):
    """Append-only: no bulk update or delete through the ORM."""

    scope_path_fields = ("debit__area_path", "credit__area_path")
    visibility_rules = (OwnAccount("debit__"), OwnAccount("credit__"))

    def update(self, **kwargs):
        raise LedgerImmutable("时间银行流水不可修改，更正请使用冲正。")

    def delete(self):
        raise LedgerImmutable("时间银行流水不可删除，更正请使用冲正。")

    def bulk_update(self, objs, fields, batch_size=None):
        raise LedgerImmutable("时间银行流水不可修改，更正请使用冲正。")

    def for_account(self, account_id: int):
        return self.filter(Q(debit_id=account_id) | Q(credit_id=account_id))


class Movement(models.Model):
    debit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="debits", verbose_name="转出账户")
    credit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="credits", verbose_name="转入账户")
    amount = models.DecimalField("时长（小时）", max_digits=8, decimal_places=1)
    kind = models.CharField("类型", max_length=10, choices=MovementKind.choices)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by", verbose_name="冲正的流水"
    )
    hours_record = models.OneToOneField(
        "volunteers.HoursRecord",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movement",
        verbose_name="服务时长记录",
    )
    team = models.ForeignKey(
        "volunteers.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="志愿服务队"
    )
    memo = models.CharField("摘要", max_length=200, blank=True)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="经办人"
    )
    created_at = models.DateTimeField("记账时间", auto_now_add=True, db_index=True)
    # A donation's form (or API client) key of one submission: a second submit with the same key
    # returns the first movement. NULL, not "", when absent: a column with a default would make
    # SQLite rebuild the table in the migration, dropping the append-only trigger of 0003.
    request_key = models.CharField("提交标识", max_length=40, null=True, blank=True)

    objects = MovementQuerySet.as_manager()

    class Meta:
        verbose_name = "时间银行流水"
        verbose_name_plural = "时间银行流水"
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["debit", "-id"], name="tb_movement_debit"),
            models.Index(fields=["credit", "-id"], name="tb_movement_credit"),
            models.Index(fields=["team", "-id"], name="tb_movement_team"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="tb_amount_positive"),
            models.CheckConstraint(condition=~Q(debit=models.F("credit")), name="tb_two_accounts"),
            # Only a reversal points at another movement, and every reversal does.
            models.CheckConstraint(
                condition=Q(kind="reversal", reverses__isnull=False) | (~Q(kind="reversal") & Q(reverses__isnull=True)),
                name="tb_reversal_points_back",
            ),
            models.UniqueConstraint(
                fields=["debit", "request_key"], condition=Q(request_key__isnull=False), name="tb_movement_request_once"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.amount}h"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerImmutable("时间银行流水不可修改，更正请使用冲正。")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutable("时间银行流水不可删除，更正请使用冲正。")

    def signed_for(self, account_id: int) -> Decimal:
        return self.amount if self.credit_id == account_id else -self.amount


class OwnRedemption(VisibilityRule):
    """The beneficiary and the serving volunteer see their own redemptions."""

    own = True

    def q(self, user, action, scope):
        if action != "view" or not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        return Q(beneficiary__user_id=user.pk) | Q(server__user_id=user.pk)


class RedemptionQuerySet(ScopedQuerySet):
    visibility_rules = (OwnRedemption(),)


class Redemption(models.Model):
    """A service redeemed by a beneficiary (60+, a rule): served by a volunteer of any community."""

    beneficiary = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.PROTECT, related_name="redemptions", verbose_name="受益人"
    )
    server = models.ForeignKey(
        "volunteers.Volunteer", on_delete=models.PROTECT, related_name="served_redemptions", verbose_name="服务志愿者"
    )
    hours = models.DecimalField("时长（小时）", max_digits=5, decimal_places=1)
    content = models.CharField("服务内容", max_length=200)
    served_on = models.DateField("服务日期")
    movement = models.OneToOneField(Movement, on_delete=models.PROTECT, related_name="redemption")
    area_path = models.CharField("受益人社区编码", max_length=21)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    # The form's (or the API client's) key of this submission: a second submit with the same key
    # returns the first redemption instead of spending the hours twice.
    request_key = models.CharField("提交标识", max_length=40, blank=True, default="")

    objects = RedemptionQuerySet.as_manager()

    class Meta:
        verbose_name = "兑换服务"
        verbose_name_plural = "兑换服务"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "request_key"], condition=~Q(request_key=""), name="tb_redemption_request_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary_id} {self.hours}h"


class LedgerCheck(models.Model):
    """One run of the nightly check of the stored balances against the movements."""

    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间")
    movements = models.BigIntegerField("核对流水笔数")
    accounts = models.PositiveIntegerField("核对账户数")
    total = models.DecimalField("全部流水合计", max_digits=16, decimal_places=1)
    mismatches = models.JSONField("不一致的账户", default=list)
    area_path = models.CharField(max_length=21, default="", blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "账实核对"
        verbose_name_plural = "账实核对"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"账实核对 #{self.pk}"

    @property
    def ok(self) -> bool:
        return not self.mismatches

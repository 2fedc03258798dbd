"""Every write of the 时间银行 ledger: actor first, the accounts locked, movements, balances and the
audit in one transaction.

Invariants kept here (and tested in tests/test_ledger.py, tests/test_ledger_concurrency.py):

1. A movement has two different accounts and an amount > 0 (also database constraints), so the
   ledger sums to zero.
2. ``Account.balance`` equals credits minus debits of that account: the movement and both
   balance updates are in one transaction, the accounts locked with ``select_for_update`` in
   primary-key order (one fixed order: two transfers in opposite directions cannot deadlock).
3. No person, team or fund account goes below zero: the debited balance is read under the lock
   before the movement is written (and a CHECK constraint refuses it anyway).
4. Hours enter the ledger only by ``earn`` (an approved hours record, once: the movement's
   ``hours_record`` is unique).
5. A person's balance never exceeds ``timebank.balance_cap_hours``: the excess goes to the
   community fund as an ``overflow`` movement in the same transaction.
6. A correction is a reversal entry; a reversal is never reversed, a movement is reversed once.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import Actor, audit
from jiceng.core.inputs import InputError, read_number
from jiceng.core.rules import get_rule
from jiceng.core.scope import scope_for

from .models import SYSTEM_KINDS, Account, AccountKind, Movement, MovementKind, Redemption
from .permissions import REDEEM, REVERSE

TENTH = Decimal("0.1")


class LedgerError(ValidationError):
    """A refused ledger write; ``messages[0]`` is the Chinese reason, ``code`` the field."""


def read_hours(value, label: str = "时长") -> Decimal:
    try:
        number = read_number(value, label)
    except InputError as exc:
        raise LedgerError(str(exc), code="hours") from None
    if number <= 0:
        raise LedgerError(f"{label}应大于0小时。", code="hours")
    if number != number.quantize(TENTH, rounding=ROUND_DOWN):
        raise LedgerError(f"{label}最多保留1位小数。", code="hours")
    if number > Decimal("100000"):
        raise LedgerError(f"{label}过大。", code="hours")
    return number


# --------------------------------------------------------------------------- accounts


def _get_or_create(lookup: dict, defaults: dict) -> Account:
    account = Account.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(**lookup, **defaults)
    except IntegrityError:  # another request opened it first
        return Account.objects.get(**lookup)


def person_account(volunteer) -> Account:
    return _get_or_create(
        {"volunteer": volunteer, "kind": AccountKind.PERSON},
        {"community_id": volunteer.community_id, "area_path": volunteer.area_path, "name": volunteer.name},
    )


def team_account(team) -> Account:
    return _get_or_create(
        {"team": team, "kind": AccountKind.TEAM},
        {"community_id": team.community_id, "area_path": team.area_path, "name": team.name},
    )


SYSTEM_NAMES = {AccountKind.FUND: "公益基金", AccountKind.ISSUE: "时长发放", AccountKind.REDEEMED: "兑换服务"}


def system_account(community, kind: str) -> Account:
    return _get_or_create(
        {"community": community, "kind": kind},
        {"area_path": community.code, "name": f"{community.name}{SYSTEM_NAMES[AccountKind(kind)]}"},
    )


# --------------------------------------------------------------------------- posting


def _lock(*accounts: Account) -> dict[int, Account]:
    """Lock the accounts in primary-key order (the one order every write uses) and read them."""
    ids = sorted({account.pk for account in accounts})
    return {account.pk: account for account in Account.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def _move(
    actor: Actor, debit: Account, credit: Account, amount: Decimal, kind: str, *, memo: str = "", **fields
) -> Movement:
    """Write one movement between two accounts already locked by :func:`_lock` (fresh rows)."""
    if debit.pk == credit.pk:
        raise LedgerError("转出和转入不能是同一账户。", code="account")
    if debit.kind not in SYSTEM_KINDS and debit.balance < amount:
        raise LedgerError(
            f"余额不足：「{debit.name}」账户余额 {debit.balance} 小时，本次需要 {amount} 小时。", code="amount"
        )
    movement = Movement.objects.create(
        debit=debit,
        credit=credit,
        amount=amount,
        kind=kind,
        memo=memo[:200],
        actor=actor if isinstance(actor, User) and actor.pk else None,
        **fields,
    )
    Account.objects.filter(pk=debit.pk).update(balance=F("balance") - amount, movement_count=F("movement_count") + 1)
    Account.objects.filter(pk=credit.pk).update(balance=F("balance") + amount, movement_count=F("movement_count") + 1)
    debit.balance -= amount
    credit.balance += amount
    return movement


def _overflow(actor: Actor, account: Account, fund: Account) -> Movement | None:
    """Move a person's hours above the cap to the community fund (Nanjing: the excess is donated)."""
    cap = get_rule("timebank.balance_cap_hours")
    if account.kind != AccountKind.PERSON or account.balance <= cap:
        return None
    return _move(
        actor,
        account,
        fund,
        account.balance - cap,
        MovementKind.OVERFLOW,
        memo=f"超出个人上限 {cap} 小时部分转入公益基金",
    )


def earn(actor: Actor, hours_record) -> Movement:
    """Credit an approved hours record to its volunteer (the only way hours enter the ledger)."""
    from jiceng.volunteers.models import HoursStatus

    if hours_record.status != HoursStatus.APPROVED:
        raise LedgerError("只有审核通过的服务时长才能计入时间银行。", code="status")
    volunteer = hours_record.volunteer
    community = volunteer.community
    person = person_account(volunteer)
    issue = system_account(community, AccountKind.ISSUE)
    fund = system_account(community, AccountKind.FUND)
    with transaction.atomic():
        locked = _lock(person, issue, fund)
        if Movement.objects.filter(hours_record=hours_record).exists():
            raise LedgerError("该服务时长已计入时间银行。", code="duplicate")
        movement = _move(
            actor,
            locked[issue.pk],
            locked[person.pk],
            hours_record.hours,
            MovementKind.EARN,
            memo=hours_record.content,
            hours_record=hours_record,
            team_id=hours_record.team_id,
        )
        _overflow(actor, locked[person.pk], locked[fund.pk])
    return movement


def _read_request_key(value) -> str:
    key = (value or "").strip()
    if len(key) > 40 or any(not (c.isalnum() or c in "-_") for c in key):
        raise LedgerError("提交标识只能是不超过40位的字母、数字、“-”或“_”。", code="request_key")
    return key


def donate(
    actor: Actor,
    volunteer,
    amount,
    *,
    to_volunteer=None,
    to_fund: bool = False,
    to_team=None,
    request_key: str = "",
) -> Movement:
    """A volunteer gives hours to a relative (another volunteer, any community), the fund or a team.
    ``request_key`` (the form's or the client's key of one submission): a second submit with it
    returns the first donation, read under the donor's account lock, so the hours are given once."""
    amount = read_hours(amount, "捐赠时长")
    if getattr(actor, "pk", None) is None or volunteer.user_id != actor.pk:  # type: ignore[union-attr]
        raise LedgerError("只能捐赠本人账户的时长。", code="permission")
    request_key = _read_request_key(request_key)
    targets = [t for t in (to_volunteer, to_team) if t is not None] + ([True] if to_fund else [])
    if len(targets) != 1:
        raise LedgerError("请选择一个受赠对象：亲属、队伍或公益基金。", code="target")
    source = person_account(volunteer)
    if to_volunteer is not None:
        if to_volunteer.pk == volunteer.pk:
            raise LedgerError("不能捐赠给本人。", code="target")
        target = person_account(to_volunteer)
        fund = system_account(to_volunteer.community, AccountKind.FUND)
    elif to_team is not None:
        target = team_account(to_team)
        fund = None
    else:
        target = system_account(volunteer.community, AccountKind.FUND)
        fund = None
    with transaction.atomic():
        locked = _lock(source, target, *([fund] if fund else []))
        if request_key:
            done = Movement.objects.filter(debit=source, kind=MovementKind.DONATE, request_key=request_key).first()
            if done is not None:  # a double submit: the first one stands
                return done
        movement = _move(
            actor,
            locked[source.pk],
            locked[target.pk],
            amount,
            MovementKind.DONATE,
            memo="捐赠",
            request_key=request_key or None,
        )
        if fund is not None:
            _overflow(actor, locked[target.pk], locked[fund.pk])
        audit(
            actor,
            "timebank.donate",
            movement,
            after={"amount": str(amount), "to": target.name},
            area_path=source.area_path,
        )
    return movement


def redeem(
    actor: Actor,
    beneficiary,
    server,
    hours,
    content: str,
    served_on: date | None = None,
    *,
    request_key: str = "",
) -> tuple[Redemption, bool]:
    """The beneficiary's community records a service redeemed from a volunteer of any community
    (通存通兑): the hours leave the beneficiary's account; the server's hours are recorded for the
    server's community to approve (and so earned like any service). ``request_key`` (the form's or
    the client's key of one submission): a second submit with it returns the first redemption,
    read under the beneficiary's account lock, so the hours are spent once. Returns
    ``(redemption, created)`` as ``get_or_create`` does (``False``: that first one)."""
    from jiceng.volunteers import services as volunteer_services
    from jiceng.volunteers.models import HoursSource

    errors: list[LedgerError] = []
    if not scope_for(actor, REDEEM).covers(beneficiary.area_path):
        raise LedgerError("受益人不属于本社区，请由受益人所在社区登记兑换。", code="beneficiary")
    try:
        amount = read_hours(hours, "兑换时长")
    except LedgerError as exc:
        errors.append(exc)
        amount = Decimal("0")
    content = (content or "").strip()
    if not content:
        errors.append(LedgerError("请填写服务内容。", code="content"))
    if server is None or server.pk == beneficiary.pk:
        errors.append(LedgerError("服务志愿者不能是受益人本人。", code="server"))
    min_age = get_rule("timebank.redeem_min_age")
    today = timezone.localdate()
    age = beneficiary.age_on(today)
    if age is None or age < min_age:
        errors.append(
            LedgerError(
                f"受益人须年满{min_age}周岁才能兑换服务（现{age if age is not None else '未登记出生日期'}）。",
                code="beneficiary",
            )
        )
    try:
        request_key = _read_request_key(request_key)
    except LedgerError as exc:
        errors.append(exc)
    if served_on is not None and (served_on > today or served_on < date(today.year - 1, 1, 1)):
        errors.append(LedgerError("服务日期应在上一年1月1日至今天之间。", code="served_on"))
    if errors:
        raise LedgerError([e for exc in errors for e in exc.error_list])
    served_on = served_on or today
    source = person_account(beneficiary)
    sink = system_account(beneficiary.community, AccountKind.REDEEMED)
    with transaction.atomic():
        locked = _lock(source, sink)
        if request_key:
            done = Redemption.objects.filter(beneficiary=beneficiary, request_key=request_key).first()
            if done is not None:  # a double submit: the first one stands
                return done, False
        movement = _move(actor, locked[source.pk], locked[sink.pk], amount, MovementKind.REDEEM, memo=content)
        redemption = Redemption.objects.create(
            beneficiary=beneficiary,
            server=server,
            hours=amount,
            content=content[:200],
            served_on=served_on,
            movement=movement,
            area_path=beneficiary.area_path,
            request_key=request_key,
        )
        volunteer_services.record_hours(
            actor, server, amount, served_on, f"时间银行兑换服务：{content}"[:200], source=HoursSource.REDEMPTION
        )
        audit(actor, "timebank.redeem", redemption, after={"hours": str(amount)}, area_path=beneficiary.area_path)
    return redemption, True


def reverse(actor: Actor, movement: Movement, reason: str) -> Movement:
    """冲正: a new movement the other way. A reversal is never reversed; a movement only once."""
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("请填写冲正原因。", code="reason")
    scope = scope_for(actor, REVERSE)
    if not (scope.covers(movement.debit.area_path) or scope.covers(movement.credit.area_path)):
        raise LedgerError("您没有权限冲正这笔流水。", code="permission")
    if movement.kind == MovementKind.REVERSAL:
        raise LedgerError("这是一笔冲正流水，不能再冲正；如需更正，请重新登记正确的业务。", code="reversal")
    with transaction.atomic():
        locked = _lock(movement.debit, movement.credit)
        if Movement.objects.filter(reverses=movement).exists():
            raise LedgerError("这笔流水已经冲正过，不能重复冲正。", code="reversed")
        reversal = _move(
            actor,
            locked[movement.credit_id],
            locked[movement.debit_id],
            movement.amount,
            MovementKind.REVERSAL,
            memo=f"冲正 #{movement.pk}：{reason}",
            reverses=movement,
            team_id=movement.team_id,
        )
        audit(
            actor,
            "timebank.reverse",
            reversal,
            after={"reverses": movement.pk, "reason": reason},
            area_path=movement.credit.area_path,
        )
    return reversal


def statement(account: Account, *, before_id: int | None = None, limit: int = 50) -> list[Movement]:
    """The account's movements, newest first, by keyset (``before_id``).

    Two bounded index scans (its debits, its credits; each ``(account, -id)`` indexed) merged here:
    an ``OR`` of both sides would make the database sort the account's whole history."""
    sides: list[Movement] = []
    for field in ("debit_id", "credit_id"):
        rows = Movement.objects.filter(**{field: account.pk}).select_related("debit", "credit").order_by("-id")
        if before_id:
            rows = rows.filter(id__lt=before_id)
        sides.extend(rows[:limit])
    return sorted(sides, key=lambda movement: -movement.pk)[:limit]

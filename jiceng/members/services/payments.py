"""Dues (党费): payments once per month, base and category, arrears."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from jiceng.accounts.models import User
from jiceng.accounts.services import Actor, audit
from jiceng.members import dues as dues_rules
from jiceng.members.models import (
    DUES_BASE_MAX,
    PARTY_MEMBER_STATUSES,
    DuesCategory,
    DuesPayment,
    Member,
)

from .common import (
    AUDIT_FIELDS,
    MemberError,
    _event,
    _lock_member,
    _masked_snapshot,
    _refresh_stats,
    _today,
)

NOTE_MAX = DuesPayment._meta.get_field("note").max_length or 200


def _month(value: date | str) -> date:
    if isinstance(value, str):
        value = date.fromisoformat(value + "-01" if len(value) == 7 else value)
    return value.replace(day=1)


def _amount(value: Decimal | int | str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(dues_rules.CENT)
    except (InvalidOperation, ValueError) as exc:
        raise MemberError({"amount": ["金额格式不正确"]}) from exc
    if amount <= 0:
        raise MemberError({"amount": ["金额必须大于0"]})
    return amount


def dues_from(member: Member) -> date | None:
    """First month a member owes dues: probationary members pay from the branch vote (DOMAIN §2)."""
    start = member.admission_date or member.full_member_date
    return start.replace(day=1) if start else None


@transaction.atomic
def record_payment(
    actor: Actor,
    member: Member,
    month: date | str,
    amount: Decimal | int | str,
    paid_on: date | None = None,
    *,
    note: str = "",
) -> DuesPayment:
    """One payment per member and month. A double submit of the same payment returns the first;
    a different amount for a month already paid is refused. Prepayment is capped by
    ``members.dues.prepay_max_months``; a back-payment beyond ``members.dues.back_payment_months``
    or an amount other than the one due is recorded only with a ``note`` saying why."""
    month = _month(month)
    amount = _amount(amount)
    paid_on = paid_on or _today()
    note = (note or "").strip()
    member = _lock_member(member)
    if member.status not in PARTY_MEMBER_STATUSES:
        raise MemberError(f"{member.get_status_display()}不交纳党费")
    if member.left_on:
        raise MemberError("该党员组织关系已转出平台")
    start = dues_from(member)
    if start and month < start:
        raise MemberError({"month": [f"党费从{start:%Y年%m月}（支部大会接收之月）起交纳"]})
    prepay = dues_rules.prepay_max_months()
    if month > dues_rules.add_month(_month(paid_on), prepay):
        raise MemberError({"month": [f"预交党费一般不超过{prepay}个月"]})
    existing = DuesPayment.objects.filter(member=member, month=month).first()
    if existing is not None:
        if existing.amount == amount:
            return existing
        raise MemberError({"month": [f"{month:%Y年%m月}党费已登记（{existing.amount}元），如需更正请联系支部"]})
    _check_exceptions(member, month, amount, paid_on, note)
    try:
        with transaction.atomic():
            payment = DuesPayment.objects.create(
                member=member,
                month=month,
                amount=amount,
                paid_on=paid_on,
                note=note,
                recorded_by=actor if isinstance(actor, User) and actor.pk else None,
            )
    except IntegrityError:
        existing = DuesPayment.objects.get(member=member, month=month)
        if existing.amount == amount:
            return existing
        raise MemberError({"month": [f"{month:%Y年%m月}党费已登记"]}) from None
    if member.dues_paid_through is None or month > member.dues_paid_through:
        member.dues_paid_through = month
        member.save(update_fields=["dues_paid_through", "updated_at"])
        _refresh_stats(member.org_id)
    _event(member, "dues", f"交纳{month:%Y年%m月}党费{amount}元" + (f"（{note}）" if note else ""), actor, paid_on)
    audit(
        actor,
        "record_payment",
        payment,
        after={"member": member.pk, "month": month, "amount": str(amount), "note": note},
        area_path=member.area_path,
    )
    return payment


def _check_exceptions(member: Member, month: date, amount: Decimal, paid_on: date, note: str) -> None:
    due = dues_rules.monthly_dues(member.dues_category, member.dues_base)
    reasons = dues_rules.payment_exceptions(month, amount, due, paid_on)
    if reasons and not note:
        raise MemberError({"note": [f"{'；'.join(reasons)}，请在“说明”中写明原因"]})
    if len(note) > NOTE_MAX:
        raise MemberError({"note": [f"说明不超过{NOTE_MAX}字"]})


@transaction.atomic
def set_dues(
    actor: Actor, member: Member, *, category: str | None = None, base: Decimal | int | str | None = None
) -> Member:
    """Set the dues category and monthly base (after tax); the new amount applies from now on."""
    member = _lock_member(member)
    before = _masked_snapshot(member, AUDIT_FIELDS)
    if category is not None:
        if category not in DuesCategory.values:
            raise MemberError({"dues_category": ["未知党费类别"]})
        member.dues_category = category
    if base is not None:
        try:
            base = Decimal(str(base)).quantize(dues_rules.CENT)
        except (InvalidOperation, ValueError) as exc:
            raise MemberError({"dues_base": ["党费基数格式不正确"]}) from exc
        if base < 0:
            raise MemberError({"dues_base": ["党费基数不能为负数"]})
        if base > DUES_BASE_MAX:
            raise MemberError({"dues_base": [f"党费基数不能大于{DUES_BASE_MAX}"]})
        member.dues_base = base
    member.save(update_fields=["dues_category", "dues_base", "updated_at"])
    amount = dues_rules.monthly_dues(member.dues_category, member.dues_base)
    _event(member, "dues_base", f"党费类别：{member.get_dues_category_display()}，每月应交{amount}元", actor, _today())
    audit(
        actor,
        "set_dues",
        member,
        before=before,
        after=_masked_snapshot(member, AUDIT_FIELDS),
        area_path=member.area_path,
    )
    return member


def arrears_q(today: date | None = None) -> Q:
    """Party members on the roster with at least ``members.dues.arrears_months`` unpaid months
    before the current one (党章第三十八条: six months without paying)."""
    today = today or _today()
    months = dues_rules.arrears_threshold()
    current = today.replace(day=1)
    # Paid through month P: unpaid are P+1 … current-1, i.e. months_between(P, current) - 1.
    paid_limit = dues_rules.add_month(current, -(months + 1))
    # Never paid, dues from month S: unpaid are S … current-1.
    start_limit = dues_rules.add_month(current, -months)
    never_paid = Q(dues_paid_through__isnull=True) & (
        Q(admission_date__lt=dues_rules.add_month(start_limit, 1))
        | Q(admission_date__isnull=True, full_member_date__lt=dues_rules.add_month(start_limit, 1))
    )
    return Q(status__in=list(PARTY_MEMBER_STATUSES), left_on__isnull=True) & (
        Q(dues_paid_through__lte=paid_limit) | never_paid
    )


def arrears_list(queryset: QuerySet[Member], today: date | None = None) -> QuerySet[Member]:
    """Members of ``queryset`` (already scoped) in arrears, oldest payment first."""
    return queryset.filter(arrears_q(today)).order_by("dues_paid_through", "org_path", "id")

"""The ledger's invariants, each by the write that could break it:

* append-only: a stored movement cannot be saved, deleted, bulk-updated or bulk-deleted through
  the ORM, the admin offers no change or delete, and the database trigger refuses raw SQL;
* balances = credits − debits (the nightly check agrees after every kind of write, and reports a
  tampered balance);
* no spend below zero, nothing partial on a refusal;
* the cap moves the excess to the fund; a reversal is never reversed, a movement reversed once.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.utils import timezone

from jiceng.accounts.models import AuditLog
from jiceng.core.models import Rule
from jiceng.core.rules import forget_rule
from jiceng.timebank import services
from jiceng.timebank.checks import run_check
from jiceng.timebank.models import Account, AccountKind, LedgerImmutable, Movement, MovementKind, Redemption
from jiceng.timebank.services import LedgerError
from jiceng.volunteers import services as vs
from jiceng.volunteers.models import HoursRecord, HoursStatus

pytestmark = pytest.mark.django_db


def earned(vol, person, user, hours="5", days_ago=0):
    day = timezone.localdate() - timedelta(days=days_ago)
    record = vs.report_hours(user, person, hours, day, "助老陪伴")
    vs.approve_hours(vol.community, record)
    return Movement.objects.get(hours_record=record)


def balance(person) -> Decimal:
    return Account.objects.get(volunteer=person).balance


def assert_consistent():
    check = run_check()
    assert check.ok, check.mismatches
    return check


def test_earning_moves_hours_from_the_issue_account_and_sums_to_zero(vol):
    movement = earned(vol, vol.me, vol.my_user, "5")
    assert movement.debit.kind == AccountKind.ISSUE and movement.credit.volunteer_id == vol.me.pk
    assert balance(vol.me) == Decimal("5.0")
    assert movement.debit.__class__.objects.get(pk=movement.debit_id).balance == Decimal("-5.0")
    check = assert_consistent()
    assert check.movements == 1 and check.total == 0


def test_a_movement_cannot_be_changed_or_deleted_through_the_orm(vol):
    movement = earned(vol, vol.me, vol.my_user)
    movement.amount = Decimal("99")
    with pytest.raises(LedgerImmutable):
        movement.save()
    with pytest.raises(LedgerImmutable):
        movement.delete()
    with pytest.raises(LedgerImmutable):
        Movement.objects.filter(pk=movement.pk).update(amount=Decimal("99"))
    with pytest.raises(LedgerImmutable):
        Movement.objects.filter(pk=movement.pk).delete()
    with pytest.raises(LedgerImmutable):
        Movement.objects.bulk_update([movement], ["amount"])
    assert Movement.objects.get(pk=movement.pk).amount == Decimal("5.0")


def test_the_admin_offers_no_add_change_or_delete(vol, superuser):
    movement = earned(vol, vol.me, vol.my_user)
    request = RequestFactory().get("/")
    request.user = superuser
    admin = site._registry[Movement]
    assert not admin.has_add_permission(request)
    assert not admin.has_change_permission(request, movement)
    assert not admin.has_delete_permission(request, movement)
    assert not admin.get_actions(request)


def test_the_database_trigger_refuses_a_raw_update(vol):
    movement = earned(vol, vol.me, vol.my_user)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE timebank_movement SET amount = 99 WHERE id = %s", [movement.pk])
    assert Movement.objects.get(pk=movement.pk).amount == Decimal("5.0")


@pytest.mark.postgres_only
def test_the_database_trigger_refuses_a_raw_delete_on_postgresql(vol):
    movement = earned(vol, vol.me, vol.my_user)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM timebank_movement WHERE id = %s", [movement.pk])
    assert Movement.objects.filter(pk=movement.pk).exists()


def test_reversal_restores_balances_and_cannot_be_reversed_or_repeated(vol, users):
    movement = earned(vol, vol.me, vol.my_user, "5")
    with pytest.raises(LedgerError, match="没有权限"):
        services.reverse(vol.community, movement, "录入错误")  # the community cannot reverse
    reversal = services.reverse(vol.street, movement, "录入错误")
    assert reversal.debit_id == movement.credit_id and reversal.credit_id == movement.debit_id
    assert balance(vol.me) == 0
    with pytest.raises(LedgerError, match="已经冲正过"):
        services.reverse(vol.street, movement, "再来一次")
    with pytest.raises(LedgerError, match="冲正流水，不能再冲正"):
        services.reverse(vol.street, reversal, "冲正的冲正")
    assert Movement.objects.count() == 2
    assert_consistent()


def test_reversal_refused_when_the_hours_were_already_spent(vol):
    movement = earned(vol, vol.elder, vol.elder_user, "3")
    services.redeem(vol.community, vol.elder, vol.me, "2", "陪同就医")
    with pytest.raises(LedgerError, match="余额不足"):
        services.reverse(vol.street, movement, "录入错误")
    assert balance(vol.elder) == Decimal("1.0")
    assert_consistent()


def test_spend_beyond_balance_is_refused_with_nothing_written(vol):
    earned(vol, vol.elder, vol.elder_user, "1")
    before = (Movement.objects.count(), Redemption.objects.count(), HoursRecord.objects.count())
    with pytest.raises(LedgerError, match="余额不足"):
        services.redeem(vol.community, vol.elder, vol.me, "1.5", "助浴")
    assert (Movement.objects.count(), Redemption.objects.count(), HoursRecord.objects.count()) == before
    assert balance(vol.elder) == Decimal("1.0")


def test_redemption_spends_one_for_one_and_records_the_servers_hours_for_approval(vol):
    earned(vol, vol.elder, vol.elder_user, "4")
    redemption, created = services.redeem(vol.community, vol.elder, vol.far, "2", "上门助餐")
    assert created
    assert balance(vol.elder) == Decimal("2.0")
    assert redemption.movement.credit.kind == AccountKind.REDEEMED
    # 通存通兑: a volunteer of another community served; their hours wait for their own community.
    record = HoursRecord.objects.get(volunteer=vol.far)
    assert record.status == HoursStatus.PENDING and record.hours == Decimal("2.0")
    vs.approve_hours(vol.other_community, record)
    assert balance(vol.far) == Decimal("2.0")
    assert_consistent()


def test_redemption_eligibility_and_beneficiary_community_are_checked(vol):
    earned(vol, vol.me, vol.my_user, "4")
    with pytest.raises(LedgerError, match="须年满60周岁"):
        services.redeem(vol.community, vol.me, vol.far, "1", "助餐")
    with pytest.raises(LedgerError, match="受益人不属于本社区"):
        services.redeem(vol.other_community, vol.elder, vol.far, "1", "助餐")
    with pytest.raises(LedgerError) as exc:
        services.redeem(vol.community, vol.elder, vol.elder, "0", "")
    assert len(exc.value.messages) == 3
    assert not Redemption.objects.exists()


def test_balance_above_the_cap_goes_to_the_fund(vol):
    Rule.objects.create(key="timebank.balance_cap_hours", value="10")
    forget_rule("timebank.balance_cap_hours")
    try:
        for day in range(2):
            earned(vol, vol.me, vol.my_user, "7", days_ago=day)
        assert balance(vol.me) == Decimal("10.0")
        overflow = Movement.objects.get(kind=MovementKind.OVERFLOW)
        assert overflow.amount == Decimal("4.0") and overflow.credit.kind == AccountKind.FUND
        assert_consistent()
    finally:
        forget_rule("timebank.balance_cap_hours")


def test_donations_to_a_relative_and_the_fund(vol):
    earned(vol, vol.me, vol.my_user, "5")
    services.donate(vol.my_user, vol.me, "2", to_volunteer=vol.elder)
    services.donate(vol.my_user, vol.me, "1", to_fund=True)
    with pytest.raises(LedgerError, match="余额不足"):
        services.donate(vol.my_user, vol.me, "3", to_volunteer=vol.elder)
    with pytest.raises(LedgerError, match="只能捐赠本人"):
        services.donate(vol.community, vol.me, "1", to_fund=True)
    assert (balance(vol.me), balance(vol.elder)) == (Decimal("2.0"), Decimal("2.0"))
    assert_consistent()


def test_the_check_reports_a_tampered_balance(vol):
    earned(vol, vol.me, vol.my_user, "5")
    Account.objects.filter(volunteer=vol.me).update(balance=Decimal("50"))
    check = run_check()
    assert not check.ok and check.mismatches[0]["stored"] == "50.0" and check.mismatches[0]["ledger"] == "5.0"
    assert AuditLog.objects.filter(action="timebank.mismatch").exists()


def test_statement_is_newest_first_and_paged_by_keyset(vol):
    for day in range(3):
        earned(vol, vol.me, vol.my_user, "1", days_ago=day)
    services.donate(vol.my_user, vol.me, "1", to_fund=True)
    account = Account.objects.get(volunteer=vol.me)
    rows = services.statement(account, limit=3)
    assert [m.kind for m in rows] == ["donate", "earn", "earn"]
    more = services.statement(account, before_id=rows[-1].pk, limit=3)
    assert len(more) == 1


def test_management_command_prints_and_exits_nonzero_on_a_difference(vol, capsys):
    from django.core.management import call_command

    earned(vol, vol.me, vol.my_user, "2")
    call_command("timebank_check")
    assert "账实一致" in capsys.readouterr().out
    Account.objects.filter(volunteer=vol.me).update(balance=Decimal("3"))
    with pytest.raises(SystemExit):
        call_command("timebank_check")

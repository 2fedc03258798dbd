"""The nightly check: every stored balance against the sum of the account's movements.

One pass over the movements (two grouped sums: credits and debits per account) inside one
REPEATABLE READ snapshot on PostgreSQL, so movements committed while the check runs cannot show up
as false differences. A difference is reported as a ``LedgerCheck`` row listing the accounts and
an audit record (``timebank.mismatch``) that the administrators' audit page shows; it is never
"repaired" silently: a wrong balance means a bug or a write that bypassed the services.
"""

from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from jiceng.accounts.services import audit

from .models import Account, LedgerCheck, Movement, MovementKind

TENTH = Decimal("0.1")


def run_check() -> LedgerCheck:
    started = timezone.now()
    outermost = not connection.in_atomic_block  # a test's transaction has already begun
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            connection.cursor().execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        net: dict[int, Decimal] = {}
        counts: dict[int, int] = {}
        movements = 0
        total = Decimal("0")
        for account_id, amount, count in (
            Movement.objects.order_by().values_list("credit_id").annotate(Sum("amount"), Count("id")).iterator()
        ):
            net[account_id] = net.get(account_id, Decimal("0")) + amount
            counts[account_id] = counts.get(account_id, 0) + count
            movements += count
            total += amount
        for account_id, amount, count in (
            Movement.objects.order_by().values_list("debit_id").annotate(Sum("amount"), Count("id")).iterator()
        ):
            net[account_id] = net.get(account_id, Decimal("0")) - amount
            counts[account_id] = counts.get(account_id, 0) + count
            total -= amount
        mismatches = []
        accounts = 0
        for pk, name, balance, movement_count in (
            Account.objects.order_by("pk")
            .values_list("pk", "name", "balance", "movement_count")
            .iterator(chunk_size=5000)
        ):
            accounts += 1
            expected = net.pop(pk, Decimal("0")).quantize(TENTH)
            if balance != expected or movement_count != counts.get(pk, 0):
                mismatches.append(
                    {
                        "account": pk,
                        "name": name,
                        "stored": str(balance),
                        "ledger": str(expected),
                        "stored_count": movement_count,
                        "ledger_count": counts.get(pk, 0),
                    }
                )
        bad_reversals = Movement.objects.filter(
            kind=MovementKind.REVERSAL, reverses__kind=MovementKind.REVERSAL
        ).count()
        if bad_reversals:
            mismatches.append({"account": None, "name": "冲正的冲正", "stored": str(bad_reversals), "ledger": "0"})
        if total != 0:
            mismatches.append({"account": None, "name": "全部流水合计", "stored": str(total), "ledger": "0"})
    total = total.quantize(TENTH)
    check = LedgerCheck.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        movements=movements,
        accounts=accounts,
        total=total,
        mismatches=mismatches,
    )
    if mismatches:
        audit(
            None,
            "timebank.mismatch",
            check,
            after={"mismatches": mismatches[:50], "count": len(mismatches)},
        )
    return check

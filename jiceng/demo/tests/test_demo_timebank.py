"""The demo's 时间银行 ledger (jiceng/demo/volunteers.py) keeps the ledger's invariants.

It is written in bulk, not through the services, so every invariant the services keep is checked
here on what it wrote: balances = credits − debits (the nightly check), no person/team/fund account
below zero at any point in time order, no person above the cap, hours enter only from approved
hours records, every redemption has its ``Redemption`` and the server's hours, the daily cap per
volunteer, the monthly hours per area, and a year of movements in id order.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.core.models import Rule
from jiceng.core.rules import forget_rule, get_rule
from jiceng.demo.volunteers import _movements_wanted, load_volunteers
from jiceng.timebank.checks import run_check
from jiceng.timebank.models import SYSTEM_KINDS, Account, AccountKind, Movement, MovementKind, Redemption
from jiceng.volunteers.models import HoursMonth, HoursRecord, HoursSource, HoursStatus

pytestmark = pytest.mark.django_db
TODAY = date(2025, 9, 30)
CAP = 40  # hours: low, so the small ledger reaches it and the overflow is exercised


@pytest.fixture
def low_cap():
    Rule.objects.create(key="timebank.balance_cap_hours", value=str(CAP))
    forget_rule("timebank.balance_cap_hours")
    yield
    forget_rule("timebank.balance_cap_hours")


def test_the_default_ledger_is_a_million_at_scale_one(monkeypatch):
    monkeypatch.delenv("JICENG_DEMO_TIMEBANK_MOVEMENTS", raising=False)
    assert _movements_wanted(1.0) >= 1_000_000
    monkeypatch.setenv("JICENG_DEMO_TIMEBANK_MOVEMENTS", "2500")
    assert _movements_wanted(1.0) == 2500


def test_the_demo_ledger_keeps_the_invariants(tree, low_cap):
    report = load_volunteers(seed=7, today=TODAY, movements=4000)
    assert report["created"] and report["movements"] >= 4000 and report["redemptions"] > 0
    assert Movement.objects.count() == report["movements"]

    check = run_check()
    assert check.ok, check.mismatches
    assert check.movements == report["movements"]

    accounts = {a.pk: a for a in Account.objects.select_related("volunteer")}
    records = {r.pk: r for r in HoursRecord.objects.all()}
    redemptions = {r.movement_id: r for r in Redemption.objects.all()}
    movements = list(Movement.objects.order_by("id"))
    running: dict[int, Decimal] = defaultdict(Decimal)
    kinds = {m.kind for m in movements}
    assert kinds == {MovementKind.EARN, MovementKind.REDEEM, MovementKind.DONATE, MovementKind.OVERFLOW}
    earned_records = set()
    previous = None
    above = None  # a person whose earning went over the cap: the next movement moves the excess out
    for m in movements:
        if above is not None:
            assert m.kind == MovementKind.OVERFLOW and m.debit_id == above
            assert running[above] - m.amount == CAP
            above = None
        debit, credit = accounts[m.debit_id], accounts[m.credit_id]
        assert m.amount > 0 and debit.pk != credit.pk
        # A year, in id order: the statement's order is also the order of time.
        day = timezone.localdate(m.created_at)
        assert TODAY - timedelta(days=364) <= day <= TODAY
        assert previous is None or day >= previous
        previous = day
        if m.kind == MovementKind.EARN:
            # Hours enter only from an approved hours record, once, of the credited volunteer.
            record = records[m.hours_record_id]
            assert debit.kind == AccountKind.ISSUE and credit.kind == AccountKind.PERSON
            assert record.status == HoursStatus.APPROVED and record.hours == m.amount
            assert record.volunteer_id == credit.volunteer_id and record.served_on == day
            assert m.team_id == record.team_id and m.team_id is not None
            earned_records.add(record.pk)
        else:
            assert m.hours_record_id is None and debit.kind == AccountKind.PERSON
        if m.kind == MovementKind.REDEEM:
            redemption = redemptions[m.id]
            assert credit.kind == AccountKind.REDEEMED and redemption.hours == m.amount
            assert redemption.beneficiary_id == debit.volunteer_id != redemption.server_id
            assert debit.volunteer.birth_date.year <= TODAY.year - get_rule("timebank.redeem_min_age")
        if m.kind == MovementKind.OVERFLOW:
            assert credit.kind == AccountKind.FUND and credit.community_id == debit.community_id
        running[debit.pk] -= m.amount
        running[credit.pk] += m.amount
        # Never below zero (but the system accounts); above the cap only until the same write's overflow.
        for account in (debit, credit):
            if account.kind not in SYSTEM_KINDS:
                assert running[account.pk] >= 0, (m.pk, account.name)
            if account.kind == AccountKind.PERSON and running[account.pk] > CAP:
                assert above is None and account.pk == credit.pk, (m.pk, account.name)
                above = account.pk
    assert above is None
    assert earned_records == set(records), "every approved hours record earned exactly once"
    assert any(accounts[m.credit_id].kind == AccountKind.TEAM for m in movements), "donations to a team"
    assert Movement.objects.filter(kind=MovementKind.OVERFLOW).exists()

    _check_hours(records, redemptions)


def _check_hours(records, redemptions):
    # Each redemption's server got their hours (source 兑换服务) the same day, as an earning.
    served = defaultdict(list)
    for r in records.values():
        if r.source == HoursSource.REDEMPTION:
            served[(r.volunteer_id, r.served_on)].append(r.hours)
    for r in redemptions.values():
        assert r.hours in served[(r.server_id, r.served_on)]

    # The daily cap per volunteer.
    cap = get_rule("volunteers.daily_hours_cap")
    day_hours: dict = defaultdict(Decimal)
    for r in records.values():
        day_hours[(r.volunteer_id, r.served_on)] += r.hours
    assert max(day_hours.values()) <= cap

    # The monthly hours of a community and of the city are the sums of the records.
    for path in ("320102002011", "3201"):
        by_month: dict = defaultdict(lambda: [Decimal(0), 0])
        for r in records.values():
            if r.area_path.startswith(path):
                by_month[r.served_on.replace(day=1)][0] += r.hours
                by_month[r.served_on.replace(day=1)][1] += 1
        stored = {m.month: [m.hours, m.records] for m in HoursMonth.objects.filter(path=path)}
        assert stored == dict(by_month)


def test_the_busiest_statement_is_paged(tree, users, client):
    load_volunteers(seed=7, today=TODAY, movements=3000)
    busiest = Account.objects.filter(kind=AccountKind.PERSON).order_by("-movement_count").first()
    assert busiest.movement_count > 50
    client.force_login(users.city)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/timebank/accounts/{busiest.pk}/")
    assert page.status_code == 200
    # Two bounded index scans of at most one page each, never the whole history.
    reads = [q["sql"] for q in queries.captured_queries if "timebank_movement" in q["sql"]]
    assert reads and all("LIMIT 50" in sql for sql in reads)
    newest = Movement.objects.for_account(busiest.pk).order_by("-id").first()
    assert f"#{newest.pk}" in page.content.decode() or str(newest.pk) in page.content.decode()

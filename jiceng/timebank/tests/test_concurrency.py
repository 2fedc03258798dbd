"""Races on PostgreSQL with real threads, each on its own connection: the last place of an
activity has one winner, concurrent spends never take an account below zero, and transfers in
opposite directions do not deadlock (accounts are locked in primary-key order)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from jiceng.timebank import services
from jiceng.timebank.checks import run_check
from jiceng.timebank.models import Account, Movement, MovementKind
from jiceng.volunteers import services as vs
from jiceng.volunteers.models import Activity, SignUp, SignUpStatus

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def race(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # a refusal is a result under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def fund(vol, person, user, hours: str):
    record = vs.report_hours(user, person, hours, timezone.localdate(), "助老陪伴")
    vs.approve_hours(vol.community, record)


def test_many_clients_for_the_last_place_have_exactly_one_winner(vol, make_activity, tree, make_user):
    activity = make_activity(places=2)
    vs.sign_up(vol.users[0], activity, vol.people[0])  # one place left
    racers = []
    for i in range(8):
        user = make_user(f"racer{i}", role="resident", area=tree.beianmen)
        racers.append((user, vs.register_volunteer(user, tree.beianmen, f"抢报{i}", user=user)))
    results = race(*[lambda u=u, v=v: vs.sign_up(u, activity, v) for u, v in racers])
    assert not [r for r in results if isinstance(r, Exception)], results
    assert [r.status for r in results].count(SignUpStatus.CONFIRMED) == 1
    activity = Activity.objects.get(pk=activity.pk)
    assert (activity.taken, activity.waiting) == (2, 7)
    assert SignUp.objects.filter(activity=activity, status=SignUpStatus.CONFIRMED).count() == 2


def test_the_same_volunteer_double_submitting_gets_one_sign_up(vol, make_activity):
    activity = make_activity(places=5)
    results = race(*[lambda: vs.sign_up(vol.my_user, activity, vol.me) for _ in range(5)])
    assert len([r for r in results if not isinstance(r, Exception)]) == 1
    assert all("已报名" in "".join(r.messages) for r in results if isinstance(r, Exception))
    assert Activity.objects.get(pk=activity.pk).taken == 1


def test_concurrent_spends_never_go_below_zero(vol):
    fund(vol, vol.elder, vol.elder_user, "5")
    servers = [vol.far, *vol.people]
    picks = [servers[i % len(servers)] for i in range(12)]
    calls = [lambda s=s: services.redeem(vol.community, vol.elder, s, "1", "助餐") for s in picks]
    results = race(*calls)
    ok = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(ok) == 5, results
    assert all(isinstance(r, services.LedgerError) and "余额不足" in r.messages[0] for r in refused), refused
    assert Account.objects.get(volunteer=vol.elder).balance == 0
    assert Movement.objects.filter(kind=MovementKind.REDEEM).count() == 5
    assert run_check().ok


def test_opposite_transfers_do_not_deadlock_and_balances_add_up(vol):
    fund(vol, vol.people[0], vol.users[0], "6")
    fund(vol, vol.people[1], vol.users[1], "6")
    calls = []
    for i in range(10):
        a, b = (0, 1) if i % 2 else (1, 0)
        calls.append(lambda a=a, b=b: services.donate(vol.users[a], vol.people[a], "0.5", to_volunteer=vol.people[b]))
    results = race(*calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    total = sum(Account.objects.filter(volunteer__in=vol.people[:2]).values_list("balance", flat=True))
    assert total == Decimal("12.0")
    assert run_check().ok


def test_a_donation_submitted_twice_at_once_with_one_key_gives_the_hours_once(vol):
    fund(vol, vol.people[0], vol.users[0], "6")
    call = lambda: services.donate(  # noqa: E731
        vol.users[0], vol.people[0], "2", to_volunteer=vol.people[1], request_key="form-race"
    )
    results = race(call, call)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert results[0].pk == results[1].pk
    assert Movement.objects.filter(kind=MovementKind.DONATE).count() == 1
    assert Account.objects.get(volunteer=vol.people[0]).balance == Decimal("4.0")
    assert Account.objects.get(volunteer=vol.people[1]).balance == Decimal("2.0")
    assert run_check().ok

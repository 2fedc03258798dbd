"""Two handlers signing at once: exactly one wins. A double submit makes one request.

On PostgreSQL real threads race with their own connections (``postgres_only``). On SQLite, where
writers are serialised anyway, the same guards are exercised by taking the row lock away: the
service then works from a stale copy and only the conditional UPDATE (``WHERE status = …``) and
the unique client token stand between two writers.
"""

import threading
import time

import pytest
from django.db import connection

from jiceng.appeals import services, stats
from jiceng.appeals.models import Appeal, AppealEvent, AreaStat, EventKind, Status
from jiceng.appeals.services import TransitionError

from .conftest import T0


def race(*calls):
    """Run the calls in threads released together; returns their results or exceptions, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # the loser's refusal is the result under test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def slow_writes(monkeypatch):
    """Hold each transaction open a little after its first write, so the racers surely overlap."""
    original = stats.apply_event

    def slow(event):
        original(event)
        time.sleep(0.3)

    monkeypatch.setattr(stats, "apply_event", slow)


def dispatched(submit, people, tree):
    appeal = submit()
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=T0)
    return appeal


# --------------------------------------------------------------------------- PostgreSQL, threads


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_handlers_sign_at_once_one_wins(submit, people, tree, slow_writes, make_user):
    appeal = dispatched(submit, people, tree)
    # Two workers of grid 1 both hold the handle permission there.
    colleague = make_user("beianmen_grid1_b", role="grid_worker", area=tree.grid1)
    copies = [Appeal.objects.get(pk=appeal.pk), Appeal.objects.get(pk=appeal.pk)]
    results = race(
        lambda: services.sign_appeal(people.grid, copies[0]),
        lambda: services.sign_appeal(colleague, copies[1]),
    )
    winners = [r for r in results if isinstance(r, Appeal)]
    losers = [r for r in results if isinstance(r, TransitionError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "已被签收" in losers[0].messages[0]
    assert AppealEvent.objects.filter(appeal=appeal, kind=EventKind.SIGN).count() == 1
    assert sum(AreaStat.objects.filter(path=tree.grid1.code).values_list("signed", flat=True)) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_without_the_row_lock_the_conditional_update_still_lets_one_win(submit, people, tree, monkeypatch, make_user):
    appeal = dispatched(submit, people, tree)
    colleague = make_user("beianmen_grid1_b", role="grid_worker", area=tree.grid1)
    stale = [Appeal.objects.select_related("assigned_area").get(pk=appeal.pk) for _ in range(2)]
    monkeypatch.setattr(services.handling, "_lock", lambda a: a)  # no SELECT … FOR UPDATE: both read "dispatched"
    original = stats.apply_event
    monkeypatch.setattr(stats, "apply_event", lambda e: (original(e), time.sleep(0.3)))
    results = race(
        lambda: services.sign_appeal(people.grid, stale[0]),
        lambda: services.sign_appeal(colleague, stale[1]),
    )
    assert sum(isinstance(r, Appeal) for r in results) == 1, results
    loser = next(r for r in results if isinstance(r, TransitionError))
    assert "刚被他人处理" in loser.messages[0]
    assert AppealEvent.objects.filter(appeal=appeal, kind=EventKind.SIGN).count() == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_double_submit_at_once_makes_one_request(submit, slow_writes):
    results = race(
        lambda: submit(client_token="tap-tap-1"),
        lambda: submit(client_token="tap-tap-1"),
    )
    assert all(isinstance(r, Appeal) for r in results), results
    assert results[0].pk == results[1].pk
    assert sorted(r.created for r in results) == [False, True]
    assert Appeal.objects.count() == 1
    assert AppealEvent.objects.filter(kind=EventKind.CREATE).count() == 1


# --------------------------------------------------------------------------- both databases


def test_stale_second_signer_is_refused_by_the_conditional_update(submit, people, tree, monkeypatch, make_user):
    appeal = dispatched(submit, people, tree)
    colleague = make_user("beianmen_grid1_b", role="grid_worker", area=tree.grid1)  # the same grid's other worker
    first = Appeal.objects.select_related("assigned_area").get(pk=appeal.pk)
    second = Appeal.objects.select_related("assigned_area").get(pk=appeal.pk)
    monkeypatch.setattr(services.handling, "_lock", lambda a: a)  # as if two writers had read at the same time
    services.sign_appeal(people.grid, first)
    with pytest.raises(TransitionError, match="刚被他人处理（当前为“已签收”）"):
        services.sign_appeal(colleague, second)
    assert Appeal.objects.get(pk=appeal.pk).signed_at is not None
    assert AppealEvent.objects.filter(appeal=appeal, kind=EventKind.SIGN).count() == 1


def test_second_signer_with_the_lock_gets_the_reason(submit, people, tree, make_user):
    appeal = dispatched(submit, people, tree)
    colleague = make_user("beianmen_grid1_b", role="grid_worker", area=tree.grid1)
    stale = Appeal.objects.get(pk=appeal.pk)
    services.sign_appeal(people.grid, appeal)
    with pytest.raises(TransitionError, match="已被签收"):
        services.sign_appeal(colleague, stale)


def test_double_submit_returns_the_first_request(submit, people):
    first = submit(client_token="abc")
    again = submit(client_token="abc", description="手抖又点了一次")
    assert again.pk == first.pk and again.created is False
    assert again.description == first.description
    assert Appeal.objects.count() == 1
    assert AppealEvent.objects.filter(kind=EventKind.CREATE).count() == 1
    # The repeat's insert hit the unique token and its transaction left nothing behind: no
    # second event, no double count.
    assert AreaStat.objects.get(path=first.area_path[:4]).received == 1


def test_a_token_of_someone_else_is_not_an_echo(submit, people):
    submit(client_token="mine")
    with pytest.raises(services.AppealError, match="提交令牌已被使用"):
        submit(actor=people.resident2, client_token="mine")


def test_status_after_race_is_consistent(submit, people, tree):
    appeal = dispatched(submit, people, tree)
    services.sign_appeal(people.grid, appeal)
    assert Appeal.objects.get(pk=appeal.pk).status == Status.SIGNED

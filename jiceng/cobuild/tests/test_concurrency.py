"""Races on PostgreSQL: 50 concurrent claims on one divisible item use its quantity exactly, and
every loser is told why (real threads, one connection each)."""

import threading

import pytest
from django.db import connections

from conftest import UserFactory, build_tree
from jiceng.accounts.services import assign_role
from jiceng.cobuild import services
from jiceng.cobuild.models import Claim, ClaimStatus, Item

from .conftest import make_unit, publish


def race(workers: int, work) -> tuple[list, list]:
    barrier = threading.Barrier(workers)
    wins, errors = [], []

    def run(n):
        try:
            barrier.wait(timeout=20)
            wins.append(work(n))
        except BaseException as exc:  # collect, so the main thread can report it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return wins, errors


def _setup(quantity: int, claimers: int):
    tree = build_tree()
    staff = UserFactory(username="beianmen_staff")
    assign_role(None, staff, "community", tree.beianmen)
    units = [make_unit(tree.beianmen, f"驻区单位{n:02d}") for n in range(claimers)]
    item = publish(staff, tree.beianmen, title="重阳节助老餐", quantity=quantity)
    return staff, units, item


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_claims_use_the_quantity_exactly():
    staff, units, item = _setup(quantity=37, claimers=50)
    wins, errors = race(50, lambda n: services.claim_item(staff, item, quantity=1, unit=units[n]))
    assert len(wins) == 37, errors
    assert len(errors) == 13
    assert all(isinstance(e, services.CobuildError) and e.code == "quantity" for e in errors), errors
    assert all(e.message == "“重阳节助老餐”已被认领完（共37份）。" for e in errors)
    item.refresh_from_db()
    assert item.taken == 37 == item.quantity
    assert Claim.objects.filter(item=item, status=ClaimStatus.INTENT).count() == 37


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_of_several_sizes_never_go_beyond():
    staff, units, item = _setup(quantity=50, claimers=50)
    sizes = [1 + n % 3 for n in range(50)]  # 100 asked for 50
    wins, errors = race(50, lambda n: services.claim_item(staff, item, quantity=sizes[n], unit=units[n]))
    item = Item.objects.get(pk=item.pk)
    assert item.taken == sum(c.quantity for c in wins) <= 50
    assert sum(Claim.objects.filter(item=item).values_list("quantity", flat=True)) == item.taken
    assert len(wins) + len(errors) == 50
    for e in errors:
        assert isinstance(e, services.CobuildError) and e.code == "quantity", e
        assert "只剩" in e.message or "已被认领完" in e.message
    # Whatever is left is smaller than the smallest refused request.
    refused = [sizes[n] for n in range(50) if not any(c.unit_id == units[n].pk for c in wins)]
    assert item.left < min(refused)

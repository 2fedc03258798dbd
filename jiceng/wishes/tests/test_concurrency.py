"""Concurrent claims of one wish on PostgreSQL: one winner, every loser told it is taken."""

import pytest

from conftest import UserFactory, build_tree
from jiceng.accounts.services import assign_role
from jiceng.dualreport.tests.conftest import employed_member
from jiceng.dualreport.tests.test_concurrency import race
from jiceng.orgs.tests.conftest import build_orgs
from jiceng.wishes import services
from jiceng.wishes.models import Wish, WishStatus


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_have_one_winner():
    tree = build_tree()
    orgs = build_orgs(tree)
    grid = UserFactory(username="grid_racer")
    assign_role(None, grid, "grid_worker", tree.grid1)
    members = []
    for n in range(8):
        user = UserFactory(username=f"claimer{n}")
        assign_role(None, user, "member", tree.beianmen)
        members.append(employed_member(orgs.grid1, f"认领党员{n}", residence=tree.building, user=user))
    wish = services.publish(grid, tree.beianmen, tree.grid1, title="轮椅", name="孙大爷", address="北安门街2号")
    wins, errors = [], []

    def work(n):
        return services.claim(members[n].user, Wish.objects.get(pk=wish.pk))

    wins, errors = race(len(members), work)
    assert len(wins) == 1, errors
    assert len(errors) == len(members) - 1
    assert all(isinstance(e, services.WishError) and e.code == "status" for e in errors), errors
    wish.refresh_from_db()
    assert wish.status == WishStatus.CLAIMED and wish.claimer_member == wins[0].claimer_member

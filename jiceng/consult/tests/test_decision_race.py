"""A double submit of 转为需求 on PostgreSQL (real threads, one connection each): one need is
published and linked, the other submit is told it already was."""

import pytest

from conftest import UserFactory, build_tree
from jiceng.accounts.services import assign_role
from jiceng.cobuild.models import Item
from jiceng.cobuild.services import CobuildError
from jiceng.cobuild.tests.conftest import leaf
from jiceng.cobuild.tests.test_concurrency import race
from jiceng.consult import services
from jiceng.consult.models import Kind


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_double_submit_publishes_one_need():
    from django.utils import timezone

    tree = build_tree()
    staff = UserFactory(username="beianmen_staff")
    assign_role(None, staff, "community", tree.beianmen)
    row = services.record(
        staff, tree.beianmen, kind=Kind.COUNCIL, held_on=timezone.localdate(), title="议事会", topics="x", residents=5
    )
    category = leaf()
    wins, errors = race(
        4, lambda n: services.publish_decision(staff, row, kind="need", title="楼道清理志愿者", category=category)
    )
    assert len(wins) == 1, errors
    assert len(errors) == 3 and all(isinstance(e, CobuildError) and e.code == "duplicate" for e in errors), errors
    assert errors[0].message == "本次议事已转为需求“楼道清理志愿者”。"
    assert Item.objects.count() == 1 and list(row.items.all()) == wins

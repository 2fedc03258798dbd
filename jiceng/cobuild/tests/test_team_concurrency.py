"""Races on PostgreSQL with team claims: volunteer teams' 队长 and party members claiming one
divisible item at once use its quantity exactly, never beyond, and every loser is told why."""

import pytest

from conftest import UserFactory, build_tree
from jiceng.accounts.services import assign_role
from jiceng.cobuild import services
from jiceng.cobuild.models import Claim, ClaimerKind, ClaimStatus, Item
from jiceng.dualreport.tests.conftest import employed_member
from jiceng.orgs.tests.conftest import build_orgs
from jiceng.volunteers import services as vol_services

from .conftest import publish
from .test_concurrency import race

TEAMS = 25
MEMBERS = 25


def _setup(quantity: int):
    tree = build_tree()
    orgs = build_orgs(tree)
    staff = UserFactory(username="beianmen_staff")
    assign_role(None, staff, "community", tree.beianmen)
    claimers = []
    for n in range(TEAMS):
        leader = UserFactory(username=f"duizhang{n:02d}")
        assign_role(None, leader, "resident", tree.beianmen)
        volunteer = vol_services.register_volunteer(staff, tree.beianmen, f"队长{n:02d}", user=leader)
        team = vol_services.create_team(staff, tree.beianmen, f"志愿服务队{n:02d}")
        vol_services.add_team_member(staff, team, volunteer, is_leader=True)
        claimers.append((leader, {"team": team}))
    for n in range(MEMBERS):
        user = UserFactory(username=f"dangyuan{n:02d}")
        assign_role(None, user, "member", tree.beianmen)
        member = employed_member(orgs.gongyuan_branch, f"党员{n:02d}", residence=tree.building, user=user)
        claimers.append((user, {"member": member}))
    item = publish(staff, tree.beianmen, title="重阳节助老餐", quantity=quantity)
    return item, claimers


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_team_and_member_claims_use_the_quantity_exactly():
    item, claimers = _setup(quantity=37)

    def claim(n):
        actor, side = claimers[n]
        return services.claim_item(actor, item, quantity=1, **side)

    wins, errors = race(TEAMS + MEMBERS, claim)
    assert len(wins) == 37, errors
    assert len(errors) == TEAMS + MEMBERS - 37
    assert all(isinstance(e, services.CobuildError) and e.code == "quantity" for e in errors), errors
    assert all(e.message == "“重阳节助老餐”已被认领完（共37份）。" for e in errors)
    item = Item.objects.get(pk=item.pk)
    assert item.taken == 37 == item.quantity
    rows = Claim.objects.filter(item=item, status=ClaimStatus.INTENT)
    assert rows.count() == 37
    # 37 places for 25 of each kind: at least 12 of each won, and the team claims name their teams.
    teams = rows.filter(claimer_kind=ClaimerKind.TEAM)
    assert teams.count() >= 12 and rows.filter(claimer_kind=ClaimerKind.MEMBER).count() >= 12
    assert teams.filter(team__isnull=False, member__isnull=True, unit__isnull=True).count() == teams.count()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_team_and_member_claims_of_several_sizes_never_go_beyond():
    item, claimers = _setup(quantity=50)
    sizes = [1 + n % 3 for n in range(TEAMS + MEMBERS)]  # 100 asked for 50

    def claim(n):
        actor, side = claimers[n]
        return services.claim_item(actor, item, quantity=sizes[n], **side)

    wins, errors = race(TEAMS + MEMBERS, claim)
    item = Item.objects.get(pk=item.pk)
    assert item.taken == sum(c.quantity for c in wins) <= 50
    assert sum(Claim.objects.filter(item=item).values_list("quantity", flat=True)) == item.taken
    assert len(wins) + len(errors) == TEAMS + MEMBERS
    for e in errors:
        assert isinstance(e, services.CobuildError) and e.code == "quantity", e
    won = {(c.team_id, c.member_id) for c in wins}
    refused = [
        sizes[n]
        for n, (_, side) in enumerate(claimers)
        if (getattr(side.get("team"), "pk", None), getattr(side.get("member"), "pk", None)) not in won
    ]
    assert item.left < min(refused)

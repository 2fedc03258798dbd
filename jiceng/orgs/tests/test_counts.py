"""Member counts on orgs: full recount and targeted refresh agree; queries do not grow with size."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.members.models import Member, Status
from jiceng.orgs.models import Org
from jiceng.orgs.services import create_org, refresh_member_counts
from jiceng.orgs.tests.conftest import make_members

COUNT_FIELDS = ("full_members", "probationary_members", "total_members", "total_full_members", "child_count")


def counts():
    return {code: rest for code, *rest in Org.objects.values_list("code", *COUNT_FIELDS)}


def test_full_refresh_counts_own_and_subtree(orgtree):
    o = orgtree
    make_members(o.grid1, 3, refresh_counts=False)
    make_members(o.grid1, 2, Status.PROBATIONARY, refresh_counts=False)
    make_members(o.group, 1, refresh_counts=False)
    make_members(o.grid2, 4, Status.ACTIVIST, refresh_counts=False)  # not party members yet
    make_members(o.grid2, 1, Status.DECEASED, refresh_counts=False)
    make_members(o.gongyuan_branch, 2, refresh_counts=False)
    make_members(o.gongyuan_branch, 1, refresh_counts=False, left_on=date(2024, 1, 1))  # transferred out
    Org.objects.update(child_count=99)  # stale values are repaired too

    changed = refresh_member_counts()

    assert changed == Org.objects.count()
    c = counts()
    assert c[o.grid1.code] == [3, 2, 6, 4, 1]
    assert c[o.group.code] == [1, 0, 1, 1, 0]
    assert c[o.grid2.code] == [0, 0, 0, 0, 0]
    assert c[o.beianmen.code] == [0, 0, 6, 4, 2]
    assert c[o.meiyuan.code] == [0, 0, 6, 4, 2]
    assert c[o.gongyuan_branch.code] == [2, 0, 2, 2, 0]
    assert c[o.city.code] == [0, 0, 8, 6, 2]
    assert refresh_member_counts() == 0


def test_targeted_refresh_moves_the_difference_up_the_tree(orgtree):
    o = orgtree
    members = make_members(o.grid1, 5)
    make_members(o.gongyuan_branch, 2)
    assert counts()[o.city.code][2] == 7

    # A transfer of two members between communities, then a promotion to full membership.
    moved = Member.objects.filter(pk__in=[m.pk for m in members[:2]])
    moved.update(org=o.gongyuan_branch, org_path=o.gongyuan_branch.code)
    assert refresh_member_counts([o.grid1.pk, o.gongyuan_branch]) == 2
    c = counts()
    assert c[o.grid1.code][:4] == [3, 0, 3, 3]
    assert c[o.beianmen.code][2] == 3 and c[o.xuanwu.code][2] == 3
    assert c[o.gongyuan_branch.code][:4] == [4, 0, 4, 4]
    assert c[o.qinhuai.code][2] == 4 and c[o.city.code][2] == 7

    Member.objects.filter(pk=members[2].pk).update(status=Status.PROBATIONARY)
    refresh_member_counts([o.grid1.pk])
    assert counts()[o.grid1.code][:4] == [2, 1, 3, 2]
    assert counts()[o.city.code][2:4] == [7, 6]

    # The targeted bookkeeping equals a full recount.
    assert refresh_member_counts() == 0


def test_targeted_refresh_with_nothing_to_do(orgtree):
    assert refresh_member_counts([]) == 0
    assert refresh_member_counts([orgtree.grid1.pk]) == 0


def test_child_count_follows_creation(orgtree, tree):
    create_org(None, parent=orgtree.grid2, name="小组", org_type="group", category="grid", area=tree.grid2)
    assert Org.objects.get(pk=orgtree.grid2.pk).child_count == 1
    assert refresh_member_counts() == 0


def test_refresh_queries_do_not_grow_with_the_number_of_orgs(orgtree, tree):
    make_members(orgtree.grid1, 3, refresh_counts=False)
    with CaptureQueriesContext(connection) as small:
        refresh_member_counts()
    for i in range(30):
        branch = create_org(
            None, parent=orgtree.beianmen, name=f"支部{i}", org_type="branch", category="grid", area=tree.grid1
        )
        make_members(branch, 2, refresh_counts=False)
    with CaptureQueriesContext(connection) as big:
        refresh_member_counts()
    # Two reads plus batched updates: the row count does not turn into a query count.
    assert len(big) <= len(small) + 1 <= 8
    targeted = [Org.objects.get(name=f"支部{i}").pk for i in range(10)]
    Member.objects.filter(org_id__in=targeted).update(status=Status.PROBATIONARY)
    with CaptureQueriesContext(connection) as some:
        refresh_member_counts(targeted)
    assert len(some) <= 8

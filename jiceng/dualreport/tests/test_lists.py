"""Below-target lists (from the tallies) and the 待办 sources."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.core.todos import todo_groups
from jiceng.dualreport import lists, services

from .conftest import employed_member
from .test_services import confirmed

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def serve(world, registration, n=1):
    for _ in range(n):
        services.record_service(
            world.users.community, registration, served_on=today(), hours="1", content="服务", confirm=True
        )


def test_below_target_members_and_branches_for_the_street_and_the_branch(world):
    done = confirmed(world)  # 张在职 of 贡院社区第一党支部
    serve(world, done, 2)
    short_a = employed_member(world.orgs.grid1, "甲未达标", residence=world.tree.grid1)
    short_b = employed_member(world.orgs.grid1, "乙未达标", residence=world.tree.grid1)
    serve(world, confirmed(world, short_a), 1)
    confirmed(world, short_b)
    year = today().year
    names = [r.member.name for r in lists.members_below_target(world.users.street, year)]
    assert sorted(names) == ["乙未达标", "甲未达标"]
    assert sorted((r.member.name, r.done) for r in lists.members_below_target(world.users.street, year)) == [
        ("乙未达标", 0),
        ("甲未达标", 1),
    ]
    branches = lists.branches_below_target(world.users.street, year)
    assert [(b["org__name"], b["members"], b["below"]) for b in branches] == [("第一网格党支部", 2, 2)]
    # The member's own branch sees its members only: 张在职 reached the target, so none.
    assert list(lists.members_below_target(world.secretary, year)) == []
    assert sorted(r.member.name for r in lists.members_below_target(world.other_secretary, year)) == [
        "乙未达标",
        "甲未达标",
    ]
    # 贡院's street office sees none of 北安门's registrations of its members below target.
    assert list(lists.members_below_target(world.users.other_community, year)) == []


def test_todos_for_the_community_the_branch_and_the_member(world):
    registration = services.register_member(world.member_user, world.member, world.tree.beianmen)
    titles = {g.source.key: [i.title for i in g.items] for g in todo_groups(world.users.community)}
    assert titles["dualreport.registrations"] == ["张在职 向北安门社区报到"]
    assert "dualreport.registrations" not in {g.source.key for g in todo_groups(world.users.other_community)}
    services.confirm_registration(world.users.community, registration)
    services.record_service(
        world.member_user, registration, served_on=today() - timedelta(days=0), hours="2", content="助老"
    )
    groups = {g.source.key: g for g in todo_groups(world.users.community)}
    assert "dualreport.registrations" not in groups
    assert groups["dualreport.services"].items[0].note == "2.0 小时"
    member_groups = {g.source.key: g for g in todo_groups(world.member_user)}
    assert member_groups["dualreport.my_target"].items[0].title == "本年度双报到服务未达标"
    assert member_groups["dualreport.my_target"].items[0].note == "已确认 0 次，目标 2 次"
    services.send_feedback(world.users.community, registration, year=today().year, comment="请督促")
    branch_groups = {g.source.key: g for g in todo_groups(world.secretary)}
    assert branch_groups["dualreport.feedback"].items[0].title == f"北安门社区反馈：张在职 {today().year}年服务0次"
    assert "dualreport.feedback" not in {g.source.key for g in todo_groups(world.other_secretary)}


def test_the_members_own_todo_goes_once_the_target_is_met(world):
    registration = confirmed(world)
    serve(world, registration, 2)
    assert "dualreport.my_target" not in {g.source.key for g in todo_groups(world.member_user)}

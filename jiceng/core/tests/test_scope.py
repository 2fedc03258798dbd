"""Scope: a role on a node covers its subtree; one queryset method and 404 helpers enforce it."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from jiceng.accounts.models import AuditLog
from jiceng.accounts.services import assign_role, revoke_role
from jiceng.areas.models import Area, get_area_for_user
from jiceng.core.scope import Scope, can, get_object_for_user, holds, scope_for, scope_prefixes


def visible_codes(user, action="view"):
    return set(Area.objects.visible_to(user, action).values_list("code", flat=True))


def subtree_codes(area):
    return set(Area.objects.subtree(area.code).values_list("code", flat=True))


def test_anonymous_and_unassigned_users_see_nothing(tree, users):
    assert scope_prefixes(AnonymousUser(), "areas.view_area") == []
    assert visible_codes(AnonymousUser()) == set()
    assert visible_codes(users.nobody) == set()


def test_inactive_user_sees_nothing(tree, users):
    users.district.is_active = False
    assert visible_codes(users.district) == set()


def test_superuser_sees_everything(tree, superuser):
    assert scope_prefixes(superuser, "areas.change_area") is None
    assert visible_codes(superuser) == set(Area.objects.values_list("code", flat=True))


def test_each_level_sees_exactly_its_subtree(tree, users):
    assert visible_codes(users.city) == subtree_codes(tree.city)
    assert visible_codes(users.district) == subtree_codes(tree.xuanwu)
    assert visible_codes(users.street) == subtree_codes(tree.meiyuan)
    assert visible_codes(users.community) == subtree_codes(tree.beianmen)
    assert visible_codes(users.grid) == {tree.grid1.code, tree.building.code}
    # The district user's subtree is everything under 玄武区, down to the buildings, and nothing else.
    assert tree.building.code in visible_codes(users.district)
    assert tree.gongyuan.code not in visible_codes(users.district)


def test_actions_follow_the_role(tree, users):
    assert visible_codes(users.community, "change") == subtree_codes(tree.beianmen)
    assert visible_codes(users.community, "move") == set()
    assert visible_codes(users.grid, "change") == set()
    assert visible_codes(users.street, "move") == subtree_codes(tree.meiyuan)


def test_several_assignments_are_a_union(tree, users):
    assign_role(None, users.community, "community", tree.gongyuan)
    users.community.refresh_from_db()
    assert visible_codes(users.community) == subtree_codes(tree.beianmen) | subtree_codes(tree.gongyuan)
    # A nested assignment adds nothing and does not duplicate rows.
    assign_role(None, users.community, "grid_worker", tree.grid1)
    users.community.refresh_from_db()
    qs = Area.objects.visible_to(users.community)
    assert qs.count() == len(subtree_codes(tree.beianmen) | subtree_codes(tree.gongyuan))


def test_revoking_a_role_removes_the_scope(tree, users):
    assignment = users.community.role_assignments.get()
    revoke_role(None, assignment)
    users.community.refresh_from_db()
    assert visible_codes(users.community) == set()


def test_get_area_for_user_is_404_outside_scope(tree, users):
    assert get_area_for_user(users.community, tree.grid2.code) == tree.grid2
    with pytest.raises(Http404):
        get_area_for_user(users.community, tree.gongyuan.code)
    with pytest.raises(Http404):
        get_area_for_user(users.community, tree.meiyuan.code)  # the parent is outside too
    with pytest.raises(Http404):
        get_area_for_user(users.community, "999999999999")  # missing looks the same as hidden
    with pytest.raises(Http404):
        get_area_for_user(users.grid, tree.grid1.code, "change")


def test_get_object_for_user_on_audit_log(tree, users):
    log = AuditLog.objects.filter(area_path=tree.gongyuan.code).first()
    assert get_object_for_user(AuditLog.objects, users.city, pk=log.pk) == log
    with pytest.raises(Http404):
        get_object_for_user(AuditLog.objects, users.district, pk=log.pk)
    assert get_object_for_user(AuditLog.objects, users.other_community, pk=log.pk) == log
    with pytest.raises(Http404):
        get_object_for_user(AuditLog.objects, users.community, pk=log.pk)
    with pytest.raises(Http404):
        # The grid worker's role has no audit permission at all, even inside its grid.
        own = AuditLog.objects.filter(area_path=tree.grid1.code).first()
        get_object_for_user(AuditLog.objects, users.grid, pk=own.pk)


def test_can_on_a_loaded_object(tree, users, superuser):
    assert can(users.community, "change", tree.grid1)
    assert not can(users.community, "change", tree.gongyuan)
    assert not can(users.community, "move", tree.grid1)
    assert not can(users.grid, "change", tree.grid1)
    assert can(users.grid, "view", tree.building)
    assert can(superuser, "move", tree.city)
    # A sibling code that shares leading digits is not inside: 320102002011 vs 3201020020110...
    assert not can(users.community, "view", tree.meiyuan_cm)


def test_scope_covers_a_node_a_row_or_a_path(tree, users):
    from jiceng.core.scope import scope_for

    street = scope_for(users.street, "areas.view_area")
    assert street.covers(tree.meiyuan) and street.covers(tree.meiyuan.code + "011")
    assert not street.covers(tree.xuanwu) and not street.covers("") and not street.covers(None)

    class Row:
        area_path = tree.meiyuan.code + "011001"

    assert street.covers(Row())
    assert scope_for(users.nobody, "areas.view_area").covers(tree.meiyuan) is False


def test_holders_of_lists_grants_on_the_node_and_its_ancestors(tree, users):
    from jiceng.core.scope import holders_of

    path = tree.meiyuan.code + "011"
    holders = holders_of("areas.view_area", area=path)
    assert {users.city.pk, users.district.pk, users.street.pk} <= holders
    assert users.nobody.pk not in holders
    assert users.city.pk not in holders_of("areas.view_area", area=path, depths=(9, 12))
    assert users.street.pk in holders_of("areas.view_area", area=path, depths=(9, 12))
    users.street.is_active = False
    users.street.save()
    assert users.street.pk not in holders_of("areas.view_area", area=path)
    assert holders_of("no.such_permission", area=path) == set()


def test_covers_any_holds_and_scope_q_answer_for_one_side_of_a_row(tree, users):
    scope = scope_for(users.community, "areas.view_area")
    assert scope.covers_any(areas=["", tree.grid1.code]) and not scope.covers_any(areas=[tree.gongyuan.code])
    assert not scope.covers_any() and Scope(everywhere=True).covers_any()
    assert holds(users.community, "areas.view_area", areas=[tree.building])
    assert not holds(users.community, "areas.move_area", areas=[tree.building])  # not the community's right
    assert not holds(users.nobody, "areas.view_area", areas=[tree.building.code])
    rows = AuditLog.objects.filter(object_type="areas.area")
    inside = set(rows.filter(scope.q(area="area_path")).values_list("area_path", flat=True))
    assert inside and all(scope.covers(path) for path in inside)
    assert not rows.filter(scope.q(org="area_path")).exists()  # no org grants: nothing by org
    assert rows.filter(Scope(everywhere=True).q(area="area_path")).count() == rows.count()

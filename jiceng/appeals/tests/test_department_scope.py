"""The third kind of node in scope: a role granted on a department (职能部门)."""

import pytest
from django.db import IntegrityError, transaction

from jiceng.accounts.models import AuditLog, RoleAssignment
from jiceng.accounts.services import assign_role, revoke_role
from jiceng.appeals.models import Appeal
from jiceng.core.scope import Scope, can, scope_for


def test_grants_carry_the_department(people, departments):
    grants = people.chengguan.grants()
    assert len(grants) == 1
    perms, area, org, department = grants[0]
    assert (area, org, department) == ("", "", departments.xw_chengguan.pk)
    assert "appeals.handle_appeal" in perms
    scope = scope_for(people.chengguan, "appeals.view_appeal")
    assert scope == Scope(departments=(departments.xw_chengguan.pk,))
    assert not scope.empty
    assert scope_for(people.chengguan, "appeals.dispatch_appeal").empty
    # Area and org grants still carry no department.
    assert people.community.grants()[0][3] is None


def test_assign_role_on_a_department_is_audited_and_revocable(make_user, departments):
    user = make_user("new_handler")
    assignment = assign_role(None, user, "department", department=departments.xw_water)
    log = AuditLog.objects.get(action="assign_role", object_id=str(assignment.pk))
    assert log.after == {"role": "department", "department": departments.xw_water.pk}
    assert log.area_path == departments.xw_water.area_path
    assert assignment.node == departments.xw_water
    revoke_role(None, assignment)
    user.refresh_from_db()
    assert scope_for(user, "appeals.view_appeal").empty


def test_exactly_one_node(make_user, departments, tree):
    user = make_user("x")
    with pytest.raises(ValueError, match="exactly one node"):
        assign_role(None, user, "department", tree.xuanwu, department=departments.xw_water)
    with pytest.raises(ValueError, match="exactly one node"):
        assign_role(None, user, "department")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role="department", area=tree.xuanwu, department=departments.xw_water)
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleAssignment.objects.create(user=user, role="department")


def test_can_and_visible_to_use_the_department_field(submit, people, departments, catalogue):
    from jiceng.appeals import services

    appeal = submit(category=catalogue.building, description="违建")
    assert not can(people.chengguan, "view", appeal)
    services.dispatch_appeal(people.street, appeal, department=departments.xw_chengguan)
    assert can(people.chengguan, "view", appeal) and can(people.chengguan, "handle", appeal)
    assert not can(people.water, "view", appeal)
    assert list(Appeal.objects.visible_to(people.chengguan)) == [appeal]
    assert list(Appeal.objects.visible_to(people.chengguan, "dispatch")) == []

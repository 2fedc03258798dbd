"""Who may grant which role where, and who may manage which account (系统管理).

A granter (an administrator holding ``ROLE_GRANT``) may grant role R on node N when:

1. N is in the granter's subtree: an area they hold ``ROLE_GRANT`` over; a party organisation
   whose whole subtree they cover (by org scope, or every org of it anchored in their areas); a
   department anchored in their areas. Nothing above or beside.
2. R is granted on N's kind of node (``Role.node``: 党支部书记 on an org, 职能部门 on a
   department, the others on an area).
3. R confers nothing the granter lacks at N, except the duties that only offices below the
   granter perform (吹哨 and 评价 for a district administrator, who creates street accounts;
   报到 for a street, which onboards the handlers of its own departments): for every permission
   of R that some role at the granter's rank or above holds, the granter must hold it at N.

An account may be managed (disabled, its password reset, unlocked, its tokens revoked) by an
administrator whose ``USER_CHANGE`` scope covers its home area and who could have granted every
role it holds; a superuser account only by a superuser.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from jiceng.accounts.permissions import ROLE_GRANT, USER_CHANGE
from jiceng.accounts.roles import ROLES, Role
from jiceng.core import registry
from jiceng.core.scope import Scope, can, scope_for

# The offices from the most senior down; every other role ranks below all of them.
OFFICE_RANKS = {"city_org": 0, "district_org": 1, "street": 2, "community": 3}
NODE_LABELS = {"area": "区划", "org": "党组织", "department": "职能部门"}


def rank(role_key: str) -> int:
    return OFFICE_RANKS.get(role_key, len(OFFICE_RANKS))


@dataclass(frozen=True)
class Node:
    """The node of a grant: its kind, and the area path (and org code) that scope checks read."""

    kind: str
    obj: Any  # an Area, an Org or a Department

    @classmethod
    def of(cls, obj: Model) -> "Node":
        label = obj._meta.label_lower
        kind = {"areas.area": "area", "orgs.org": "org", "orgs.department": "department"}.get(label)
        if kind is None:
            raise TypeError(f"not a node a role is granted on: {obj!r}")
        return cls(kind, obj)

    @property
    def area_path(self) -> str:
        return self.obj.code if self.kind == "area" else self.obj.area_path

    def covered_by(self, scope: Scope) -> bool:
        """Whether the node, with everything a grant on it reaches, lies inside ``scope``."""
        if scope.everywhere:
            return True
        if self.kind == "org":
            return scope.covers_org(self.obj) or (scope.covers(self.area_path) and self._org_subtree_in(scope))
        return scope.covers(self.area_path)

    def _org_subtree_in(self, scope: Scope) -> bool:
        from jiceng.orgs.models import Org

        return not Org.objects.subtree(self.obj.code).exclude(scope.q(area="area_path")).exists()

    def holds(self, scope: Scope) -> bool:
        """Whether a permission whose scope is ``scope`` is held at the node (not its subtree)."""
        if self.kind == "org":
            return scope.covers_org(self.obj) or scope.covers(self.area_path)
        return scope.covers(self.area_path)


def _granter_rank(actor, node: Node) -> int:
    """The rank of the most senior role ``actor`` holds over ``node``."""
    rows = getattr(actor, "_granting_rows", None)
    if rows is None:  # read once per request: a page checks every grant it lists
        rows = list(actor.role_assignments.values_list("role", "area__code", "org__code"))
        actor._granting_rows = rows
    ranks = [rank(role) for role, area, org_code in rows if node.covered_by(_single(area, org_code))]
    return min(ranks, default=len(OFFICE_RANKS))


def _single(area: str | None, org_code: str | None) -> Scope:
    if area:
        return Scope(areas=(area,))
    if org_code:
        return Scope(orgs=(org_code,))
    return Scope()  # a department grant covers no node a role is granted on by others


def _duties_above(granter_rank: int) -> frozenset[str]:
    """Permissions held by some role at ``granter_rank`` or above: the ones a granter must hold."""
    held: set[str] = set()
    for role in ROLES.values():
        if rank(role.key) <= granter_rank:
            held |= role.permissions
    return frozenset(held)


def _labels(names) -> str:
    labels = {p.name: p.label for p in registry.permissions()}
    return "、".join(labels.get(name, name) for name in sorted(names))


def grant_refusal(actor, role_key: str, node_obj: Model) -> str | None:
    """Why ``actor`` may not grant (or revoke) ``role_key`` on the node, in Chinese; None if allowed."""
    role: Role | None = ROLES.get(role_key)
    if role is None:
        return "没有这个角色。"
    node = Node.of(node_obj)
    if node.kind != role.node:
        return f"“{role.label}”只能授予在{NODE_LABELS[role.node]}上。"
    if actor.is_superuser:
        return None
    if not node.covered_by(scope_for(actor, ROLE_GRANT)):
        return f"“{node_obj}”不在您的管理范围内，不能在其上授权。"
    must_hold = role.permissions & _duties_above(_granter_rank(actor, node))
    missing = [name for name in must_hold if not node.holds(scope_for(actor, name))]
    if missing:
        return f"“{role.label}”含有您在“{node_obj}”上不具备的权限（{_labels(missing)}），不能授予。"
    return None


def management_refusal(actor, user) -> str | None:
    """Why ``actor`` may not manage the account ``user``; None if allowed."""
    if user.is_superuser and not actor.is_superuser:
        return "系统管理员账号只能由系统管理员管理。"
    if not can(actor, "change", user) or scope_for(actor, USER_CHANGE).empty:
        return "该账号不在您的管理范围内。"
    for assignment in user.role_assignments.select_related("area", "org", "department"):
        if grant_refusal(actor, assignment.role, assignment.node) is not None:
            return f"该账号还担任“{assignment.role_label}”（{assignment.node}），超出您的管理范围，请由上级管理员操作。"
    return None

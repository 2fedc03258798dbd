"""Pages of the orgs app: the org tree, org pages, setup checks, resident units, departments.

Every read goes through ``visible_to`` / ``get_org_for_user`` (404 outside the scope); every
write through :mod:`jiceng.orgs.services`.
"""

from jiceng.orgs.views.committee import part_time_add, part_time_end, post_add, post_end, vacancy_add
from jiceng.orgs.views.pick import org_pick
from jiceng.orgs.views.tree import (
    check_list,
    org_add,
    org_add_root,
    org_checks,
    org_detail,
    org_edit,
    org_election,
    org_move,
    org_tree,
)
from jiceng.orgs.views.units import department_add, department_edit, department_list, unit_add, unit_edit, unit_list

__all__ = [
    "check_list",
    "department_add",
    "department_edit",
    "department_list",
    "org_add",
    "org_add_root",
    "org_checks",
    "org_detail",
    "org_edit",
    "org_election",
    "org_move",
    "org_pick",
    "org_tree",
    "part_time_add",
    "part_time_end",
    "post_add",
    "post_end",
    "unit_add",
    "unit_edit",
    "unit_list",
    "vacancy_add",
]

"""Every write to the party-organisation tree. Each write runs in a transaction and is audited.

- :mod:`.tree` — code issuing, create / update / move orgs, 换届;
- :mod:`.counts` — member counts on orgs (called by the members app after member writes);
- :mod:`.committee` — committee posts with vacancy tracking, part-time members (兼职委员);
- :mod:`.units` — resident units (驻区单位) and functional departments (职能部门).

Callers import from ``jiceng.orgs.services``; the split into modules is an implementation detail.
"""

from jiceng.orgs.services.committee import (
    PART_TIME_CATEGORIES,
    SINGLE_POSTS,
    add_part_time_member,
    appoint_post,
    end_part_time_member,
    end_post,
    record_vacancy,
    update_part_time_member,
    update_post,
)
from jiceng.orgs.services.counts import FULL_REFRESH_THRESHOLD, on_roster, refresh_member_counts
from jiceng.orgs.services.tree import (
    ALLOWED_PARENT_TYPES,
    ORG_AREA_MODELS,
    ORG_PATH_MODELS,
    OrgError,
    _lock_org,  # noqa: F401  (kept for the org importer)
    ancestor_org_codes,
    create_org,
    default_term_end,
    issue_code,
    lock_org,
    move_org,
    record_election,
    register_org_area_path,
    register_org_path,
    update_org,
    validate_parent_type,
)
from jiceng.orgs.services.units import (
    create_department,
    create_resident_unit,
    update_department,
    update_resident_unit,
)

__all__ = [
    "ALLOWED_PARENT_TYPES",
    "FULL_REFRESH_THRESHOLD",
    "ORG_AREA_MODELS",
    "ORG_PATH_MODELS",
    "PART_TIME_CATEGORIES",
    "SINGLE_POSTS",
    "OrgError",
    "add_part_time_member",
    "ancestor_org_codes",
    "appoint_post",
    "create_department",
    "create_org",
    "create_resident_unit",
    "default_term_end",
    "end_part_time_member",
    "end_post",
    "issue_code",
    "lock_org",
    "move_org",
    "on_roster",
    "record_election",
    "record_vacancy",
    "refresh_member_counts",
    "register_org_area_path",
    "register_org_path",
    "update_department",
    "update_org",
    "update_part_time_member",
    "update_post",
    "update_resident_unit",
    "validate_parent_type",
]

"""Roles are code-defined permission sets (DESIGN.md §1).

A role is granted on an area node by a ``RoleAssignment`` and covers that node's subtree.
Permissions are named like Django's: ``<app>.<action>_<model>``. Later apps add their
permissions to the roles here, so this file is the one table of who may do what.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    level_hint: str
    permissions: frozenset[str] = field(default_factory=frozenset)
    description: str = ""


AREA_VIEW = "areas.view_area"
AREA_CHANGE = "areas.change_area"
AREA_ADD = "areas.add_area"
AREA_MOVE = "areas.move_area"
AUDIT_VIEW = "accounts.view_auditlog"

ORG_VIEW = "orgs.view_org"
ORG_CHANGE = "orgs.change_org"
ORG_ADD = "orgs.add_org"
UNIT_VIEW = "orgs.view_residentunit"
UNIT_CHANGE = "orgs.change_residentunit"
DEPARTMENT_VIEW = "orgs.view_department"
DEPARTMENT_CHANGE = "orgs.change_department"
MEMBER_VIEW = "members.view_member"
MEMBER_CHANGE = "members.change_member"
MEMBER_ADD = "members.add_member"
# Full ID number and phone; every full view is audited. Roles without it see masked values.
MEMBER_PII = "members.view_pii_member"
MEMBER_IMPORT = "members.import_member"
MEMBER_EXPORT = "members.export_member"
TRANSFER_VIEW = "members.view_transfer"
TRANSFER_CHANGE = "members.change_transfer"
DUES_VIEW = "members.view_duespayment"
DUES_ADD = "members.add_duespayment"

# 民呼我应 (appeals). A department handler's grant is on its department: it sees the appeals
# assigned to it and those it is summoned to (吹哨), never the rest of the district.
APPEAL_VIEW = "appeals.view_appeal"
APPEAL_ADD = "appeals.add_appeal"  # record on behalf of a resident (网格员代录, 热线, 上级转办)
APPEAL_DISPATCH = "appeals.dispatch_appeal"  # 派单, 改派, 延期审批, 回访, 办结, 重办, 合并, 撤销
APPEAL_HANDLE = "appeals.handle_appeal"  # 签收, 办理, 答复, 退单, 申请延期
APPEAL_SUPERVISE = "appeals.supervise_appeal"  # 挂牌督办
APPEAL_REPORTER = "appeals.view_reporter_appeal"  # the reporter's name and phone in full
APPEAL_EXPORT = "appeals.export_appeal"
CATEGORY_CHANGE = "appeals.change_category"  # the service catalogue
WHISTLE_VIEW = "appeals.view_whistle"
WHISTLE_ADD = "appeals.add_whistle"  # 吹哨
SUMMONS_VIEW = "appeals.view_whistlesummons"
SUMMONS_REPORT = "appeals.report_whistlesummons"  # 报到, 反馈
SUMMONS_RATE = "appeals.rate_whistlesummons"  # the street's rating of a department

_APPEALS_READ = {APPEAL_VIEW, APPEAL_REPORTER, APPEAL_EXPORT, WHISTLE_VIEW, SUMMONS_VIEW}
_APPEALS_DISPATCH = _APPEALS_READ | {APPEAL_ADD, APPEAL_DISPATCH, APPEAL_HANDLE}
_APPEALS_WHISTLE = {WHISTLE_ADD, SUMMONS_RATE}
_APPEALS_SUPERVISE = _APPEALS_DISPATCH | {APPEAL_SUPERVISE}

_MANAGE_AREAS = {AREA_VIEW, AREA_CHANGE, AREA_ADD, AREA_MOVE, AUDIT_VIEW}
_MANAGE_ORGS = {ORG_VIEW, ORG_CHANGE, ORG_ADD, UNIT_VIEW, UNIT_CHANGE, DEPARTMENT_VIEW, DEPARTMENT_CHANGE}
_MANAGE_MEMBERS = {
    MEMBER_VIEW,
    MEMBER_CHANGE,
    MEMBER_ADD,
    MEMBER_PII,
    MEMBER_IMPORT,
    MEMBER_EXPORT,
    TRANSFER_VIEW,
    TRANSFER_CHANGE,
    DUES_VIEW,
    DUES_ADD,
}
_OFFICE = _MANAGE_AREAS | _MANAGE_ORGS | _MANAGE_MEMBERS

ROLES: dict[str, Role] = {
    role.key: role
    for role in [
        Role(
            "city_org",
            "市委组织部",
            "city",
            frozenset(_OFFICE | _APPEALS_SUPERVISE | {CATEGORY_CHANGE}),
            "看到全市；制定规则、标准和指标；考核各区。",
        ),
        Role(
            "district_org",
            "区委组织部",
            "district",
            frozenset(_OFFICE | _APPEALS_SUPERVISE),
            "同上，限本区。",
        ),
        Role(
            "street",
            "街道党工委",
            "street",
            frozenset(_OFFICE | _APPEALS_DISPATCH | _APPEALS_WHISTLE),
            "派单、吹哨、评价职能部门；管理本街道区划与网格。",
        ),
        Role(
            "community",
            "社区党委",
            "community",
            frozenset(
                {AREA_VIEW, AREA_CHANGE, AREA_ADD, AUDIT_VIEW}
                | _MANAGE_ORGS
                | _MANAGE_MEMBERS
                | _APPEALS_DISPATCH
                | _APPEALS_WHISTLE
            ),
            "管理本社区的组织、党员、网格、清单、会议和诉求。",
        ),
        Role(
            "branch_secretary",
            "党支部书记",
            "org",
            frozenset({ORG_VIEW, ORG_CHANGE} | _MANAGE_MEMBERS),
            "管理本支部（及所属党小组）的党员、发展、组织关系转接和党费。授予在党组织上。",
        ),
        Role(
            "grid_worker",
            "网格员",
            "grid",
            frozenset({AREA_VIEW, ORG_VIEW, MEMBER_VIEW, APPEAL_VIEW, APPEAL_ADD, APPEAL_HANDLE, APPEAL_REPORTER}),
            "在手机上现场受理、代居民登记诉求、签收办理和答复；查看本网格楼栋信息。党员信息脱敏显示。",
        ),
        Role(
            "department",
            "职能部门",
            "district",
            frozenset(
                {
                    AREA_VIEW,
                    DEPARTMENT_VIEW,
                    APPEAL_VIEW,
                    APPEAL_HANDLE,
                    APPEAL_EXPORT,
                    WHISTLE_VIEW,
                    SUMMONS_VIEW,
                    SUMMONS_REPORT,
                }
            ),
            "接收吹哨、报到，办理和答复诉求。授予在职能部门上：只看到派给本部门和召集本部门的诉求。",
        ),
        Role("member", "党员", "community", frozenset(), "参加组织生活、双报到、认领、志愿服务、交纳党费。"),
        Role("unit_contact", "驻区单位联络人", "community", frozenset(), "共驻共建、认领项目、提供资源。"),
        Role(
            "resident",
            "居民",
            "community",
            frozenset(),
            "提交诉求、评价答复、微心愿、预约。只看到本人提交的诉求。",
        ),
    ]
}

ROLE_CHOICES = [(role.key, role.label) for role in ROLES.values()]


def permissions_of(role_key: str) -> frozenset[str]:
    role = ROLES.get(role_key)
    return role.permissions if role else frozenset()


def roles_holding(permission: str) -> list[str]:
    """Keys of the roles whose permission set includes ``permission``."""
    return [key for key, role in ROLES.items() if permission in role.permissions]

"""Role permission sets are built from what the apps register; they are today's sets exactly.

``BEFORE`` is the role → permission table of accounts/roles.py as it was written by hand before the
apps declared their own permissions (computed from that file, not from the registries), so the
move to registries is proven not to change who may do what.
"""

import pytest
from django.core.exceptions import ImproperlyConfigured

from jiceng.accounts.roles import CATALOGUE, ROLE_CHOICES, ROLES, build_roles, permissions_of, roles_holding
from jiceng.core import registry

BEFORE = {
    "city_org": {
        "accounts.view_auditlog",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.add_roleassignment",
        "appeals.add_appeal",
        "appeals.change_category",
        "appeals.dispatch_appeal",
        "appeals.export_appeal",
        "appeals.handle_appeal",
        "appeals.supervise_appeal",
        "appeals.view_appeal",
        "appeals.view_reporter_appeal",
        "appeals.view_whistle",
        "appeals.view_whistlesummons",
        "areas.add_area",
        "areas.change_area",
        "areas.move_area",
        "areas.view_area",
        "members.add_duespayment",
        "members.add_member",
        "members.change_member",
        "members.change_transfer",
        "members.export_member",
        "members.import_member",
        "members.view_duespayment",
        "members.view_member",
        "members.view_pii_member",
        "members.view_transfer",
        "orgs.add_org",
        "orgs.change_department",
        "orgs.change_org",
        "orgs.change_residentunit",
        "orgs.view_department",
        "orgs.view_org",
        "orgs.view_residentunit",
    },
    "district_org": {
        "accounts.view_auditlog",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.add_roleassignment",
        "appeals.add_appeal",
        "appeals.dispatch_appeal",
        "appeals.export_appeal",
        "appeals.handle_appeal",
        "appeals.supervise_appeal",
        "appeals.view_appeal",
        "appeals.view_reporter_appeal",
        "appeals.view_whistle",
        "appeals.view_whistlesummons",
        "areas.add_area",
        "areas.change_area",
        "areas.move_area",
        "areas.view_area",
        "members.add_duespayment",
        "members.add_member",
        "members.change_member",
        "members.change_transfer",
        "members.export_member",
        "members.import_member",
        "members.view_duespayment",
        "members.view_member",
        "members.view_pii_member",
        "members.view_transfer",
        "orgs.add_org",
        "orgs.change_department",
        "orgs.change_org",
        "orgs.change_residentunit",
        "orgs.view_department",
        "orgs.view_org",
        "orgs.view_residentunit",
    },
    "street": {
        "accounts.view_auditlog",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.add_roleassignment",
        "appeals.add_appeal",
        "appeals.add_whistle",
        "appeals.dispatch_appeal",
        "appeals.export_appeal",
        "appeals.handle_appeal",
        "appeals.rate_whistlesummons",
        "appeals.view_appeal",
        "appeals.view_reporter_appeal",
        "appeals.view_whistle",
        "appeals.view_whistlesummons",
        "areas.add_area",
        "areas.change_area",
        "areas.move_area",
        "areas.view_area",
        "members.add_duespayment",
        "members.add_member",
        "members.change_member",
        "members.change_transfer",
        "members.export_member",
        "members.import_member",
        "members.view_duespayment",
        "members.view_member",
        "members.view_pii_member",
        "members.view_transfer",
        "orgs.add_org",
        "orgs.change_department",
        "orgs.change_org",
        "orgs.change_residentunit",
        "orgs.view_department",
        "orgs.view_org",
        "orgs.view_residentunit",
    },
    "community": {
        "accounts.view_auditlog",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.add_roleassignment",
        "appeals.add_appeal",
        "appeals.add_whistle",
        "appeals.dispatch_appeal",
        "appeals.export_appeal",
        "appeals.handle_appeal",
        "appeals.rate_whistlesummons",
        "appeals.view_appeal",
        "appeals.view_reporter_appeal",
        "appeals.view_whistle",
        "appeals.view_whistlesummons",
        "areas.add_area",
        "areas.change_area",
        "areas.view_area",
        "members.add_duespayment",
        "members.add_member",
        "members.change_member",
        "members.change_transfer",
        "members.export_member",
        "members.import_member",
        "members.view_duespayment",
        "members.view_member",
        "members.view_pii_member",
        "members.view_transfer",
        "orgs.add_org",
        "orgs.change_department",
        "orgs.change_org",
        "orgs.change_residentunit",
        "orgs.view_department",
        "orgs.view_org",
        "orgs.view_residentunit",
    },
    "branch_secretary": {
        "members.add_duespayment",
        "members.add_member",
        "members.change_member",
        "members.change_transfer",
        "members.export_member",
        "members.import_member",
        "members.view_duespayment",
        "members.view_member",
        "members.view_pii_member",
        "members.view_transfer",
        "orgs.change_org",
        "orgs.view_org",
    },
    "grid_worker": {
        "appeals.add_appeal",
        "appeals.handle_appeal",
        "appeals.view_appeal",
        "appeals.view_reporter_appeal",
        "areas.view_area",
        "members.view_member",
        "orgs.view_org",
    },
    "department": {
        "appeals.export_appeal",
        "appeals.handle_appeal",
        "appeals.report_whistlesummons",
        "appeals.view_appeal",
        "appeals.view_whistle",
        "appeals.view_whistlesummons",
        "areas.view_area",
        "orgs.view_department",
    },
    "member": set(),
    "unit_contact": set(),
    "resident": set(),
}

# key: (label, level hint, description), in the catalogue's order.
CATALOGUE_BEFORE = {
    "city_org": ("市委组织部", "city", "看到全市；制定规则、标准和指标；考核各区。"),
    "district_org": ("区委组织部", "district", "同上，限本区。"),
    "street": ("街道党工委", "street", "派单、吹哨、评价职能部门；管理本街道区划与网格。"),
    "community": ("社区党委", "community", "管理本社区的组织、党员、网格、清单、会议和诉求。"),
    "branch_secretary": (
        "党支部书记",
        "org",
        "管理本支部（及所属党小组）的党员、发展、组织关系转接和党费。授予在党组织上。",
    ),
    "grid_worker": (
        "网格员",
        "grid",
        "在手机上现场受理、代居民登记诉求、签收办理和答复；查看本网格楼栋信息。党员信息脱敏显示。",
    ),
    "department": (
        "职能部门",
        "district",
        "接收吹哨、报到，办理和答复诉求。授予在职能部门上：只看到派给本部门和召集本部门的诉求。",
    ),
    "member": ("党员", "community", "参加组织生活、双报到、认领、志愿服务、交纳党费。"),
    "unit_contact": ("驻区单位联络人", "community", "共驻共建、认领项目、提供资源。"),
    "resident": ("居民", "community", "提交诉求、评价答复、微心愿、预约。只看到本人提交的诉求。"),
}


# The apps the hand-written table covered; later apps (组织生活, 双报到 …) add permissions of their own,
# checked by their tests and listed in docs/hierarchy-and-permissions.md (test_roles_doc).
TABLE_APPS = {"accounts", "areas", "orgs", "members", "appeals"}


def test_role_permission_sets_are_exactly_the_hand_written_ones():
    held = {key: {p for p in role.permissions if p.split(".")[0] in TABLE_APPS} for key, role in ROLES.items()}
    assert held == BEFORE


def test_catalogue_keeps_keys_labels_hints_and_descriptions_in_order():
    assert {r.key: (r.label, r.level_hint, r.description) for r in ROLES.values()} == CATALOGUE_BEFORE
    assert list(ROLES) == list(CATALOGUE_BEFORE)
    assert [(key, label) for key, (label, _, _) in CATALOGUE_BEFORE.items()] == ROLE_CHOICES


def test_permissions_of_and_roles_holding_read_the_built_sets():
    # Later apps (微心愿, 协商议事) grant the grid worker more: the table's apps are unchanged.
    assert {p for p in permissions_of("grid_worker") if p.split(".")[0] in TABLE_APPS} == BEFORE["grid_worker"]
    assert permissions_of("no_such_role") == frozenset()
    assert roles_holding("appeals.report_whistlesummons") == ["department"]
    assert roles_holding("areas.move_area") == ["city_org", "district_org", "street"]
    # A permission some app registers but no role holds.
    assert roles_holding("appeals.import_appeal") == []


def test_every_registered_permission_is_named_like_django_and_labelled():
    names = [p.name for p in registry.permissions()]
    assert len(names) == len(set(names))
    for permission in registry.permissions():
        app_label, _, codename = permission.name.partition(".")
        assert app_label and "_" in codename, permission.name
        assert permission.label, permission.name
    # Every permission a role held before is still registered by some app.
    assert set().union(*BEFORE.values()) <= set(names)


def test_a_registry_naming_an_unknown_role_is_refused(monkeypatch):
    bad = registry.Permission("areas.view_area", "查看区划", ("city_org", "mayor"))
    monkeypatch.setattr(registry, "permissions", lambda: [bad])
    with pytest.raises(ImproperlyConfigured, match="mayor"):
        build_roles()


def test_roles_are_built_from_the_registries(monkeypatch):
    extra = registry.Permission("sample.view_thing", "查看样例", ("resident",))
    monkeypatch.setattr(registry, "permissions", lambda: [extra])
    built = build_roles()
    assert built["resident"].permissions == {"sample.view_thing"}
    assert built["city_org"].permissions == frozenset()
    assert [role.key for role in built.values()] == [role.key for role in CATALOGUE]

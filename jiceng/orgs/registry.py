"""What the party-organisation app plugs into the platform (read by jiceng.core.registry)."""

from datetime import timedelta

from jiceng.core.registry import (
    ApiRoute,
    AppRegistry,
    ExcelKind,
    Job,
    MenuEntry,
    MenuGroup,
    Metric,
    MetricSource,
    Permission,
    ScopeTree,
    StoredPath,
    UrlMount,
)

from .models import OrgType
from .permissions import (
    DEPARTMENT_CHANGE,
    DEPARTMENT_IMPORT,
    DEPARTMENT_VIEW,
    ORG_ADD,
    ORG_CHANGE,
    ORG_VIEW,
    UNIT_CHANGE,
    UNIT_IMPORT,
    UNIT_VIEW,
)

OFFICES = ("city_org", "district_org", "street", "community")

REGISTRY = AppRegistry(
    permissions=(
        Permission(ORG_VIEW, "查看党组织", (*OFFICES, "branch_secretary", "grid_worker")),
        Permission(ORG_CHANGE, "修改党组织", (*OFFICES, "branch_secretary")),
        Permission(ORG_ADD, "新增党组织", OFFICES),
        Permission(UNIT_VIEW, "查看驻区单位", OFFICES),
        Permission(UNIT_CHANGE, "维护驻区单位", OFFICES),
        Permission(DEPARTMENT_VIEW, "查看职能部门", (*OFFICES, "department")),
        Permission(DEPARTMENT_CHANGE, "维护职能部门", OFFICES),
        Permission(UNIT_IMPORT, "导入驻区单位（不开放）", ()),
        Permission(DEPARTMENT_IMPORT, "导入职能部门（不开放）", ()),
    ),
    menu_groups=(MenuGroup("orgs", "党组织", "flag"),),
    menu=(
        MenuEntry("党组织", "orgs:org_tree", ORG_VIEW, "flag", order=200, group="orgs"),
        MenuEntry("组织设置检查", "orgs:check_list", ORG_VIEW, "checklist", order=210, group="orgs"),
        MenuEntry("驻区单位", "orgs:unit_list", UNIT_VIEW, "building", order=220, group="orgs"),
        MenuEntry("职能部门", "orgs:department_list", DEPARTMENT_VIEW, "users", order=230, group="orgs"),
    ),
    jobs=(Job("jiceng.orgs.tasks.refresh_org_member_counts", timedelta(hours=24)),),
    excel_kinds=(
        ExcelKind(
            "orgs",
            "党组织",
            "jiceng.orgs.importer.ORG_SPEC",
            "jiceng.orgs.importer.import_orgs",
            "jiceng.orgs.exporter.OrgExporter",
            ORG_ADD,
            # No role holds a separate org-export right; the org list is not personal data.
            ORG_VIEW,
            order=200,
        ),
        ExcelKind(
            "resident_units",
            "驻区单位",
            "jiceng.orgs.exporter.UNIT_SPEC",
            None,
            "jiceng.orgs.exporter.ResidentUnitExporter",
            UNIT_IMPORT,
            UNIT_VIEW,
            order=210,
        ),
        ExcelKind(
            "departments",
            "职能部门",
            "jiceng.orgs.exporter.DEPARTMENT_SPEC",
            None,
            "jiceng.orgs.exporter.DepartmentExporter",
            DEPARTMENT_IMPORT,
            DEPARTMENT_VIEW,
            order=220,
        ),
    ),
    urls=(UrlMount("orgs/", "jiceng.orgs.urls"),),
    api_routes=(
        ApiRoute("orgs", "jiceng.orgs.api.OrgViewSet", "org"),
        ApiRoute("resident-units", "jiceng.orgs.api.ResidentUnitViewSet", "residentunit"),
        ApiRoute("departments", "jiceng.orgs.api.DepartmentViewSet", "department"),
    ),
    rules=("jiceng.orgs.rules",),
    scope_trees=(ScopeTree("orgs", "orgs.Org"),),
    # Area moves rewrite the anchor paths of orgs, resident units and departments.
    area_paths=(
        StoredPath("orgs.Org", "area_path"),
        StoredPath("orgs.ResidentUnit", "area_path"),
        StoredPath("orgs.Department", "area_path"),
    ),
    metric_sources=(
        MetricSource("orgs.counters", "orgs", "jiceng.orgs.metrics.counters", periodic=False),
        MetricSource("orgs.area_types", "areas", "jiceng.orgs.metrics.area_types", periodic=False),
        MetricSource("orgs.org_types", "orgs", "jiceng.orgs.metrics.org_types", periodic=False),
        MetricSource("orgs.area_findings", "areas", "jiceng.orgs.metrics.area_findings", periodic=False),
        MetricSource("orgs.org_findings", "orgs", "jiceng.orgs.metrics.org_findings", periodic=False),
    ),
    metrics=(
        Metric(
            "orgs.members",
            "党员总数",
            "人",
            "orgs.counters",
            "total_members",
            "本组织及下级组织的党员（正式党员和预备党员）。",
            ORG_VIEW,
            "党组织",
            200,
        ),
        Metric(
            "orgs.full_members",
            "正式党员",
            "人",
            "orgs.counters",
            "total_full_members",
            "本组织及下级组织的正式党员（有表决权，党章第四条）。",
            ORG_VIEW,
            "党组织",
            210,
        ),
        Metric(
            "orgs.children",
            "下级组织数",
            "个",
            "orgs.counters",
            "child_count",
            "直属下级党组织的数量。",
            ORG_VIEW,
            "党组织",
            220,
        ),
        *(
            Metric(
                f"orgs.{tree}.type_{t.value}",
                f"{t.label}数",
                "个",
                f"orgs.{tree}_types",
                f"orgs/type:{t.value}",
                f"{where}的有效{t.label}（含本组织），按《中国共产党章程》第三十条、《中国共产党支部工作条例（试行）》"
                "第五条设置的组织类型；每晚更新。",
                ORG_VIEW,
                "党组织",
                230 + i,
            )
            for tree, where in (("area", "所在区划及下级区划"), ("org", "本组织及下级组织"))
            for i, t in enumerate(OrgType)
        ),
        *(
            Metric(
                f"orgs.{tree}.findings_{severity}",
                f"组织设置{label}",
                "项",
                f"orgs.{tree}_findings",
                f"orgs/findings:{severity}",
                f"组织设置检查中“{label}”的问题数（{where}）：按《中国共产党支部工作条例（试行）》《中国共产党"
                "基层组织选举工作条例》等规定检查组织设置、任期、书记配备、应建未建和网格规模（规则见组织设置检查页）。"
                "每晚全市检查一次后更新，为截至上次检查的数字；检查页显示实时结果。",
                ORG_VIEW,
                "组织设置",
                250 + i,
                detail="jiceng.orgs.metrics.findings_url" if tree == "org" else "",
            )
            for tree, where in (
                ("area", "所在区划及下级区划的党组织、驻区单位和网格"),
                ("org", "本组织及下级组织，及其负责的驻区单位和网格"),
            )
            for i, (severity, label) in enumerate((("error", "需整改"), ("warning", "提醒")))
        ),
    ),
)

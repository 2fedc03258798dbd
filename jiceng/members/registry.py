"""What the members app plugs into the platform (read by jiceng.core.registry)."""

from datetime import timedelta

from jiceng.core.registry import (
    ApiRoute,
    AppRegistry,
    ExcelKind,
    Job,
    MenuEntry,
    MenuGroup,
    Permission,
    StoredPath,
    TodoSource,
    UrlMount,
)

from .permissions import (
    DUES_ADD,
    DUES_VIEW,
    MEMBER_ADD,
    MEMBER_CHANGE,
    MEMBER_EXPORT,
    MEMBER_IMPORT,
    MEMBER_PII,
    MEMBER_VIEW,
    TRANSFER_CHANGE,
    TRANSFER_VIEW,
)

# The offices and the branch secretary manage the roster; the grid worker only reads it (masked).
MANAGERS = ("city_org", "district_org", "street", "community", "branch_secretary")

REGISTRY = AppRegistry(
    permissions=(
        Permission(MEMBER_VIEW, "查看党员", (*MANAGERS, "grid_worker")),
        Permission(MEMBER_CHANGE, "修改党员信息", MANAGERS),
        Permission(MEMBER_ADD, "新增党员", MANAGERS),
        Permission(MEMBER_PII, "查看完整身份证号和电话", MANAGERS),
        Permission(MEMBER_IMPORT, "导入党员", MANAGERS),
        Permission(MEMBER_EXPORT, "导出党员", MANAGERS),
        Permission(TRANSFER_VIEW, "查看组织关系转接", MANAGERS),
        Permission(TRANSFER_CHANGE, "办理组织关系转接", MANAGERS),
        Permission(DUES_VIEW, "查看党费", MANAGERS),
        Permission(DUES_ADD, "登记党费", MANAGERS),
    ),
    menu_groups=(MenuGroup("members", "党员", "user"),),
    menu=(
        MenuEntry("党员", "members:member_list", MEMBER_VIEW, "user", order=300, group="members"),
        MenuEntry("发展党员", "members:pipeline", MEMBER_VIEW, "trending-up", order=310, group="members"),
        MenuEntry("组织关系转接", "members:transfer_list", TRANSFER_VIEW, "move", order=320, group="members"),
        MenuEntry("党费", "members:dues", DUES_VIEW, "yuan", order=330, group="members"),
        # The Excel page (core) lists every roster; the member roster's export right has always
        # opened it from the menu.
        MenuEntry("Excel 导入导出", "excel:home", MEMBER_EXPORT, "edit", order=900, group="system"),
    ),
    jobs=(Job("jiceng.members.tasks.expire_transfer_letters", timedelta(hours=24)),),
    excel_kinds=(
        ExcelKind(
            "members",
            "党员",
            "jiceng.members.importer.MEMBER_SPEC",
            "jiceng.members.importer.import_members",
            "jiceng.members.exporter.MemberExporter",
            MEMBER_IMPORT,
            MEMBER_EXPORT,
            order=100,
        ),
    ),
    urls=(UrlMount("members/", "jiceng.members.urls"),),
    api_routes=(
        ApiRoute("members", "jiceng.members.api.MemberViewSet", "member"),
        ApiRoute("transfers", "jiceng.members.api.TransferViewSet", "transfer"),
    ),
    rules=("jiceng.members.dues", "jiceng.members.rules", "jiceng.members.services"),
    area_paths=(
        StoredPath("members.Member", "area_path"),
        StoredPath("members.Member", "residence_path"),
        StoredPath("members.Transfer", "area_path"),
        StoredPath("members.Transfer", "from_area_path"),
    ),
    # Org moves rewrite the stored org paths; an org's new anchor area follows to its members.
    org_paths=(
        StoredPath("members.Member", "org_path"),
        StoredPath("members.Transfer", "org_path"),
        StoredPath("members.Transfer", "from_org_path"),
    ),
    org_area_paths=(StoredPath("members.Member", "area_path", via="org"),),
    todos=(
        TodoSource(
            "members.transfer",
            "组织关系待接收",
            "jiceng.members.todos.to_accept",
            TRANSFER_CHANGE,
            "members:transfer_list",
            "members:transfer_list",
            order=300,
        ),
        TodoSource(
            "members.probation",
            "预备党员待转正",
            "jiceng.members.todos.probation_due",
            MEMBER_CHANGE,
            "members:pipeline",
            "members:pipeline",
            order=310,
        ),
    ),
)

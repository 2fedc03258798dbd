"""What the 双报到 app plugs into the platform (read by jiceng.core.registry)."""

from jiceng.core.registry import (
    ApiRoute,
    AppRegistry,
    MenuEntry,
    MenuGroup,
    Metric,
    MetricSource,
    Permission,
    StoredPath,
    TodoSource,
    UrlMount,
)

from .permissions import (
    FEEDBACK_ADD,
    FEEDBACK_VIEW,
    POST_ADD,
    POST_VIEW,
    REGISTRATION_ADD,
    REGISTRATION_CONFIRM,
    REGISTRATION_VIEW,
    SELF_REPORT,
    SERVICE_CONFIRM,
    SERVICE_VIEW,
    SIGNUP_VIEW,
    TALLY_VIEW,
)

# Offices above read everything in their subtree; the community runs it; the member's own branch
# (secretary) sees its members' registrations, services and the feedback sent to it.
READERS = ("city_org", "district_org", "street", "community", "branch_secretary")
COMMUNITY = ("street", "community")

REGISTRY = AppRegistry(
    permissions=(
        Permission(SELF_REPORT, "本人办理双报到（我的双报到）", ("member",)),
        Permission(REGISTRATION_VIEW, "查看双报到登记", READERS),
        Permission(REGISTRATION_ADD, "代党员或驻区单位登记双报到", (*COMMUNITY, "branch_secretary")),
        Permission(REGISTRATION_CONFIRM, "确认或退回双报到", COMMUNITY),
        Permission(POST_VIEW, "查看服务岗位", READERS),
        Permission(POST_ADD, "发布服务岗位", COMMUNITY),
        Permission(SIGNUP_VIEW, "查看岗位报名", READERS),
        Permission(SERVICE_VIEW, "查看双报到服务记录", READERS),
        Permission(SERVICE_CONFIRM, "登记、确认和更正服务记录", COMMUNITY),
        Permission(TALLY_VIEW, "查看双报到达标情况", READERS),
        Permission(FEEDBACK_VIEW, "查看服务情况反馈", READERS),
        Permission(FEEDBACK_ADD, "发送服务情况反馈", COMMUNITY),
    ),
    menu_groups=(MenuGroup("dualreport", "双报到", "users"),),
    menu=(
        MenuEntry("我的双报到", "dualreport:mine", SELF_REPORT, "user", order=600, group="dualreport"),
        MenuEntry(
            "报到登记", "dualreport:registration_list", REGISTRATION_VIEW, "users", order=610, group="dualreport"
        ),
        MenuEntry("服务岗位", "dualreport:post_list", POST_VIEW, "calendar", order=620, group="dualreport"),
        MenuEntry("服务记录", "dualreport:service_list", SERVICE_VIEW, "checklist", order=630, group="dualreport"),
        MenuEntry("未达标名单", "dualreport:below_target", TALLY_VIEW, "alert", order=640, group="dualreport"),
        MenuEntry("服务情况反馈", "dualreport:feedback_list", FEEDBACK_VIEW, "message", order=650, group="dualreport"),
    ),
    urls=(UrlMount("dual/", "jiceng.dualreport.urls"),),
    api_routes=(
        ApiRoute("dual-registrations", "jiceng.dualreport.api.RegistrationViewSet", "dualregistration"),
        ApiRoute("dual-posts", "jiceng.dualreport.api.ServicePostViewSet", "dualpost"),
        ApiRoute("dual-signups", "jiceng.dualreport.api.SignUpViewSet", "dualsignup"),
        ApiRoute("dual-services", "jiceng.dualreport.api.ServiceViewSet", "dualservice"),
    ),
    rules=("jiceng.dualreport.rules",),
    area_paths=(
        StoredPath("dualreport.Registration", "area_path"),
        StoredPath("dualreport.Registration", "branch_area_path"),
        StoredPath("dualreport.ServicePost", "area_path"),
        StoredPath("dualreport.SignUp", "area_path"),
        StoredPath("dualreport.SignUp", "branch_area_path"),
        StoredPath("dualreport.Service", "area_path"),
        StoredPath("dualreport.Service", "branch_area_path"),
        StoredPath("dualreport.YearTally", "area_path"),
        StoredPath("dualreport.YearTally", "branch_area_path"),
        StoredPath("dualreport.Feedback", "area_path"),
        StoredPath("dualreport.Feedback", "branch_area_path"),
    ),
    org_paths=(
        StoredPath("dualreport.Registration", "org_path"),
        StoredPath("dualreport.SignUp", "org_path"),
        StoredPath("dualreport.Service", "org_path"),
        StoredPath("dualreport.YearTally", "org_path"),
        StoredPath("dualreport.Feedback", "org_path"),
    ),
    todos=(
        TodoSource(
            "dualreport.registrations",
            "双报到待确认",
            "jiceng.dualreport.lists.registrations_to_confirm",
            REGISTRATION_CONFIRM,
            "dualreport:registration_list",
            "dualreport:registration_list",
            order=400,
        ),
        TodoSource(
            "dualreport.services",
            "服务记录待确认",
            "jiceng.dualreport.lists.services_to_confirm",
            SERVICE_CONFIRM,
            "dualreport:service_list",
            "dualreport:service_list",
            order=410,
        ),
        TodoSource(
            "dualreport.feedback",
            "收到服务情况反馈",
            "jiceng.dualreport.lists.feedback_received",
            FEEDBACK_VIEW,
            "dualreport:feedback_list",
            "dualreport:feedback_list",
            order=420,
        ),
        TodoSource(
            "dualreport.my_target",
            "双报到服务",
            "jiceng.dualreport.lists.my_target",
            SELF_REPORT,
            "dualreport:mine",
            "dualreport:mine",
            order=430,
        ),
    ),
    metric_sources=(
        MetricSource("dualreport.area_months", "areas", "jiceng.dualreport.metrics.area_months"),
        MetricSource("dualreport.org_months", "orgs", "jiceng.dualreport.metrics.org_months"),
    ),
    metrics=tuple(
        metric
        for tree, part, where in (
            ("area", "areas", "按服务所在社区（含上级区划汇总）"),
            ("org", "orgs", "按党员所在党组织（含下级）"),
        )
        for metric in (
            Metric(
                f"dualreport.{tree}.services",
                "双报到服务次数",
                "次",
                f"dualreport.{tree}_months",
                "dualreport/services",
                f"{where}：期内（按服务日期）经社区确认的在职党员服务次数（中办《关于组织推动机关、企事业单位党组织和"
                "在职党员到社区报到为群众服务的通知》）。",
                SERVICE_VIEW,
                "双报到",
                800,
            ),
            Metric(
                f"dualreport.{tree}.hours",
                "双报到服务时长",
                "小时",
                f"dualreport.{tree}_months",
                "jiceng.dualreport.metrics.hours",
                f"{where}：期内经社区确认的服务时长之和。",
                SERVICE_VIEW,
                "双报到",
                810,
            ),
        )
    ),
)

"""What 志愿服务 plugs into the platform (read by jiceng.core.registry)."""

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
    ACTIVITY_ADD,
    ACTIVITY_VIEW,
    HOURS_APPROVE,
    HOURS_VIEW,
    SIGNUP_VIEW,
    TAKE_PART,
    TEAM_ADD,
    TEAM_VIEW,
    VOLUNTEER_VIEW,
)

# Offices above read their subtree; the community (and the street) runs teams and activities.
READERS = ("city_org", "district_org", "street", "community")
COMMUNITY = ("street", "community")

REGISTRY = AppRegistry(
    permissions=(
        Permission(TEAM_VIEW, "查看志愿服务队", READERS),
        Permission(TEAM_ADD, "成立志愿服务队、登记志愿者", COMMUNITY),
        Permission(VOLUNTEER_VIEW, "查看志愿者", READERS),
        Permission(ACTIVITY_VIEW, "查看志愿服务活动", READERS),
        Permission(ACTIVITY_ADD, "发布志愿服务活动、组织签到", COMMUNITY),
        Permission(SIGNUP_VIEW, "查看活动报名", READERS),
        Permission(HOURS_VIEW, "查看志愿服务时长", READERS),
        Permission(HOURS_APPROVE, "审核志愿服务时长", COMMUNITY),
        Permission(TAKE_PART, "参加志愿服务（报名、扫码签到、申报时长）", ("member", "resident")),
    ),
    menu_groups=(MenuGroup("volunteers", "志愿服务", "users"),),
    menu=(
        MenuEntry("我的志愿服务", "volunteers:mine", TAKE_PART, "user", order=800, group="volunteers"),
        MenuEntry("志愿服务队", "volunteers:team_list", TEAM_VIEW, "users", order=810, group="volunteers"),
        MenuEntry("志愿服务活动", "volunteers:activity_list", ACTIVITY_VIEW, "calendar", order=820, group="volunteers"),
        MenuEntry("时长审核", "volunteers:hours_list", HOURS_VIEW, "checklist", order=830, group="volunteers"),
    ),
    urls=(UrlMount("volunteers/", "jiceng.volunteers.urls"),),
    api_routes=(
        ApiRoute("volunteer-teams", "jiceng.volunteers.api.TeamViewSet", "volunteerteam"),
        ApiRoute("volunteer-activities", "jiceng.volunteers.api.ActivityViewSet", "volunteeractivity"),
        ApiRoute("volunteer-signups", "jiceng.volunteers.api.SignUpViewSet", "volunteersignup"),
        ApiRoute("volunteer-hours", "jiceng.volunteers.api.HoursViewSet", "volunteerhours"),
    ),
    rules=("jiceng.volunteers.rules",),
    area_paths=(
        StoredPath("volunteers.Volunteer", "area_path"),
        StoredPath("volunteers.Team", "area_path"),
        StoredPath("volunteers.Activity", "area_path"),
        StoredPath("volunteers.SignUp", "area_path"),
        StoredPath("volunteers.HoursRecord", "area_path"),
        StoredPath("volunteers.HoursMonth", "path"),
    ),
    org_paths=(StoredPath("volunteers.Team", "org_path"),),
    todos=(
        TodoSource(
            "volunteers.hours",
            "志愿服务时长待审核",
            "jiceng.volunteers.todos.hours_to_approve",
            HOURS_APPROVE,
            "volunteers:hours_list",
            "volunteers:hours_list",
            order=700,
        ),
        TodoSource(
            "volunteers.signups",
            "活动报名待确认",
            "jiceng.volunteers.todos.signups_to_confirm",
            TAKE_PART,
            "volunteers:mine",
            "volunteers:mine",
            order=710,
        ),
    ),
    metric_sources=(MetricSource("volunteers.area_months", "areas", "jiceng.volunteers.metrics.area_months"),),
    metrics=(
        Metric(
            "volunteers.hours",
            "志愿服务时长",
            "小时",
            "volunteers.area_months",
            "hours",
            "本区划内社区志愿者经审核的志愿服务时长（签到签退核定或本人申报经社区审核），按服务日期所在月份计"
            "（《志愿服务条例》第十九条：志愿服务组织应如实记录志愿服务时间）。",
            HOURS_VIEW,
            "志愿服务",
            700,
        ),
        Metric(
            "volunteers.records",
            "志愿服务人次",
            "人次",
            "volunteers.area_months",
            "records",
            "经审核的志愿服务时长记录条数，按服务日期所在月份计。",
            HOURS_VIEW,
            "志愿服务",
            710,
        ),
    ),
)

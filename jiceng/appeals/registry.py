"""What the appeals app (民呼我应) plugs into the platform (read by jiceng.core.registry)."""

from datetime import timedelta

from jiceng.core.registry import (
    ApiRoute,
    AppRegistry,
    CachedTable,
    ExcelKind,
    Inbox,
    Job,
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
    APPEAL_ADD,
    APPEAL_DISPATCH,
    APPEAL_EXPORT,
    APPEAL_HANDLE,
    APPEAL_IMPORT,
    APPEAL_REPORTER,
    APPEAL_SUPERVISE,
    APPEAL_VIEW,
    CATEGORY_CHANGE,
    SUMMONS_RATE,
    SUMMONS_REPORT,
    SUMMONS_VIEW,
    WHISTLE_ADD,
    WHISTLE_VIEW,
)

# The offices that dispatch (city and district also supervise; street and community blow the whistle).
DISPATCHERS = ("city_org", "district_org", "street", "community")
SUPERVISORS = ("city_org", "district_org")
WHISTLERS = ("street", "community")

TODOS = "jiceng.appeals.todos"
QUEUE, BENCH, DESK, WHISTLES = "appeals:queue", "appeals:workbench", "appeals:department_desk", "appeals:whistle_list"

METRICS = "jiceng.appeals.metrics"
SOURCE = "appeals.area_months"
GROUP = "民呼我应"
DEPARTMENTS = "appeals.department_months"
DEPARTMENT_GROUP = "吹哨报到"
IN_SUBTREE = "所在区划（含下级）的职能部门"

REGISTRY = AppRegistry(
    permissions=(
        Permission(APPEAL_VIEW, "查看诉求", (*DISPATCHERS, "grid_worker", "department")),
        Permission(APPEAL_ADD, "代居民登记诉求", (*DISPATCHERS, "grid_worker")),
        Permission(APPEAL_DISPATCH, "派单、改派、延期审批、回访、办结、重办、合并、撤销", DISPATCHERS),
        Permission(APPEAL_HANDLE, "签收、办理、答复、退单、申请延期", (*DISPATCHERS, "grid_worker", "department")),
        Permission(APPEAL_SUPERVISE, "挂牌督办", SUPERVISORS),
        Permission(APPEAL_REPORTER, "查看诉求人完整姓名和电话", (*DISPATCHERS, "grid_worker")),
        Permission(APPEAL_EXPORT, "导出诉求工单", (*DISPATCHERS, "department")),
        Permission(APPEAL_IMPORT, "导入诉求工单（不开放）", ()),
        Permission(CATEGORY_CHANGE, "维护诉求分类目录", ("city_org",)),
        Permission(WHISTLE_VIEW, "查看吹哨记录", (*DISPATCHERS, "department")),
        Permission(WHISTLE_ADD, "吹哨", WHISTLERS),
        Permission(SUMMONS_VIEW, "查看报到和部门考核", (*DISPATCHERS, "department")),
        Permission(SUMMONS_REPORT, "报到、反馈", ("department",)),
        Permission(SUMMONS_RATE, "评价职能部门", WHISTLERS),
    ),
    menu_groups=(MenuGroup("appeals", "民呼我应", "message"),),
    menu=(
        MenuEntry("我的诉求", "appeals:mine", None, "message", order=400, group="appeals"),
        MenuEntry("诉求工作台", "appeals:workbench", APPEAL_HANDLE, "checklist", order=410, group="appeals"),
        MenuEntry("诉求派单", "appeals:queue", APPEAL_DISPATCH, "map-pin", order=420, group="appeals"),
        MenuEntry("诉求地图", "appeals:map", APPEAL_VIEW, "map", order=425, group="appeals"),
        MenuEntry("吹哨报到", "appeals:department_desk", SUMMONS_REPORT, "alert", order=430, group="appeals"),
        MenuEntry("吹哨记录", "appeals:whistle_list", WHISTLE_VIEW, "flag", order=440, group="appeals"),
        MenuEntry("部门考核", "appeals:scorecard", SUMMONS_VIEW, "trending-up", order=450, group="appeals"),
        MenuEntry("三率统计", "appeals:rates", APPEAL_DISPATCH, "chart", order=460, group="appeals"),
    ),
    jobs=(
        # Overdue flags, reminders and summons escalation (30-minute report limits need a short interval).
        Job("jiceng.appeals.tasks.scan_appeal_deadlines", timedelta(minutes=2)),
        Job("jiceng.appeals.tasks.close_unrated_appeals", timedelta(hours=24)),
    ),
    excel_kinds=(
        ExcelKind(
            "appeals",
            "诉求工单",
            "jiceng.appeals.exporter.APPEAL_SPEC",
            None,
            "jiceng.appeals.exporter.AppealExporter",
            APPEAL_IMPORT,
            APPEAL_EXPORT,
            order=300,
        ),
    ),
    urls=(
        UrlMount("appeals/", "jiceng.appeals.urls"),
        UrlMount("open311/v2/", "jiceng.appeals.open311.urls"),
    ),
    api_routes=(
        ApiRoute("appeals", "jiceng.appeals.api.AppealViewSet", "appeal"),
        ApiRoute("appeal-events", "jiceng.appeals.api.AppealEventViewSet", "appealevent"),
        ApiRoute("appeal-rates", "jiceng.appeals.api.AppealRateViewSet", "appealrate"),
        ApiRoute("whistles", "jiceng.appeals.api.WhistleViewSet", "whistle"),
        ApiRoute("whistle-summons", "jiceng.appeals.api.WhistleSummonsViewSet", "whistlesummons"),
    ),
    rules=("jiceng.appeals.rules",),
    # Area moves rewrite the denormalised paths, and the moved nodes' rate rows follow them. The
    # timeline keeps the path an event happened at, like the audit log (no index there to rewrite
    # 35 M rows by); stats.rebuild() reads the appeals' current paths.
    area_paths=(
        StoredPath("appeals.Appeal", "area_path"),
        StoredPath("appeals.Whistle", "area_path"),
        StoredPath("appeals.WhistleSummons", "area_path"),
        StoredPath("appeals.AreaStat", "path"),
    ),
    cached_tables=(CachedTable("jiceng.appeals.intake.CATALOGUE", ("appeals.Category",)),),
    todos=(
        TodoSource("appeals.dispatch", "待派单", f"{TODOS}.to_dispatch", APPEAL_DISPATCH, QUEUE, QUEUE, order=100),
        TodoSource("appeals.sign", "待签收", f"{TODOS}.to_sign", APPEAL_HANDLE, BENCH, BENCH, order=110),
        TodoSource("appeals.answer", "待答复", f"{TODOS}.to_answer", APPEAL_HANDLE, BENCH, BENCH, order=120),
        TodoSource(
            "appeals.extension", "延期待审批", f"{TODOS}.to_decide_extension", APPEAL_DISPATCH, QUEUE, QUEUE, order=130
        ),
        TodoSource("appeals.callback", "待回访", f"{TODOS}.to_call_back", APPEAL_DISPATCH, QUEUE, QUEUE, order=140),
        TodoSource("appeals.report", "吹哨待报到", f"{TODOS}.to_report", SUMMONS_REPORT, DESK, DESK, order=150),
        TodoSource("appeals.rate", "待评价部门", f"{TODOS}.to_rate", SUMMONS_RATE, WHISTLES, WHISTLES, order=160),
    ),
    inboxes=(Inbox("jiceng.appeals.inbox.unread", "appeals:notifications"),),
    metric_sources=(
        MetricSource("appeals.area_months", "areas", f"{METRICS}.area_months"),
        MetricSource("appeals.department_months", "areas", f"{METRICS}.department_months"),
    ),
    metrics=(
        Metric(
            "appeals.received",
            "受理量",
            "件",
            SOURCE,
            "received",
            "期内受理的诉求（按所在区划，含下级）。",
            APPEAL_VIEW,
            GROUP,
            300,
            detail=f"{METRICS}.received_detail",
            detail_permission=APPEAL_DISPATCH,
        ),
        Metric("appeals.closed", "办结量", "件", SOURCE, "closed", "期内办结的诉求。", APPEAL_VIEW, GROUP, 310),
        Metric(
            "appeals.overdue",
            "超期量",
            "件",
            SOURCE,
            "overdue",
            "期内答复超过办理时限的诉求。",
            APPEAL_VIEW,
            GROUP,
            320,
        ),
        Metric(
            "appeals.response_rate",
            "响应率",
            "%",
            SOURCE,
            f"{METRICS}.response_rate",
            "按时签收 ÷ 签收（docs/appeals-rates.md；南京“民呼我应”三率考核）。",
            APPEAL_VIEW,
            GROUP,
            330,
            percent=True,
        ),
        Metric(
            "appeals.resolution_rate",
            "解决率",
            "%",
            SOURCE,
            f"{METRICS}.resolution_rate",
            "评价“解决” ÷ 有效回访（docs/appeals-rates.md）。",
            APPEAL_VIEW,
            GROUP,
            340,
            percent=True,
        ),
        Metric(
            "appeals.satisfaction_rate",
            "满意率",
            "%",
            SOURCE,
            f"{METRICS}.satisfaction_rate",
            "（满意 + 基本满意）÷ 有效回访（docs/appeals-rates.md）。",
            APPEAL_VIEW,
            GROUP,
            350,
            percent=True,
        ),
        Metric(
            "appeals.composite",
            "综合得分",
            "分",
            SOURCE,
            f"{METRICS}.composite",
            "三率加权（规则 appeals.rate_weights），缺分母的部分不计入（docs/appeals-rates.md）。",
            APPEAL_VIEW,
            GROUP,
            360,
        ),
        Metric(
            "appeals.whistles", "吹哨次数", "次", SOURCE, "whistles", "本级及下级吹哨的次数。", APPEAL_VIEW, GROUP, 370
        ),
        # 部门考核 along the area tree: the departments located in the node's subtree, summed.
        Metric(
            "appeals.department_summons",
            "部门被召集次数",
            "次",
            DEPARTMENTS,
            "summons",
            f"{IN_SUBTREE}期内被吹哨召集的次数（“街道吹哨、部门报到”）。",
            SUMMONS_VIEW,
            DEPARTMENT_GROUP,
            380,
        ),
        Metric(
            "appeals.department_on_time",
            "部门按时报到率",
            "%",
            DEPARTMENTS,
            f"{METRICS}.summons_on_time_rate",
            f"{IN_SUBTREE}按时报到 ÷ 被召集（报到时限：规则 appeals.whistle_report_minutes）。",
            SUMMONS_VIEW,
            DEPARTMENT_GROUP,
            385,
            percent=True,
        ),
        Metric(
            "appeals.department_rating",
            "部门平均评价分",
            "分",
            DEPARTMENTS,
            f"{METRICS}.summons_average_rating",
            f"{IN_SUBTREE}吹哨方对部门报到、反馈的评价分平均值（分值范围：规则 appeals.summons_rating_scale）。",
            SUMMONS_VIEW,
            DEPARTMENT_GROUP,
            390,
        ),
        Metric(
            "appeals.department_score",
            "部门考核得分",
            "分",
            DEPARTMENTS,
            f"{METRICS}.department_score",
            f"{IN_SUBTREE}主办诉求的三率与报到情况加权（规则 appeals.department_rate_weights），"
            "同“部门考核”页；数据不足以排名时不计分。",
            SUMMONS_VIEW,
            DEPARTMENT_GROUP,
            395,
        ),
    ),
)

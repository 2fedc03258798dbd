"""What the organisational-life app plugs into the platform (read by jiceng.core.registry)."""

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
    OrgCheck,
    Permission,
    StoredPath,
    TodoSource,
    UrlMount,
)

from .models import MeetingType
from .permissions import (
    ATTENDANCE_VIEW,
    EXEMPTION_DECIDE,
    EXEMPTION_VIEW,
    GROUP_MEMBER_VIEW,
    HELD_IMPORT,
    HELD_VIEW,
    MAKEUP_VIEW,
    MEETING_ADD,
    MEETING_ATTEND,
    MEETING_CHANGE,
    MEETING_VIEW,
    MINUTES_REVIEW,
    PLAN_VIEW,
)

# The offices and the branch secretary plan and run meetings; the street and above review minutes.
MANAGERS = ("city_org", "district_org", "street", "community", "branch_secretary")
REVIEWERS = ("city_org", "district_org", "street")
# A branch's exemption from the compliance check is decided by a higher org (its community and up).
DECIDERS = ("city_org", "district_org", "street", "community")

_M = "jiceng.orglife.metrics"


def _orglife_metrics(tree: str) -> tuple:
    """Meetings held by type and the monthly types' branch-month rates, on one tree."""
    source = f"orglife.{'area' if tree == 'areas' else 'org'}_months"
    prefix = f"orglife.{'area' if tree == 'areas' else 'org'}"
    where = "按党组织所在区划（含下级）" if tree == "areas" else "按党组织（含下级）"
    basis = "《中国共产党支部工作条例（试行）》第十八条、第十九条"
    held = [
        Metric(
            f"{prefix}.held_{t.value}",
            f"{t.label}召开次数",
            "次",
            source,
            f"orglife/held:{t.value}",
            f"{where}：期内结束（已召开）的{t.label}次数；一次会议兼作多类会议的，每类各计一次（同落实情况表）。",
            MEETING_VIEW,
            "组织生活",
            700 + i,
        )
        for i, t in enumerate(
            (MeetingType.CONGRESS, MeetingType.COMMITTEE, MeetingType.GROUP, MeetingType.LECTURE, MeetingType.THEME_DAY)
        )
    ]
    rates = [
        Metric(
            f"{prefix}.rate_{t.value}",
            f"{t.label}按月召开率",
            "%",
            source,
            f"{_M}.rate_{t.value}",
            f"{where}：期内召开了{t.label}的“支部·月”数 ÷（现有党支部数 × 月数）；{basis}规定按月召开。"
            "党支部数为现有有效党支部（含联合、临时），每晚更新。",
            MEETING_VIEW,
            "组织生活",
            720 + i,
            percent=True,
        )
        for i, t in enumerate((MeetingType.COMMITTEE, MeetingType.GROUP, MeetingType.THEME_DAY))
    ]
    return (*held, *rates)


REGISTRY = AppRegistry(
    permissions=(
        Permission(MEETING_VIEW, "查看组织生活", MANAGERS),
        Permission(MEETING_ADD, "安排会议", MANAGERS),
        Permission(MEETING_CHANGE, "主持会议、签到、纪要", MANAGERS),
        Permission(MINUTES_REVIEW, "审核会议纪要", REVIEWERS),
        Permission(ATTENDANCE_VIEW, "查看出席情况", MANAGERS),
        Permission(MAKEUP_VIEW, "查看补学", MANAGERS),
        Permission(PLAN_VIEW, "查看组织生活计划", MANAGERS),
        Permission(HELD_VIEW, "查看组织生活召开情况", MANAGERS),
        Permission(GROUP_MEMBER_VIEW, "查看党小组成员", MANAGERS),
        # Nothing imports the compliance facts: the Excel kind's import permission is held by no role.
        Permission(HELD_IMPORT, "导入组织生活落实情况（不开放）", ()),
        Permission(EXEMPTION_VIEW, "查看免于考核申请", MANAGERS),
        Permission(EXEMPTION_DECIDE, "审批免于考核（上级党组织）", DECIDERS),
        Permission(MEETING_ATTEND, "参加会议（我的会议、扫码签到、补学）", ("member",)),
    ),
    menu_groups=(MenuGroup("orglife", "组织生活", "calendar"),),
    menu=(
        MenuEntry("会议", "orglife:meeting_list", MEETING_VIEW, "calendar", order=400, group="orglife"),
        MenuEntry("安排会议", "orglife:meeting_add", MEETING_ADD, "plus", order=410, group="orglife"),
        MenuEntry("落实情况", "orglife:compliance", HELD_VIEW, "chart", order=425, group="orglife"),
        MenuEntry("免于考核", "orglife:exemption_list", EXEMPTION_VIEW, "checklist", order=427, group="orglife"),
        MenuEntry("年度计划", "orglife:plan_add", MEETING_ADD, "checklist", order=420, group="orglife"),
        MenuEntry("我的会议", "orglife:my_meetings", MEETING_ATTEND, "calendar", order=430, group="orglife"),
        MenuEntry("我的签到码", "orglife:my_code", MEETING_ATTEND, "user", order=440, group="orglife"),
        MenuEntry("我的补学", "orglife:my_makeup", MEETING_ATTEND, "checklist", order=450, group="orglife"),
    ),
    urls=(UrlMount("orglife/", "jiceng.orglife.urls"),),
    api_routes=(
        ApiRoute("meetings", "jiceng.orglife.api.MeetingViewSet", "meeting"),
        ApiRoute("attendances", "jiceng.orglife.api.AttendanceViewSet", "attendance"),
        ApiRoute("orglife-exemptions", "jiceng.orglife.api.ExemptionViewSet", "orglifeexemption"),
        ApiRoute("meeting-backfills", "jiceng.orglife.api.BackfillViewSet", "meetingbackfill"),
    ),
    rules=("jiceng.orglife.rules",),
    area_paths=(
        StoredPath("orglife.Meeting", "area_path"),
        StoredPath("orglife.RecurringPlan", "area_path"),
        StoredPath("orglife.HeldMonth", "area_path"),
        StoredPath("orglife.Exemption", "area_path"),
    ),
    org_paths=(
        StoredPath("orglife.Meeting", "org_path"),
        StoredPath("orglife.RecurringPlan", "org_path"),
        StoredPath("orglife.HeldMonth", "org_path"),
        StoredPath("orglife.Exemption", "org_path"),
    ),
    org_area_paths=(
        StoredPath("orglife.Meeting", "area_path", via="org"),
        StoredPath("orglife.RecurringPlan", "area_path", via="org"),
        StoredPath("orglife.HeldMonth", "area_path", via="org"),
        StoredPath("orglife.Exemption", "area_path", via="org"),
    ),
    org_checks=(
        OrgCheck(
            "jiceng.orglife.compliance.org_findings",
            (("orglife_not_held", "组织生活未召开"), ("orglife_late", "组织生活逾期召开")),
        ),
    ),
    excel_kinds=(
        ExcelKind(
            "orglife_compliance",
            "组织生活落实情况",
            "jiceng.orglife.exporter.COMPLIANCE_SPEC",
            None,
            "jiceng.orglife.exporter.ComplianceExporter",
            HELD_IMPORT,
            HELD_VIEW,
            order=420,
        ),
    ),
    jobs=(Job("jiceng.orglife.tasks.rebuild_held_facts", timedelta(hours=24)),),
    todos=(
        TodoSource(
            "orglife.makeup",
            "补学",
            "jiceng.orglife.todos.makeup",
            MEETING_ATTEND,
            "orglife:my_makeup",
            "orglife:my_makeup",
            order=400,
        ),
        TodoSource(
            "orglife.missing",
            "组织生活未召开",
            "jiceng.orglife.todos.missing_meetings",
            HELD_VIEW,
            "orglife:compliance",
            "orglife:compliance",
            order=405,
        ),
    ),
    metric_sources=(
        MetricSource("orglife.area_months", "areas", "jiceng.orglife.metrics.area_months"),
        MetricSource("orglife.org_months", "orgs", "jiceng.orglife.metrics.org_months"),
    ),
    metrics=_orglife_metrics("areas") + _orglife_metrics("orgs"),
)

"""Core reads what the apps register: the menu, the schedule, the Excel kinds, the URLs and paths.

The expected values below are what core/navigation.py, core/schedule.py, core/excel_jobs.py and
jiceng/urls.py listed by hand before the apps declared them, so the move changes nothing users see.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from jiceng.core import registry
from jiceng.core.excel_jobs import KINDS
from jiceng.core.navigation import MENU, menu_for
from jiceng.core.schedule import SCHEDULE

MENU_BEFORE = [
    ("首页", "accounts:home", None, "home"),
    ("数据看板", "dashboards:home", "dashboards.view_dashboard", "chart"),
    ("区划与网格", "areas:area_tree", "areas.view_area", "tree"),
    ("区划搜索", "areas:area_search", "areas.view_area", "search"),
    ("党组织", "orgs:org_tree", "orgs.view_org", "flag"),
    ("组织设置检查", "orgs:check_list", "orgs.view_org", "checklist"),
    ("驻区单位", "orgs:unit_list", "orgs.view_residentunit", "building"),
    ("职能部门", "orgs:department_list", "orgs.view_department", "users"),
    ("党员", "members:member_list", "members.view_member", "user"),
    ("发展党员", "members:pipeline", "members.view_member", "trending-up"),
    ("组织关系转接", "members:transfer_list", "members.view_transfer", "move"),
    ("党费", "members:dues", "members.view_duespayment", "yuan"),
    ("我的诉求", "appeals:mine", None, "message"),
    # 组织生活 (orglife) interleaves by its orders; the menu groups it under its own heading.
    ("会议", "orglife:meeting_list", "orglife.view_meeting", "calendar"),
    ("诉求工作台", "appeals:workbench", "appeals.handle_appeal", "checklist"),
    ("安排会议", "orglife:meeting_add", "orglife.add_meeting", "plus"),
    ("诉求派单", "appeals:queue", "appeals.dispatch_appeal", "map-pin"),
    ("年度计划", "orglife:plan_add", "orglife.add_meeting", "checklist"),
    ("诉求地图", "appeals:map", "appeals.view_appeal", "map"),
    ("落实情况", "orglife:compliance", "orglife.view_heldmonth", "chart"),
    ("免于考核", "orglife:exemption_list", "orglife.view_exemption", "checklist"),
    ("吹哨报到", "appeals:department_desk", "appeals.report_whistlesummons", "alert"),
    ("我的会议", "orglife:my_meetings", "orglife.attend_meeting", "calendar"),
    ("吹哨记录", "appeals:whistle_list", "appeals.view_whistle", "flag"),
    ("我的签到码", "orglife:my_code", "orglife.attend_meeting", "user"),
    ("部门考核", "appeals:scorecard", "appeals.view_whistlesummons", "trending-up"),
    ("我的补学", "orglife:my_makeup", "orglife.attend_meeting", "checklist"),
    ("三率统计", "appeals:rates", "appeals.dispatch_appeal", "chart"),
    # 民主评议党员 (appraisal).
    ("民主评议", "appraisal:round_list", "appraisal.view_round", "checklist"),
    ("我的评议", "appraisal:my_rounds", "appraisal.take_part_round", "checklist"),
    # 双报到 (dualreport), added after the move.
    ("我的双报到", "dualreport:mine", "dualreport.report_self", "user"),
    ("报到登记", "dualreport:registration_list", "dualreport.view_registration", "users"),
    ("服务岗位", "dualreport:post_list", "dualreport.view_servicepost", "calendar"),
    ("服务记录", "dualreport:service_list", "dualreport.view_service", "checklist"),
    ("未达标名单", "dualreport:below_target", "dualreport.view_yeartally", "alert"),
    ("服务情况反馈", "dualreport:feedback_list", "dualreport.view_feedback", "message"),
    # 共建清单 (cobuild).
    ("服务公告栏", "cobuild:board", "cobuild.browse_item", "home"),
    ("清单管理", "cobuild:item_list", "cobuild.view_item", "flag"),
    ("认领", "cobuild:claim_list", "cobuild.view_claim", "checklist"),
    ("我的认领", "cobuild:mine", "cobuild.add_claim", "user"),
    ("民生菜单", "cobuild:event_list", "cobuild.view_menuevent", "calendar"),
    ("清单类别", "cobuild:category_list", "cobuild.change_category", "settings"),
    # 微心愿, 共驻共建, 协商议事 under 服务群众 (issue 11).
    ("微心愿", "wishes:wish_list", "wishes.view_wish", "heart"),
    ("共建协议", "partners:agreement_list", "partners.view_agreement", "building"),
    ("协商议事", "consult:consultation_list", "consult.view_consultation", "message"),
    # 志愿服务 and 时间银行 (volunteers, timebank), one group.
    ("我的志愿服务", "volunteers:mine", "volunteers.take_part", "user"),
    ("志愿服务队", "volunteers:team_list", "volunteers.view_team", "users"),
    ("志愿服务活动", "volunteers:activity_list", "volunteers.view_activity", "calendar"),
    ("时长审核", "volunteers:hours_list", "volunteers.view_hoursrecord", "checklist"),
    ("时间银行账户", "timebank:account_list", "timebank.view_account", "chart"),
    ("兑换服务", "timebank:redeem", "timebank.add_redemption", "plus"),
    # 党员积分 (points).
    ("我的积分", "points:mine", "points.view_own", "heart"),
    ("积分记录", "points:award_list", "points.view_award", "checklist"),
    ("积分规则", "points:rules", "points.change_pointrule", "settings"),
    ("Excel 导入导出", "excel:home", "members.export_member", "edit"),
    ("用户管理", "system:user_list", "accounts.view_user", "users"),
    ("角色授权", "system:grant_list", "accounts.view_user", "lock"),
    ("部门人员", "system:department_users", "accounts.view_user", "building"),
    ("操作日志", "accounts:audit_list", "accounts.view_auditlog", "history"),
]

SCHEDULE_BEFORE = {
    ("jiceng.areas.tasks.refresh_area_rollups", timedelta(hours=24)),
    ("jiceng.members.tasks.expire_transfer_letters", timedelta(hours=24)),
    ("jiceng.core.tasks.purge_excel_files", timedelta(hours=24)),
    ("jiceng.core.tasks.fail_stalled_excel_jobs", timedelta(minutes=5)),
    ("jiceng.appeals.tasks.scan_appeal_deadlines", timedelta(minutes=2)),
    ("jiceng.appeals.tasks.close_unrated_appeals", timedelta(hours=24)),
    ("jiceng.orgs.tasks.refresh_org_member_counts", timedelta(hours=24)),
    # 组织生活's yearly roll-up of the held facts (the worker rebuilds this year's from the meetings).
    ("jiceng.orglife.tasks.rebuild_held_facts", timedelta(hours=24)),
    # Issue 12: the metrics' maintained aggregates, rebuilt nightly as a safety net.
    ("jiceng.members.tasks.rebuild_member_stats", timedelta(hours=24)),
    ("jiceng.tallies.tasks.rebuild_tallies", timedelta(hours=24)),
    ("jiceng.dashboards.tasks.snapshot_last_month", timedelta(hours=24)),
    ("jiceng.cobuild.tasks.expire_items", timedelta(hours=1)),
    ("jiceng.timebank.tasks.check_ledger", timedelta(hours=24)),
}

API_BEFORE = {
    "area": "/api/v1/areas/",
    "appeal": "/api/v1/appeals/",
    "appealevent": "/api/v1/appeal-events/",
    "appealrate": "/api/v1/appeal-rates/",
    "whistle": "/api/v1/whistles/",
    "whistlesummons": "/api/v1/whistle-summons/",
    "org": "/api/v1/orgs/",
    "residentunit": "/api/v1/resident-units/",
    "department": "/api/v1/departments/",
    "member": "/api/v1/members/",
    "transfer": "/api/v1/transfers/",
    "apitoken": "/api/v1/auth/tokens/",
    # Added after the move.
    "dualregistration": "/api/v1/dual-registrations/",
    "dualpost": "/api/v1/dual-posts/",
    "dualsignup": "/api/v1/dual-signups/",
    "dualservice": "/api/v1/dual-services/",
    "meeting": "/api/v1/meetings/",
    "attendance": "/api/v1/attendances/",
    "appraisalround": "/api/v1/appraisals/",
    "cobuilditem": "/api/v1/cobuild-items/",
    "cobuildclaim": "/api/v1/cobuild-claims/",
    "pointaward": "/api/v1/point-awards/",
    "wish": "/api/v1/wishes/",
    "partneragreement": "/api/v1/partner-agreements/",
    "consultation": "/api/v1/consultations/",
    "volunteerteam": "/api/v1/volunteer-teams/",
    "volunteeractivity": "/api/v1/volunteer-activities/",
    "volunteersignup": "/api/v1/volunteer-signups/",
    "volunteerhours": "/api/v1/volunteer-hours/",
    "timebankaccount": "/api/v1/timebank-accounts/",
    "timebankmovement": "/api/v1/timebank-movements/",
    "orglifeexemption": "/api/v1/orglife-exemptions/",
    "meetingbackfill": "/api/v1/meeting-backfills/",
    "timebankredemption": "/api/v1/timebank-redemptions/",
}


def test_menu_is_the_same_entries_in_the_same_order():
    assert [(m.label, m.url_name, m.permission, m.icon) for m in MENU] == MENU_BEFORE


def test_schedule_is_the_same_jobs():
    assert set(SCHEDULE) == SCHEDULE_BEFORE
    assert len(SCHEDULE) == len(SCHEDULE_BEFORE)


def test_excel_kinds_are_the_same_in_the_same_order():
    assert [(k.key, k.label, k.import_permission, k.export_permission) for k in KINDS.values()] == [
        ("members", "党员", "members.import_member", "members.export_member"),
        ("orgs", "党组织", "orgs.add_org", "orgs.view_org"),
        ("resident_units", "驻区单位", "orgs.import_residentunit", "orgs.view_residentunit"),
        ("departments", "职能部门", "orgs.import_department", "orgs.view_department"),
        ("appeals", "诉求工单", "appeals.import_appeal", "appeals.export_appeal"),
        # 组织生活落实情况: export only (its import permission is held by no role).
        ("orglife_compliance", "组织生活落实情况", "orglife.import_heldmonth", "orglife.view_heldmonth"),
        ("timebank_statement", "时间银行流水", "timebank.view_movement", "timebank.view_movement"),
        ("wishes", "微心愿", "wishes.import_wish", "wishes.export_wish"),
        ("consultations", "协商议事", "consult.import_consultation", "consult.export_consultation"),
        ("dashboard", "数据看板", "dashboards.import_dashboard", "dashboards.export_dashboard"),
    ]
    for kind in KINDS.values():
        assert kind.load_spec() is not None
        assert kind.load_exporter() is not None
        if kind.importer:
            assert callable(kind.load_importer())


def test_api_routes_keep_their_names_and_paths():
    for basename, url in API_BEFORE.items():
        assert reverse(f"api:{basename}-list") == url
    assert {route.basename for route in registry.api_routes()} == set(API_BEFORE)
    assert reverse("api:token") == "/api/v1/auth/token/"
    assert reverse("open311:services", kwargs={"fmt": "json"}) == "/open311/v2/services.json"


def test_every_permission_named_by_a_menu_entry_or_excel_kind_is_registered():
    names = {p.name for p in registry.permissions()}
    for entry in registry.menu():
        assert entry.permission is None or entry.permission in names, entry
    for kind in KINDS.values():
        assert {kind.import_permission, kind.export_permission} <= names, kind.key


def test_scheduled_jobs_are_tasks_and_declared_rules_are_registered():
    from django.utils.module_loading import import_string

    from jiceng.core.rules import RULES

    for job in registry.jobs():
        assert hasattr(import_string(job.task), "enqueue"), job.task
    prefixes = {key.split(".")[0] for key in RULES}
    assert {"excel", "orgs", "members", "appeals"} <= prefixes


def test_declared_tree_paths_are_rewritten_on_moves():
    from jiceng.areas.services import AREA_PATH_MODELS
    from jiceng.orgs.services import ORG_AREA_MODELS, ORG_PATH_MODELS

    for model, entry in registry.stored_paths("area_paths"):
        assert (model, entry.field) in AREA_PATH_MODELS
        model._meta.get_field(entry.field)
    for model, entry in registry.stored_paths("org_paths"):
        assert (model, entry.field) in ORG_PATH_MODELS
    for model, entry in registry.stored_paths("org_area_paths"):
        assert (model, entry.via, entry.field) in ORG_AREA_MODELS
    # Registered once each, whatever the number of times the apps were made ready.
    assert len(AREA_PATH_MODELS) == len(set(AREA_PATH_MODELS))


def test_cached_tables_are_forgotten_on_write():
    from django.apps import apps
    from django.db.models.signals import post_save

    tables = registry.cached_tables()
    assert {t.models for t in tables} >= {("core.CalendarDay",), ("appeals.Category",)}
    for table in tables:
        for label in table.models:
            assert post_save.has_listeners(apps.get_model(label)), label


@pytest.mark.django_db
def test_menu_for_shows_what_the_grants_allow(users):
    labels = [item["label"] for item in menu_for(users.grid, "/")]
    assert labels == [
        "首页",
        "数据看板",
        "区划与网格",
        "区划搜索",
        "党组织",
        "组织设置检查",
        "党员",
        "发展党员",
        "我的诉求",
        "诉求工作台",
        "诉求地图",
        "服务公告栏",
        "微心愿",
        "协商议事",
    ]
    assert [item["label"] for item in menu_for(users.nobody, "/")] == ["首页", "我的诉求"]


def test_serve_prints_what_the_demo_app_registers():
    from io import StringIO

    from jiceng.core.management.commands.serve import Command

    lines = registry.serve_banner_lines()
    assert any("city_admin" in line for line in lines)
    assert any(line.startswith("演示账号") for line in lines)
    out = StringIO()
    Command(stdout=out)._banner("127.0.0.1", 8000)
    assert "http://127.0.0.1:8000/" in out.getvalue()
    for line in lines:
        assert line in out.getvalue()


def test_two_apps_declaring_the_same_thing_are_refused():
    one = registry.AppRegistry(api_routes=(registry.ApiRoute("things", "a.ThingViewSet", "thing"),))
    two = registry.AppRegistry(api_routes=(registry.ApiRoute("stuff", "b.StuffViewSet", "thing"),))
    with pytest.raises(ImproperlyConfigured, match="'thing' is declared by one and two"):
        registry._check_unique(registry.Collected((("one", one), ("two", two))))
    job = registry.Job("x.tasks.run", timedelta(hours=1))
    with pytest.raises(ImproperlyConfigured, match=r"x\.tasks\.run"):
        registry._check_unique(
            registry.Collected((("one", registry.AppRegistry(jobs=(job,))), ("two", registry.AppRegistry(jobs=(job,)))))
        )


def test_menu_order_breaks_ties_by_app_then_declaration(monkeypatch):
    first = registry.AppRegistry(menu=(registry.MenuEntry("甲", "a:x", order=5), registry.MenuEntry("乙", "a:y")))
    second = registry.AppRegistry(
        menu=(registry.MenuEntry("丙", "b:x", order=5), registry.MenuEntry("丁", "b:y", order=1))
    )
    collected = registry.Collected((("a", first), ("b", second)))
    monkeypatch.setattr(registry, "collected", lambda: collected)
    assert [entry.label for entry in registry.menu()] == ["丁", "甲", "丙", "乙"]

"""The left menu. Each entry names the permission it needs; later apps append entries."""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from jiceng.core.scope import scope_for


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    permission: str | None = None
    icon: str = "dot"  # a name from templates/includes/icon.html


MENU: list[MenuItem] = [
    MenuItem("首页", "accounts:home", None, "home"),
    MenuItem("区划与网格", "areas:area_tree", "areas.view_area", "tree"),
    MenuItem("区划搜索", "areas:area_search", "areas.view_area", "search"),
    MenuItem("党组织", "orgs:org_tree", "orgs.view_org", "flag"),
    MenuItem("组织设置检查", "orgs:check_list", "orgs.view_org", "checklist"),
    MenuItem("驻区单位", "orgs:unit_list", "orgs.view_residentunit", "building"),
    MenuItem("职能部门", "orgs:department_list", "orgs.view_department", "users"),
    MenuItem("党员", "members:member_list", "members.view_member", "user"),
    MenuItem("发展党员", "members:pipeline", "members.view_member", "trending-up"),
    MenuItem("组织关系转接", "members:transfer_list", "members.view_transfer", "move"),
    MenuItem("党费", "members:dues", "members.view_duespayment", "yuan"),
    MenuItem("我的诉求", "appeals:mine", None, "message"),
    MenuItem("诉求工作台", "appeals:workbench", "appeals.handle_appeal", "checklist"),
    MenuItem("诉求派单", "appeals:queue", "appeals.dispatch_appeal", "map-pin"),
    MenuItem("吹哨报到", "appeals:department_desk", "appeals.report_whistlesummons", "alert"),
    MenuItem("吹哨记录", "appeals:whistle_list", "appeals.view_whistle", "flag"),
    MenuItem("部门考核", "appeals:scorecard", "appeals.view_whistlesummons", "trending-up"),
    MenuItem("三率统计", "appeals:rates", "appeals.dispatch_appeal", "chart"),
    MenuItem("Excel 导入导出", "excel:home", "members.export_member", "edit"),
    MenuItem("操作日志", "accounts:audit_list", "accounts.view_auditlog", "history"),
]


def menu_for(user, current_path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for item in MENU:
        if item.permission and scope_for(user, item.permission).empty:
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    # Only the most specific match is current: /areas/search/ is 区划搜索, not also 区划与网格.
    longest = max((len(i["url"]) for i in items if i["active"]), default=0)
    for i in items:
        i["active"] = i["active"] and len(i["url"]) == longest
    return items

"""What 党员积分 plugs into the platform (read by jiceng.core.registry)."""

from jiceng.core.registry import ApiRoute, AppRegistry, MenuEntry, MenuGroup, Permission, StoredPath, UrlMount

from .permissions import AWARD_VIEW, RULE_CHANGE, SELF_VIEW

READERS = ("city_org", "district_org", "street", "community", "branch_secretary")

REGISTRY = AppRegistry(
    permissions=(
        Permission(AWARD_VIEW, "查看党员积分", READERS),
        Permission(RULE_CHANGE, "修改党员积分规则", ("city_org",)),
        Permission(SELF_VIEW, "查看本人积分（我的积分）", ("member",)),
    ),
    menu_groups=(MenuGroup("points", "党员积分", "trending-up"),),
    menu=(
        MenuEntry("我的积分", "points:mine", SELF_VIEW, "heart", order=870, group="points"),
        MenuEntry("积分记录", "points:award_list", AWARD_VIEW, "checklist", order=875, group="points"),
        MenuEntry("积分规则", "points:rules", RULE_CHANGE, "settings", order=880, group="points"),
    ),
    urls=(UrlMount("points/", "jiceng.points.urls"),),
    api_routes=(ApiRoute("point-awards", "jiceng.points.api.AwardViewSet", "pointaward"),),
    area_paths=(StoredPath("points.Award", "area_path"), StoredPath("points.YearTotal", "area_path")),
    org_paths=(StoredPath("points.Award", "org_path"), StoredPath("points.YearTotal", "org_path")),
)

"""What the areas app plugs into the platform (read by jiceng.core.registry)."""

from datetime import timedelta

from jiceng.core.registry import (
    ApiRoute,
    AppRegistry,
    Job,
    MenuEntry,
    MenuGroup,
    Metric,
    MetricSource,
    Permission,
    ScopeTree,
    UrlMount,
)

from .permissions import AREA_ADD, AREA_CHANGE, AREA_MOVE, AREA_VIEW

OFFICES = ("city_org", "district_org", "street", "community")

REGISTRY = AppRegistry(
    permissions=(
        Permission(AREA_VIEW, "查看区划与网格", (*OFFICES, "grid_worker", "department")),
        Permission(AREA_CHANGE, "修改区划信息", OFFICES),
        Permission(AREA_ADD, "新增下级区划", OFFICES),
        # A community may not move its own grids to another community: the street decides.
        Permission(AREA_MOVE, "移动区划", ("city_org", "district_org", "street")),
    ),
    menu_groups=(MenuGroup("areas", "区划网格", "tree"),),
    menu=(
        MenuEntry("区划与网格", "areas:area_tree", AREA_VIEW, "tree", order=100, group="areas"),
        MenuEntry("区划搜索", "areas:area_search", AREA_VIEW, "search", order=110, group="areas"),
    ),
    jobs=(Job("jiceng.areas.tasks.refresh_area_rollups", timedelta(hours=24)),),
    urls=(UrlMount("areas/", "jiceng.areas.urls"),),
    api_routes=(ApiRoute("areas", "jiceng.areas.api.AreaViewSet", "area"),),
    scope_trees=(ScopeTree("areas", "areas.Area"),),
    rules=("jiceng.areas.rules",),
    metric_sources=(MetricSource("areas.rollups", "areas", "jiceng.areas.metrics.rollups", periodic=False),),
    metrics=(
        Metric(
            "areas.population",
            "人口",
            "人",
            "areas.rollups",
            "total_population",
            "辖区内楼栋登记人口之和（含下级，区划汇总计数）。",
            AREA_VIEW,
            "区划",
            100,
        ),
        Metric(
            "areas.households",
            "户数",
            "户",
            "areas.rollups",
            "total_households",
            "辖区内楼栋登记户数之和（含下级，区划汇总计数）。",
            AREA_VIEW,
            "区划",
            110,
        ),
        Metric(
            "areas.descendants",
            "下辖区域数",
            "个",
            "areas.rollups",
            "descendant_count",
            "下级区划、网格、小区和楼栋的总数。",
            AREA_VIEW,
            "区划",
            120,
        ),
    ),
)

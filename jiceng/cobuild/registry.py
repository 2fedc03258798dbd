"""What 共建清单 plugs into the platform (read by jiceng.core.registry)."""

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
    StoredPath,
    TodoSource,
    UrlMount,
)

from .permissions import (
    BOARD_VIEW,
    CATEGORY_CHANGE,
    CLAIM_ADD,
    CLAIM_CONFIRM,
    CLAIM_VIEW,
    EVENT_VIEW,
    ITEM_ADD,
    ITEM_VIEW,
)

READERS = ("city_org", "district_org", "street", "community")
COMMUNITY = ("street", "community")
PUBLIC = ("member", "resident", "unit_contact", "grid_worker", *READERS)
SOURCE = "cobuild.area_months"
GROUP = "共建清单"

REGISTRY = AppRegistry(
    permissions=(
        Permission(ITEM_VIEW, "查看需求、资源和项目清单（辖区全部）", READERS),
        Permission(BOARD_VIEW, "浏览服务公告栏（向本人所在社区公开的清单）", PUBLIC),
        Permission(ITEM_ADD, "发布需求、资源、项目和民生菜单", COMMUNITY),
        Permission(CLAIM_VIEW, "查看认领", READERS),
        Permission(CLAIM_ADD, "认领清单事项（本人或代驻区单位）", ("member", "unit_contact", *COMMUNITY)),
        Permission(CLAIM_CONFIRM, "确认、退回认领并作发布方评价", COMMUNITY),
        Permission(CATEGORY_CHANGE, "维护清单类别", ("city_org",)),
        Permission(EVENT_VIEW, "查看民生菜单招亲会", READERS),
    ),
    menu_groups=(MenuGroup("cobuild", "共建清单", "heart"),),
    menu=(
        MenuEntry("服务公告栏", "cobuild:board", BOARD_VIEW, "home", order=700, group="cobuild"),
        MenuEntry("清单管理", "cobuild:item_list", ITEM_VIEW, "flag", order=710, group="cobuild"),
        MenuEntry("认领", "cobuild:claim_list", CLAIM_VIEW, "checklist", order=720, group="cobuild"),
        MenuEntry("我的认领", "cobuild:mine", CLAIM_ADD, "user", order=725, group="cobuild"),
        MenuEntry("民生菜单", "cobuild:event_list", EVENT_VIEW, "calendar", order=730, group="cobuild"),
        MenuEntry("清单类别", "cobuild:category_list", CATEGORY_CHANGE, "settings", order=740, group="cobuild"),
    ),
    urls=(UrlMount("cobuild/", "jiceng.cobuild.urls"),),
    api_routes=(
        ApiRoute("cobuild-items", "jiceng.cobuild.api.ItemViewSet", "cobuilditem"),
        ApiRoute("cobuild-claims", "jiceng.cobuild.api.ClaimViewSet", "cobuildclaim"),
    ),
    rules=("jiceng.cobuild.rules",),
    jobs=(Job("jiceng.cobuild.tasks.expire_items", timedelta(hours=1)),),
    area_paths=(
        StoredPath("cobuild.Item", "area_path"),
        StoredPath("cobuild.Item", "visible_path"),
        StoredPath("cobuild.Claim", "area_path"),
        StoredPath("cobuild.Claim", "claimer_area_path"),
        StoredPath("cobuild.MenuEvent", "area_path"),
        StoredPath("cobuild.AreaMonth", "path"),
    ),
    todos=(
        TodoSource(
            "cobuild.claims",
            "认领待确认",
            "jiceng.cobuild.lists.claims_to_confirm",
            CLAIM_CONFIRM,
            "cobuild:claim_list",
            "cobuild:claim_list",
            order=450,
        ),
        TodoSource(
            "cobuild.expiring",
            "清单事项即将截止",
            "jiceng.cobuild.lists.items_expiring",
            ITEM_ADD,
            "cobuild:item_list",
            "cobuild:item_list",
            order=460,
        ),
    ),
    metric_sources=(MetricSource(SOURCE, "areas", "jiceng.cobuild.metrics.area_months"),),
    metrics=(
        Metric(
            "cobuild.published",
            "发布清单事项",
            "项",
            SOURCE,
            "jiceng.cobuild.metrics.published",
            "期内发布的需求、资源和项目（按发布社区或街道，含下级）。",
            ITEM_VIEW,
            GROUP,
            800,
        ),
        Metric(
            "cobuild.completed",
            "完成认领",
            "项",
            SOURCE,
            "completed",
            "期内登记完成的认领（按事项所在区划，含下级）。",
            ITEM_VIEW,
            GROUP,
            810,
        ),
    ),
)

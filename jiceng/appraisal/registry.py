"""What 民主评议党员 plugs into the platform (read by jiceng.core.registry)."""

from jiceng.core.registry import ApiRoute, AppRegistry, MenuEntry, Permission, StoredPath, TodoSource, UrlMount

from .permissions import ROUND_CHANGE, ROUND_TAKE_PART, ROUND_VIEW

# The branch secretary runs the round for the branch committee; the offices above follow it.
MANAGERS = ("city_org", "district_org", "street", "community", "branch_secretary")

REGISTRY = AppRegistry(
    permissions=(
        Permission(ROUND_VIEW, "查看民主评议党员", MANAGERS),
        Permission(ROUND_CHANGE, "组织民主评议（开始、结束测评、建议等次、记录决定）", MANAGERS),
        Permission(ROUND_TAKE_PART, "参加民主评议（个人自评、民主测评投票）", ("member",)),
    ),
    menu=(
        MenuEntry("民主评议", "appraisal:round_list", ROUND_VIEW, "checklist", order=460, group="orglife"),
        MenuEntry("我的评议", "appraisal:my_rounds", ROUND_TAKE_PART, "checklist", order=470, group="orglife"),
    ),
    urls=(UrlMount("appraisal/", "jiceng.appraisal.urls"),),
    api_routes=(ApiRoute("appraisals", "jiceng.appraisal.api.AppraisalRoundViewSet", "appraisalround"),),
    rules=("jiceng.appraisal.rules",),
    area_paths=(StoredPath("appraisal.Round", "area_path"),),
    org_paths=(StoredPath("appraisal.Round", "org_path"),),
    org_area_paths=(StoredPath("appraisal.Round", "area_path", via="org"),),
    todos=(
        TodoSource(
            "appraisal.mine",
            "民主评议",
            "jiceng.appraisal.todos.mine",
            ROUND_TAKE_PART,
            "appraisal:my_rounds",
            "appraisal:my_rounds",
            order=460,
        ),
        TodoSource(
            "appraisal.proposals",
            "民主评议待提出等次",
            "jiceng.appraisal.todos.proposals",
            ROUND_CHANGE,
            "appraisal:round_list",
            "appraisal:round_list",
            order=465,
        ),
    ),
)

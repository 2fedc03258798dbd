"""What the accounts app plugs into the platform (read by jiceng.core.registry).

The roles themselves are accounts' catalogue (roles.py); their permission sets come from every
app's registry, this one included.
"""

from jiceng.core.registry import ApiRoute, AppRegistry, MenuEntry, MenuGroup, Permission, StoredPath, UrlMount

from .permissions import AUDIT_VIEW, ROLE_GRANT, USER_CHANGE, USER_VIEW

OFFICES = ("city_org", "district_org", "street", "community")

REGISTRY = AppRegistry(
    permissions=(
        Permission(AUDIT_VIEW, "查看操作日志", OFFICES),
        Permission(USER_VIEW, "查看用户", OFFICES),
        Permission(USER_CHANGE, "管理用户（新建、停用、重置密码、解锁、撤销令牌）", OFFICES),
        Permission(ROLE_GRANT, "授予和撤销角色", OFFICES),
    ),
    menu_groups=(MenuGroup("system", "系统管理", "settings"),),
    menu=(
        MenuEntry("首页", "accounts:home", None, "home", order=0),
        MenuEntry("用户管理", "system:user_list", USER_VIEW, "users", order=910, group="system"),
        MenuEntry("角色授权", "system:grant_list", USER_VIEW, "lock", order=920, group="system"),
        MenuEntry("部门人员", "system:department_users", USER_VIEW, "building", order=930, group="system"),
        MenuEntry("操作日志", "accounts:audit_list", AUDIT_VIEW, "history", order=1000, group="system"),
    ),
    # Home, login, logout, one's own tokens and the audit list sit at the site root; 系统管理
    # (users, grants, department staff) under system/.
    urls=(UrlMount("", "jiceng.accounts.urls"), UrlMount("system/", "jiceng.accounts.system_urls")),
    api_urls=("jiceng.accounts.api_urls",),
    api_routes=(ApiRoute("auth/tokens", "jiceng.accounts.api.ApiTokenViewSet", "apitoken"),),
    rules=("jiceng.accounts.rules",),
    # An account's home area is a copy of an area code: area moves rewrite it.
    area_paths=(StoredPath("accounts.User", "area_path"),),
)

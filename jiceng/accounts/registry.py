"""What the accounts app plugs into the platform (read by jiceng.core.registry).

The roles themselves are accounts' catalogue (roles.py); their permission sets come from every
app's registry, this one included.
"""

from jiceng.core.registry import AppRegistry, MenuEntry, Permission, UrlMount

from .permissions import AUDIT_VIEW

REGISTRY = AppRegistry(
    permissions=(Permission(AUDIT_VIEW, "查看操作日志", ("city_org", "district_org", "street", "community")),),
    menu=(
        MenuEntry("首页", "accounts:home", None, "home", order=0),
        MenuEntry("操作日志", "accounts:audit_list", AUDIT_VIEW, "history", order=1000),
    ),
    # Home, login, logout and the audit list sit at the site root.
    urls=(UrlMount("", "jiceng.accounts.urls"),),
    api_urls=("jiceng.accounts.api_urls",),
    rules=("jiceng.accounts.rules",),
)

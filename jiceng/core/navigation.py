"""The left menu, built from the apps' registries (their ``menu`` entries, by ``order``).

Each entry names the permission it needs; an entry without one is shown to every signed-in user.
"""

from typing import Any

from django.urls import reverse

from jiceng.core.registry import LazyList, menu
from jiceng.core.scope import scope_for

MENU: LazyList = LazyList(menu)


def menu_for(user, current_path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for item in MENU:
        if item.permission and scope_for(user, item.permission).empty:
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        key = item.url_name.replace(":", "-")
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": active, "key": key})
    # Only the most specific match is current: /areas/search/ is 区划搜索, not also 区划与网格.
    longest = max((len(i["url"]) for i in items if i["active"]), default=0)
    for i in items:
        i["active"] = i["active"] and len(i["url"]) == longest
    return items

"""The left menu, built from the apps' registries (their ``menu`` entries, by ``order``, folded
under the ``menu_groups`` they name).

Each entry names the permission it needs; an entry without one is shown to every signed-in user.
A group with one visible entry shows that entry alone; the group of the current page is open, the
others folded (``<details>`` in base.html: no script needed).
"""

from typing import Any

from django.urls import reverse

from jiceng.core.registry import LazyList, menu, menu_groups
from jiceng.core.scope import scope_for

MENU: LazyList = LazyList(menu)


def menu_for(user, current_path: str) -> list[dict[str, Any]]:
    """The entries ``user`` may open, in menu order, the current one marked ``active``."""
    items: list[dict[str, Any]] = []
    for item in MENU:
        if item.permission and scope_for(user, item.permission).empty:
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        key = item.url_name.replace(":", "-")
        items.append(
            {"label": item.label, "url": url, "icon": item.icon, "active": active, "key": key, "group": item.group}
        )
    # Only the most specific match is current: /areas/search/ is 区划搜索, not also 区划与网格.
    longest = max((len(i["url"]) for i in items if i["active"]), default=0)
    for i in items:
        i["active"] = i["active"] and len(i["url"]) == longest
    return items


def grouped(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries as the menu shows them: a group where its first entry comes, holding all of
    its entries; entries without a group (or alone in theirs) stand on their own."""
    groups = menu_groups()
    members: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        if item["group"] in groups:
            members.setdefault(item["group"], []).append(item)
    nodes: list[dict[str, Any]] = []
    placed: set[str] = set()
    for item in items:
        key = item["group"]
        if key not in members or len(members[key]) == 1:
            nodes.append({"kind": "item", **item})
        elif key not in placed:
            placed.add(key)
            group = groups[key]
            entries = members[key]
            nodes.append(
                {
                    "kind": "group",
                    "key": key,
                    "label": group.label,
                    "icon": group.icon,
                    "items": entries,
                    "open": any(entry["active"] for entry in entries),
                }
            )
    return nodes

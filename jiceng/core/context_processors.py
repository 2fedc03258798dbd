from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from jiceng.core.navigation import grouped, menu_for
from jiceng.core.registry import inboxes


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    boxes = inboxes()
    items = menu_for(user, request.path)
    return {
        "nav_menu": items,
        "nav_tree": grouped(items),
        "inbox_url": reverse(boxes[0].url_name) if boxes else "",
    }

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from jiceng.core.navigation import menu_for
from jiceng.core.registry import inboxes


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    boxes = inboxes()
    return {"nav_menu": menu_for(user, request.path), "inbox_url": reverse(boxes[0].url_name) if boxes else ""}

"""The menu's counts of waiting work and the bell's unread count, loaded by htmx after each page
(``hx-trigger="load"`` in base.html), so a page itself never pays for them. The answer is a set
of out-of-band swaps, one per menu entry with a count and one for the bell."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

from jiceng.core.registry import inboxes
from jiceng.core.todos import menu_counts


def unread_count(user) -> int:
    return sum(import_string(inbox.unread)(user) for inbox in inboxes())


@login_required
@require_GET
def counts(request):
    user = request.user
    entries = [{"key": url_name.replace(":", "-"), "count": text} for url_name, text in menu_counts(user).items()]
    unread = unread_count(user)
    response = render(
        request,
        "includes/todo_counts.html",
        {"entries": entries, "unread": "99+" if unread > 99 else unread},
    )
    response["Cache-Control"] = "private, no-store"
    return response

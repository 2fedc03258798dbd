"""The menu's counts of waiting work and the bell's unread count, loaded by htmx after each page
(``hx-trigger="load"`` in base.html), so a page itself never pays for them. The answer is a set
of out-of-band swaps, one per menu entry with a count and one for the bell."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET

from jiceng.core.registry import inboxes, menu
from jiceng.core.todos import CAP, menu_counts


def group_counts(counts: dict[str, str]) -> dict[str, str]:
    """A folded group shows the sum of its entries' counts."""
    group_of = {entry.url_name: entry.group for entry in menu() if entry.group}
    sums: dict[str, int] = {}
    for url_name, text in counts.items():
        if url_name in group_of:
            sums[group_of[url_name]] = sums.get(group_of[url_name], 0) + int(text.rstrip("+"))
    return {key: f"{CAP}+" if total > CAP else str(total) for key, total in sums.items()}


def unread_count(user) -> int:
    return sum(import_string(inbox.unread)(user) for inbox in inboxes())


@login_required
@require_GET
def counts(request):
    user = request.user
    counts = menu_counts(user)
    entries = [{"id": "menu-count-" + url_name.replace(":", "-"), "count": text} for url_name, text in counts.items()]
    entries += [{"id": f"menu-group-count-{key}", "count": text} for key, text in group_counts(counts).items()]
    unread = unread_count(user)
    response = render(
        request,
        "includes/todo_counts.html",
        {"entries": entries, "unread": "99+" if unread > 99 else unread},
    )
    response["Cache-Control"] = "private, no-store"
    return response

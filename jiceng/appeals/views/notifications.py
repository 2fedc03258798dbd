"""站内提醒 pages: the list (newest first, unread marked), opening one (marks it read and goes to
the request or whistle it is about), and 全部标为已读."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from jiceng.appeals import inbox
from jiceng.core.paging import before_id_page

PAGE_SIZE = 30


@login_required
@require_GET
def notification_list(request):
    only_unread = request.GET.get("unread") == "1"
    rows = inbox.inbox(request.user)
    if only_unread:
        rows = rows.filter(read_at__isnull=True)
    page, next_url = before_id_page(request, rows.order_by("-id"), PAGE_SIZE)
    return render(
        request,
        "appeals/notification_list.html",
        {"rows": page, "next_url": next_url, "only_unread": only_unread, "unread": inbox.unread(request.user)},
    )


@login_required
@require_GET
def notification_open(request, pk):
    notification = get_object_or_404(inbox.inbox(request.user), pk=pk)
    inbox.mark_read(request.user, notification.pk)
    return redirect(inbox.target_url(notification))


@login_required
@require_POST
def notification_read_all(request):
    count = inbox.mark_read(request.user)
    messages.success(request, f"已将 {count} 条提醒标为已读。" if count else "没有未读提醒。")
    return redirect("appeals:notifications")

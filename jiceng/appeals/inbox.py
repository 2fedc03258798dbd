"""The user's notifications (站内提醒): the unread count for the bell, the list, marking read.

Notifications are written by :mod:`jiceng.appeals.services.notifications`; each row belongs to
one recipient, so every read here filters on ``recipient=user`` (nobody reads another's inbox).
"""

from django.db.models import QuerySet
from django.utils import timezone

from jiceng.appeals.models import Notification

UNREAD_CAP = 99


def inbox(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread(user) -> int:
    """Unread notifications, counted up to ``UNREAD_CAP + 1`` (the bell shows ``99+``)."""
    return inbox(user).filter(read_at__isnull=True)[: UNREAD_CAP + 1].count()


def mark_read(user, pk: int | None = None) -> int:
    """Mark one (``pk``) or all of the user's unread notifications read; returns how many."""
    rows = inbox(user).filter(read_at__isnull=True)
    if pk is not None:
        rows = rows.filter(pk=pk)
    return rows.update(read_at=timezone.now())


def target_url(notification: Notification) -> str:
    from django.urls import reverse

    if notification.appeal_id:
        return reverse("appeals:detail", args=[notification.appeal_id])
    if notification.whistle_id:
        return reverse("appeals:whistle_detail", args=[notification.whistle_id])
    return reverse("appeals:notifications")

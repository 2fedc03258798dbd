"""In-app notifications and their emails (through Django's mail backend, in the worker).

Recipients are found from role assignments on the node concerned, never by scanning users:
the handlers of the assigned grid/community/street/district or department, the dispatchers of
the appeal's community and street, the district's supervisors, the reporter. Each notification
has a key unique per recipient, so a repeated call (a retried job) adds nothing.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import RoleAssignment, User
from jiceng.accounts.roles import ROLES
from jiceng.appeals.models import Notification
from jiceng.appeals.permissions import APPEAL_DISPATCH, APPEAL_HANDLE, APPEAL_SUPERVISE, SUMMONS_REPORT

logger = logging.getLogger(__name__)


def roles_with(permission: str) -> list[str]:
    return [key for key, role in ROLES.items() if permission in role.permissions]


def handler_ids(appeal) -> set[int]:
    """Users holding the handle permission directly on the assigned unit."""
    if appeal.assigned_department_id:
        filters = {"department_id": appeal.assigned_department_id}
    elif appeal.assigned_area_id:
        filters = {"area_id": appeal.assigned_area_id}
    else:
        return set()
    return set(
        RoleAssignment.objects.filter(role__in=roles_with(APPEAL_HANDLE), **filters).values_list("user_id", flat=True)
    )


def dispatcher_ids(area_path: str) -> set[int]:
    """Dispatchers of the community and street the location belongs to."""
    codes = [area_path[:n] for n in (9, 12) if n <= len(area_path)]
    return set(
        RoleAssignment.objects.filter(role__in=roles_with(APPEAL_DISPATCH), area__code__in=codes).values_list(
            "user_id", flat=True
        )
    )


def supervisor_ids(area_path: str) -> set[int]:
    """Supervisors of the district the location belongs to (escalations go there)."""
    return set(
        RoleAssignment.objects.filter(
            role__in=roles_with(APPEAL_SUPERVISE), area__code=area_path[:6], area__level="district"
        ).values_list("user_id", flat=True)
    )


def department_user_ids(department_id: int) -> set[int]:
    return set(
        RoleAssignment.objects.filter(role__in=roles_with(SUMMONS_REPORT), department_id=department_id).values_list(
            "user_id", flat=True
        )
    )


def notify(user_ids, *, key: str, kind: str, title: str, body: str = "", appeal=None, whistle=None) -> int:
    """Create one notification per user (once per key) and email them after the commit."""
    user_ids = sorted({u for u in user_ids if u})
    if not user_ids:
        return 0
    existing = set(
        Notification.objects.filter(recipient_id__in=user_ids, key=key).values_list("recipient_id", flat=True)
    )
    created = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=user_id,
                key=key[:120],
                kind=kind,
                title=title[:200],
                body=body,
                appeal=appeal,
                whistle=whistle,
            )
            for user_id in user_ids
            if user_id not in existing
        ]
    )
    # Only recipients with an address get an email job (most grid workers use the app alone).
    emailable = set(
        User.objects.filter(pk__in=[n.recipient_id for n in created], email__gt="").values_list("pk", flat=True)
    )
    ids = [n.pk for n in created if n.pk and n.recipient_id in emailable]
    if ids:
        from jiceng.appeals.tasks import email_notifications

        transaction.on_commit(lambda: email_notifications.enqueue(ids))
    return len(created)


def send_emails(notification_ids) -> int:
    """Email each notification once (the claim is a conditional UPDATE); returns emails sent."""
    sent = 0
    notifications = Notification.objects.filter(pk__in=list(notification_ids), emailed_at__isnull=True).select_related(
        "recipient"
    )
    for notification in notifications:
        address = notification.recipient.email
        if not address:
            continue
        now = timezone.now()
        if not Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(emailed_at=now):
            continue  # another worker took it
        try:
            send_mail(
                f"【基层】{notification.title}",
                notification.body or notification.title,
                getattr(settings, "DEFAULT_FROM_EMAIL", None),
                [address],
            )
        except Exception:
            Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
            logger.exception("notification %s: email failed", notification.pk)
            raise
        sent += 1
    return sent


def mark_read(user, notification_ids=None) -> int:
    queryset = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(read_at=timezone.now())


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

"""In-app notifications and their emails (through Django's mail backend, in the worker).

Recipients are found with :func:`jiceng.core.scope.holders_of` on the node concerned, never by
scanning users: the handlers of the assigned grid/community/street/district or department, the
dispatchers of the appeal's community and street, the district's supervisors, the reporter. Each notification
has a key unique per recipient, so a repeated call (a retried job) adds nothing.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.appeals.models import Appeal, Notification, Whistle
from jiceng.appeals.permissions import APPEAL_DISPATCH, APPEAL_HANDLE, APPEAL_SUPERVISE, SUMMONS_REPORT
from jiceng.core.scope import holders_of

logger = logging.getLogger(__name__)


def handler_ids(appeal: Appeal) -> set[int]:
    """Users holding the handle permission directly on the assigned unit (not on the nodes above it)."""
    if appeal.assigned_department_id:
        return holders_of(APPEAL_HANDLE, department=appeal.assigned_department_id)
    if appeal.assigned_area_id:
        code = appeal.assigned_area.code
        return holders_of(APPEAL_HANDLE, area=code, depths=(len(code),))
    return set()


def dispatcher_ids(area_path: str) -> set[int]:
    """Dispatchers of the street and community the location belongs to."""
    return holders_of(APPEAL_DISPATCH, area=area_path, depths=(9, 12))


def supervisor_ids(area_path: str) -> set[int]:
    """Supervisors of the district the location belongs to (escalations go there)."""
    return holders_of(APPEAL_SUPERVISE, area=area_path, depths=(6,))


def department_user_ids(department_id: int) -> set[int]:
    """Users who report for the department when it is summoned."""
    return holders_of(SUMMONS_REPORT, department=department_id)


def notify(
    user_ids: Iterable[int | None],
    *,
    key: str,
    kind: str,
    title: str,
    body: str = "",
    appeal: Appeal | None = None,
    whistle: Whistle | None = None,
) -> int:
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


def send_emails(notification_ids: Iterable[int]) -> int:
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

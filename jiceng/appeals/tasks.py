"""Worker tasks of the appeals. Periodic ones are enqueued by the scheduler (core.schedule);
each takes ids or nothing, and running one twice changes nothing the second time."""

from django_tasks import task

from jiceng.appeals import services
from jiceng.appeals.services import notifications


@task()
def scan_appeal_deadlines() -> dict:
    """Every two minutes: overdue flags (dispatch, sign-for, answer), reminders before deadlines,
    summons escalated to the district."""
    overdue = 0
    while True:
        ids = services.overdue_candidates()
        if not ids:
            break
        marked = services.mark_overdue(ids)
        overdue += marked
        if not marked:
            break
    return {
        "dispatch_overdue": services.mark_dispatch_overdue(),
        "response_overdue": services.mark_response_overdue(),
        "overdue": overdue,
        "reminders": services.send_reminders(),
        "escalated": services.escalate_overdue_summons(),
    }


@task()
def close_unrated_appeals() -> int:
    """Daily: answers nobody rated within the waiting period are closed without a rating."""
    return services.auto_close_unrated()


@task()
def email_notifications(notification_ids: list[int]) -> int:
    """Email these notifications to recipients with an address; each is sent once."""
    return notifications.send_emails(notification_ids)

"""Helpers shared by the member pages."""

from datetime import date, timedelta

from django.utils import timezone

from jiceng.core.scope import holds
from jiceng.members import services
from jiceng.members.models import (
    Member,
    Status,
)
from jiceng.members.rules import add_months, add_years, approval_deadline, probation_end, rule_values
from jiceng.orgs.models import Org

PAGE_SIZE = 50
BRANCH_LIMIT = 100
BOARD_LIMIT = 500
SOON = timedelta(days=60)


def _today() -> date:
    return timezone.localdate()


def _apply_errors(form, exc: services.MemberError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for error in exc.messages:
            form.add_error(None, error)


def _org_scope(user, permission: str, org: Org) -> bool:
    return holds(user, permission, areas=[org.area_path], orgs=[org.code])


def _member_scope(user, permission: str, member: Member) -> bool:
    return holds(user, permission, areas=[member.area_path], orgs=[member.org_path])


def _reminders(member: Member, today: date) -> list[dict]:
    """Due dates of the member's next step, for the member page and the pipeline board."""
    r = rule_values()
    items = []

    def add(label, due, hard=True):
        state = "overdue" if due < today else "soon" if due - today <= SOON else "later"
        items.append({"label": label, "due": due, "state": state, "hard": hard})

    if member.status == Status.APPLICANT and member.application_date and not member.talk_date:
        add("谈话期限", add_months(member.application_date, r["talk_months"]))
    elif member.status == Status.ACTIVIST and member.activist_date:
        add("可列为发展对象", add_years(member.activist_date, r["activist_years"]), hard=False)
    elif member.status == Status.CANDIDATE and member.admission_date and not member.approval_date:
        add("上级党委审批期限", approval_deadline(member.admission_date, member.approval_extended))
    elif member.status == Status.PROBATIONARY:
        end = probation_end(member.admission_date, member.probation_extended_to)
        if end:
            add("预备期满", end)
    return items

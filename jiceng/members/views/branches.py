"""Per-branch pages: the pipeline board (发展党员) and the dues ledger (党费)."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from jiceng.core.inputs import check_date
from jiceng.core.scope import scope_for
from jiceng.members import dues as dues_rules
from jiceng.members import services
from jiceng.members.models import (
    PARTY_MEMBER_STATUSES,
    DuesPayment,
    Member,
    Status,
)
from jiceng.members.permissions import DUES_ADD, DUES_VIEW, MEMBER_ADD, MEMBER_VIEW
from jiceng.members.rules import STATUS_LABELS
from jiceng.orgs.models import BRANCH_TYPES, Org, get_org_for_user

from .common import (
    BOARD_LIMIT,
    BRANCH_LIMIT,
    _org_scope,
    _reminders,
    _today,
)

# --------------------------------------------------------------------------- branches


def _branches(user, q: str = ""):
    branches = Org.objects.visible_to(user).filter(org_type__in=BRANCH_TYPES, is_active=True)
    if q:
        branches = branches.filter(name__contains=q)
    return list(branches.order_by("code").only("code", "name", "full_members", "probationary_members")[:BRANCH_LIMIT])


def _branch_chooser(request, title, url_name, extra=None):
    q = request.GET.get("q", "").strip()
    branches = _branches(request.user, q)
    context = {"branches": branches, "title": title, "url_name": url_name, "q": q, "limit": BRANCH_LIMIT}
    context.update(extra or {})
    return render(request, "members/branch_chooser.html", context)


def _get_branch(user, code: str, permission: str) -> Org:
    org = get_org_for_user(user, code)
    if not org.is_branch or not _org_scope(user, permission, org):
        raise Http404("未找到该记录，或您无权访问。")
    return org


@login_required
def pipeline_home(request):
    return _branch_chooser(request, "发展党员", "members:pipeline_board")


@login_required
def pipeline_board(request, code):
    user = request.user
    org = _get_branch(user, code, MEMBER_VIEW)
    today = _today()
    stages = [Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE, Status.PROBATIONARY]
    people = list(
        Member.objects.visible_to(user)
        .filter(org=org, left_on__isnull=True, status__in=stages)
        .order_by("status", "application_date", "id")[:BOARD_LIMIT]
    )
    columns = {s: {"status": s, "label": STATUS_LABELS[s], "people": []} for s in stages}
    reminders = []
    for person in people:
        person.reminders = _reminders(person, today)
        person.awaiting_vote = person.status == Status.CANDIDATE and not person.admission_date
        columns[person.status]["people"].append(person)
        for item in person.reminders:
            if item["hard"] and item["state"] != "later":
                reminders.append({**item, "member": person})
    reminders.sort(key=lambda item: item["due"])
    return render(
        request,
        "members/pipeline_board.html",
        {
            "org": org,
            "columns": list(columns.values()),
            "reminders": reminders,
            "truncated": len(people) == BOARD_LIMIT,
            "can_add": _org_scope(user, MEMBER_ADD, org),
        },
    )


# --------------------------------------------------------------------------- dues


@login_required
def dues_home(request):
    user = request.user
    if scope_for(user, DUES_VIEW).empty:
        raise PermissionDenied("您没有查看党费的权限。")
    arrears = list(
        services.arrears_list(Member.objects.visible_to(user).select_related("org"), _today())[:BRANCH_LIMIT]
    )
    today = _today()
    for member in arrears:
        member.unpaid = dues_rules.unpaid_months(member.dues_paid_through, services.dues_from(member), today)
    return _branch_chooser(
        request,
        "党费",
        "members:dues_ledger",
        {"arrears": arrears, "arrears_months": dues_rules.arrears_threshold(), "show_arrears": True},
    )


@login_required
def dues_ledger(request, code):
    user = request.user
    org = _get_branch(user, code, DUES_VIEW)
    today = _today()
    try:
        year = check_date(date(int(request.GET.get("year") or today.year), 1, 1)).year
    except ValueError:  # not a year, or out of the platform's range (InputError)
        year = today.year
    months = [date(year, m, 1) for m in range(1, 13)]
    members = list(
        Member.objects.visible_to(user)
        .filter(org=org, left_on__isnull=True, status__in=list(PARTY_MEMBER_STATUSES))
        .order_by("name", "id")
    )
    paid = {}
    for member_id, month, amount in DuesPayment.objects.filter(
        member__in=[m.pk for m in members], month__gte=months[0], month__lte=months[-1]
    ).values_list("member_id", "month", "amount"):
        paid[(member_id, month)] = amount
    threshold = dues_rules.arrears_threshold()
    totals = [Decimal("0.00")] * 12
    rows = []
    for member in members:
        start = services.dues_from(member)
        cells = []
        for i, month in enumerate(months):
            amount = paid.get((member.pk, month))
            if amount is not None:
                totals[i] += amount
            owed = (start is None or month >= start) and month < today.replace(day=1)
            cells.append({"month": month, "amount": amount, "missing": amount is None and owed})
        unpaid = dues_rules.unpaid_months(member.dues_paid_through, start, today)
        rows.append(
            {
                "member": member,
                "expected": dues_rules.monthly_dues(member.dues_category, member.dues_base),
                "cells": cells,
                "unpaid": unpaid,
                "arrears": unpaid >= threshold,
            }
        )
    return render(
        request,
        "members/dues_ledger.html",
        {
            "org": org,
            "year": year,
            "months": months,
            "rows": rows,
            "totals": totals,
            "grand_total": sum(totals),
            "threshold": threshold,
            "arrears_count": sum(1 for r in rows if r["arrears"]),
            "can_add": _org_scope(user, DUES_ADD, org),
            "print_month": today.replace(day=1) if year == today.year else months[-1],
        },
    )

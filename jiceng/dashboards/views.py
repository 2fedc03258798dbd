"""The dashboard pages: a node's figures, its children ranked with a chart, a 12-month trend."""

from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from jiceng.areas.models import Area
from jiceng.areas.permissions import AREA_VIEW
from jiceng.core.crumbs import Crumb
from jiceng.core.metrics import Period, PeriodError, detail_url, format_value
from jiceng.core.replica import replica_reads
from jiceng.core.scope import scope_for
from jiceng.orgs.models import Org
from jiceng.orgs.permissions import ORG_VIEW

from .services import TREE_LABELS, build


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """To the dashboard of the user's own node: the first area of their scope, else their first org."""
    user = request.user
    areas = scope_for(user, AREA_VIEW)
    if areas.everywhere:
        root = Area.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True).first()
        if root:
            return redirect("dashboards:dashboard", "areas", root)
    if areas.areas:
        return redirect("dashboards:dashboard", "areas", sorted(areas.areas)[0])
    orgs = scope_for(user, ORG_VIEW)
    if orgs.orgs:
        return redirect("dashboards:dashboard", "orgs", sorted(orgs.orgs)[0])
    if orgs.everywhere:
        root = Org.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True).first()
        if root:
            return redirect("dashboards:dashboard", "orgs", root)
    return render(request, "dashboards/none.html", status=200)


def _url(tree: str, code: str, period: Period, rank: str) -> str:
    return f"{reverse('dashboards:dashboard', args=[tree, code])}?period={period.text}&rank={rank}"


@login_required
def dashboard(request: HttpRequest, tree: str, code: str) -> HttpResponse:
    if tree not in TREE_LABELS:
        raise Http404
    today = timezone.localdate()
    error = ""
    try:
        period = Period.parse(request.GET.get("period", ""), today)
    except PeriodError as exc:
        error, period = str(exc), Period.month_of(today)
    with replica_reads():
        board = build(request.user, tree, code, period, request.GET.get("rank", ""))
    rank = board.rank.key if board.rank else ""
    this_month = Period.month_of(today)
    last_month = Period.month_of(date_minus_month(today))
    quarter = Period.parse(f"{today.year}-Q{(today.month - 1) // 3 + 1}", today)
    year = Period.parse(str(today.year), today)
    crumbs = [Crumb("数据看板", reverse("dashboards:home"))]
    crumbs += [Crumb(name, _url(tree, c, period, rank)) for c, name in board.ancestors]
    crumbs.append(Crumb(board.node.name))
    data = board.as_json()
    for child in data["children"]:
        child["url"] = _url(tree, child["code"], period, rank)
    headline = [
        (m, format_value(m, board.figures.get(m.key)), detail_url(request.user, m, board.node, period))
        for m in board.metrics
    ]
    rows = [
        {**child, "cells": [format_value(m, child["figures"].get(m.key)) for m in board.metrics]}
        for child in data["children"]
    ]
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "board": board,
            "data": data,
            "headline": headline,
            "rows": rows,
            "tree": tree,
            "tree_label": TREE_LABELS[tree],
            "period_error": error,
            "period_text": request.GET.get("period", "") if error else period.text,
            "quick_periods": [("本月", this_month), ("上月", last_month), ("本季度", quarter), ("本年", year)],
            "breadcrumbs": crumbs,
            "rank": rank,
        },
    )


def date_minus_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)

"""The dashboard pages: a node's figures, its children ranked with a chart, a 12-month trend."""

import os
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jiceng.areas.models import Area
from jiceng.areas.permissions import AREA_VIEW
from jiceng.core.crumbs import Crumb
from jiceng.core.metrics import Period, PeriodError, detail_url, format_value
from jiceng.core.pdf import pdf_response
from jiceng.core.replica import replica_reads
from jiceng.core.scope import scope_for
from jiceng.orgs.models import Org
from jiceng.orgs.permissions import ORG_VIEW

from .choice import ChoiceError, chosen_keys, grouped, in_reading_order, reset_choice, save_choice
from .forms import ShareForm
from .kiosk import LinkGone, create_share, kiosk_data, revoke_share, token_for
from .kiosk import resolve as kiosk_resolve
from .models import ShareLink
from .permissions import SHARE_ADD, SNAPSHOT_ADD
from .reports import REPORT_KINDS, report_context
from .rules import share_max_days
from .services import TREE_LABELS, build, date_minus_month, find_node, parse_period, ranked, unknown_metric
from .snapshots import SnapshotError, create_snapshot, find_snapshot


def home_node(user) -> tuple[str, str] | None:
    """(tree, code) of the user's own node: the first area of their scope, else their first org."""
    areas = scope_for(user, AREA_VIEW)
    if areas.everywhere:
        root = Area.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True).first()
        if root:
            return "areas", root
    if areas.areas:
        return "areas", sorted(areas.areas)[0]
    orgs = scope_for(user, ORG_VIEW)
    if orgs.orgs:
        return "orgs", sorted(orgs.orgs)[0]
    if orgs.everywhere:
        root = Org.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True).first()
        if root:
            return "orgs", root
    return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """To the dashboard of the user's own node."""
    found = home_node(request.user)
    if found is None:
        return render(request, "dashboards/none.html", status=200)
    return redirect("dashboards:dashboard", *found)


def _url(tree: str, code: str, period: Period, rank: str) -> str:
    return f"{reverse('dashboards:dashboard', args=[tree, code])}?period={period.text}&rank={rank}"


@login_required
def dashboard(request: HttpRequest, tree: str, code: str) -> HttpResponse:
    if tree not in TREE_LABELS:
        raise Http404
    today = timezone.localdate()
    error = ""
    try:
        period = parse_period(request.GET.get("period", ""), today)
    except PeriodError as exc:
        error, period = str(exc), Period.month_of(today)
    bad_metric = unknown_metric(request.GET.get("rank", ""))
    if bad_metric:
        return render(request, "dashboards/bad_request.html", {"message": bad_metric}, status=400)
    source = "snapshot" if request.GET.get("source") == "snapshot" else "live"
    with replica_reads():
        snapshot = find_snapshot(tree, code, period)
        board = build(
            request.user,
            tree,
            code,
            period,
            request.GET.get("rank", ""),
            snapshot=snapshot if source == "snapshot" else None,
        )
    chosen, own_choice = chosen_keys(request.user, tree, board.node, board.metrics)
    shown = in_reading_order(tree, [m for m in board.metrics if m.key in chosen])
    if not request.GET.get("rank") and shown and board.rank not in shown:
        # Ranked by default by the first figure shown (the headline), not the registry's first.
        board.rank = shown[0]
        board.children = ranked(board.children, shown[0].key)
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
    sections = grouped(tree, shown)
    for section in sections:
        section.items = [
            (m, format_value(m, board.figures.get(m.key)), detail_url(request.user, m, board.node, period))
            for m in section.items
        ]
    # The children's table: the figures shown, the one ranked by first when it is not among them.
    columns = shown if board.rank is None or board.rank in shown else [board.rank, *shown]
    rows = [
        {**child, "cells": [format_value(m, child["figures"].get(m.key)) for m in columns]}
        for child in data["children"]
    ]
    chooser = grouped(tree, board.metrics, headline=False)
    for section in chooser:
        section.items = [(m, m.key in chosen) for m in section.items]
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "board": board,
            "data": data,
            "sections": sections,
            "shown": shown,
            "columns": columns,
            "chooser": chooser,
            "own_choice": own_choice,
            "rows": rows,
            "tree": tree,
            "tree_label": TREE_LABELS[tree],
            "period_error": error,
            "period_text": request.GET.get("period", "") if error else period.text,
            "quick_periods": [("本月", this_month), ("上月", last_month), ("本季度", quarter), ("本年", year)],
            "breadcrumbs": crumbs,
            "rank": rank,
            "source": source,
            "snapshot": snapshot,
            "can_snapshot": _may(request.user, SNAPSHOT_ADD, tree, board.node)
            and period.end < today.replace(day=1)
            and snapshot is None,
            "can_share": _may(request.user, SHARE_ADD, tree, board.node),
            "report_buttons": [("minhu", "民呼我应月报"), ("shuzhi", "述职材料")],
        },
    )


@login_required
@require_POST
def choice(request: HttpRequest, tree: str, code: str) -> HttpResponse:
    """Save the 指标设置 panel (the figures the user wants on their dashboards of the tree), or
    “恢复默认”; back to the node's dashboard with its period and ranking."""
    if tree not in TREE_LABELS:
        raise Http404
    node = find_node(request.user, tree, code)  # 404 outside scope
    period, rank = request.POST.get("period", "")[:40], request.POST.get("rank", "")[:80]
    back = f"{reverse('dashboards:dashboard', args=[tree, node.code])}?{urlencode({'period': period, 'rank': rank})}"
    if request.POST.get("reset"):
        reset_choice(request.user, tree)
        messages.success(request, "已恢复默认的指标。")
        return redirect(back)
    try:
        saved = save_choice(request.user, tree, request.POST.getlist("metric"))
    except ChoiceError as exc:
        messages.error(request, f"指标设置未保存：{exc}")
        return redirect(back)
    messages.success(request, f"已保存指标设置：显示 {len(saved.metrics)} 项指标。")
    return redirect(back)


def _may(user, permission: str, tree: str, node) -> bool:
    scope = scope_for(user, permission)
    if tree == "orgs":
        return scope.covers_any(areas=(getattr(node, "area_path", ""),), orgs=(node.code,))
    return scope.covers(node.code)


def _period_or_error(request):
    """(period, "") or (None, the Chinese message): a bad period, or an unknown metric to rank by."""
    bad_metric = unknown_metric(request.GET.get("rank", ""))
    if bad_metric:
        return None, bad_metric
    try:
        return parse_period(request.GET.get("period", ""), timezone.localdate()), ""
    except PeriodError as exc:
        return None, str(exc)


# --------------------------------------------------------------------------- 月报 snapshots


@login_required
@require_POST
def snapshot_create(request: HttpRequest, tree: str, code: str) -> HttpResponse:
    if tree not in TREE_LABELS:
        raise Http404
    find_node(request.user, tree, code)  # 404 outside scope
    try:
        period = parse_period(request.POST.get("period", ""), timezone.localdate())
        snapshot = create_snapshot(request.user, tree, code, period)
    except (PeriodError, SnapshotError) as exc:
        messages.error(request, f"未冻结：{exc}")
        return redirect(f"{reverse('dashboards:dashboard', args=[tree, code])}?period={request.POST.get('period', '')}")
    messages.success(request, f"已冻结{snapshot.node_name}{period.label}的月报，报告和“月报数据”将一直显示这些数字。")
    return redirect(f"{reverse('dashboards:dashboard', args=[tree, code])}?period={period.text}&source=snapshot")


# --------------------------------------------------------------------------- reports


@login_required
@require_GET
def report_pdf(request: HttpRequest, tree: str, code: str) -> HttpResponse:
    """The A4 report (``kind`` minhu or shuzhi) of a node and period, from its snapshot if frozen."""
    if tree not in TREE_LABELS:
        raise Http404
    kind = request.GET.get("kind", "minhu")
    if kind not in REPORT_KINDS:
        raise Http404("没有这种报告。")
    period, error = _period_or_error(request)
    if error:
        return render(request, "dashboards/bad_request.html", {"message": error}, status=400)
    source = request.GET.get("source", "auto")
    with replica_reads():
        context = report_context(
            request.user, tree, code, period, kind, source if source in ("auto", "live") else "auto"
        )
    name = f"{context['title']}-{context['board'].node.name}-{period.text}.pdf"
    return pdf_response(request, "print/dashboard_report.html", context, name)


@login_required
@require_GET
def export_xlsx(request: HttpRequest, tree: str, code: str) -> HttpResponse:
    """The dashboard as a workbook, through the Excel jobs (inline when small, else the worker)."""
    from jiceng.core.excel_jobs import export_filename, get_kind, start_export
    from jiceng.core.excel_views import XLSX

    if tree not in TREE_LABELS:
        raise Http404
    find_node(request.user, tree, code)
    period, error = _period_or_error(request)
    if error:
        return render(request, "dashboards/bad_request.html", {"message": error}, status=400)
    source = request.GET.get("source", "auto")
    params = {"tree": [tree], "node": [code], "period": [period.text], "source": [source]}
    # Drill to detail: the records behind one figure (reports.find_detail), in the same workbook.
    for key in ("detail", "at"):
        if request.GET.get(key):
            params[key] = [request.GET[key][:60]]
    job, inline = start_export(request.user, "dashboard", params)
    if job is not None:
        return redirect("excel:job_detail", pk=job.pk)
    path, _count = inline
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    os.unlink(path)
    return FileResponse(handle, as_attachment=True, filename=export_filename(get_kind("dashboard")), content_type=XLSX)


# --------------------------------------------------------------------------- 大屏


@login_required
@require_GET
def kiosk(request: HttpRequest, tree: str, code: str) -> HttpResponse:
    if tree not in TREE_LABELS:
        raise Http404
    period, error = _period_or_error(request)
    if error:
        return render(request, "dashboards/bad_request.html", {"message": error}, status=400)
    with replica_reads():
        data = kiosk_data(request.user, tree, code, period, request.GET.get("rank", ""))
    url = f"{reverse('dashboards:kiosk_data', args=[tree, code])}?period={period.text}&rank={data['rank'] or ''}"
    return render(request, "dashboards/kiosk.html", {"data": data, "data_url": url, "shared": None})


@login_required
@require_GET
def kiosk_json(request: HttpRequest, tree: str, code: str) -> JsonResponse:
    if tree not in TREE_LABELS:
        return JsonResponse({"detail": "没有这种树。"}, status=404)
    period, error = _period_or_error(request)
    if error:
        return JsonResponse({"period": [error]}, status=400)
    try:
        with replica_reads():
            data = kiosk_data(request.user, tree, code, period, request.GET.get("rank", ""))
    except Http404:
        return JsonResponse({"detail": "未找到该节点，或不在您的管辖范围内。"}, status=404)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@login_required
@require_http_methods(["GET", "POST"])
def share_list(request: HttpRequest, tree: str, code: str) -> HttpResponse:
    """The node's 大屏 share links the user made, and the form to make one."""
    if tree not in TREE_LABELS:
        raise Http404
    node = find_node(request.user, tree, code)
    if not _may(request.user, SHARE_ADD, tree, node):
        raise PermissionDenied("您没有分享该节点大屏的权限。")
    form = ShareForm(request.POST or None, max_days=share_max_days())
    made = None
    if request.method == "POST" and form.is_valid():
        link = create_share(request.user, tree, node.code, form.cleaned_data["days"], form.cleaned_data["note"])
        messages.success(request, f"已生成分享链接，有效期至 {timezone.localtime(link.expires_at):%Y-%m-%d %H:%M}。")
        made = link
    links = [
        (link, request.build_absolute_uri(reverse("screen:shared", args=[token_for(link)])))
        for link in ShareLink.objects.filter(created_by=request.user, tree=tree, code=node.code).order_by(
            "-created_at"
        )[:50]
    ]
    return render(
        request,
        "dashboards/share.html",
        {"node": node, "tree": tree, "form": form, "links": links, "made": made, "max_days": share_max_days()},
    )


@login_required
@require_POST
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        link = revoke_share(request.user, pk)
    except ShareLink.DoesNotExist:
        raise Http404 from None
    messages.success(request, "已撤销该分享链接，大屏将不再显示数据。")
    return redirect("dashboards:share", link.tree, link.code)


def _shared(token: str):
    """(link, None) or (None, the response for a forged, expired or revoked link)."""
    try:
        return kiosk_resolve(token), None
    except ShareLink.DoesNotExist:
        raise Http404("分享链接无效。") from None
    except LinkGone as gone:
        return None, gone.link


@require_GET
def shared_screen(request: HttpRequest, token: str) -> HttpResponse:
    """The 大屏 of a share link: no login; what the link's creator may see, aggregates only."""
    link, gone = _shared(token)
    if gone is not None:
        return render(request, "dashboards/share_gone.html", {"link": gone}, status=410)
    period = Period.month_of(timezone.localdate())
    try:
        with replica_reads():
            data = kiosk_data(link.created_by, link.tree, link.code, period)
    except Http404:
        return render(request, "dashboards/share_gone.html", {"link": link, "lost": True}, status=410)
    ShareLink.objects.filter(pk=link.pk).update(last_seen_at=timezone.now())
    url = reverse("screen:shared_data", args=[token])
    response = render(request, "dashboards/kiosk.html", {"data": data, "data_url": url, "shared": link})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def shared_json(request: HttpRequest, token: str) -> JsonResponse:
    try:
        link = kiosk_resolve(token)
    except ShareLink.DoesNotExist:
        return JsonResponse({"detail": "分享链接无效。"}, status=404)
    except LinkGone as gone:
        return JsonResponse({"detail": f"分享链接{gone.link.status}。"}, status=410)
    try:
        with replica_reads():
            data = kiosk_data(link.created_by, link.tree, link.code, Period.month_of(timezone.localdate()))
    except Http404:
        return JsonResponse({"detail": "分享链接已失效。"}, status=410)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response

"""Reports of a dashboard: the A4 PDF (述职 facts, 民呼我应 monthly) and the Excel workbook.

Both read :func:`jiceng.dashboards.services.build`, the same figures as the page and the API. A
published report reads the period's 月报 snapshot when there is one (``source="auto"``): its
numbers stay those frozen, whatever was corrected since; ``source="live"`` reads today's figures.

The workbook goes through the Excel jobs (``ExcelKind`` "dashboard", core/excel_jobs.py): one sheet
for the headline figures, one per chart with the table it draws (the children ranked by each
metric, the 12-month trend), and the detail rows behind the figures (each child's value of every
metric, with the link to the records' list).

Drill to detail (``detail=<metric key>``, ``at=<node code>``: the board's node or one of its
children): the workbook also holds the records behind that figure, written by the Excel kind of
the list the figure drills to (:data:`DETAIL_KINDS`: the 派单台 → "appeals", the 党员名册 →
"members") with that list's query. So the rows are the list's rows, scoped to the user and masked
as that kind's export masks them (ID numbers and phones for a role without the full-data right),
at most the ``excel.max_rows`` rule's rows (the sheet says so when the figure has more).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string

from jiceng.core.metrics import Period, PeriodError, format_value

from .charts import bar_chart, line_chart
from .services import TREE_LABELS, Dashboard, build, parse_period, unknown_metric
from .services import ranked as rank_rows
from .snapshots import find_snapshot

MINHU_GROUP = "民呼我应"
REPORT_KINDS = {
    "minhu": ("民呼我应月度报告", "接诉即办（民呼我应）各项指标、下级排行和近 12 个月趋势。"),
    "shuzhi": ("书记抓基层党建工作述职事实材料", "党员、党组织、组织生活、双报到等党建指标，供述职评议引用。"),
}


def report_metrics(kind: str, metrics: list) -> list:
    if kind == "minhu":
        return [m for m in metrics if m.group == MINHU_GROUP]
    return [m for m in metrics if m.group != MINHU_GROUP]


def load_board(user, tree: str, code: str, period: Period, source: str = "auto", rank: str = "") -> Dashboard:
    """The dashboard from the period's snapshot (``snapshot``, or ``auto`` when one exists), else live."""
    snapshot = find_snapshot(tree, code, period) if source in ("auto", "snapshot") else None
    if source == "snapshot" and snapshot is None:
        raise Http404("该统计期还没有冻结的月报。")
    return build(user, tree, code, period, rank, snapshot=snapshot)


@dataclass
class Section:
    anchor: str
    title: str
    metric: object
    text: str
    bars: str
    line: str
    rows: list


def report_context(user, tree: str, code: str, period: Period, kind: str, source: str = "auto") -> dict:
    if kind not in REPORT_KINDS:
        raise Http404("没有这种报告。")
    board = load_board(user, tree, code, period, source)
    chosen = report_metrics(kind, board.metrics)
    sections = []
    for index, metric in enumerate(chosen, start=1):
        ranked = rank_rows(board.children, metric.key)
        series = board.trend.get(metric.key)
        sections.append(
            Section(
                anchor=f"s{index}",
                title=f"{metric.label}",
                metric=metric,
                text=format_value(metric, board.figures.get(metric.key)),
                bars=bar_chart(
                    [r["name"] for r in ranked], [r["figures"].get(metric.key) for r in ranked], percent=metric.percent
                ),
                line=line_chart([f"{m:%Y-%m}" for m in board.trend_months], series, percent=metric.percent)
                if series
                else "",
                rows=[(r["name"], format_value(metric, r["figures"].get(metric.key))) for r in ranked],
            )
        )
    title, summary = REPORT_KINDS[kind]
    return {
        "board": board,
        "kind": kind,
        "title": title,
        "summary": summary,
        "tree_label": TREE_LABELS[tree],
        "headline": [(m, format_value(m, board.figures.get(m.key))) for m in chosen],
        "sections": sections,
        "source_text": (
            f"月报快照（{timezone.localtime(board.snapshot.created_at):%Y-%m-%d %H:%M} 冻结，此后的更正不改变本报告）"
            if board.snapshot is not None
            else f"实时数据（截至 {timezone.localtime():%Y-%m-%d %H:%M}）"
        ),
    }


# --------------------------------------------------------------------------- workbook

_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(text: str, used: set[str]) -> str:
    name = _SHEET_BAD.sub("", text)[:28] or "表"
    base, n = name, 2
    while name in used:
        name = f"{base[:25]}-{n}"
        n += 1
    used.add(name)
    return name


# The lists a figure drills to (their URL names) and the Excel kind that exports each list's rows
# from the same query parameters.
DETAIL_KINDS = {"appeals:queue": "appeals", "members:member_list": "members"}


@dataclass
class Detail:
    """The records behind one figure: the kind's exporter and rows, or why there are none."""

    metric: Any
    code: str
    name: str
    url: str = ""
    kind: Any = None
    exporter: Any = None
    queryset: Any = None
    total: int = 0
    limit: int = 0
    refusal: str = ""

    @property
    def written(self) -> int:
        return min(self.total, self.limit)


def detail_row_limit() -> int:
    from jiceng.core.excel import EXCEL_MAX_ROWS
    from jiceng.core.excel_limits import MAX_ROWS
    from jiceng.core.rules import get_rule

    return min(int(get_rule(MAX_ROWS)), EXCEL_MAX_ROWS - 3)


def _detail_url(user, board: Dashboard, metric, code: str) -> str:
    """The list behind the figure at ``code``, if the user may open it (as the page's drill link)."""
    from jiceng.core.metrics import detail_url
    from jiceng.core.scope import scope_for

    if board.tree == "areas":
        return detail_url(user, metric, type("N", (), {"code": code}), board.period)
    if metric.detail and scope_for(user, metric.detail_permission or metric.permission).covers_org(code):
        return import_string(metric.detail)(code, board.period.start, board.period.end)
    return ""


def find_detail(user, board: Dashboard, metric_key: str, code: str) -> Detail:
    """The records behind ``metric_key`` at ``code`` (the board's node or a child of it), through
    the Excel kind of the list the figure drills to; 404 for a figure or node not on the board."""
    from urllib.parse import parse_qs, urlsplit

    from django.urls import Resolver404, resolve

    from jiceng.core.excel_jobs import get_kind
    from jiceng.core.scope import scope_for

    metric = next((m for m in board.metrics if m.key == metric_key), None)
    if metric is None:
        raise Http404(unknown_metric(metric_key) or "该看板上没有这个指标。")
    code = code or board.node.code
    names = {board.node.code: board.node.name, **{c["code"]: c["name"] for c in board.children}}
    if code not in names:
        raise Http404("明细只能导出本看板节点及其下级的指标。")
    detail = Detail(metric=metric, code=code, name=names[code])
    detail.url = _detail_url(user, board, metric, code)
    if not detail.url:
        detail.refusal = f"“{metric.label}”没有您可查看的记录明细。"
        return detail
    parts = urlsplit(detail.url)
    try:
        kind_key = DETAIL_KINDS.get(resolve(parts.path).view_name or "")
    except Resolver404:
        kind_key = None
    if kind_key is None:
        detail.refusal = f"“{metric.label}”的记录明细请在列表中查看：{detail.url}"
        return detail
    detail.kind = get_kind(kind_key)
    if scope_for(user, detail.kind.export_permission).empty:
        detail.refusal = f"您没有导出{detail.kind.label}的权限，记录明细请在列表中查看：{detail.url}"
        return detail
    detail.exporter = detail.kind.load_exporter()
    detail.queryset = detail.exporter.queryset(user, parse_qs(parts.query))
    detail.total = detail.queryset.count()
    detail.limit = detail_row_limit()
    return detail


class DashboardRows:
    """What the exporter writes: one dashboard (``count`` is its rows, for the inline/worker choice)."""

    def __init__(self, board: Dashboard, params: dict, detail: Detail | None = None):
        self.board = board
        self.params = params
        self.detail = detail

    def count(self) -> int:
        own = 1 + len(self.board.children) * max(len(self.board.metrics), 1)
        return own + (self.detail.written if self.detail is not None else 0)


def _param(params, key: str) -> str:
    value = (params or {}).get(key, "")
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value)


class DashboardExporter:
    """``ExcelKind`` "dashboard": ``tree``, ``node``, ``period``, ``source`` (auto/live/snapshot)."""

    label = "数据看板"

    def __init__(self):
        self.audit_extra: dict = {}
        self.area_path = ""

    def queryset(self, user, params) -> DashboardRows:
        from .views import home_node

        tree = _param(params, "tree") or "areas"
        code = _param(params, "node")
        if tree not in TREE_LABELS:
            raise Http404("没有这种树。")
        if not code:
            found = home_node(user)
            if found is None:
                raise Http404("您没有可查看的看板。")
            tree, code = found
        try:
            period = parse_period(_param(params, "period"), timezone.localdate())
        except PeriodError as exc:
            raise Http404(str(exc)) from exc
        source = _param(params, "source") or "auto"
        board = load_board(user, tree, code, period, source if source in ("auto", "live", "snapshot") else "auto")
        self.audit_extra = {"tree": tree, "node": board.node.code, "period": period.text}
        self.area_path = board.node.code if tree == "areas" else getattr(board.node, "area_path", "")
        detail = None
        if _param(params, "detail"):
            detail = find_detail(user, board, _param(params, "detail"), _param(params, "at"))
            self.audit_extra.update({"detail": detail.metric.key, "detail_node": detail.code})
        return DashboardRows(board, params, detail)

    def write(self, user, rows: DashboardRows, target, progress=None) -> int:
        from openpyxl import Workbook
        from openpyxl.chart import BarChart, LineChart, Reference

        board = rows.board
        percent_format = "0.0%"
        book = Workbook()
        book.remove(book.worksheets[0])
        used: set[str] = set()
        sheet = book.create_sheet(_sheet_name("概览", used))
        source = "月报快照" if board.snapshot is not None else "实时数据"
        sheet.append([f"{board.node.name} 数据看板", board.period.label, source])
        sheet.append(["分组", "指标", "数值", "单位", "口径"])
        for metric in board.metrics:
            value = board.figures.get(metric.key)
            sheet.append([metric.group, metric.label, value, "" if metric.percent else metric.unit, metric.definition])
            if metric.percent:
                sheet.cell(sheet.max_row, 3).number_format = percent_format
        written = 1
        for metric in board.metrics:
            chart_sheet = book.create_sheet(_sheet_name(f"排行-{metric.label}", used))
            chart_sheet.append(["名称", "编码", metric.label + ("" if metric.percent else f"（{metric.unit}）")])
            ranked = rank_rows(board.children, metric.key)
            for child in ranked:
                chart_sheet.append([child["name"], child["code"], child["figures"].get(metric.key)])
                if metric.percent:
                    chart_sheet.cell(chart_sheet.max_row, 3).number_format = percent_format
            if ranked:
                chart = BarChart()
                chart.title = f"下级{metric.label}排行"
                chart.add_data(
                    Reference(chart_sheet, min_col=3, min_row=1, max_row=len(ranked) + 1), titles_from_data=True
                )
                chart.set_categories(Reference(chart_sheet, min_col=1, min_row=2, max_row=len(ranked) + 1))
                chart_sheet.add_chart(chart, "E2")
            written += len(ranked)
            if progress is not None:
                progress(written)
        if board.trend:
            trend_sheet = book.create_sheet(_sheet_name("近12个月趋势", used))
            keys = [m for m in board.metrics if m.key in board.trend]
            trend_sheet.append(["月份", *(m.label for m in keys)])
            for i, month in enumerate(board.trend_months):
                trend_sheet.append([f"{month:%Y-%m}", *(board.trend[m.key][i] for m in keys)])
                for j, m in enumerate(keys, start=2):
                    if m.percent:
                        trend_sheet.cell(trend_sheet.max_row, j).number_format = percent_format
            line = LineChart()
            line.title = "近 12 个月趋势"
            line.add_data(
                Reference(
                    trend_sheet, min_col=2, max_col=len(keys) + 1, min_row=1, max_row=len(board.trend_months) + 1
                ),
                titles_from_data=True,
            )
            line.set_categories(Reference(trend_sheet, min_col=1, min_row=2, max_row=len(board.trend_months) + 1))
            trend_sheet.add_chart(line, "A16")
        self._write_links(user, book, used, board, percent_format)
        if rows.detail is not None:
            written += self._write_detail(user, book, used, rows.detail)
        book.save(target)
        return written

    def _write_links(self, user, book, used: set[str], board: Dashboard, percent_format: str) -> None:
        """Each child's value of every metric, with the link to the records' list."""
        from jiceng.core.metrics import detail_url

        detail = book.create_sheet(_sheet_name("明细", used))
        detail.append(["名称", "编码", "指标", "数值", "记录明细（登录后按权限查看）"])
        for child in board.children:
            node = type("N", (), {"code": child["code"]})
            for metric in board.metrics:
                detail.append(
                    [
                        child["name"],
                        child["code"],
                        metric.label,
                        child["figures"].get(metric.key),
                        detail_url(user, metric, node, board.period),
                    ]
                )
                if metric.percent:
                    detail.cell(detail.max_row, 4).number_format = percent_format

    def _write_detail(self, user, book, used: set[str], detail: Detail) -> int:
        """The records behind the figure as the list's own Excel export writes them (scope and
        masking included): that export goes to a temporary file and its rows are copied here."""
        from pathlib import Path

        from openpyxl import load_workbook

        from jiceng.core.excel_jobs import temp_xlsx

        sheet = book.create_sheet(_sheet_name(f"明细记录-{detail.metric.label}", used))
        sheet.append([f"{detail.name}{detail.metric.label}的记录明细", detail.url])
        if detail.refusal:
            sheet.append([detail.refusal])
            return 0
        if detail.total > detail.limit:
            sheet.append(
                [
                    f"共 {detail.total:,} 条，超过每次导出 {detail.limit:,} 条的上限，此处只有前 {detail.limit:,} 条；"
                    "完整明细请在列表中分批导出。"
                ]
            )
        else:
            sheet.append([f"共 {detail.total:,} 条"])
        path = temp_xlsx()
        try:
            written = detail.exporter.write(user, detail.queryset[: detail.limit], path)
            source = load_workbook(path, read_only=True)
            for number, part in enumerate(source.worksheets):
                for index, values in enumerate(part.iter_rows(values_only=True)):
                    if number and not index:
                        continue  # a continuation sheet repeats the headers
                    sheet.append(list(values))
            source.close()
        finally:
            Path(path).unlink(missing_ok=True)
        self.audit_extra.update(
            {"detail_kind": detail.kind.key, "detail_rows": written, **getattr(detail.exporter, "audit_extra", {})}
        )
        return written


def _spec():
    from jiceng.core.excel.spec import Spec

    return Spec("dashboard", "数据看板", ())


DASHBOARD_SPEC = _spec()

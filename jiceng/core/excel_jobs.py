"""Excel import and export jobs: which rosters exist, inline or in the worker, progress, files.

Every import, and every export over ``excel.inline_rows`` rows (a rule, default 2,000), becomes an
:class:`~jiceng.core.models.ExcelJob` run by the worker (``run_excel_job``, enqueued on commit,
taking the job id, idempotent: the first runner claims the pending job with a conditional UPDATE,
any later run of the same id does nothing). The web request of an import only stores the upload
and queues the job: the file is opened, checked against the read limits
(``jiceng.core.excel_limits``) and written in the worker. Smaller exports stream straight back to
the browser.

Each app declares its rosters as :class:`~jiceng.core.registry.ExcelKind` records (dotted paths) in
its ``registry.py``: template spec, import function, exporter. :data:`KINDS` holds them by key.
"""

import hashlib
import logging
import os
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jiceng.accounts.services import audit
from jiceng.core.excel import ErrorCollector
from jiceng.core.masking import mask_id_number
from jiceng.core.models import ExcelJob
from jiceng.core.registry import ExcelKind, LazyMapping, excel_kinds, scope_trees
from jiceng.core.replica import replica_reads
from jiceng.core.rules import Integer, get_rule, register
from jiceng.core.scope import scope_for

logger = logging.getLogger(__name__)

INLINE_ROWS = "excel.inline_rows"
RETENTION_DAYS = "excel.retention_days"
register(
    INLINE_ROWS,
    "Excel 导入导出在页面内直接处理的最大行数",
    2000,
    "超过此行数的导入、导出转入后台任务并显示进度条（DESIGN.md §4 Excel：“几千行以上在后台处理”）。",
    type=Integer(min_value=1),
)
register(
    RETENTION_DAYS,
    "Excel 上传文件、错误报告和导出文件的保留天数",
    30,
    "含个人信息的文件只保存处理所需的时间（个人信息保护法第十九条：保存期限应为实现处理目的所必要的最短时间）。",
    type=Integer(min_value=1),
)
STALE_RUNNING_MINUTES = "excel.stale_running_minutes"
STALE_QUEUED_MINUTES = "excel.stale_queued_minutes"
register(
    STALE_RUNNING_MINUTES,
    "Excel 后台任务无进展多少分钟视为中断",
    15,
    "处理中的任务至少每千行记录一次进度；超过此时间没有进展，说明执行它的进程已退出（重启、内存不足），"
    "任务标记为失败，页面不再一直显示“处理中”。导入是全部成功或全部不写入，中断的任务没有写入任何数据。",
    type=Integer(min_value=1),
)
register(
    STALE_QUEUED_MINUTES,
    "Excel 后台任务排队多少分钟未开始视为中断",
    60,
    "后台进程停止或队列丢失时，排队的任务不会开始；超过此时间仍未开始的任务标记为失败，请用户重新上传或导出。",
    type=Integer(min_value=1),
)
PREVIEW_ERRORS = 500


# Every roster an app declares in its registry.py (``excel_kinds``), by key.
KINDS: LazyMapping = LazyMapping(excel_kinds)


def get_kind(key: str) -> ExcelKind:
    try:
        return KINDS[key]
    except KeyError:
        from django.http import Http404

        raise Http404("没有这种数据的导入导出。") from None


def inline_limit() -> int:
    return get_rule(INLINE_ROWS)


@dataclass
class ImportResult:
    """What an import did. ``created`` is 0 unless every row was valid and all were written."""

    total: int = 0  # data rows read (blank rows and the example row excluded)
    created: int = 0
    errors: ErrorCollector | None = None
    message: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------- progress


class JobProgress:
    """Rows done / total on the job row, written at most every ``interval`` seconds.

    Called from the thread that validates the rows, whose connection is not inside the import's
    transaction (on PostgreSQL the rows go through the writer thread of ``bulk.ThreadedCopySink``;
    elsewhere they are spooled until every row is checked), so each update commits at once and
    the page's polling sees it.
    """

    def __init__(self, job: ExcelJob | None, interval: float = 0.5):
        self.job_id = job.pk if job is not None else None
        self.interval = interval
        self.total = 0
        self.done = 0
        self.phase = ""
        self._last = 0.0

    def start(self, total: int, phase: str = "") -> None:
        self.total = total
        self.phase = phase
        self.write()

    def __call__(self, done: int, phase: str | None = None, force: bool = False) -> None:
        self.done = done
        if phase is not None and phase != self.phase:
            self.phase = phase
            force = True
        if force or time.monotonic() - self._last >= self.interval:
            self.write()

    def write(self) -> None:
        if self.job_id is None:
            return
        self._last = time.monotonic()
        done = min(self.done, self.total) if self.total else self.done
        ExcelJob.objects.filter(pk=self.job_id).update(
            done_rows=done, total_rows=self.total, phase=self.phase[:40], progress_at=timezone.now()
        )

    def close(self) -> None:
        """Nothing to release; kept so callers can treat progress like a resource."""


# --------------------------------------------------------------------------- scope and audit


def describe_scope(user, permission: str) -> str:
    """“全市” or the names of the nodes where the user holds ``permission``, for the job page."""
    scope = scope_for(user, permission)
    if scope.everywhere:
        return "全部"
    names = []
    # The trees (areas, then orgs) are declared by the apps that own them.
    for tree in scope_trees():
        codes = getattr(scope, tree.scope_field)
        if codes:
            model = apps.get_model(tree.model)
            names += (
                model.objects.filter(**{f"{tree.code_field}__in": codes})
                .order_by(tree.code_field)
                .values_list(tree.name_field, flat=True)
            )
    text = "、".join(names)
    return text[:297] + "…" if len(text) > 300 else text


def require_scope(user, permission: str, message: str):
    scope = scope_for(user, permission)
    if scope.empty:
        raise PermissionDenied(message)
    return scope


def common_prefix(paths) -> str:
    """The deepest area path covering all ``paths`` (audit records are scoped by it)."""
    paths = [p for p in paths if p]
    if not paths:
        return ""
    low, high = min(paths), max(paths)
    n = 0
    while n < len(low) and n < len(high) and low[n] == high[n]:
        n += 1
    return low[:n]


_ID_LIKE = re.compile(r"\b\d{14}[\dXx]{1,4}\b")


def scrub(value):
    """Params safe for the audit log: anything that looks like an ID number is masked."""
    if isinstance(value, str):
        return _ID_LIKE.sub(lambda m: mask_id_number(m.group(0)), value)
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items()}
    return value


def audit_summary(
    actor, action: str, *, object_type: str, job: ExcelJob | None, summary: str, after: dict, area_path=""
):
    """The one audit record of an import or export (never a full ID number in it)."""
    return audit(
        actor,
        action,
        object_type=object_type,
        object_id=f"excel:{job.pk}" if job is not None else "excel",
        object_repr=summary,
        area_path=area_path,
        after=scrub(after),
    )


def mark_imported(job: ExcelJob | None, created: int, total: int) -> None:
    """Inside the import's transaction: the job says done exactly when the rows are there."""
    if job is None:
        return
    ExcelJob.objects.filter(pk=job.pk).update(
        status=ExcelJob.Status.SUCCEEDED, created_rows=created, total_rows=total, done_rows=total
    )


# --------------------------------------------------------------------------- starting jobs


def _safe_name(name: str) -> str:
    stem = Path(name or "upload").name
    stem = re.sub(r"[^\w.\-\u4e00-\u9fff]+", "_", stem)[-120:]
    return stem or "upload.xlsx"


def _sha256(django_file) -> str:
    digest = hashlib.sha256()
    for chunk in django_file.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def start_import(user, kind_key: str, upload) -> ExcelJob:
    """Store the upload as a job and queue it for the worker; nothing of the file is read here.

    Every import, however small, is opened, checked against the read limits
    (``jiceng.core.excel_limits``) and written by the worker, so a hostile file costs the web
    process no more than saving it.
    """
    kind = get_kind(kind_key)
    require_scope(user, kind.import_permission, f"您没有导入{kind.label}的权限。")
    job = ExcelJob(
        direction=ExcelJob.Direction.IMPORT,
        kind=kind.key,
        user=user,
        original_name=(getattr(upload, "name", "") or "")[:200],
        scope_note=describe_scope(user, kind.import_permission),
        in_worker=True,
        phase="排队等待后台处理",
    )
    job.sha256 = _sha256(upload)
    upload.seek(0)
    job.file.save(_safe_name(job.original_name), upload, save=False)
    job.save()
    enqueue(job)
    return job


def start_export(user, kind_key: str, params: dict):
    """``(job, None)`` when the export goes to the worker, ``(None, (path, count))`` when done now."""
    kind = get_kind(kind_key)
    require_scope(user, kind.export_permission, f"您没有导出{kind.label}的权限。")
    exporter = kind.load_exporter()
    with replica_reads():  # the rows of an export are read, not edited: the replica's when there is one
        queryset = exporter.queryset(user, params)
        count = queryset.count()
        if count <= inline_limit():
            path = temp_xlsx()
            written = exporter.write(user, queryset, path)
    if count <= inline_limit():
        _audit_export(user, kind, None, params, written, exporter)
        return None, (path, written)
    job = ExcelJob.objects.create(
        direction=ExcelJob.Direction.EXPORT,
        kind=kind.key,
        user=user,
        params=params,
        total_rows=count,
        in_worker=True,
        phase="排队等待后台处理",
        scope_note=describe_scope(user, kind.export_permission),
    )
    enqueue(job)
    return job, None


def enqueue(job: ExcelJob) -> None:
    from jiceng.core.tasks import run_excel_job

    job_id = job.pk
    transaction.on_commit(lambda: run_excel_job.enqueue(job_id))


def temp_xlsx() -> str:
    """A new empty file under MEDIA_ROOT/excel/tmp (same disk as the final file, so saving is cheap)."""
    directory = Path(settings.MEDIA_ROOT) / "excel" / "tmp"
    directory.mkdir(parents=True, exist_ok=True)
    handle, path = tempfile.mkstemp(suffix=".xlsx", dir=directory)
    os.close(handle)
    return path


def _temp_report_path() -> Path:
    return Path(temp_xlsx())


def _finish(job: ExcelJob, status: str, message: str, errors: ErrorCollector | None) -> None:
    job.refresh_from_db()
    if errors is not None:
        report = errors.close()
        job.error_count = errors.count
        job.bad_rows = errors.bad_rows
        job.errors_preview = [e.as_dict() for e in errors.preview]
        if report is not None:
            with open(report, "rb") as fh:
                job.error_report.save(f"错误报告-{job.pk}.xlsx", File(fh), save=False)
            report.unlink(missing_ok=True)
        elif errors.report_path is not None:
            errors.report_path.unlink(missing_ok=True)
    job.status = status
    job.message = message[:500]
    job.finished_at = timezone.now()
    job.phase = ""
    if status == ExcelJob.Status.SUCCEEDED:
        job.done_rows = job.total_rows
    job.save()


# --------------------------------------------------------------------------- running jobs


def run_job(job_id: int) -> str:
    """Run one pending job; a job already claimed or finished is left alone (idempotent)."""
    now = timezone.now()
    claimed = ExcelJob.objects.filter(pk=job_id, status=ExcelJob.Status.PENDING).update(
        status=ExcelJob.Status.RUNNING, started_at=now, progress_at=now, phase="开始处理"
    )
    if not claimed:
        return "skipped"
    job = ExcelJob.objects.select_related("user").get(pk=job_id)
    try:
        if job.direction == ExcelJob.Direction.IMPORT:
            _run_import(job)
        else:
            _run_export(job)
    except Exception:
        # The log names the job only: row values (ID numbers) never go into logs.
        logger.exception("Excel job %s (%s %s) failed", job.pk, job.direction, job.kind)
        _finish(job, ExcelJob.Status.FAILED, "处理失败：系统内部错误，请稍后重试或联系管理员。", None)
    job.refresh_from_db()
    return job.status


def _run_import(job: ExcelJob) -> None:
    kind = get_kind(job.kind)
    importer = kind.load_importer()
    errors = ErrorCollector(_temp_report_path(), preview=PREVIEW_ERRORS)
    progress = JobProgress(job) if job.in_worker else None
    try:
        result = importer(
            job.user, job.file.path, filename=job.original_name, errors=errors, progress=progress, job=job
        )
    finally:
        if progress is not None:
            progress.close()
    if result.ok:
        job.total_rows = result.total
        job.save(update_fields=["total_rows"])
        _finish(
            job, ExcelJob.Status.SUCCEEDED, result.message or f"已导入 {result.created} 条{kind.label}记录。", errors
        )
    else:
        job.total_rows = result.total
        job.save(update_fields=["total_rows"])
        message = result.message or (
            f"发现 {errors.bad_rows} 行有错误（共 {errors.count} 处），整个文件未导入。请按错误报告修改后重新上传。"
        )
        _finish(job, ExcelJob.Status.REJECTED, message, errors)


def _run_export(job: ExcelJob) -> None:
    kind = get_kind(job.kind)
    exporter = kind.load_exporter()
    progress = JobProgress(job)
    path = temp_xlsx()
    try:
        # Reads from the replica when there is one; the job's progress is written to the primary.
        with replica_reads():
            queryset = exporter.queryset(job.user, job.params)
            progress.start(queryset.count(), "正在导出")
            written = exporter.write(job.user, queryset, path, progress=progress)
        with open(path, "rb") as fh:
            job.result.save(export_filename(kind), File(fh), save=False)
    finally:
        Path(path).unlink(missing_ok=True)
        progress.close()
    job.total_rows = written
    job.created_rows = written
    job.save(update_fields=["result", "total_rows", "created_rows"])
    _audit_export(job.user, kind, job, job.params, written, exporter)
    _finish(job, ExcelJob.Status.SUCCEEDED, f"已导出 {written} 条{kind.label}记录。", None)


def _audit_export(user, kind: ExcelKind, job, params, written: int, exporter) -> None:
    audit_summary(
        user,
        f"export_{kind.key}",
        object_type=f"core.excel_{kind.key}",
        job=job,
        summary=f"Excel 导出{kind.label} {written} 条",
        after={"rows": written, "params": params, **getattr(exporter, "audit_extra", {})},
        area_path=getattr(exporter, "area_path", ""),
    )


def export_filename(kind: ExcelKind) -> str:
    return f"{kind.label}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


# --------------------------------------------------------------------------- stalled jobs


def _stalled_message(job_direction: str, reason: str) -> str:
    if job_direction == ExcelJob.Direction.IMPORT:
        # Imports commit all rows with the job's status in one transaction: a job that never got
        # there wrote nothing.
        return f"{reason}，未导入任何数据，请重新上传。"
    return f"{reason}，未生成导出文件，请重新导出。"


def fail_stalled_jobs(now=None) -> int:
    """Mark failed the jobs whose worker is gone, so their pages stop polling and say so.

    Running: no progress written for ``excel.stale_running_minutes`` (the last progress, else
    the start). Queued: not started within ``excel.stale_queued_minutes``. Each UPDATE repeats
    the condition, so a job that reports progress at the same moment is left alone, and running
    this twice changes nothing more. Should the worker turn out to be alive after all, its own
    ending (succeeded, rejected, failed) overwrites this one.
    """
    now = now or timezone.now()
    running_minutes = get_rule(STALE_RUNNING_MINUTES)
    queued_minutes = get_rule(STALE_QUEUED_MINUTES)
    running_cutoff = now - timedelta(minutes=running_minutes)
    stale_running = Q(status=ExcelJob.Status.RUNNING) & (
        Q(progress_at__lt=running_cutoff)
        | Q(progress_at__isnull=True, started_at__lt=running_cutoff)
        | Q(progress_at__isnull=True, started_at__isnull=True, created_at__lt=running_cutoff)
    )
    stale_queued = Q(status=ExcelJob.Status.PENDING, created_at__lt=now - timedelta(minutes=queued_minutes))
    reasons = (
        (stale_running, f"后台任务中断（超过{running_minutes}分钟无进展）"),
        (stale_queued, f"后台任务未能开始（排队超过{queued_minutes}分钟）"),
    )
    failed = 0
    for condition, reason in reasons:
        for direction in ExcelJob.Direction.values:
            stalled = ExcelJob.objects.filter(condition, direction=direction)
            ids = list(stalled.values_list("pk", flat=True)[:1000])
            if not ids:
                continue
            count = stalled.filter(pk__in=ids).update(
                status=ExcelJob.Status.FAILED,
                message=_stalled_message(direction, reason),
                phase="",
                finished_at=now,
            )
            if count:
                # Ids only: the jobs' files and rows hold personal data.
                logger.warning("Excel jobs %s marked failed: %s", ids, reason)
            failed += count
    return failed


# --------------------------------------------------------------------------- retention


def purge_old_files(now=None) -> int:
    """Delete uploaded files, reports and results older than ``excel.retention_days``."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=get_rule(RETENTION_DAYS))
    purged = 0
    for job in ExcelJob.objects.filter(created_at__lt=cutoff).exclude(file="", result="", error_report=""):
        for field in (job.file, job.result, job.error_report):
            if field:
                field.delete(save=False)
        job.save(update_fields=["file", "result", "error_report"])
        purged += 1
    return purged

from django.conf import settings
from django.db import models


class Rule(models.Model):
    """A city's override of a rule default declared in :mod:`jiceng.core.rules`."""

    key = models.CharField("规则", max_length=100, unique=True)
    value = models.JSONField("取值")
    note = models.CharField("调整依据", max_length=500, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "规则参数"
        verbose_name_plural = "规则参数"

    def __str__(self) -> str:
        return self.key


class ScheduledJob(models.Model):
    """When each periodic job was last enqueued, so several schedulers enqueue it once."""

    key = models.CharField("任务", max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField("上次加入队列", null=True, blank=True)

    class Meta:
        verbose_name = "定时任务"
        verbose_name_plural = "定时任务"

    def __str__(self) -> str:
        return self.key


class CalendarDay(models.Model):
    """A city-edited day: a holiday or an adjusted working day (调休) for years the
    ``chinesecalendar`` package does not know yet, or a correction of it."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是否工作日")
    name = models.CharField("说明", max_length=50, blank=True, help_text="如：春节、国庆节调休上班")

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.is_workday else '休息'} {self.name}"


class ExcelJob(models.Model):
    """One Excel import or export: the file, its progress and its outcome (jiceng.core.excel_jobs).

    Every import, and every export over ``excel.inline_rows`` rows, runs in the worker and the
    page polls this row for progress. A job is seen only by the user who started it. The files live
    under MEDIA_ROOT and are served only through the job's views, never as public media.
    """

    class Direction(models.TextChoices):
        IMPORT = "import", "导入"
        EXPORT = "export", "导出"

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "处理中"
        SUCCEEDED = "succeeded", "已完成"
        REJECTED = "rejected", "有错误，未导入"
        FAILED = "failed", "处理失败"

    direction = models.CharField("类型", max_length=8, choices=Direction.choices)
    kind = models.CharField("数据", max_length=30)  # a key of jiceng.core.excel_jobs.KINDS
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    phase = models.CharField("阶段", max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="excel_jobs", verbose_name="操作人"
    )
    # The scope the job ran under, as text for the page (the job always re-reads the user's grants).
    scope_note = models.CharField("范围", max_length=300, blank=True)
    params = models.JSONField("筛选条件", default=dict, blank=True)
    file = models.FileField("上传文件", upload_to="excel/uploads/%Y/%m/", max_length=300, blank=True)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    sha256 = models.CharField("文件摘要", max_length=64, blank=True, db_index=True)
    result = models.FileField("结果文件", upload_to="excel/results/%Y/%m/", max_length=300, blank=True)
    error_report = models.FileField("错误报告", upload_to="excel/errors/%Y/%m/", max_length=300, blank=True)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    done_rows = models.PositiveIntegerField("已处理行数", default=0)
    created_rows = models.PositiveIntegerField("写入行数", default=0)
    error_count = models.PositiveIntegerField("错误数", default=0)
    bad_rows = models.PositiveIntegerField("有错误的行数", default=0)
    errors_preview = models.JSONField("错误（前若干条）", default=list, blank=True)
    message = models.CharField("结果说明", max_length=500, blank=True)
    in_worker = models.BooleanField("后台处理", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    # Every progress write stamps it: a running job whose stamp is old has lost its worker
    # (excel_jobs.fail_stalled_jobs marks it failed instead of leaving the page polling forever).
    progress_at = models.DateTimeField("最近进展时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "Excel 导入导出任务"
        verbose_name_plural = "Excel 导入导出任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="exceljob_user_recent")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.kind} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.REJECTED, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.finished:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(self.done_rows * 100 / self.total_rows))

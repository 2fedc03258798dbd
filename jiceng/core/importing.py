"""One skeleton for every Excel import: open, read, check each row, report, write all or nothing.

An importer is a subclass of :class:`RowImporter` that supplies only its own steps:

* :meth:`~RowImporter.prepare` — load what the rows are checked against (once per file) and
  return the rows to check (as read, or already converted);
* :meth:`~RowImporter.check` — one row: append every :class:`RowError` to ``bad`` and return
  what is to be written for a good row;
* :meth:`~RowImporter.batch` — where good rows go: by default a list written by
  :meth:`~RowImporter.write` in one transaction once every row is good; an importer may stream
  them instead (the member import feeds a COPY while later rows are still checked);
* :meth:`~RowImporter.audit_summary` / :meth:`~RowImporter.audit_after` /
  :meth:`~RowImporter.done_message` — what the one audit record and the page say.

The skeleton does the rest the same way for every roster: a file that cannot be read is
reported whole, every bad cell goes to the :class:`ErrorCollector` (and its xlsx report), nothing
is written if any row is bad, and the audit record and the job's "done" land in the same
transaction as the rows.
"""

from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils import timezone

from jiceng.core.excel import ErrorCollector, ExcelError, RowError, SheetReader, Spec
from jiceng.core.excel_jobs import ImportResult, audit_summary, common_prefix, mark_imported
from jiceng.core.excel_limits import MAX_ROWS, read_limits

PROGRESS_EVERY = 1000
EMPTY_FILE = "文件中没有数据行。"


class ListBatch:
    """Good rows kept in memory; written by the importer in one transaction at the end."""

    def __init__(self, importer: "RowImporter"):
        self.importer = importer
        self.items: list = []
        self.live = True

    def add(self, item) -> None:
        self.items.append(item)

    def abandon(self) -> None:
        """A row was bad: nothing will be written, so stop keeping rows."""
        self.live = False
        self.items = []

    def commit(self, after) -> None:
        with transaction.atomic():
            self.importer.write(self.items)
            after()


class RowImporter:
    """The steps every import shares; see the module docstring for the hooks."""

    spec: Spec
    object_type: str = ""
    audit_action: str = ""
    checking_phase = "正在检查"
    writing_phase: str | None = None  # shown while the rows are written, if worth a phase
    # Shown when the database refuses a row another user wrote meanwhile (a unique key); None
    # lets the error through.
    conflict_message: str | None = None
    # The rule capping the rows of this kind's files (jiceng.core.excel_limits).
    max_rows_rule: str = MAX_ROWS

    def __init__(
        self, user, *, filename: str = "", errors: ErrorCollector | None = None, progress=None, job=None, today=None
    ):
        self.user = user
        self.filename = filename
        self.errors = errors if errors is not None else ErrorCollector()
        self.progress = progress
        self.job = job
        self.today = today or timezone.localdate()
        self.area_paths: set[str] = set()  # of the rows written: the audit record is scoped by them
        self.count = 0
        self.done = 0
        self.progress_every = PROGRESS_EVERY

    # ------------------------------------------------------------------- hooks

    def prepare(self, reader: SheetReader):
        """Load the lookups; return the rows :meth:`check` is given (by default as read)."""
        return reader.rows()

    def check(self, row, bad: list[RowError]):
        raise NotImplementedError

    @contextmanager
    def batch(self, reader: SheetReader):
        yield ListBatch(self)

    def write(self, items: list) -> None:
        raise NotImplementedError

    def after_write(self) -> None:
        """Runs in the write's transaction before the audit record (counters and the like)."""

    def audit_summary(self) -> str:
        raise NotImplementedError

    def audit_after(self) -> dict:
        return {"rows": self.count, "file": self.filename[:200]}

    def done_message(self) -> str:
        raise NotImplementedError

    # ------------------------------------------------------------------- the skeleton

    def run(self, source) -> ImportResult:
        """Check every row of ``source`` (a path or file object) and write all of them, or none."""
        result = ImportResult(errors=self.errors)
        self._phase(0, "正在读取文件")
        try:
            reader = SheetReader(source, self.spec, self.filename, limits=read_limits(self.spec, self.max_rows_rule))
            rows = self.prepare(reader)  # may read every row (the org import does)
        except ExcelError as exc:
            return self._refuse_file(result, exc)
        self._phase(len(rows) if isinstance(rows, list) else reader.total, self.checking_phase)
        try:
            with self.batch(reader) as batch:
                self._check_all(rows, batch)
                result.total = self.done
                if self.errors or not self.count:
                    return result if self.errors else self._refuse(result, EMPTY_FILE)
                if self.progress is not None:
                    self.progress(self.done, self.writing_phase, force=self.writing_phase is not None)
                batch.commit(self._finish)
        except ExcelError as exc:  # a limit met in a later part of the file: nothing was written
            result.total = self.done
            return self._refuse_file(result, exc)
        except IntegrityError:
            if self.conflict_message is None:
                raise
            result.total = self.done
            return self._refuse(result, self.conflict_message)
        result.created = self.count
        result.message = self.done_message()
        return result

    def _check_all(self, rows, batch) -> None:
        check, errors, progress, every = self.check, self.errors, self.progress, self.progress_every
        done = count = 0
        for row in rows:
            done += 1
            if progress is not None and done % every == 0:
                progress(done)
            bad: list[RowError] = []
            item = check(row, bad)
            if bad:
                if batch.live:
                    batch.abandon()
                errors.extend(bad)
            else:
                if batch.live:
                    batch.add(item)
                count += 1
        self.done, self.count = done, count

    def _finish(self) -> None:
        """In the write's transaction: the importer's counters, the audit record, the job done."""
        self.after_write()
        audit_summary(
            self.user,
            self.audit_action,
            object_type=self.object_type,
            job=self.job,
            summary=self.audit_summary(),
            after=self.audit_after(),
            area_path=common_prefix(self.area_paths),
        )
        mark_imported(self.job, self.count, self.done)

    def _phase(self, total: int, phase: str) -> None:
        if self.progress is not None:
            self.progress.start(total, phase)

    def _refuse_file(self, result: ImportResult, exc: ExcelError) -> ImportResult:
        self.errors.extend(exc.errors)
        return self._refuse(result, exc.message, report=not exc.errors)

    def _refuse(self, result: ImportResult, message: str, report: bool = True) -> ImportResult:
        if report:
            self.errors.add(RowError(0, "", "", message))
        result.message = message
        return result

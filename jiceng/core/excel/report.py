"""The error report of an import: every bad cell, counted, previewed and streamed to xlsx."""

from collections.abc import Iterable
from pathlib import Path

from .base import RowError
from .stream import SheetStream, XlsxStreamWriter, write_rows

ERROR_REPORT_HEADERS = ["行号", "列", "值", "原因"]


def write_error_report(target, errors: Iterable[RowError], title: str = "错误报告") -> int:
    """Every bad cell as (row, column, value, reason), in the order found."""
    return write_rows(
        target,
        title,
        ERROR_REPORT_HEADERS,
        ([e.row or None, e.column, e.value, e.reason] for e in errors),
        widths=[8, 18, 28, 70],
    )


class ErrorCollector:
    """Every bad cell of an import: counted, the first ``preview`` kept for the page (values cut
    to a short prefix, :meth:`RowError.shortened`), and all of them streamed into an xlsx report
    (so a file with 500,000 bad rows costs no memory)."""

    def __init__(self, report_path: str | Path | None = None, preview: int = 500):
        self.report_path = Path(report_path) if report_path else None
        self.preview_limit = preview
        self.preview: list[RowError] = []
        self.count = 0
        self.bad_rows = 0
        self._last_row: int | None = None
        self._writer: XlsxStreamWriter | None = None
        self._sheet: SheetStream | None = None

    def __bool__(self) -> bool:
        return self.count > 0

    def add(self, error: RowError) -> None:
        self.count += 1
        if error.row != self._last_row:
            self.bad_rows += 1
            self._last_row = error.row
        if len(self.preview) < self.preview_limit:
            self.preview.append(error.shortened())
        if self.report_path is not None:
            if self._writer is None:
                self._writer = XlsxStreamWriter(self.report_path)
                self._sheet = self._writer.sheet("错误报告", ERROR_REPORT_HEADERS, [8, 18, 28, 70])
            assert self._sheet is not None  # set together with the writer just above
            self._sheet.append([error.row or None, error.column, error.value, error.reason])

    def extend(self, errors: Iterable[RowError]) -> None:
        for error in errors:
            self.add(error)

    def close(self) -> Path | None:
        """Finish the report; the path if any error was written, else None."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
            return self.report_path
        return None

    @property
    def truncated(self) -> bool:
        return self.count > len(self.preview)

"""Limits of the Excel files read here, and the errors an import reports."""

from dataclasses import dataclass
from datetime import date

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file (BIFF8 .xls; also encrypted xlsx)
EXAMPLE_PREFIX = "示例"
HEADER_SEARCH_ROWS = 10
EXCEL_MAX_ROWS = 1_048_576
EXCEL_EPOCH = date(1899, 12, 30)  # exact from serial 61 (1900-03-01), after Lotus's phantom 1900-02-29
# What the job page keeps of a cell's value (and of a header) in its error list: the report file
# has the rest. A 200 MB cell must not become a 200 MB page.
PREVIEW_CHARS = 50
PREVIEW_REASON_CHARS = 200
FORMAT_HELP = "只支持 Excel 文件（.xlsx 或 .xls）。如果是 WPS 或 CSV 文件，请在 Excel/WPS 中“另存为”.xlsx 后再上传。"


class ExcelError(Exception):
    """The file as a whole cannot be imported; ``errors`` may name the cells (headers) at fault."""

    def __init__(self, message: str, errors: list["RowError"] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or []


class CellError(ValueError):
    """One cell is wrong; the message is the reason in Chinese."""


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # the row number as Excel shows it (the header is usually row 1)
    column: str  # the header of the column, or "" for the whole row
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"第{self.row}行" + (f"“{self.column}”" if self.column else "")
        return f"{where}：{self.reason}" + (f"（值：{self.value}）" if self.value else "")

    def shortened(self) -> "RowError":
        """The error as the page shows it: at most a short prefix of the value and the header."""
        if (
            len(self.value) <= PREVIEW_CHARS
            and len(self.column) <= PREVIEW_CHARS
            and len(self.reason) <= PREVIEW_REASON_CHARS
        ):
            return self
        return RowError(
            self.row,
            shorten(self.column, PREVIEW_CHARS),
            shorten(self.value, PREVIEW_CHARS),
            shorten(self.reason, PREVIEW_REASON_CHARS),
        )

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with “…” when something was cut."""
    return text if len(text) <= limit else text[:limit] + "…"

"""Excel in and out, for every roster (DESIGN.md §4 "Excel").

* Reading: :func:`check_excel_file` checks the upload is really an Excel file (xlsx/xlsm or the
  old xls); an xlsx is checked against :class:`ReadLimits` (:mod:`.limits`) and cut into small
  workbooks calamine opens (:class:`XlsxChunker`: python-calamine never sees the upload itself);
  :class:`SheetReader` finds the header row, maps the
  template's Chinese headers (and their aliases) to columns, reports wrong or missing headers by
  name, and yields the rows as values aligned to the :class:`Spec` (or as dicts keyed by header).
* Cells: :class:`Column` converts one raw cell (text, code, date in any accepted form, integer,
  decimal, yes/no, choice by label) or raises :class:`CellError` with the reason in Chinese.
* Writing: :func:`write_template` builds an import template with openpyxl (headers, drop-down lists,
  an example row, a notes sheet); :class:`XlsxStreamWriter` streams large sheets (exports, error
  reports) straight into the zip with bounded memory.

Why not openpyxl's write-only mode for the large files: measured on this project's machines it
writes 20,000–37,000 cells/s (with or without lxml), so a city-wide member export of 560,000 rows
× 30 columns would take 8–14 minutes. The stream writer (:mod:`.stream`) writes the same cells at several
hundred thousand per second; its output is read back by openpyxl and calamine in the tests.

The package follows those parts: :mod:`.base` (constants and errors), :mod:`.limits` (what a
file may hold, checked before calamine parses anything), :mod:`.cells` (cell values),
:mod:`.spec` (columns and specs), :mod:`.reading` (opening, chunks, the header), :mod:`.converter`
(rows to values), :mod:`.template`, :mod:`.stream` (the xlsx writer) and :mod:`.report` (the error
report). Everything is importable from ``jiceng.core.excel`` as before.
"""

from .base import (
    EXAMPLE_PREFIX,
    EXCEL_EPOCH,
    EXCEL_MAX_ROWS,
    FORMAT_HELP,
    HEADER_SEARCH_ROWS,
    XLS_MAGIC,
    XLSX_MAGIC,
    CellError,
    ExcelError,
    RowError,
)
from .cells import (
    DATE_HELP,
    cell_text,
    excel_serial_to_date,
    is_blank,
    parse_bool,
    parse_code,
    parse_date,
    parse_decimal,
    parse_id_text,
    parse_int,
    parse_phone,
    parse_text,
)
from .converter import (
    DATE_MEMO_SIZE,
    RowConverter,
)
from .limits import (
    ReadLimits,
)
from .reading import (
    CHUNK_ROWS,
    SheetReader,
    XlsxChunker,
    check_excel_file,
    open_sheet,
)
from .report import (
    ERROR_REPORT_HEADERS,
    ErrorCollector,
    write_error_report,
)
from .spec import (
    BOOL,
    CHOICE,
    CODE,
    DATE,
    DECIMAL,
    ID_NUMBER,
    INT,
    PHONE,
    TEXT,
    Column,
    Spec,
    normalise_header,
)
from .stream import (
    SheetStream,
    XlsxStreamWriter,
    column_letter,
    write_rows,
)
from .template import (
    write_template,
)

__all__ = [
    "BOOL",
    "CHOICE",
    "CHUNK_ROWS",
    "CODE",
    "DATE",
    "DATE_HELP",
    "DATE_MEMO_SIZE",
    "DECIMAL",
    "ERROR_REPORT_HEADERS",
    "EXAMPLE_PREFIX",
    "EXCEL_EPOCH",
    "EXCEL_MAX_ROWS",
    "FORMAT_HELP",
    "HEADER_SEARCH_ROWS",
    "ID_NUMBER",
    "INT",
    "PHONE",
    "TEXT",
    "XLSX_MAGIC",
    "XLS_MAGIC",
    "CellError",
    "Column",
    "ErrorCollector",
    "ExcelError",
    "ReadLimits",
    "RowConverter",
    "RowError",
    "SheetReader",
    "SheetStream",
    "Spec",
    "XlsxChunker",
    "XlsxStreamWriter",
    "cell_text",
    "check_excel_file",
    "column_letter",
    "excel_serial_to_date",
    "is_blank",
    "normalise_header",
    "open_sheet",
    "parse_bool",
    "parse_code",
    "parse_date",
    "parse_decimal",
    "parse_id_text",
    "parse_int",
    "parse_phone",
    "parse_text",
    "write_error_report",
    "write_rows",
    "write_template",
]

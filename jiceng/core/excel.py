"""Excel in and out, for every roster (DESIGN.md §4 "Excel").

* Reading: :func:`open_sheet` checks the upload is really an Excel file (xlsx/xlsm or the old
  xls) and opens it with python-calamine; :class:`SheetReader` finds the header row, maps the
  template's Chinese headers (and their aliases) to columns, reports wrong or missing headers by
  name, and yields the rows as values aligned to the :class:`Spec` (or as dicts keyed by header).
* Cells: :class:`Column` converts one raw cell (text, code, date in any accepted form, integer,
  decimal, yes/no, choice by label) or raises :class:`CellError` with the reason in Chinese.
* Writing: :func:`write_template` builds an import template with openpyxl (headers, drop-down lists,
  an example row, a notes sheet); :class:`XlsxStreamWriter` streams large sheets (exports, error
  reports) straight into the zip with bounded memory.

Why not openpyxl's write-only mode for the large files: measured on this project's machines it
writes 20,000–37,000 cells/s (with or without lxml), so a city-wide member export of 560,000 rows
× 30 columns would take 8–14 minutes. The stream writer below writes the same cells at several
hundred thousand per second; its output is read back by openpyxl and calamine in the tests.
"""

import queue
import re
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from django.utils import timezone
from python_calamine import CalamineWorkbook

XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 compound file (BIFF8 .xls; also encrypted xlsx)
EXAMPLE_PREFIX = "示例"
HEADER_SEARCH_ROWS = 10
EXCEL_MAX_ROWS = 1_048_576
EXCEL_EPOCH = date(1899, 12, 30)  # exact from serial 61 (1900-03-01), after Lotus's phantom 1900-02-29
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

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


# --------------------------------------------------------------------------- cell values


def cell_text(value) -> str:
    """How a raw cell reads in a report: dates as 2024-01-05, 24.0 as 24, empty as ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if value.time() != time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
DATE_HELP = "日期格式不正确，应为 2024-01-05、2024/1/5、2024年1月5日 或 2024.1.5"
_MAX_SERIAL = 2_958_465  # 9999-12-31


def excel_serial_to_date(serial: float) -> date:
    if not 1 <= serial <= _MAX_SERIAL:
        raise CellError(DATE_HELP)
    return EXCEL_EPOCH + timedelta(days=int(serial))


def parse_date(value) -> date | None:
    """A date from any accepted cell: a date/datetime cell, an Excel serial number or text written
    2024-01-05, 2024/1/5, 2024年1月5日, 2024.1.5 (or 20240105); empty → ``None``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(DATE_HELP)
    if isinstance(value, int | float):
        return excel_serial_to_date(value)
    text = str(value).strip()
    if not text:
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass  # the slow path below says why
    match = _DATE_TEXT.match(text) or _DATE_COMPACT.match(text)
    if match is None:
        if text.isascii() and text.isdigit() and len(text) <= 7:
            return excel_serial_to_date(int(text))  # a serial number stored as text
        raise CellError(DATE_HELP)
    year, month, day = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"日期“{text}”不存在") from None


def _number_text(value) -> str:
    """A whole number typed into a numeric cell, as the digits the user typed."""
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError("应为整数，不能有小数")
        return str(int(value))
    return str(value)


def parse_text(value, max_length: int | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = cell_text(value)
    if max_length is not None and len(text) > max_length:
        raise CellError(f"长度超过{max_length}个字符")
    return text


def parse_code(value, max_length: int | None = None) -> str:
    """A code made of digits (area and org codes): numbers typed into a numeric cell are accepted."""
    if value is None:
        return ""
    text = _number_text(value).strip() if not isinstance(value, str) else value.strip()
    if not text:
        return ""
    if not (text.isascii() and text.isdigit()):
        raise CellError("编码只能由数字组成")
    if max_length is not None and len(text) > max_length:
        raise CellError(f"编码超过{max_length}位")
    return text


def parse_id_text(value) -> str:
    """The raw text of an ID number. A number cell holding 18 digits has lost its last digits
    (Excel keeps 15 significant digits), so it is refused with the fix instead of guessed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float | int) and not isinstance(value, bool):
        if abs(value) >= 1e15:
            raise CellError("身份证号被 Excel 存成了数字，后几位已经丢失；请把该列设为“文本”格式后重新录入")
        return _number_text(value)
    return cell_text(value).strip()


_PHONE = re.compile(r"^(?:1\d{10}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|\d{7,8})$")


def parse_phone(value) -> str:
    if value is None:
        return ""
    text = _number_text(value) if not isinstance(value, str) else value.strip().replace(" ", "")
    if text and not _PHONE.match(text):
        raise CellError("电话号码格式不正确（手机号为11位数字，座机如 025-83001234）")
    return text


def parse_int(value, min_value: int | None = None, max_value: int | None = None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError("应为整数，不能有小数")
        number = int(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        try:
            number = int(text)
        except ValueError:
            try:
                as_float = float(text)
            except ValueError:
                raise CellError("应为整数") from None
            if not as_float.is_integer():
                raise CellError("应为整数，不能有小数") from None
            number = int(as_float)
    if min_value is not None and number < min_value:
        raise CellError(f"不能小于{min_value}")
    if max_value is not None and number > max_value:
        raise CellError(f"不能大于{max_value}")
    return number


def parse_decimal(value, places: int = 2, max_digits: int = 12, min_value=None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError("应为数字")
    text = repr(value) if isinstance(value, float) else str(value).strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellError("应为数字") from None
    if not number.is_finite():
        raise CellError("应为数字")
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum)
    if rounded != number:
        raise CellError(f"最多{places}位小数")
    if len(rounded.as_tuple().digits) > max_digits:
        raise CellError("数值过大")
    if min_value is not None and rounded < min_value:
        raise CellError(f"不能小于{min_value}")
    return rounded


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "t"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", "f", ""}


def parse_bool(value) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise CellError("应填“是”或“否”")
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellError("应填“是”或“否”")


# --------------------------------------------------------------------------- the spec

TEXT, CODE, ID_NUMBER, PHONE, DATE, INT, DECIMAL, BOOL, CHOICE = (
    "text",
    "code",
    "id_number",
    "phone",
    "date",
    "int",
    "decimal",
    "bool",
    "choice",
)
_KIND_HELP = {
    TEXT: "文本",
    CODE: "数字编码（请设为文本格式，以免丢失前导0）",
    ID_NUMBER: "18位公民身份号码（末位X大小写均可；15位旧号码自动升位）；请设为文本格式",
    PHONE: "手机号或座机号",
    DATE: "日期：2024-01-05、2024/1/5、2024年1月5日 或 2024.1.5",
    INT: "整数",
    DECIMAL: "数字，最多两位小数",
    BOOL: "是 / 否（空白视为“否”）",
    CHOICE: "从下拉列表中选择",
}


@dataclass(frozen=True)
class Column:
    """One column of an import template: its Chinese header and how a cell becomes a value."""

    header: str
    key: str  # the field the value goes to
    kind: str = TEXT
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, label shown in Excel)
    max_length: int | None = None
    min_value: Any = None
    max_value: Any = None
    default: Any = None  # value for an empty cell (text: "", bool: False, others: None)
    example: Any = None
    note: str = ""
    aliases: tuple[str, ...] = ()  # other headers people use for the same column
    width: int = 14

    @property
    def labels(self) -> list[str]:
        return [label for _, label in self.choices]

    @property
    def help(self) -> str:
        if self.kind == CHOICE:
            return "可选：" + "、".join(self.labels)
        return _KIND_HELP[self.kind]

    def empty_value(self):
        if self.default is not None:
            return self.default
        if self.kind in (TEXT, CODE, ID_NUMBER, PHONE):
            return ""
        if self.kind == BOOL:
            return False
        if self.kind == CHOICE:
            return ""
        return None

    def converter(self) -> Callable[[Any], Any]:
        """A function raw cell → value (never called with an empty cell), raising CellError."""
        kind = self.kind
        if kind == TEXT:
            max_length = self.max_length

            def convert(value):
                return parse_text(value, max_length)

            return convert
        if kind == CODE:
            max_length = self.max_length
            return lambda value: parse_code(value, max_length)
        if kind == ID_NUMBER:
            return parse_id_text
        if kind == PHONE:
            return parse_phone
        if kind == DATE:
            return parse_date
        if kind == INT:
            lo, hi = self.min_value, self.max_value
            return lambda value: parse_int(value, lo, hi)
        if kind == DECIMAL:
            lo = self.min_value
            return lambda value: parse_decimal(value, min_value=lo)
        if kind == BOOL:
            return parse_bool
        if kind == CHOICE:
            lookup = {}
            for stored, label in self.choices:
                lookup[label] = stored
                lookup[stored] = stored
            help_text = "应为以下之一：" + "、".join(self.labels)

            def convert(value):
                text = value.strip() if isinstance(value, str) else cell_text(value)
                try:
                    return lookup[text]
                except KeyError:
                    raise CellError(help_text) from None

            return convert
        raise ValueError(f"unknown column kind {kind!r}")

    def display(self, value) -> Any:
        """A stored value as it goes back into a cell (choice → its label, bool → 是/否)."""
        if self.kind == CHOICE:
            return dict(self.choices).get(value, value)
        if self.kind == BOOL:
            return "是" if value else "否"
        return value


@dataclass(frozen=True)
class Spec:
    """A template: the sheet's title, its columns in order, and notes for the people filling it."""

    key: str
    title: str
    columns: tuple[Column, ...]
    notes: tuple[str, ...] = ()
    # Headers an export adds for reading (e.g. the org's name next to its code); skipped on import.
    ignore_headers: tuple[str, ...] = ()

    def header_lookup(self) -> dict[str, int]:
        lookup: dict[str, int] = {}
        for index, column in enumerate(self.columns):
            lookup[normalise_header(column.header)] = index
            for alias in column.aliases:
                lookup.setdefault(normalise_header(alias), index)
        return lookup

    def index(self, key: str) -> int:
        for i, column in enumerate(self.columns):
            if column.key == key:
                return i
        raise KeyError(key)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


_HEADER_NOISE = re.compile(r"[\s*＊:：]|（必填）|\(必填\)")


def normalise_header(value) -> str:
    """``" 姓名* "`` → ``姓名``: spaces, required-markers and colons are not part of the name."""
    return _HEADER_NOISE.sub("", cell_text(value))


# --------------------------------------------------------------------------- reading


def _read_head(source, size: int = 8) -> bytes:
    if isinstance(source, str | Path):
        with open(source, "rb") as fh:
            return fh.read(size)
    source.seek(0)
    head = source.read(size)
    source.seek(0)
    return head


def _size(source) -> int:
    if isinstance(source, str | Path):
        return Path(source).stat().st_size
    position = source.tell()
    source.seek(0, 2)
    size = source.tell()
    source.seek(position)
    return size


def check_excel_file(source, filename: str = "") -> str:
    """``"xlsx"`` or ``"xls"`` judged by content (not by the name), else ExcelError in Chinese."""
    if _size(source) == 0:
        raise ExcelError("上传的文件是空的（0 字节）。")
    head = _read_head(source)
    name = (filename or (str(source) if isinstance(source, str | Path) else getattr(source, "name", "")) or "").lower()
    if head.startswith(XLSX_MAGIC):
        if isinstance(source, str | Path):
            try:
                with zipfile.ZipFile(source) as zf:
                    names = set(zf.namelist())
            except zipfile.BadZipFile:
                raise ExcelError("文件已损坏，无法打开。" + FORMAT_HELP) from None
        else:
            try:
                with zipfile.ZipFile(source) as zf:
                    names = set(zf.namelist())
            except zipfile.BadZipFile:
                raise ExcelError("文件已损坏，无法打开。" + FORMAT_HELP) from None
            finally:
                source.seek(0)
        if "xl/workbook.xml" not in names:
            raise ExcelError("这不是 Excel 文件（可能是 Word、ODS 或其他压缩文件）。" + FORMAT_HELP)
        return "xlsx"
    if head.startswith(XLS_MAGIC):
        return "xls"
    if name.endswith(".csv") or name.endswith(".txt"):
        raise ExcelError("不支持 CSV/文本文件。" + FORMAT_HELP)
    raise ExcelError("文件格式不正确。" + FORMAT_HELP)


def open_sheet(source, filename: str = "", sheet_name: str | None = None):
    """The data sheet of an uploaded workbook (``sheet_name`` if present, else the first sheet)."""
    kind = check_excel_file(source, filename)
    try:
        if isinstance(source, str | Path):
            workbook = CalamineWorkbook.from_path(str(source))
        else:
            source.seek(0)
            workbook = CalamineWorkbook.from_filelike(source)
    except Exception as exc:  # calamine raises several unrelated types for broken files
        text = str(exc).lower()
        if "password" in text or "encrypt" in text:
            raise ExcelError("文件设置了打开密码，请取消密码后再上传。") from None
        if kind == "xls":
            raise ExcelError("无法读取该 .xls 文件（可能已损坏或已加密）。" + FORMAT_HELP) from None
        raise ExcelError("无法读取该 Excel 文件（可能已损坏）。" + FORMAT_HELP) from None
    names = workbook.sheet_names
    if not names:
        raise ExcelError("文件中没有工作表。")
    target = sheet_name if sheet_name in names else names[0]
    try:
        return workbook.get_sheet_by_name(target)
    except Exception as exc:
        raise ExcelError(f"无法读取工作表“{target}”：{exc}") from None


# Above this uncompressed worksheet size an xlsx is read in chunks of CHUNK_ROWS rows: calamine
# holds a whole sheet in memory (about 80 bytes a cell), so a 560,000-row roster would peak at
# 1.3 GB; in chunks it stays near 300 MB for a little more CPU (the shared strings are re-read
# once per chunk). The next chunk is parsed while this one is checked (:class:`_Prefetch`), so
# two chunks are in memory at once: 50,000 rows keeps the 560,000-row import near 550 MB.
CHUNK_MIN_BYTES = 64 * 1024 * 1024
CHUNK_ROWS = 50_000
# Bytes of XML read per step while cutting chunks; larger steps mean fewer hand-overs of the GIL
# between the chunking thread and the checking thread.
_BLOCK = 8 * 1024 * 1024
_SHEETDATA = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData(?:\s[^>]*)?(/?)>")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*/>")


def _sheet_part(zf: zipfile.ZipFile, sheet_name: str | None) -> str | None:
    """The zip member holding the named sheet (or the first sheet)."""
    import xml.etree.ElementTree as ET

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    try:
        workbook = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return None
    sheets = [e for e in workbook.iter() if local(e.tag) == "sheet"]
    if not sheets:
        return None
    chosen = next((e for e in sheets if e.get("name") == sheet_name), sheets[0])
    rel_id = next((v for k, v in chosen.attrib.items() if local(k) == "id"), None)
    for rel in rels.iter():
        if local(rel.tag) == "Relationship" and rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


class XlsxChunker:
    """Splits one large worksheet of an xlsx into small workbooks of ``chunk_rows`` rows each,
    at the byte level (no XML parsing in Python), and opens each with calamine in turn.

    Each chunk keeps the original ``<row r=…>`` numbers, the shared strings and the styles, so
    calamine reads exactly the cells it would have read from the whole file.
    """

    def __init__(self, path, sheet_name: str | None, chunk_rows: int = CHUNK_ROWS):
        self.path = Path(path)
        self.chunk_rows = max(int(chunk_rows), 1000)
        self.sheet_name = sheet_name
        with zipfile.ZipFile(self.path) as zf:
            self.part = _sheet_part(zf, sheet_name)
            self.size = zf.getinfo(self.part).file_size if self.part in zf.namelist() else 0
            names = zf.namelist()
        self.first_rows = 0
        self.first_bytes = 0
        self.whole = False
        self._names = names

    def estimate_rows(self) -> int:
        """Rows in the sheet, extrapolated from the first chunk (exact for a single chunk)."""
        if self.whole or not self.first_bytes:
            return self.first_rows
        return int(self.first_rows * self.size / self.first_bytes)

    def sheets(self):
        import os
        import shutil
        import tempfile

        with zipfile.ZipFile(self.path) as zf, zf.open(self.part) as stream:
            data = b""
            match = None
            while match is None:
                block = stream.read(_BLOCK)
                if not block:
                    break
                data += block
                match = _SHEETDATA.search(data)
            if match is None or match.group(2) == b"/":
                self.whole = True
                yield open_sheet(self.path, sheet_name=self.sheet_name)
                return
            prefix = match.group(1)
            head = _DIMENSION.sub(b"", data[: match.end()])
            data = data[match.end() :]
            row_start = re.compile(b"<" + re.escape(prefix) + rb"row[\s>/]")
            end_tag = re.compile(b"</" + re.escape(prefix) + b"sheetData>")
            footer = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
            others = [info for info in zf.infolist() if info.filename != self.part]

            def open_chunk():
                handle, tmp = tempfile.mkstemp(suffix=".xlsx")
                os.close(handle)
                out = zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True)
                for info in others:
                    with zf.open(info) as src, out.open(info.filename, "w", force_zip64=True) as dst:
                        shutil.copyfileobj(src, dst, _BLOCK)
                sheet_handle = out.open(self.part, "w", force_zip64=True)
                sheet_handle.write(head)
                return tmp, out, sheet_handle

            def close_chunk(chunk):
                tmp, out, sheet_handle = chunk
                sheet_handle.write(footer)
                sheet_handle.close()
                out.close()
                try:
                    return open_sheet(tmp, sheet_name=self.sheet_name)
                finally:
                    os.unlink(tmp)  # calamine holds the sheet in memory now

            chunk = open_chunk()
            rows = 0
            written = 0
            first = True
            while True:
                end = end_tag.search(data)
                limit = end.start() if end else max(0, len(data) - 64)
                position = 0
                for found in row_start.finditer(data, 0, limit):
                    rows += 1
                    if rows > self.chunk_rows:
                        chunk[2].write(data[position : found.start()])
                        written += found.start() - position
                        position = found.start()
                        if first:
                            self.first_rows, self.first_bytes, first = rows - 1, written, False
                        yield close_chunk(chunk)
                        chunk = open_chunk()
                        rows, written = 1, 0
                chunk[2].write(data[position:limit])
                written += limit - position
                data = data[limit:]
                if end:
                    break
                block = stream.read(_BLOCK)
                if not block:
                    break  # no closing tag: calamine will say what is wrong
                data += block
            if first:
                self.first_rows, self.whole = rows, True
            yield close_chunk(chunk)


class _Prefetch:
    """Iterates ``source`` in a background thread, one item ahead of the consumer.

    For the chunks of a large sheet: calamine releases the GIL while it inflates and parses a
    chunk (about 1 s of CPU per 100,000 rows), so the next chunk is parsed on the other core
    while this thread checks the rows of the current one. Only one item is produced ahead (the
    producer waits for the consumer to take the previous one), so memory grows by one parsed
    chunk at most. An exception in the producer is raised in the consumer, in order.
    """

    _DONE = object()

    def __init__(self, source: Iterator, name: str = "excel-prefetch"):
        self._source = source
        self._items: queue.Queue = queue.Queue()
        self._permits = threading.Semaphore(1)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._produce, name=name, daemon=True)
        self._thread.start()

    def _produce(self) -> None:
        source = self._source
        try:
            while True:
                while not self._permits.acquire(timeout=0.5):
                    if self._stopped.is_set():
                        return
                if self._stopped.is_set():
                    return
                try:
                    item = next(source)
                except StopIteration:
                    self._items.put((self._DONE, None))
                    return
                self._items.put((item, None))
                del item
        except BaseException as exc:  # raised again in the consumer's thread
            self._items.put((self._DONE, exc))
        finally:
            if self._stopped.is_set() and hasattr(source, "close"):
                source.close()  # the chunker's temporary file and zip handle

    def __iter__(self):
        while True:
            item, error = self._items.get()
            if item is self._DONE:
                if error is not None:
                    raise error
                return
            self._permits.release()  # start on the next item while the caller uses this one
            yield item
            del item

    def close(self) -> None:
        self._stopped.set()
        self._thread.join()
        while not self._items.empty():
            self._items.get_nowait()


class SheetReader:
    """The rows of one sheet, checked against a :class:`Spec`.

    Construction reads the header (the first of the top rows that names template columns), and
    raises :class:`ExcelError` for an empty sheet, a missing header row, missing required columns,
    unknown or repeated headers. Iterating :meth:`rows` yields ``(excel_row_number, values)`` where
    ``values`` is a tuple aligned to ``spec.columns`` (``None`` where the file lacks the column).
    Blank rows and rows whose first cell starts with “示例” (the template's example) are skipped.
    A large xlsx is read in chunks (:class:`XlsxChunker`); ``total`` is then an estimate until
    the rows have been read.
    """

    def __init__(self, source, spec: Spec, filename: str = "", chunk_rows: int | None = None):
        self.spec = spec
        kind = check_excel_file(source, filename)
        self._chunker = None
        if kind == "xlsx" and isinstance(source, str | Path):
            chunker = XlsxChunker(source, spec.title, chunk_rows or CHUNK_ROWS)
            if chunker.part and (chunk_rows is not None or chunker.size > CHUNK_MIN_BYTES):
                self._chunker = chunker
        if self._chunker is not None:
            self._sheets = self._chunker.sheets()
            try:
                self.sheet = next(self._sheets)
            except zipfile.BadZipFile:
                raise ExcelError("文件已损坏，无法打开。" + FORMAT_HELP) from None
        else:
            self.sheet = open_sheet(source, filename, sheet_name=spec.title)
            self._sheets = iter(())
        start = self.sheet.start
        if start is None or self.sheet.height == 0:
            raise ExcelError("表格中没有任何内容，请使用导入模板填写后再上传。")
        # iter_rows() starts at the sheet's first row (leading empty rows included) but at the
        # range's first column.
        self._row_offset = 1
        self._col_offset = start[1]
        self.width = self.sheet.width
        self._iter = self.sheet.iter_rows()
        self.header_row, headers, consumed = self._find_header()
        positions = self._map_headers(headers)
        self.positions = positions
        # Absolute column numbers, so chunks whose range starts at another column still line up.
        self._columns = [None if p is None else p + self._col_offset for p in positions]
        self.present = [c for c, p in zip(spec.columns, positions, strict=True) if p is not None]
        if self._chunker is not None and not self._chunker.whole:
            self.total = max(self._chunker.estimate_rows() - consumed, 1)
        else:
            self.total = max(start[0] + self.sheet.height - consumed, 0)  # data rows, blank rows included
        self._consumed = consumed
        if self.total == 0:
            raise ExcelError("表格中只有表头，没有数据行。")

    def _find_header(self):
        lookup = self.spec.header_lookup()
        best = None
        seen = []
        for i in range(HEADER_SEARCH_ROWS):
            try:
                row = next(self._iter)
            except StopIteration:
                break
            seen.append(row)
            hits = sum(1 for v in row if normalise_header(v) in lookup)
            if hits and (best is None or hits > best[1]):
                best = (i, hits)
            if hits >= max(2, len(self.spec.columns) // 2):
                break  # clearly the header; stop before reading data rows
        if best is None:
            expected = "、".join(c.header for c in self.spec.columns if c.required)
            raise ExcelError(
                f"找不到表头行：前{HEADER_SEARCH_ROWS}行中没有模板中的列名（应包括：{expected}）。请使用导入模板。",
                [RowError(self._row_offset, "", "", "找不到表头行")],
            )
        index = best[0]
        # Rows read past the header are data: put them back in front of the iterator.
        self._pending = seen[index + 1 :]
        return self._row_offset + index, seen[index], index + 1

    def _map_headers(self, headers) -> list[int | None]:
        lookup = self.spec.header_lookup()
        self._ignored = {normalise_header(h) for h in self.spec.ignore_headers}
        positions: list[int | None] = [None] * len(self.spec.columns)
        errors = []
        for position, raw in enumerate(headers):
            name = normalise_header(raw)
            if not name:
                continue
            index = lookup.get(name)
            if index is None:
                if name in ("序号", "编号", "备注") or name in self._ignored:
                    continue  # columns offices add for themselves, or that an export added
                errors.append(
                    RowError(self.header_row, cell_text(raw), cell_text(raw), "无法识别的列名，请使用模板中的列名")
                )
                continue
            if positions[index] is not None:
                errors.append(RowError(self.header_row, cell_text(raw), cell_text(raw), "列名重复"))
                continue
            positions[index] = position
        missing = [c.header for c, p in zip(self.spec.columns, positions, strict=True) if c.required and p is None]
        for header in missing:
            errors.append(RowError(self.header_row, header, "", "缺少必填列"))
        if errors:
            parts = []
            if missing:
                parts.append("缺少必填列：" + "、".join(missing))
            unknown = [e.column for e in errors if e.reason.startswith("无法识别")]
            if unknown:
                parts.append("无法识别的列：" + "、".join(unknown))
            repeated = [e.column for e in errors if e.reason == "列名重复"]
            if repeated:
                parts.append("重复的列：" + "、".join(repeated))
            raise ExcelError("表头不正确：" + "；".join(parts) + "。请使用导入模板中的列名。", errors)
        return positions

    def rows(self) -> Iterator[tuple[int, tuple]]:
        single = len(self.positions) == 1
        first_column = next((c for c in self._columns if c is not None), 0)
        sheet = self.sheet
        chunk = (sheet.start[1], sheet.width, [self._pending, self._iter], self.header_row)
        # Started now, so the second chunk is parsed while the rows of the first are checked.
        prefetch = _Prefetch(self._sheets) if self._chunker is not None else None
        more = self._more_chunks(prefetch if prefetch is not None else ())
        chunks = self._chunks(chunk, more, first_column, single)
        del sheet, chunk  # only the chunk loop may hold the first chunk (it lets it go when done)
        try:
            yield from chunks
        finally:
            if prefetch is not None:
                prefetch.close()

    def _chunks(self, chunk, more, first_column, single):
        while chunk is not None:
            col0, width, sources, number = chunk
            index = [c - col0 if c is not None and 0 <= c - col0 < width else width for c in self._columns]
            getter = itemgetter(*index)
            first = first_column - col0 if 0 <= first_column - col0 < width else width
            for source in sources:
                for row in source:
                    number += 1
                    row.append(None)  # what absent columns read
                    head = row[first]
                    if head.__class__ is str and head and not head[0].isspace():
                        if head.startswith(EXAMPLE_PREFIX):
                            continue
                    elif not any(v.strip() if v.__class__ is str else v for v in row):
                        continue  # blank, or only spaces
                    values = getter(row)
                    yield number, ((values,) if single else values)
            # Let this chunk's cells go before the next one is loaded.
            chunk = sources = source = self.sheet = self._iter = None
            chunk = next(more, None)

    def _more_chunks(self, sheets):
        """Later chunks as (first column, width, [rows], number before the first row).

        The next chunk is cut out and parsed by calamine in a background thread (see
        :class:`_Prefetch`) while the caller checks the rows of this one. ``to_python`` starts at
        the chunk's first row, where ``iter_rows`` would first produce an empty row for every row
        of the chunks before it.
        """
        for sheet in sheets:
            start = sheet.start
            if start is None:
                continue
            rows = sheet.to_python()
            col0, width = start[1], sheet.width
            del sheet  # the Python rows are all that is needed now
            yield col0, width, [rows], start[0]

    def dict_rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Rows as ``{header: raw value}`` for the columns present in the file."""
        present = [(c.header, i) for i, c in enumerate(self.spec.columns) if self.positions[i] is not None]
        for number, values in self.rows():
            yield number, {header: values[i] for header, i in present}


DATE_MEMO_SIZE = 100_000  # distinct text dates remembered per converter (a few MB at most)


class RowConverter:
    """Converts a row of raw values (aligned to a spec) into field values, collecting RowErrors.

    ``convert`` is generated once per spec as straight-line code, one block per column, with the
    common cells (a date cell in a date column, a label in a choice column, plain text) handled
    inline and everything else passed to the column's converter. A loop over the columns with
    the same logic costs about three times as much, and this runs for every cell of a 560,000-row
    import. :meth:`convert_slow` is that loop, kept as the reference the tests compare against.
    """

    def __init__(self, spec: Spec):
        self.spec = spec
        self.columns = list(spec.columns)
        self.convert = self._compile()

    def convert_slow(self, number: int, values: tuple, errors: list[RowError], into: dict | None = None) -> dict:
        data = {} if into is None else into
        for i, column in enumerate(self.columns):
            raw = values[i]
            if is_blank(raw) or raw == "":
                if column.required:
                    errors.append(RowError(number, column.header, "", "必填项为空"))
                data[column.key] = column.empty_value()
                continue
            try:
                data[column.key] = column.converter()(raw)
            except CellError as exc:
                errors.append(RowError(number, column.header, cell_text(raw), str(exc)))
                data[column.key] = column.empty_value()
        return data

    def _compile(self):
        namespace: dict[str, Any] = {
            "_date": date,
            "_str": str,
            "_float": float,
            "_CellError": CellError,
            "_RowError": RowError,
            "_cell_text": cell_text,
        }
        dates: dict[str, date] = {}
        namespace["_dates"], namespace["_dates_get"] = dates, dates.get
        lines = ["def convert(number, values, errors, into=None):", "    data = {} if into is None else into"]
        for i, column in enumerate(self.columns):
            namespace[f"C{i}"] = column.converter()
            namespace[f"E{i}"] = column.empty_value()
            key, header = repr(column.key), repr(column.header)
            empty = [f"    errors.append(_RowError(number, {header}, '', '必填项为空'))"] if column.required else []
            empty.append(f"    data[{key}] = E{i}")
            general = [
                "    try:",
                f"        data[{key}] = C{i}(raw)",
                "    except _CellError as exc:",
                f"        errors.append(_RowError(number, {header}, _cell_text(raw), _str(exc)))",
                f"        data[{key}] = E{i}",
            ]
            blank = "raw is None or raw == '' or (raw.__class__ is _str and raw.isspace())"
            lines.append(f"    raw = values[{i}]")
            if column.kind == DATE:
                fast = ["if raw.__class__ is _date:", f"    data[{key}] = raw"]
                # Text dates repeat (2024/1/5 in many rows): each distinct text is parsed once.
                # parse_date depends on the text alone, and only good dates are remembered.
                fast += [
                    "elif raw.__class__ is _str and (known := _dates_get(raw)) is not None:",
                    f"    data[{key}] = known",
                ]
                general = [
                    "    try:",
                    f"        value = C{i}(raw)",
                    "    except _CellError as exc:",
                    f"        errors.append(_RowError(number, {header}, _cell_text(raw), _str(exc)))",
                    f"        data[{key}] = E{i}",
                    "    else:",
                    f"        data[{key}] = value",
                    f"        if raw.__class__ is _str and value is not None and len(_dates) < {DATE_MEMO_SIZE}:",
                    "            _dates[raw] = value",
                ]
            elif column.kind == CHOICE:
                namespace[f"L{i}"] = {**{label: v for v, label in column.choices}, **{v: v for v, _ in column.choices}}
                fast = [f"if raw.__class__ is _str and raw in L{i}:", f"    data[{key}] = L{i}[raw]"]
            elif column.kind == BOOL:
                namespace[f"L{i}"] = {"是": True, "否": False}
                fast = [f"if raw.__class__ is _str and raw in L{i}:", f"    data[{key}] = L{i}[raw]"]
            elif column.kind == TEXT:
                limit = column.max_length or 10**9
                fast = [
                    f"if raw.__class__ is _str and 0 < len(raw) <= {limit} and not raw[0].isspace()"
                    " and not raw[-1].isspace():",
                    f"    data[{key}] = raw",
                ]
            elif column.kind == INT and column.min_value is not None and column.max_value is not None:
                lo, hi = int(column.min_value), int(column.max_value)
                fast = [
                    f"if raw.__class__ is _float and raw.is_integer() and {lo} <= raw <= {hi}:",
                    f"    data[{key}] = int(raw)",
                ]
            elif column.kind == CODE:
                limit = column.max_length or 10**9
                fast = [
                    f"if raw.__class__ is _str and raw.isdigit() and raw.isascii() and len(raw) <= {limit}:",
                    f"    data[{key}] = raw",
                ]
            elif column.kind == ID_NUMBER:
                fast = ["if raw.__class__ is _str and (len(raw) == 18 or len(raw) == 15):", f"    data[{key}] = raw"]
            elif column.kind == PHONE:
                fast = [
                    "if raw.__class__ is _str and len(raw) == 11 and raw[0] == '1' and raw.isdigit():",
                    f"    data[{key}] = raw",
                ]
            elif column.kind == DECIMAL and column.min_value is not None:
                namespace["_Decimal"] = Decimal
                namespace["_CENT"] = Decimal("0.01")
                fast = [
                    f"if raw.__class__ is _float and raw.is_integer() and {float(column.min_value)!r} <= raw < 1e9:",
                    f"    data[{key}] = _Decimal(int(raw)).quantize(_CENT)",
                ]
            else:
                fast = []
            if fast:
                lines += ["    " + line for line in fast]
                lines.append(f"    elif {blank}:")
            else:
                lines.append(f"    if {blank}:")
            lines += ["    " + line for line in empty]
            lines.append("    else:")
            lines += ["    " + line for line in general]
        lines.append("    return data")
        exec(compile("\n".join(lines), f"<RowConverter {self.spec.key}>", "exec"), namespace)
        return namespace["convert"]


# --------------------------------------------------------------------------- writing: template


def write_template(spec: Spec, stream, validation_rows: int = 5000) -> None:
    """An import template: the data sheet (headers, drop-downs, an example row) and a notes sheet."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = spec.title
    lists = workbook.create_sheet("选项")
    notes = workbook.create_sheet("填写说明")
    header_font = Font(bold=True)
    required_font = Font(bold=True, color="C00000")
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    example_font = Font(italic=True, color="808080")
    last_row = validation_rows + 2

    list_column = 0
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=column.header + ("*" if column.required else ""))
        cell.font = required_font if column.required else header_font
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.comment = Comment(
            f"{'必填。' if column.required else ''}{column.help}。{column.note}".strip("。") + "。", "基层"
        )
        sheet.column_dimensions[letter].width = column.width
        example_value = column.example
        if column.kind == DATE and isinstance(example_value, str):
            example_value = date.fromisoformat(example_value)
        example = sheet.cell(row=2, column=index, value=column.display(example_value))
        example.font = example_font
        if column.kind in (CODE, ID_NUMBER, PHONE, TEXT):
            # Text format keeps 18-digit numbers and leading zeros exactly as typed.
            example.number_format = "@"
            for row in range(3, min(last_row, 1002) + 1):
                sheet.cell(row=row, column=index).number_format = "@"
        if column.kind == DATE:
            example.number_format = "yyyy-mm-dd"
        validation = None
        if column.kind == CHOICE:
            list_column += 1
            list_letter = get_column_letter(list_column)
            lists.cell(row=1, column=list_column, value=column.header)
            for offset, label in enumerate(column.labels, start=2):
                lists.cell(row=offset, column=list_column, value=label)
            end = len(column.labels) + 1
            validation = DataValidation(
                type="list",
                formula1=f"'选项'!${list_letter}$2:${list_letter}${end}",
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle="请从下拉列表中选择",
                error=column.help,
            )
        elif column.kind == BOOL:
            validation = DataValidation(
                type="list", formula1='"是,否"', allow_blank=True, showErrorMessage=True, error="请填“是”或“否”"
            )
        if validation is not None:
            validation.prompt = column.help
            validation.promptTitle = column.header
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    lists.sheet_state = "hidden"

    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 10
    notes.column_dimensions["C"].width = 60
    notes.column_dimensions["D"].width = 40
    notes.append([f"{spec.title}导入模板 · 填写说明"])
    notes["A1"].font = Font(bold=True, size=14)
    for line in (
        "第2行是示例（姓名等首列以“示例”开头），导入时自动忽略，可以保留也可以删除。",
        "列名请勿修改；不需要的可选列可以删除，列的顺序可以调整。标 * 的为必填列。",
        "日期可写作 2024-01-05、2024/1/5、2024年1月5日 或 2024.1.5，也可以是 Excel 日期单元格。",
        "所有行都会先检查；只要有一行有错，整个文件都不会导入。请按错误报告修改后重新上传整个文件。",
        *spec.notes,
    ):
        notes.append([line])
    notes.append([])
    notes.append(["列名", "是否必填", "格式 / 可选值", "说明"])
    for cell in notes[notes.max_row]:
        cell.font = header_font
        cell.fill = header_fill
    for column in spec.columns:
        notes.append([column.header, "必填" if column.required else "可选", column.help, column.note])
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(stream)


# --------------------------------------------------------------------------- writing: stream

_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Style ids in styles.xml below: 0 general, 1 date, 2 date-time, 3 header, 4 text.
_STYLE_DATE, _STYLE_DATETIME, _STYLE_HEADER, _STYLE_TEXT = 1, 2, 3, 4
_STYLES = (
    _XML_HEAD + f"<styleSheet {_NS}>"
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _xml_text(value: str) -> str:
    if _ILLEGAL_XML.search(value):
        value = _ILLEGAL_XML.sub("", value)
    return escape(value)


class SheetStream:
    """Rows of one sheet being written; obtained from :meth:`XlsxStreamWriter.sheet`."""

    def __init__(self, writer: "XlsxStreamWriter", handle, columns: int):
        self._writer = writer
        self._handle = handle
        self._letters = [column_letter(i) for i in range(max(columns, 1))]
        self.rows = 0
        self._buffer: list[str] = []

    def _grow(self, count: int) -> None:
        while len(self._letters) < count:
            self._letters.append(column_letter(len(self._letters)))

    def append(self, values: Iterable, header: bool = False) -> None:
        if self.rows >= EXCEL_MAX_ROWS:
            raise ValueError("sheet is full")
        values = list(values)
        if len(values) > len(self._letters):
            self._grow(len(values))
        self.rows += 1
        r = self.rows
        letters = self._letters
        parts = [f'<row r="{r}">']
        add = parts.append
        for i, value in enumerate(values):
            if value is None:
                continue
            ref = f"{letters[i]}{r}"
            if value.__class__ is str:
                if not value:
                    continue
                style = _STYLE_HEADER if header else _STYLE_TEXT
                space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
                add(f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{_xml_text(value)}</t></is></c>')
            elif isinstance(value, bool):
                add(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, datetime):
                if timezone.is_aware(value):
                    value = timezone.localtime(value).replace(tzinfo=None)
                delta = value - datetime(1899, 12, 30)
                serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
                add(f'<c r="{ref}" s="{_STYLE_DATETIME}"><v>{serial!r}</v></c>')
            elif isinstance(value, date):
                add(f'<c r="{ref}" s="{_STYLE_DATE}"><v>{(value - EXCEL_EPOCH).days}</v></c>')
            elif isinstance(value, int | float | Decimal):
                add(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                text = str(value)
                if text:
                    add(f'<c r="{ref}" s="{_STYLE_TEXT}" t="inlineStr"><is><t>{_xml_text(text)}</t></is></c>')
        add("</row>")
        self._buffer.append("".join(parts))
        if len(self._buffer) >= 500:
            self.flush()

    def flush(self) -> None:
        if self._buffer:
            self._handle.write("".join(self._buffer).encode("utf-8"))
            self._buffer.clear()


class XlsxStreamWriter:
    """Writes an xlsx file sheet by sheet, row by row, with memory independent of the row count.

    Strings are written inline (no shared-string table to keep in memory), dates as date cells.
    Use as a context manager; sheets are written one after another::

        with XlsxStreamWriter(fileobj) as book:
            sheet = book.sheet("党员", headers, widths)
            for row in rows:
                sheet.append(row)
    """

    def __init__(self, target: str | Path | IO[bytes]):
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._sheets: list[str] = []
        self._open: tuple[Any, SheetStream] | None = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    def sheet(self, name: str, headers: list[str] | None = None, widths: list[int] | None = None) -> SheetStream:
        self._close_sheet()
        name = re.sub(r"[\[\]:*?/\\]", "", name)[:31] or f"Sheet{len(self._sheets) + 1}"
        while name in self._sheets:
            name = name[:28] + f"({len(self._sheets)})"
        self._sheets.append(name)
        handle = self._zip.open(f"xl/worksheets/sheet{len(self._sheets)}.xml", "w", force_zip64=True)
        head = [_XML_HEAD, f"<worksheet {_NS} {_REL_NS}>"]
        if headers:
            head.append(
                '<sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                "</sheetView></sheetViews>"
            )
        if widths:
            cols = "".join(
                f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(widths, start=1) if w
            )
            if cols:
                head.append(f"<cols>{cols}</cols>")
        head.append("<sheetData>")
        handle.write("".join(head).encode("utf-8"))
        stream = SheetStream(self, handle, len(headers or widths or []))
        self._open = (handle, stream)
        if headers:
            stream.append(headers, header=True)
        return stream

    def _close_sheet(self) -> None:
        if self._open is None:
            return
        handle, stream = self._open
        stream.flush()
        handle.write(b"</sheetData></worksheet>")
        handle.close()
        self._open = None

    def close(self) -> None:
        if self._zip is None:
            return
        if not self._sheets:
            self.sheet("Sheet1")
        self._close_sheet()
        count = len(self._sheets)
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, count + 1)
        )
        self._zip.writestr(
            "[Content_Types].xml",
            _XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>",
        )
        self._zip.writestr(
            "_rels/.rels",
            _XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        sheets = "".join(
            f'<sheet name="{escape(name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(self._sheets, start=1)
        )
        self._zip.writestr(
            "xl/workbook.xml", _XML_HEAD + f"<workbook {_NS} {_REL_NS}><sheets>{sheets}</sheets></workbook>"
        )
        rels = "".join(
            f'<Relationship Id="rId{i}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
            f'Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, count + 1)
        )
        rels += (
            f'<Relationship Id="rId{count + 1}" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        )
        self._zip.writestr(
            "xl/_rels/workbook.xml.rels",
            _XML_HEAD + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{rels}</Relationships>",
        )
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.close()
        self._zip = None


def write_rows(
    target,
    title: str,
    headers: list[str],
    rows: Iterable[Iterable],
    widths: list[int] | None = None,
    progress: Callable[[int], None] | None = None,
    every: int = 5000,
) -> int:
    """Stream ``rows`` into an xlsx at ``target``; a sheet that fills up continues on the next.

    ``progress(rows_written)`` is called every ``every`` rows. Returns the number of data rows.
    """
    written = 0
    part = 1
    with XlsxStreamWriter(target) as book:
        sheet = book.sheet(title, headers, widths)
        for row in rows:
            if sheet.rows >= EXCEL_MAX_ROWS:
                part += 1
                sheet = book.sheet(f"{title}（{part}）", headers, widths)
            sheet.append(row)
            written += 1
            if progress is not None and written % every == 0:
                progress(written)
    if progress is not None:
        progress(written)
    return written


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
    """Every bad cell of an import: counted, the first ``preview`` kept for the page, and all of
    them streamed into an xlsx report (so a file with 500,000 bad rows costs no memory)."""

    def __init__(self, report_path: str | Path | None = None, preview: int = 500):
        self.report_path = Path(report_path) if report_path else None
        self.preview_limit = preview
        self.preview: list[RowError] = []
        self.count = 0
        self.bad_rows = 0
        self._last_row = None
        self._writer = None
        self._sheet = None

    def __bool__(self) -> bool:
        return self.count > 0

    def add(self, error: RowError) -> None:
        self.count += 1
        if error.row != self._last_row:
            self.bad_rows += 1
            self._last_row = error.row
        if len(self.preview) < self.preview_limit:
            self.preview.append(error)
        if self.report_path is not None:
            if self._writer is None:
                self._writer = XlsxStreamWriter(self.report_path)
                self._sheet = self._writer.sheet("错误报告", ERROR_REPORT_HEADERS, [8, 18, 28, 70])
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

"""Reading: :func:`check_excel_file` checks the upload; an xlsx sheet is checked against the read
limits and cut into chunks (:class:`XlsxChunker`) that calamine parses ahead of the check
(:class:`_Prefetch`); :class:`SheetReader` finds the header row and yields the rows aligned to the
spec. An old .xls is opened by calamine as uploaded (:func:`open_sheet`)."""

import os
import queue
import re
import shutil
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import IO, Any

from python_calamine import CalamineWorkbook

from .base import EXAMPLE_PREFIX, FORMAT_HELP, HEADER_SEARCH_ROWS, XLS_MAGIC, XLSX_MAGIC, ExcelError, RowError
from .cells import cell_text
from .limits import (
    MAX_AUX_PART,
    ByteBudget,
    CellCheck,
    ReadLimits,
    broken_structure,
    cell_too_long,
    check_directory,
    check_part_size,
    check_shared_strings,
    check_zip_end,
    long_run,
    too_many_rows,
)
from .spec import Spec, normalise_header


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
        try:
            if isinstance(source, str | Path):
                with open(source, "rb") as fh:
                    check_zip_end(fh)
            else:
                check_zip_end(source)
            with zipfile.ZipFile(source) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile:
            raise ExcelError("文件已损坏，无法打开。" + FORMAT_HELP) from None
        finally:
            # An open file is read again from its start by whoever opens the workbook.
            if not isinstance(source, str | Path):
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


# Every xlsx is read in chunks of CHUNK_ROWS rows, from small workbooks this module writes (the
# upload itself never reaches calamine, see .limits): calamine holds a whole sheet in memory
# (about 80 bytes a cell), so a 560,000-row roster would peak at 1.3 GB; in chunks it stays near
# 300 MB for a little more CPU (the shared strings are re-read once per chunk). The next chunk is
# parsed while this one is checked (:class:`_Prefetch`), so two chunks are in memory at once:
# 50,000 rows keeps the 560,000-row import near 550 MB.
CHUNK_ROWS = 50_000
# Bytes of XML read per step while cutting chunks; larger steps mean fewer hand-overs of the GIL
# between the chunking thread and the checking thread.
_BLOCK = 8 * 1024 * 1024
_SHEETDATA = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?)sheetData(?:\s[^>]*)?(/?)>")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\b[^>]*/>")
_FIXED_PARTS = ("[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels")
_AUX_TYPES = ("/sharedStrings", "/styles")
# What zipfile raises for a damaged or unusual member (a bad CRC, a truncated stream, a size the
# headers understate, a compression method it does not know).
_BROKEN = (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _target(rel) -> str:
    target = rel.get("Target", "")
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _workbook_parts(zf: zipfile.ZipFile, sheet_name: str | None, limits: ReadLimits) -> tuple[str | None, list[str]]:
    """The zip member holding the named sheet (or the first sheet), and the shared strings and
    styles parts (those calamine reads besides the sheet)."""
    import xml.etree.ElementTree as ET

    try:
        for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            check_part_size(zf.getinfo(name), MAX_AUX_PART, limits)
        workbook = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ET.ParseError):
        return None, []
    relations = [rel for rel in rels.iter() if _local(rel.tag) == "Relationship"]
    aux = [_target(rel) for rel in relations if rel.get("Type", "").endswith(_AUX_TYPES)]
    sheets = [e for e in workbook.iter() if _local(e.tag) == "sheet"]
    if not sheets:
        return None, aux
    chosen = next((e for e in sheets if e.get("name") == sheet_name), sheets[0])
    rel_id = next((v for k, v in chosen.attrib.items() if _local(k) == "id"), None)
    part = next((_target(rel) for rel in relations if rel.get("Id") == rel_id), None)
    return part, aux


class XlsxChunker:
    """Splits the worksheet of an xlsx into small workbooks of at most ``chunk_rows`` rows each,
    at the byte level (no XML parsing in Python), checking every row against the
    :class:`~.limits.ReadLimits` on the way, and opens each with calamine in turn.

    Each chunk keeps the original ``<row r=…>`` numbers, the shared strings and the styles, so
    calamine reads exactly the cells it would have read from the whole file; a chunk also ends
    where the row numbers jump (so no chunk spans more than ``chunk_rows`` row numbers). The
    other parts of the upload (other sheets, pictures) are not copied.
    """

    def __init__(self, source, sheet_name: str | None, chunk_rows: int = CHUNK_ROWS, limits: ReadLimits | None = None):
        self.source = source
        self.path = Path(source) if isinstance(source, str | Path) else None
        self.chunk_rows = max(int(chunk_rows), 1000)
        self.sheet_name = sheet_name
        self.limits = limits or ReadLimits()
        self.budget = ByteBudget(self.limits)
        try:
            with self._zip() as zf:
                check_directory(zf.infolist(), self.limits)
                self.part, aux = _workbook_parts(zf, sheet_name, self.limits)
                names = set(zf.namelist())
                if self.part not in names:
                    self.part = None  # SheetReader says the file has no sheet
                self.size = zf.getinfo(self.part).file_size if self.part is not None else 0
                self.parts = [name for name in (*_FIXED_PARTS, *aux) if name in names and name != self.part]
                for name in self.parts:
                    self._check_part(zf, name, aux)
        except _BROKEN:
            raise ExcelError("文件已损坏，无法打开。" + FORMAT_HELP) from None
        self.first_rows = 0
        self.first_bytes = 0
        self.whole = False

    def _zip(self) -> zipfile.ZipFile:
        if self.path is None:
            self.source.seek(0)
            return zipfile.ZipFile(self.source)
        return zipfile.ZipFile(self.path)

    def _check_part(self, zf: zipfile.ZipFile, name: str, aux: list[str]) -> None:
        info = zf.getinfo(name)
        if name in aux and name.lower().endswith("sharedstrings.xml"):
            with zf.open(info) as stream:
                check_shared_strings(stream, self.limits, self.budget)
            return
        check_part_size(info, MAX_AUX_PART, self.limits)
        self.budget.spend(info.file_size)  # zipfile stops at the declared size (then fails the CRC)

    def estimate_rows(self) -> int:
        """Rows in the sheet, extrapolated from the first chunk (exact for a single chunk)."""
        if self.whole or not self.first_bytes:
            return self.first_rows
        return int(self.first_rows * self.size / self.first_bytes)

    def sheets(self):
        """The chunks as calamine sheets, in order; ExcelError when the file breaks a limit."""
        if self.part is None:
            # SheetReader only chunks a workbook whose sheet was found; a direct caller learns here.
            raise ExcelError("文件中没有工作表。")
        try:
            with self._zip() as zf:
                yield from _SheetCutter(self, zf).sheets()
        except _BROKEN:
            raise ExcelError("文件已损坏，无法打开。" + FORMAT_HELP) from None


class _SheetCutter:
    """One pass over the sheet's XML: rows checked and written into chunk workbooks."""

    def __init__(self, chunker: XlsxChunker, zf: zipfile.ZipFile):
        self.chunker = chunker
        self.zf = zf
        self.limits = chunker.limits
        assert chunker.part is not None  # XlsxChunker.sheets() checked it
        self.part: str = chunker.part
        self.stream = zf.open(self.part)
        self.chunk: tuple[str, zipfile.ZipFile, IO[bytes]] | None = None  # (tmp path, zip, sheet handle)
        self.low = 0  # the first row number of the chunk
        self.rows = 0  # rows in the chunk
        self.written = 0  # bytes of the chunk's rows
        self.first = True
        self.number = 0  # the last row number (rows without r="…" follow the one before)
        self.seen = 0
        self.cells: CellCheck | None = None

    def _read(self) -> bytes:
        block = self.stream.read(_BLOCK)
        self.chunker.budget.spend(len(block))
        return block

    def _head(self):
        data = b""
        match = None
        while match is None:
            block = self._read()
            if not block:
                break
            data += block
            match = _SHEETDATA.search(data)
            if match is None and len(data) > MAX_AUX_PART:
                raise broken_structure("找不到表格数据")
        return data, match

    def sheets(self):
        try:
            yield from self._sheets()
        finally:
            self._discard()  # a refused or abandoned read leaves no temporary file behind

    def _discard(self) -> None:
        if self.chunk is None:
            return
        tmp, out, sheet_handle = self.chunk
        self.chunk = None
        sheet_handle.close()
        out.close()
        os.unlink(tmp)

    def _sheets(self):
        with self.stream:
            data, match = self._head()
            if match is None or match.group(2) == b"/":
                raise ExcelError("表格中没有任何内容，请使用导入模板填写后再上传。")
            prefix = match.group(1)
            self.prefix = prefix
            self.head = _DIMENSION.sub(b"", data[: match.end()])  # the declared size is never trusted
            self.footer = b"</" + prefix + b"sheetData></" + prefix + b"worksheet>"
            self.row_start = re.compile(b"<" + re.escape(prefix) + rb'row(?=[\s>/])(?:[^>]*?\sr="(\d{1,10})")?')
            end_tag = re.compile(b"</" + re.escape(prefix) + b"sheetData>")
            data = data[match.end() :]
            self._open()
            while True:
                end = end_tag.search(data)
                stop = end.start() if end else len(data)
                if end:
                    starts = list(self.row_start.finditer(data, 0, stop))
                else:
                    starts = list(self.row_start.finditer(data))
                    stop = starts.pop().start() if starts else 0  # the last row may go on in the next block
                yield from self._rows(data, starts, stop)
                data = data[stop:]
                if end:
                    break
                if len(data) > self.limits.max_row_bytes:
                    raise cell_too_long(self.limits, f"第 {self.number + 1:,} 行附近")
                block = self._read()
                if not block:
                    break  # no closing tag: calamine will say what is wrong
                data += block
            if self.first:
                self.chunker.first_rows, self.chunker.whole = self.rows, True
            yield self._close()

    def _rows(self, data: bytes, starts, stop: int):
        position = 0
        previous = 0
        limits = self.limits
        row_bytes, last_row = limits.max_row_bytes, limits.max_row_number  # once, not per row
        for found in starts:
            at = found.start()
            if at - previous > row_bytes:
                raise cell_too_long(limits, f"第 {self.number:,} 行")
            previous = at
            r = found.group(1)
            number = int(r) if r else self.number + 1
            self.number = number
            self.seen += 1
            if number > last_row or self.seen > last_row:
                raise too_many_rows(limits, max(number, self.seen))
            if self.rows and (
                self.rows >= self.chunker.chunk_rows or not 0 <= number - self.low < self.chunker.chunk_rows
            ):
                self._write(data, position, at)
                position = at
                if self.first:
                    self.chunker.first_rows, self.chunker.first_bytes, self.first = self.rows, self.written, False
                yield self._close()
                self._open()
            if not self.rows:
                self.low = number
                self.cells = CellCheck(self.prefix, limits, number, number + self.chunker.chunk_rows - 1)
            self.rows += 1
        if stop - previous > limits.max_row_bytes:
            raise cell_too_long(limits, f"第 {self.number:,} 行")
        self._write(data, position, stop)

    def _write(self, data: bytes, start: int, end: int) -> None:
        if end <= start:
            return
        if long_run(data, b"<", self.limits.max_cell_bytes, start, end) is not None:
            raise cell_too_long(self.limits, f"第 {self.number:,} 行附近")
        if self.cells is None:
            # Text before the first row: no cells may be there.
            self.cells = CellCheck(self.prefix, self.limits, 1, 1)
        self.cells.check(data, start, end)
        assert self.chunk is not None  # a chunk is open from the start to the end of the sheet
        self.chunk[2].write(data[start:end])
        self.written += end - start

    def _open(self) -> None:
        handle, tmp = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        out = zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True)
        for name in self.chunker.parts:
            with self.zf.open(name) as src, out.open(name, "w", force_zip64=True) as dst:
                shutil.copyfileobj(src, dst, _BLOCK)
        sheet_handle = out.open(self.part, "w", force_zip64=True)
        sheet_handle.write(self.head)
        self.chunk = (tmp, out, sheet_handle)
        self.rows = self.written = 0
        self.cells = None

    def _close(self):
        assert self.chunk is not None
        tmp, out, sheet_handle = self.chunk
        self.chunk = None
        sheet_handle.write(self.footer)
        sheet_handle.close()
        out.close()
        try:
            return open_sheet(tmp, sheet_name=self.chunker.sheet_name)
        finally:
            os.unlink(tmp)  # calamine holds the sheet in memory now


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
    An xlsx is read in chunks (:class:`XlsxChunker`) within ``limits`` (by default the spec's
    columns and :class:`ReadLimits`' defaults; imports pass the city's rules); ``total`` is an
    estimate until the rows have been read when there is more than one chunk. A limit met in a
    later chunk raises :class:`ExcelError` from :meth:`rows`.
    """

    def __init__(
        self,
        source,
        spec: Spec,
        filename: str = "",
        chunk_rows: int | None = None,
        limits: ReadLimits | None = None,
    ):
        self.spec = spec
        self.limits = limits or ReadLimits.for_spec(spec)
        kind = check_excel_file(source, filename)
        self._chunker = None
        if kind == "xlsx":
            chunker = XlsxChunker(source, spec.title, chunk_rows or CHUNK_ROWS, self.limits)
            if chunker.part is None:
                raise ExcelError("文件中没有工作表。")
            self._chunker = chunker
            self._sheets = chunker.sheets()
            self.sheet = next(self._sheets)
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

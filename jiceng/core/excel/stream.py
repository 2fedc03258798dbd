"""Streaming xlsx writer for large sheets (exports, error reports), straight into the zip."""

import re
import zipfile
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

from django.utils import timezone

from .base import EXCEL_EPOCH, EXCEL_MAX_ROWS

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
        self._zip: zipfile.ZipFile | None = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
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
        handle = self._zipfile().open(f"xl/worksheets/sheet{len(self._sheets)}.xml", "w", force_zip64=True)
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

    def _zipfile(self) -> zipfile.ZipFile:
        if self._zip is None:
            raise ValueError("the workbook is already closed")
        return self._zip

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

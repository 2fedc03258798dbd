"""Hostile xlsx files, built with zipfile in the test (no binaries in the repository).

Each builder returns the bytes of a workbook whose first sheet has ``headers`` in row 1 (inline
strings, so the header is found) and then the hostile part. ``bench/import_memory.py`` builds the
full-size versions of the same files to measure the processes' peak memory.
"""

import io
import random
import struct
import zipfile
from xml.sax.saxutils import escape

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)


def _workbook(title: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{escape(title)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def letters(number: int) -> str:
    """1 → A, 100 → CV."""
    text = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        text = chr(65 + remainder) + text
    return text


def text_cell(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def header_row(headers) -> str:
    return '<row r="1">' + "".join(text_cell(f"{letters(i)}1", h) for i, h in enumerate(headers, 1)) + "</row>"


def book(
    headers,
    rows: str = "",
    *,
    title: str = "Sheet1",
    dimension: str = "",
    shared: list[str] | None = None,
    padding: int = 0,
) -> bytes:
    """A workbook: the header row, then ``rows`` (sheet XML), then ``padding`` bytes of spaces."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _workbook(title))
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        strings = "".join(f"<si><t>{escape(s)}</t></si>" for s in shared or [])
        count = len(shared or [])
        zf.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst xmlns="{NS}" count="{count}">{strings}</sst>')
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            head = f'<?xml version="1.0"?><worksheet xmlns="{NS}">{dimension}<sheetData>'
            sheet.write((head + header_row(headers) + rows).encode())
            block = b" " * (1024 * 1024)
            left = padding
            while left > 0:
                sheet.write(block[: min(left, len(block))])
                left -= len(block)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


# --------------------------------------------------------------------------- the hostile files


def far_cell(headers, ref: str = "CV1048576") -> bytes:
    """One cell far away (the 1,988-byte file of issue 13): calamine would build a grid up to it."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    return book(headers, f'<row r="{row}">{text_cell(ref, "x")}</row>')


def cell_outside_its_row(headers, ref: str = "A900000") -> bytes:
    """A cell whose own position is far from the row it sits in (calamine believes the cell)."""
    return book(headers, f'<row r="2">{text_cell(ref, "x")}</row>')


def long_shared_string(headers, chars: int, compressible: bool = False, seed: int = 13) -> bytes:
    """Row 2's first cell is a shared string of ``chars`` characters: one letter repeated (a
    200 MB one compresses to about 200 KB), or random letters (that pass the ratio check)."""
    if compressible:
        value = "A" * chars
    else:
        rnd = random.Random(seed)
        value = "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") for _ in range(chars))
    return book(headers, '<row r="2"><c r="A2" t="s"><v>0</v></c></row>', shared=[value])


def ratio_bomb(headers, inflated_mb: int = 20) -> bytes:
    """A valid sheet padded with spaces: it inflates about a thousand times its compressed size."""
    return book(headers, f'<row r="2">{text_cell("A2", "张三")}</row>', padding=inflated_mb * 1024 * 1024)


def declared_dimension(headers, rows: list[list[str]]) -> bytes:
    """A harmless sheet that declares itself A1:XFD1048576 (the declaration must be ignored)."""
    body = "".join(
        f'<row r="{n}">' + "".join(text_cell(f"{letters(i)}{n}", v) for i, v in enumerate(row, 1)) + "</row>"
        for n, row in enumerate(rows, 2)
    )
    return book(headers, body, dimension='<dimension ref="A1:XFD1048576"/>')


def too_many_columns(headers, column: int) -> bytes:
    """Row 2 has a cell in the ``column``-th column (counted from A = 1)."""
    return book(headers, f'<row r="2">{text_cell(f"{letters(column)}2", "x")}</row>')


def cells_without_reference(headers, count: int) -> bytes:
    """Row 2 has ``count`` cells without a position: each goes one column further right."""
    return book(headers, '<row r="2">' + "<c><v>1</v></c>" * count + "</row>")


def too_many_rows(headers, count: int) -> bytes:
    return book(headers, "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, count + 2)))


def many_members(count: int) -> bytes:
    """A zip with ``count`` members: the central directory alone would fill the memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("xl/workbook.xml", _workbook("Sheet1"))
        for i in range(count):
            zf.writestr(f"x/{i}", b"")
    return buffer.getvalue()


def lying_size(headers, declared: int = 1000) -> bytes:
    """A sheet of about 10 MB whose zip headers declare ``declared`` bytes (the ratio check
    passes on the declared size; reading must not trust it)."""
    data = bytearray(book(headers, "", padding=10 * 1024 * 1024))
    name = b"xl/worksheets/sheet1.xml"
    # The local header (signature PK\3\4) and the central directory entry (PK\1\2) of the sheet.
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while True:
            at = data.find(signature, start)
            if at < 0:
                break
            if data[at + name_at : at + name_at + len(name)] == name:
                data[at + size_at : at + size_at + 4] = struct.pack("<I", declared)
            start = at + 4
    return bytes(data)

"""What an uploaded workbook may hold before any of it is parsed, and the checks that hold it there.

An xlsx is a zip of XML parts, and python-calamine builds each sheet as one dense grid from the
first to the last cell it finds (about 32 bytes a cell): a 2 KB file with one cell at
``CV1048576`` becomes a 100 × 1,048,576 grid (3.4 GB), a 200 KB file can hold a 200 MB shared
string, and a zip member can inflate a thousand times. So calamine never opens the upload
itself: :class:`~jiceng.core.excel.reading.XlsxChunker` copies the parts it needs into small
workbooks of its own, and on the way checks them against :class:`ReadLimits`:

* the zip's end record (number of members) before the zip is opened, then its central directory
  (declared sizes, the total, the ratio of inflated to compressed size of each member);
* while streaming (a header can lie; Python's zipfile also stops at the declared size and then
  fails the CRC check): the bytes inflated, the shared strings (no string longer than the cell
  limit), and every row of the sheet: its number, the position of each cell (columns up to the
  template's width plus a margin, rows within the kind's cap and within the chunk), the length of
  each cell's text and of the row;
* the declared ``<dimension>`` is dropped (never trusted).

Anything over a limit is refused with :class:`~jiceng.core.excel.base.ExcelError` in Chinese.
The numbers are city rules (``jiceng.core.excel_limits``); this module has no Django in it.
"""

import re
import struct
from dataclasses import dataclass

from .base import HEADER_SEARCH_ROWS, ExcelError

MB = 1024 * 1024
# A zip with more members than this is not a workbook someone filled in (Excel writes a dozen).
MAX_ZIP_MEMBERS = 10_000
# Parts other than the sheet and the shared strings (workbook, relationships, styles, content
# types): Excel's own styles part stays under a few MB even with the "too many formats" bloat.
MAX_AUX_PART = 32 * MB
# Members smaller than this are not held to the ratio (tiny XML parts compress very well);
# Apache POI's ZipSecureFile uses the same grace size.
RATIO_GRACE_BYTES = 100 * 1024
# Shared strings calamine may hold: it keeps each one as a string of its own (4 million short
# strings take ~230 MB), so a table of tiny strings is capped by count, not only by size. A
# 560,000-row roster saved by Excel has about 2 million.
MAX_SHARED_STRING_ITEMS = 4_000_000
# Bytes of XML a character may take (UTF-8 needs up to 4): the cell limit is checked on the bytes
# of the XML, so ASCII text may reach 4 times the limit before it is refused here (the template's
# columns then check the length in characters), and text made only of escapes (&amp;) a little
# less than the limit.
BYTES_PER_CHAR = 4


@dataclass(frozen=True)
class ReadLimits:
    """The limits one import reads with; built from the city's rules by ``excel_limits``."""

    max_rows: int = 100_000  # data rows of the kind
    max_columns: int = 50  # the last column a cell may be in (A = 1): template columns + a margin
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_uncompressed: int = 2048 * MB  # all parts read, inflated
    max_shared_strings: int = 256 * MB  # the shared-string part, inflated
    max_ratio: int = 100  # inflated / compressed size of one zip member

    @classmethod
    def for_spec(cls, spec, *, extra_columns: int = 20, **values) -> "ReadLimits":
        """Columns from the template: its columns, the headers an export adds, and a margin."""
        columns = len(spec.columns) + len(spec.ignore_headers) + extra_columns
        return cls(max_columns=columns, **values)

    @property
    def max_row_number(self) -> int:
        """The last row a cell may be in (the header may be anywhere in the first rows)."""
        return self.max_rows + HEADER_SEARCH_ROWS

    @property
    def max_cell_bytes(self) -> int:
        return self.max_cell_chars * BYTES_PER_CHAR + 64

    @property
    def max_row_bytes(self) -> int:
        return (self.max_columns + 1) * (self.max_cell_bytes + 256)


def column_number(letters: str) -> int:
    """A → 1, Z → 26, AA → 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --------------------------------------------------------------------------- messages


def too_many_rows(limits: ReadLimits, row: int) -> ExcelError:
    return ExcelError(
        f"文件超过 {limits.max_rows:,} 行的导入上限（第 {row:,} 行还有内容或格式）。"
        "请分成几个文件上传，或删除表格末尾多余的行后再上传。"
    )


def too_many_columns(limits: ReadLimits, where: str) -> ExcelError:
    return ExcelError(
        f"{where}超出了模板的列数（最多到 {column_letters(limits.max_columns)} 列）。"
        "请删除模板以外的列（包括只设置了格式的列）后再上传。"
    )


def cell_too_long(limits: ReadLimits, where: str = "") -> ExcelError:
    return ExcelError(
        f"文件中{where}有单元格的内容超过 {limits.max_cell_chars:,} 个字符，无法导入。请检查文件内容后重新上传。"
    )


def broken_structure(detail: str) -> ExcelError:
    return ExcelError(f"文件结构异常（{detail}），无法导入。请在 Excel/WPS 中打开后“另存为”.xlsx 再上传。")


def too_large(limits: ReadLimits) -> ExcelError:
    return ExcelError(f"文件解压后超过 {limits.max_uncompressed // MB:,} MB 的导入上限，无法导入。请分成几个文件上传。")


# --------------------------------------------------------------------------- the zip


_EOCD = b"PK\x05\x06"


def check_zip_end(source) -> None:
    """Before ``zipfile.ZipFile`` reads the central directory into memory: its member count."""
    source.seek(0, 2)
    size = source.tell()
    tail_size = min(size, 22 + 65_535)
    source.seek(size - tail_size)
    tail = source.read(tail_size)
    source.seek(0)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < 22:
        return  # zipfile will say the file is broken
    members = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    if members > MAX_ZIP_MEMBERS:  # 0xFFFF (a ZIP64 count) is over the limit too
        raise broken_structure(f"包含 {members:,} 个部件")


def check_directory(infos, limits: ReadLimits) -> None:
    """The central directory's declared sizes: the total and each member's ratio."""
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_GRACE_BYTES and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ExcelError(
                f"文件的压缩比异常（其中一部分解压后是压缩时的 {ratio:,} 倍，上限 {limits.max_ratio} 倍），"
                "可能是恶意构造的文件，已拒绝导入。"
            )
    if total > limits.max_uncompressed:
        raise too_large(limits)


def check_part_size(info, limit: int, limits: ReadLimits) -> None:
    if info.file_size > limit:
        raise too_large(limits) if limit >= limits.max_uncompressed else broken_structure(f"{info.filename} 过大")


class ByteBudget:
    """Bytes inflated so far, against ``max_uncompressed`` (counted as read, not as declared)."""

    def __init__(self, limits: ReadLimits):
        self.limits = limits
        self.used = 0

    def spend(self, count: int) -> None:
        self.used += count
        if self.used > self.limits.max_uncompressed:
            raise too_large(self.limits)


def long_run(data: bytes, token: bytes, limit: int, start: int = 0, end: int | None = None) -> int | None:
    """Where ``data[start:end]`` has more than ``limit`` bytes without ``token``, else None.

    Steps from one window's last token to the next window, so it costs a few ``rfind`` calls
    per ``limit`` bytes (all in C), not one per token.
    """
    end = len(data) if end is None else end
    position = start
    while end - position > limit:
        found = data.rfind(token, position, position + limit + 1)
        if found < 0:
            return position
        position = found + 1
    return None


def check_shared_strings(stream, limits: ReadLimits, budget: ByteBudget, block: int = 4 * MB) -> None:
    """Every shared string (``<si>`` … ``</si>``) within the cell limit, read in blocks.

    ``si>`` ends both tags (with or without a namespace prefix) and cannot occur in text (``>``
    in text is escaped), so a string longer than the limit is a stretch of more than the
    limit's bytes without it.
    """
    carry = b""
    read = 0
    tags = 0  # "si>" ends an opening and a closing tag: two per string
    while True:
        chunk = stream.read(block)
        if not chunk:
            break
        read += len(chunk)
        budget.spend(len(chunk))
        tags += chunk.count(b"si>")
        if tags > 2 * MAX_SHARED_STRING_ITEMS:
            raise ExcelError(
                f"文件中的不同文字超过 {MAX_SHARED_STRING_ITEMS:,} 条的导入上限，无法导入。请分成几个文件上传。"
            )
        if read > limits.max_shared_strings:
            raise ExcelError(
                f"文件中的文字内容解压后超过 {limits.max_shared_strings // MB:,} MB 的导入上限，无法导入。"
                "请分成几个文件上传。"
            )
        data = carry + chunk
        if long_run(data, b"si>", limits.max_cell_bytes) is not None:
            raise cell_too_long(limits)
        last = data.rfind(b"si>")
        carry = data[last + 1 :] if last >= 0 else data


# --------------------------------------------------------------------------- the cells of a sheet


def _digits_between(low: str, high: str) -> str:
    """A pattern for the digit strings of ``len(low)`` characters from ``low`` to ``high``."""
    if not low:
        return ""
    if low == high:
        return low
    if low[0] == high[0]:
        return low[0] + _digits_between(low[1:], high[1:])
    rest = len(low) - 1
    zeros, nines = "0" * rest, "9" * rest
    tail = f"\\d{{{rest}}}" if rest else ""
    parts = []
    first, last = int(low[0]), int(high[0])
    if low[1:] != zeros:
        parts.append(low[0] + "(?:" + _digits_between(low[1:], nines) + ")")
        first += 1
    if high[1:] != nines:
        suffix = high[0] + "(?:" + _digits_between(zeros, high[1:]) + ")"
        last -= 1
    else:
        suffix = ""
    if first <= last:
        parts.append(f"[{first}-{last}]{tail}")
    if suffix:
        parts.append(suffix)
    return "(?:" + "|".join(parts) + ")"


def number_range_pattern(low: int, high: int) -> str:
    """A regular expression for the decimal numbers ``low`` … ``high`` (no leading zeros).

    Lengths covered whole (every number of 1 to 5 digits, say) become one ``[1-9]\\d{0,4}``.
    """
    parts = []
    whole = []  # digit counts covered entirely: consecutive, since each starts at a power of ten
    while True:
        digits = len(str(low))
        top = min(10**digits - 1, high)
        if low == 10 ** (digits - 1) and top == 10**digits - 1:
            whole.append(digits)
        else:
            parts.append(_digits_between(str(low), str(top)))
        if top == high:
            break
        low = top + 1
    if whole:
        parts.insert(0, f"[1-9]\\d{{{whole[0] - 1},{whole[-1] - 1}}}")
    return "(?:" + "|".join(parts) + ")"


def columns_pattern(max_columns: int) -> str:
    """A regular expression for the column letters A … the ``max_columns``-th.

    Character classes rather than one alternative per column: the check runs once for every
    cell of the file, and the regular-expression engine tries alternatives one by one.
    """
    parts = []
    for width in range(1, 4):
        first = column_number("A" * width)
        last = min(max_columns, column_number("Z" * width))
        if first > last:
            break
        parts.append(_letters_between(column_letters(first), column_letters(last)))
    return "(?:" + "|".join(parts) + ")"


def _letters_between(low: str, high: str) -> str:
    """Letter strings of one length from ``low`` to ``high`` (``low`` is all A's)."""
    if len(high) == 1:
        return f"[A-{high}]"
    head, rest = high[0], high[1:]
    parts = []
    if head > "A":
        parts.append(f"[A-{chr(ord(head) - 1)}][A-Z]{{{len(rest)}}}")
    parts.append(head + _letters_between(low[1:], rest))
    return "(?:" + "|".join(parts) + ")"


class CellCheck:
    """Finds the first cell of a piece of sheet XML outside the allowed rows and columns.

    Cells as every spreadsheet program writes them (``<c r="B7" …>``, the reference first) are
    checked with one regular-expression search per piece (in C, about 0.35 s per 100,000 roster
    rows of 22 cells); a piece where some cell has no reference or has it later is checked the
    slow way, row by row (calamine puts a cell without a reference after the one before it, so a
    row's cells are then counted).
    """

    def __init__(self, prefix: bytes, limits: ReadLimits, low: int, high: int):
        self.limits = limits
        self.low, self.high = low, min(high, limits.max_row_number)
        allowed = (columns_pattern(limits.max_columns) + number_range_pattern(self.low, self.high)).encode()
        p = re.escape(prefix)
        self._usual = b"<" + prefix + b'c r="'
        # Any cell not written <c r="(allowed reference)": a bad reference, or a cell written
        # otherwise (no reference, or not first), which sends the piece to the slow path.
        self._unusual = re.compile(b"<" + p + rb'c(?=[\s/>])(?! r="' + allowed + b'")')
        self._bad_anywhere = re.compile(b"<" + p + rb'c(?=[\s/>])[^>]*?\sr="(?!' + allowed + b'")')
        self._cell = re.compile(b"<" + p + rb"c(?=[\s/>])")
        self._row = re.compile(b"<" + p + rb'row(?=[\s/>])(?:[^>]*?\sr="(\d{1,10})")?')
        self._ref = re.compile(rb'\sr="([^"]{0,16})')
        # calamine knows elements by their local name whatever their prefix, so a <q:c> among
        # unprefixed cells (or a <c> among <x:c>) would be a cell these patterns do not see.
        self._prefix = prefix
        self._foreign = re.compile(rb"<(?!/|\?|!|" + p + rb"[A-Za-z_])" if prefix else rb"<[^>\s/:!?]*:")

    def check(self, data: bytes, start: int, end: int) -> None:
        if (self._prefix or data.count(b":", start, end)) and self._foreign.search(data, start, end):
            raise broken_structure("表格数据中有命名空间前缀不一致的元素")
        found = self._unusual.search(data, start, end)
        if found is None:
            return
        bad = found if data.startswith(self._usual, found.start()) else self._bad_anywhere.search(data, start, end)
        if bad is None:  # only cells written otherwise, all at allowed places: count them by row
            self._count_cells(data, start, end)
            return
        raise self._explain(data[bad.start() : bad.end() + 24])

    def _count_cells(self, data: bytes, start: int, end: int) -> None:
        rows = list(self._row.finditer(data, start, end))
        ends = [m.start() for m in rows[1:]] + [end]
        for row, row_end in zip(rows, ends, strict=True):
            if len(self._cell.findall(data, row.start(), row_end)) > self.limits.max_columns:
                number = row.group(1).decode() if row.group(1) else "某"
                raise too_many_columns(self.limits, f"第 {number} 行的单元格")

    def _explain(self, tag: bytes) -> ExcelError:
        found = self._ref.search(tag)
        ref = found.group(1).decode("ascii", "replace") if found else ""
        parsed = re.fullmatch(r"([A-Z]{1,3})([1-9]\d{0,8})", ref)
        if parsed is None:
            return broken_structure(f"单元格位置“{ref[:16]}”不正确")
        letters, row = parsed.group(1), int(parsed.group(2))
        if column_number(letters) > self.limits.max_columns:
            return too_many_columns(self.limits, f"单元格 {ref} ")
        if row > self.limits.max_row_number:
            return too_many_rows(self.limits, row)
        return broken_structure(f"单元格 {ref} 不在它所在的行")

"""Row conversion: :class:`RowConverter` turns a row of raw values into field values, collecting
:class:`RowError`."""

from datetime import date
from decimal import Decimal
from typing import Any

from jiceng.core.inputs import FORBIDDEN_IN_LINE, FORBIDDEN_IN_TEXT, MULTILINE_FROM

from .base import CellError, RowError
from .cells import cell_text, is_blank
from .spec import BOOL, CHOICE, CODE, DATE, DECIMAL, ID_NUMBER, INT, PHONE, TEXT, Spec

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
                namespace[f"L{i}"] = column.choice_lookup()
                fast = [f"if raw.__class__ is _str and raw in L{i}:", f"    data[{key}] = L{i}[raw]"]
            elif column.kind == BOOL:
                namespace[f"L{i}"] = {"是": True, "否": False}
                fast = [f"if raw.__class__ is _str and raw in L{i}:", f"    data[{key}] = L{i}[raw]"]
            elif column.kind == TEXT:
                limit = column.max_length or 10**9
                # Only clean text takes the fast path (parse_text says why the rest is refused).
                namespace[f"F{i}"] = (FORBIDDEN_IN_TEXT if limit >= MULTILINE_FROM else FORBIDDEN_IN_LINE).search
                fast = [
                    f"if raw.__class__ is _str and 0 < len(raw) <= {limit} and not raw[0].isspace()"
                    f" and not raw[-1].isspace() and F{i}(raw) is None:",
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
                top = f"<= {float(column.max_value)!r}" if column.max_value is not None else "< 1e9"
                fast = [
                    f"if raw.__class__ is _float and raw.is_integer() and {float(column.min_value)!r} <= raw {top}:",
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

"""The spec of a roster: its :class:`Column` kinds, converters and template notes, and :class:`Spec`."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .base import CellError
from .cells import (
    cell_text,
    parse_bool,
    parse_code,
    parse_date,
    parse_decimal,
    parse_id_text,
    parse_int,
    parse_phone,
    parse_text,
)

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
    # Other spellings a choice cell may hold, each mapped to a stored value (蒙古 → 蒙古族); they
    # are accepted on import but not offered in the template's list.
    choice_aliases: tuple[tuple[str, str], ...] = ()
    choice_error: str = ""  # the per-row message for a value not in the list (default: the list)
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

    def choice_lookup(self) -> dict[str, str]:
        """A choice cell's text → the stored value: aliases, labels and stored values."""
        lookup = dict(self.choice_aliases)
        for stored, label in self.choices:
            lookup[label] = stored
            lookup[stored] = stored
        return lookup

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
            lo, hi = self.min_value, self.max_value
            return lambda value: parse_decimal(value, min_value=lo, max_value=hi)
        if kind == BOOL:
            return parse_bool
        if kind == CHOICE:
            lookup = self.choice_lookup()
            help_text = self.choice_error or "应为以下之一：" + "、".join(self.labels)

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

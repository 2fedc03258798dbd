"""民族 from the national list (GB/T 3304-1991, ``core/data/gbt3304/``): the choices, and what
staff type mapped to a name of the list.

The name is stored (``Member.ethnicity = "蒙古族"``), so the column stays readable; the code is
available for a report that needs it (:data:`CODE_OF`).
"""

import csv
from pathlib import Path

_FILE = Path(__file__).resolve().parent / "data" / "gbt3304" / "ethnicities.csv"

with _FILE.open(encoding="utf-8") as _handle:
    _ROWS = [(row["code"], row["name"]) for row in csv.DictReader(_handle)]

NAMES: tuple[str, ...] = tuple(name for _, name in _ROWS)
CHOICES: list[tuple[str, str]] = [(name, name) for name in NAMES]
CODE_OF: dict[str, str] = {name: code for code, name in _ROWS}
DEFAULT = "汉族"
OTHER = "其他"

# Other ways staff write an entry of the list: the name without its trailing 族 (蒙古 → 蒙古族;
# every such short form names exactly one entry), the standard's codes, and the long forms of 97.
ALIASES: dict[str, str] = {
    **{name[:-1]: name for name in NAMES if name.endswith("族")},
    **{code: name for code, name in _ROWS},
    **{str(int(code)): name for code, name in _ROWS},
    "其他未识别民族": OTHER,
    "未识别民族": OTHER,
    "穿青人": OTHER,
    "外国血统": "外国血统中国籍人士",
}
assert not set(ALIASES) & set(NAMES)

ERROR = "请填写国家标准（GB/T 3304）中的民族名称，如“汉族”“蒙古族”；未识别民族填“其他”。"


def normalise(value) -> str | None:
    """The list's name for ``value`` (``"蒙古"`` → ``"蒙古族"``), or ``None`` if it is not one."""
    text = "".join(str(value or "").split())
    if text in CODE_OF:
        return text
    return ALIASES.get(text)

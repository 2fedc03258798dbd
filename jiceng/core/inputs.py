"""Reading what a client typed: dates, moments, numbers and coordinates, with the ranges a real
value has. One place, so a page, the API, Open311 and the importer agree on what is refused.

Each parser raises :class:`InputError` (a ``ValueError``) with the reason in Chinese; a caller
turns it into its own 400 (a form error, the API's envelope, an Open311 ``errors[]``). Without
these, ``2025-13-45`` raised inside Django's parser, ``0001-01-01`` and ``9999-12-31`` overflowed
when shifted to UTC or by a day, and ``NaN`` broke every comparison: each was a 500.
"""

import math
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

# Every date the platform keeps (births, joining dates, terms, requests) lies in this range; a
# date outside is a typing error, and the margin keeps "a day, a month, 90 days later" in range.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2099, 12, 31)
DATE_RANGE_MESSAGE = f"日期应在 {DATE_MIN:%Y-%m-%d} 至 {DATE_MAX:%Y-%m-%d} 之间。"

# China's extreme points (曾母暗沙 3.9°N, 漠河 53.6°N, 帕米尔 73.5°E, 黑瞎子岛 135.1°E): the
# one box every latitude and longitude of the platform is checked against.
LATITUDE_RANGE = (Decimal("3.8"), Decimal("53.6"))
LONGITUDE_RANGE = (Decimal("73.5"), Decimal("135.1"))
COORDINATE_PLACES = Decimal("0.000001")

# The range of a 64-bit id column, on PostgreSQL and SQLite alike.
ID_MIN, ID_MAX = -(2**63), 2**63 - 1


# Characters no text of the platform holds: C0 controls and DEL (NUL made the Open311 XML
# ill-formed for every reader), lone surrogates (no encoding can store them) and the two
# non-characters. Multi-line text keeps tab, line feed and carriage return; a single line does not.
_FORBIDDEN = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff"
FORBIDDEN_IN_TEXT = re.compile(f"[{_FORBIDDEN}]")
FORBIDDEN_IN_LINE = re.compile(f"[{_FORBIDDEN}\t\n\r]")
CONTROL_MESSAGE = "不能含有控制字符（如 NUL、退格）或无效字符。"
LINE_MESSAGE = "不能含有换行、制表符等控制字符。"


class InputError(ValueError):
    """A value a client sent that cannot be used; ``str(exc)`` is the reason in Chinese."""


def check_date(value: date, label: str = "日期") -> date:
    day = value.date() if isinstance(value, datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise InputError(f"{label}应在 {DATE_MIN:%Y-%m-%d} 至 {DATE_MAX:%Y-%m-%d} 之间。")
    return value


def read_date(text: str, label: str = "日期") -> date:
    """``YYYY-MM-DD`` that exists and lies in the platform's range."""
    try:
        day = parse_date((text or "").strip())
    except ValueError:  # well-formed but no such day (2025-13-45)
        day = None
    if day is None:
        raise InputError(f"{label}“{text}”不是有效的日期（应为 2025-01-31 这样的格式）。")
    return check_date(day, label)


def read_month(text: str, label: str = "月份") -> date:
    """``YYYY-MM`` (a longer date is cut to its month) → the month's first day, in range."""
    try:
        year, month = (int(part) for part in (text or "").strip()[:7].split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise InputError(f"{label}格式应为 2025-01。") from None
    return check_date(first, label)


def read_moment(text: str, label: str = "时间", *, end_of_day: bool = False) -> datetime:
    """An aware datetime from ISO 8601 (``2025-09-10T09:00:00+08:00``; a ``+`` sent unescaped in a
    query arrives as a space) or a bare date (its start, or its end with ``end_of_day``)."""
    text = (text or "").strip()
    parsed = None
    if "T" in text:
        try:
            parsed = parse_datetime(text.replace(" ", "+"))
        except ValueError:
            parsed = None
        if parsed is None:
            raise InputError(f"{label}“{text}”不是有效的日期时间（应为 2025-09-10T00:00:00+08:00 这样的格式）。")
    else:
        day = read_date(text, label)
        parsed = datetime.combine(day, time.max if end_of_day else time.min)
    check_date(parsed, label)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def read_id(text, label: str = "编号") -> int:
    """A row id as typed in a query: ASCII digits that fit an id column (``abc``, ``null``,
    ``1e300`` and a 30-digit number are refused rather than looked up)."""
    text = str(text or "").strip()
    if not (text.isascii() and text.isdigit()) or int(text) > ID_MAX:
        raise InputError(f"{label}应为整数编号。")
    return int(text)


def read_number(value, label: str = "数值") -> Decimal:
    """A finite decimal: ``NaN``, ``inf`` and words are refused (``Decimal("NaN")`` compares as an
    error, ``float("nan")`` as false with everything)."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InputError(f"{label}应为数字。") from None
    if not number.is_finite():
        raise InputError(f"{label}应为数字。")
    return number


def read_coordinate(value, label: str, bounds: tuple[Decimal, Decimal]) -> Decimal | None:
    """A latitude or longitude in China's box, to six places; empty → ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{label}应为数字。")
    number = read_number(value, label)
    if not bounds[0] <= number <= bounds[1]:
        raise InputError(f"{label}应在 {bounds[0]} 至 {bounds[1]} 之间（中国境内）。")
    return number.quantize(COORDINATE_PLACES)


def read_latitude(value, label: str = "纬度") -> Decimal | None:
    return read_coordinate(value, label, LATITUDE_RANGE)


def read_longitude(value, label: str = "经度") -> Decimal | None:
    return read_coordinate(value, label, LONGITUDE_RANGE)


def in_china(latitude, longitude) -> bool:
    try:
        return read_latitude(latitude) is not None and read_longitude(longitude) is not None
    except InputError:
        return False


def shift_days(day: date, days: int) -> date:
    """``day`` moved by ``days``, clamped to the platform's range instead of overflowing."""
    try:
        moved = day + timedelta(days=days)
    except OverflowError:
        return DATE_MAX if days > 0 else DATE_MIN
    return min(max(moved, DATE_MIN), DATE_MAX)


def check_text(value: str, label: str = "", *, multiline: bool = True) -> str:
    """``value`` unchanged, or :class:`InputError` if it holds a character no text may hold."""
    pattern = FORBIDDEN_IN_TEXT if multiline else FORBIDDEN_IN_LINE
    if pattern.search(value):
        raise InputError(f"{label}{CONTROL_MESSAGE if multiline else LINE_MESSAGE}")
    return value


# --------------------------------------------------------------------------- validators


def validate_text(value) -> None:
    """On every multi-line text field (TextField, and notes: CharField of 300 characters or more)."""
    if isinstance(value, str) and FORBIDDEN_IN_TEXT.search(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_character")


def validate_line(value) -> None:
    """On every single-line text field (names, codes, addresses)."""
    if isinstance(value, str) and FORBIDDEN_IN_LINE.search(value):
        raise ValidationError(
            LINE_MESSAGE if not FORBIDDEN_IN_TEXT.search(value) else CONTROL_MESSAGE, code="control_character"
        )


def validate_date_in_range(value: date) -> None:
    try:
        check_date(value)
    except InputError as exc:
        raise ValidationError(str(exc), code="date_range") from None


def validate_latitude(value) -> None:
    _validate(read_latitude, value)


def validate_longitude(value) -> None:
    _validate(read_longitude, value)


def _validate(reader, value) -> None:
    try:
        reader(value)
    except InputError as exc:
        raise ValidationError(str(exc), code="coordinate") from None


class DateField(forms.DateField):
    """A form date in the platform's range (a date picker's 0001-01-01 or 9999-12-31 is a form
    error, not an overflow further on)."""

    default_validators = [validate_date_in_range]


# Text fields from this length on hold notes and descriptions (several lines); shorter ones hold
# names, codes and addresses (one line).
MULTILINE_FROM = 300


def text_validator(field) -> object | None:
    """The validator a model field gets: ``validate_text``, ``validate_line`` or none (not text)."""
    if isinstance(field, models.TextField):
        return validate_text
    if isinstance(field, models.CharField):
        return validate_text if (field.max_length or 0) >= MULTILINE_FROM else validate_line
    return None


def guard_text_fields(model_classes) -> None:
    """Every CharField and TextField of these models refuses control characters: on model forms,
    model serializers and ``full_clean``. Added to the field's validators at start-up (not to its
    declaration), so that migrations do not see them."""
    for model in model_classes:
        for field in model._meta.local_fields:
            validator = text_validator(field)
            if validator is not None and validator not in field.validators:
                field.__dict__["validators"] = [*field.validators, validator]

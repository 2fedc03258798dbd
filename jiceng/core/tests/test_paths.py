"""Path codes: the subtree of a prefix is a range, computed on digits."""

import pytest

from jiceng.areas.models import Area, Level
from jiceng.areas.services import create_area
from jiceng.core.paths import collapse_prefixes, is_in_subtree, next_prefix, subtree_q, subtrees_q


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("320102", "320103"),
        ("320109", "320110"),  # carry into the tens
        ("320199", "320200"),  # carry across two digits
        ("3299", "3300"),
        ("0999", "1000"),  # leading zeros are kept: same length
        ("009", "010"),
        ("0", "1"),
        ("8", "9"),
        ("320102002011", "320102002012"),
        ("320102002011999", "320102002012000"),
    ],
)
def test_next_prefix(prefix, expected):
    assert next_prefix(prefix) == expected
    assert len(next_prefix(prefix)) == len(prefix)


@pytest.mark.parametrize("prefix", ["9", "99", "9999", "999999999999999999999"])
def test_next_prefix_all_nines_has_no_upper_bound(prefix):
    assert next_prefix(prefix) is None


@pytest.mark.parametrize("prefix", ["", "32a1", "3201 ", "-1", "３２０１", "²", "3201²"])
def test_next_prefix_refuses_non_digits(prefix):
    with pytest.raises(ValueError):
        next_prefix(prefix)


def test_every_string_with_the_prefix_lies_in_the_range():
    for prefix in ["320109", "3201", "0999", "320102002011"]:
        upper = next_prefix(prefix)
        for suffix in ["", "0", "9", "999", "999999999"]:
            code = prefix + suffix
            assert prefix <= code < upper
        # The next sibling and the previous one are outside.
        assert not (prefix <= upper < upper)
        assert str(int(prefix) - 1).zfill(len(prefix)) + "9" < prefix


def test_collapse_prefixes_drops_covered_ones():
    assert collapse_prefixes(["320102002", "3201", "320102"]) == ["3201"]
    assert collapse_prefixes(["320104", "320102", "320102002011"]) == ["320102", "320104"]
    # 32011 does not cover 320110... only by prefix, never by string comparison alone.
    assert collapse_prefixes(["320110", "32011"]) == ["32011"]
    assert collapse_prefixes(["320110", "320101"]) == ["320101", "320110"]
    assert collapse_prefixes([]) == []


def test_is_in_subtree():
    assert is_in_subtree("320102002011", "320102")
    assert is_in_subtree("320102", "320102")
    assert not is_in_subtree("320110", "320102")
    assert not is_in_subtree("3201", "320102")


def _codes(qs):
    return sorted(qs.values_list("code", flat=True))


@pytest.fixture
def carry_tree(db):
    """Districts 320109 and 320110 (the carry case) and a city of all nines."""
    city = create_area(None, parent=None, level=Level.CITY, code="3201", name="南京市")
    d9 = create_area(None, parent=city, level=Level.DISTRICT, code="320109", name="甲区")
    d10 = create_area(None, parent=city, level=Level.DISTRICT, code="320110", name="乙区")
    s9 = create_area(None, parent=d9, level=Level.STREET, code="320109999", name="甲区最后一个街道")
    create_area(None, parent=d10, level=Level.STREET, code="320110001", name="乙区第一个街道")
    create_area(None, parent=s9, level=Level.COMMUNITY, code="320109999999", name="甲区最后一个社区")
    nines = create_area(None, parent=None, level=Level.CITY, code="9999", name="九市")
    create_area(None, parent=nines, level=Level.DISTRICT, code="999999", name="九区")
    create_area(None, parent=nines, level=Level.DISTRICT, code="999901", name="九一区")


def test_subtree_q_carry_boundary(carry_tree):
    assert _codes(Area.objects.filter(subtree_q("320109"))) == ["320109", "320109999", "320109999999"]
    assert _codes(Area.objects.filter(subtree_q("320110"))) == ["320110", "320110001"]
    assert _codes(Area.objects.filter(subtree_q("320109", include_self=False))) == ["320109999", "320109999999"]


def test_subtree_q_all_nines_prefix(carry_tree):
    # No upper bound exists, and none is needed: everything >= "9999" starts with it.
    assert _codes(Area.objects.filter(subtree_q("9999"))) == ["9999", "999901", "999999"]
    assert _codes(Area.objects.filter(subtree_q("999999"))) == ["999999"]
    assert _codes(Area.objects.filter(subtree_q("9999", include_self=False))) == ["999901", "999999"]


def test_subtree_helper_is_a_range_not_like(carry_tree):
    sql = str(Area.objects.subtree("320109").query).upper()
    assert "LIKE" not in sql
    assert ">=" in sql and "<" in sql
    assert _codes(Area.objects.subtree("320109")) == ["320109", "320109999", "320109999999"]


def test_subtrees_q_unions_and_empty(carry_tree):
    assert _codes(Area.objects.filter(subtrees_q(["320110", "999999", "320110001"]))) == [
        "320110",
        "320110001",
        "999999",
    ]
    assert not Area.objects.filter(subtrees_q([])).exists()

"""Dues (DOMAIN.md §3): one rate for the whole base, the cliff at every bracket, fixed amounts."""

from datetime import date
from decimal import Decimal

import pytest

from jiceng.core.models import Rule
from jiceng.core.rules import forget_rule
from jiceng.members.dues import monthly_dues, unpaid_months
from jiceng.members.models import DuesCategory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("5000", "50.00"),
        ("5001", "75.02"),
        ("5400", "81.00"),
        ("11500", "230.00"),
        ("10000", "150.00"),
        # every boundary: the bracket includes its upper bound, the next cent jumps
        ("0", "0.00"),
        ("3000", "15.00"),
        ("3000.01", "30.00"),
        ("5000.01", "75.00"),
        ("10000.01", "200.00"),
        ("2999.99", "15.00"),  # 14.99995 rounds half up
        ("1001", "5.01"),  # 5.005 rounds half up
    ],
)
def test_employed(base, expected):
    assert monthly_dues(DuesCategory.EMPLOYED, Decimal(base)) == Decimal(expected)


@pytest.mark.parametrize(("base", "expected"), [("5000", "25.00"), ("5000.01", "50.00"), ("8000", "80.00")])
def test_retired(base, expected):
    assert monthly_dues(DuesCategory.RETIRED, Decimal(base)) == Decimal(expected)


@pytest.mark.parametrize("category", [DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.SUBSISTENCE])
def test_fixed_amount(category):
    assert monthly_dues(category, Decimal("9000")) == Decimal("0.20")


def test_farmer_amount_is_configurable_within_range():
    assert monthly_dues(DuesCategory.FARMER, 0) == Decimal("0.20")
    Rule.objects.create(key="members.dues.farmer_amount", value="0.5")
    forget_rule("members.dues.farmer_amount")
    assert monthly_dues(DuesCategory.FARMER, 0) == Decimal("0.50")
    Rule.objects.filter(key="members.dues.farmer_amount").update(value="3")
    forget_rule("members.dues.farmer_amount")
    assert monthly_dues(DuesCategory.FARMER, 0) == Decimal("1.00")  # clamped to 0.2–1 元


def test_brackets_are_rule_data():
    Rule.objects.create(key="members.dues.employed_brackets", value=[["4000", "0.5"], [None, "1"]])
    forget_rule("members.dues.employed_brackets")
    assert monthly_dues(DuesCategory.EMPLOYED, 4000) == Decimal("20.00")
    assert monthly_dues(DuesCategory.EMPLOYED, 4001) == Decimal("40.01")


def test_negative_or_unknown():
    with pytest.raises(ValueError):
        monthly_dues(DuesCategory.EMPLOYED, -1)
    with pytest.raises(ValueError):
        monthly_dues("x", 1)


def test_unpaid_months():
    today = date(2025, 7, 15)
    assert unpaid_months(date(2025, 6, 1), None, today) == 0
    assert unpaid_months(date(2025, 1, 1), None, today) == 5
    assert unpaid_months(date(2024, 12, 1), None, today) == 6
    assert unpaid_months(None, date(2025, 1, 20), today) == 6
    assert unpaid_months(None, None, today) == 0

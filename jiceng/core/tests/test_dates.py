from datetime import date, timedelta

from jiceng.core.dates import add_months


def test_add_months_clamps_to_the_last_day_of_the_month():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2000, 1, 30), 1) == date(2000, 2, 29)  # 2000 is a leap year
    assert add_months(date(1900, 1, 30), 1) == date(1900, 2, 28)  # 1900 is not


def test_add_months_goes_back_and_across_years():
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 15), -13) == date(2023, 12, 15)
    assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)
    assert add_months(date(2024, 5, 31), 0) == date(2024, 5, 31)


def test_add_months_agrees_with_a_day_by_day_count():
    """Against a plain construction over every day of four years (one leap year)."""
    import calendar

    day = date(2023, 1, 1)
    while day < date(2027, 1, 1):
        for months in (-25, -1, 1, 6, 12, 36):
            index = day.year * 12 + day.month - 1 + months
            year, month = index // 12, index % 12 + 1
            expected = date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
            assert add_months(day, months) == expected, (day, months)
        day += timedelta(days=1)

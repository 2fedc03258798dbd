from datetime import UTC, date, timedelta

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


# --- one convention for 29 February (《民法典》第二百零一条) --------------------------------------


def test_a_year_after_29_february_is_28_february_everywhere():
    from jiceng.core.dates import add_years
    from jiceng.members import dues

    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert add_years(date(2024, 2, 29), -1) == date(2023, 2, 28)
    assert dues.add_month(date(2024, 2, 29), 12) == date(2025, 2, 1)


def test_add_months_keeps_a_datetime_and_its_time_zone():
    from datetime import datetime

    from jiceng.core.dates import add_years

    moment = datetime(2024, 2, 29, 23, 59, 30, tzinfo=UTC)
    assert add_years(moment, -1) == datetime(2023, 2, 28, 23, 59, 30, tzinfo=UTC)
    assert add_months(moment, 1) == datetime(2024, 3, 29, 23, 59, 30, tzinfo=UTC)


def test_someone_born_on_29_february_comes_of_age_on_the_day_add_years_gives():
    """Before: the age rolled forward to 1 March while every period rolled back to 28 February,
    so the demo's earliest application date (birth + 18 years) failed the age check."""
    from jiceng.core.dates import add_years, full_years
    from jiceng.core.ids import age_on

    birth = date(2008, 2, 29)
    assert add_years(birth, 18) == date(2026, 2, 28)
    assert age_on(birth, date(2026, 2, 27)) == 17
    assert age_on(birth, date(2026, 2, 28)) == 18
    assert age_on(birth, date(2028, 2, 28)) == 19  # a leap year: the birthday is the 29th
    assert age_on(birth, date(2028, 2, 29)) == 20
    assert full_years(date(2000, 3, 1), date(2001, 2, 28)) == 0
    day = date(2023, 1, 1)
    while day < date(2029, 1, 1):  # agrees with add_years on every day of six years
        assert add_years(birth, age_on(birth, day)) <= day < add_years(birth, age_on(birth, day) + 1), day
        day += timedelta(days=1)


def test_no_module_does_its_own_year_arithmetic():
    """Every "add N years/months" goes through core.dates (one leap-day convention)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    pattern = re.compile(r"relativedelta|\.replace\(year=|timedelta\(days=36[56]\)")
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for folder in ("jiceng", "bench")
        for path in (root / folder).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts and path.name != "dates.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []

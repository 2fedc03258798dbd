"""Masking of personal data for roles that need not see it (DOMAIN.md §11.3, PIPL: minimum necessary).

A masked value must not be rebuilt from what is shown next to it. A member's row also shows the
year of birth and the area of the member's organisation, which are the ID number's digits 1–6
(county of registration, usually the member's own county) and 7–10; a mask that kept the first
three and last four characters left only the month and day unknown (≈ 365 / 11 candidates after
the check digit), and the full number could be rebuilt in one request. So an ID number keeps only
its first character (the province, which the area already says) and its check character:
``320102199203071234`` → ``3****************4``. Even knowing the whole region code and the
birth year, month, day and the three sequence digits stay unknown (≈ 365 × 1000 / 11 ≈ 33,000
candidates), and no search confirms a guess (:mod:`jiceng.members.filtersets`).

A birth date shows only the year (:func:`mask_birth_date`). A phone keeps its first three and
last four digits (``138****1234``): nothing else on a row holds any of its digits.
"""

from datetime import date


def mask_id_number(value: str) -> str:
    """``110105194912310021`` → ``1****************1`` (first and last character kept)."""
    value = value or ""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:1] + "*" * (len(value) - 2) + value[-1:]


def mask_phone(value: str) -> str:
    """``13812341234`` → ``138****1234``."""
    value = value or ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_birth_date(value: date | None) -> int | None:
    """The year of a birth date, the only part a role without the full-data right sees."""
    return value.year if value is not None else None

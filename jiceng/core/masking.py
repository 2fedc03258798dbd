"""Masking of personal data for roles that need not see it (DOMAIN.md §11.3)."""


def mask_id_number(value: str) -> str:
    """``110105194912310021`` → ``110***********0021`` (first 3 and last 4 kept)."""
    value = value or ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """``13812341234`` → ``138****1234``."""
    value = value or ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]

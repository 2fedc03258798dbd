"""Path codes: a node's code is its path, so a subtree is a range of codes.

A subtree is always queried as ``code >= p AND code < next_prefix(p)`` (never LIKE/startswith):
SQLite and PostgreSQL both use a plain B-tree index for a range, and the bound is computed on
digits only, so it does not depend on the database collation.
"""

from collections.abc import Iterable

from django.db.models import Q


def is_digits(value: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts full-width ``３`` and superscript ``²``."""
    return bool(value) and value.isascii() and value.isdigit()


def next_prefix(prefix: str) -> str | None:
    """The smallest digit string greater than every string that starts with ``prefix``.

    ``"320102" -> "320103"``, ``"320109" -> "320110"``. A prefix of all nines has no upper bound
    among digit strings (anything greater than it starts with it), so ``None`` is returned.
    """
    if not is_digits(prefix):
        raise ValueError(f"path prefix must be digits: {prefix!r}")
    if set(prefix) == {"9"}:
        return None
    return str(int(prefix) + 1).zfill(len(prefix))


def subtree_q(prefix: str, field: str = "code", include_self: bool = True) -> Q:
    """Q for all rows whose ``field`` lies in the subtree of ``prefix``."""
    upper = next_prefix(prefix)
    q = Q(**{f"{field}__gte" if include_self else f"{field}__gt": prefix})
    if upper is not None:
        q &= Q(**{f"{field}__lt": upper})
    return q


def subtrees_q(prefixes: Iterable[str], field: str = "code") -> Q:
    """Union of several subtrees; nested prefixes are collapsed first so the OR stays short.

    No prefix matches nothing. The usual single prefix is a bare range, with no OR around it.
    """
    q = None
    for prefix in collapse_prefixes(prefixes):
        q = subtree_q(prefix, field) if q is None else q | subtree_q(prefix, field)
    return Q(pk__in=[]) if q is None else q


def collapse_prefixes(prefixes: Iterable[str]) -> list[str]:
    """Drop prefixes covered by a shorter one: ``["3201", "320102"] -> ["3201"]``."""
    result: list[str] = []
    for prefix in sorted(set(prefixes)):
        if result and prefix.startswith(result[-1]):
            continue
        result.append(prefix)
    return result


def is_in_subtree(code: str, prefix: str) -> bool:
    return code.startswith(prefix)

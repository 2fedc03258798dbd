"""Sortable columns of a list page and the same ``ordering=`` on its API list.

A list declares an allow-list of :class:`Sort` columns, each with the keyset keys that serve it in
ascending order (field names, the last one unique: ``("name", "id")``); descending reverses every
key, tie-breaker included, so one ``(field, id)`` index serves both directions (a backward index
scan). ``?sort=name`` sorts up, ``?sort=-name`` down; an unknown value is ignored (the list's
default order). The cursor of the next page (:mod:`jiceng.core.paging`) holds the values of the
keys in use, so paging forward under any offered order shows every row exactly once.

Only a column an index serves is offered on a big table (members, requests, the audit log): see
the ``sorts`` of each list and docs/adr/0015, 0016. Bounded lists (units, departments, whistles)
may sort on any column of their own table.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from jiceng.core.paging import reversed_keys

SORT_PARAM = "sort"
CURSOR_PARAMS = ("after", "before", "cursor", "page")


@dataclass(frozen=True)
class Sort:
    """One sortable column: ``name`` in the URL, ``label`` in the header, ``keys`` ascending."""

    name: str
    label: str
    keys: tuple[str, ...]
    first_descending: bool = False  # the header's first click sorts down (dates: newest first)


@dataclass(frozen=True)
class Sorts:
    """A list's allow-list of sorts."""

    columns: tuple[Sort, ...]
    by_name: dict[str, Sort] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "by_name", {s.name: s for s in self.columns})

    def choose(self, value: str | None) -> tuple[Sort | None, bool]:
        """``(sort, descending)`` for ``?sort=value``; ``(None, False)`` when absent or unknown."""
        value = (value or "").strip()
        descending = value.startswith("-")
        sort = self.by_name.get(value.removeprefix("-"))
        return (sort, descending) if sort is not None else (None, False)

    def keys(self, value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
        """The keyset keys for ``?sort=value``, or ``default`` when it names no offered sort."""
        sort, descending = self.choose(value)
        if sort is None:
            return tuple(default)
        return reversed_keys(sort.keys) if descending else tuple(sort.keys)

    def orderings(self) -> dict[str, tuple[str, ...]]:
        """The API's ``?ordering=`` values (``name`` and ``-name``) and their keys."""
        result = {}
        for sort in self.columns:
            result[sort.name] = tuple(sort.keys)
            result[f"-{sort.name}"] = reversed_keys(sort.keys)
        return result

    def state(self, params: QueryDict, *, default: str = "") -> "SortState":
        """What the list's headers need: the current sort and the query to build links from.

        ``default`` names the sort (``"area"``, ``"-created"``) the list's default order equals,
        so its header shows the arrow before any click."""
        value = params.get(SORT_PARAM, "")
        sort, descending = self.choose(value)
        if sort is None:
            sort, descending = self.choose(default)
        query = params.copy()
        for key in (*CURSOR_PARAMS, SORT_PARAM):
            query.pop(key, None)
        return SortState(self, sort.name if sort else "", descending, query)


@dataclass
class SortState:
    sorts: Sorts
    current: str  # the name of the sort in use ("" for a default order that is no column)
    descending: bool
    query: QueryDict  # the request's parameters without sort and cursor

    def header(self, name: str) -> dict[str, Any]:
        """A column header: its label, the link that sorts by it (the other way if it is the
        current sort), the arrow and the ``aria-sort`` value."""
        sort = self.sorts.by_name[name]
        active = self.current == name
        down = not self.descending if active else sort.first_descending
        query = self.query.copy()
        query[SORT_PARAM] = f"-{name}" if down else name
        return {
            "label": sort.label,
            "url": f"?{query.urlencode()}",
            "active": active,
            "arrow": ("↓" if self.descending else "↑") if active else "",
            "aria": ("descending" if self.descending else "ascending") if active else "none",
            "title": f"按{sort.label}{'降序' if down else '升序'}排列",
        }


def sorted_keys(
    sorts: Sorts | None, params, default: tuple[str, ...] | Callable[[], tuple[str, ...]]
) -> tuple[str, ...]:
    """The keys for a request: its offered ``?sort=``, else the default (a callable is only
    called when needed)."""
    value = params.get(SORT_PARAM) if params is not None else None
    if sorts is not None:
        sort, _ = sorts.choose(value)
        if sort is not None:
            return sorts.keys(value, ())
    return tuple(default() if callable(default) else default)


def sort_in_memory(rows: list, sorts: Sorts, params, keys: dict[str, Callable[[Any], Any]]) -> list:
    """``rows`` (a list already built in Python: a bounded list such as the setup checks) in the
    order of an offered ``?sort=``, by ``keys[name](row)`` (ties keep their order); unchanged
    when no offered sort is asked for."""
    sort, descending = sorts.choose(params.get(SORT_PARAM))
    if sort is None:
        return rows
    return sorted(rows, key=keys[sort.name], reverse=descending)

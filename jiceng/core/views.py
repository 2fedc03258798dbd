"""The scoped list page: what every list view does, in one place.

``scoped_list(request, queryset, FilterSet, keys=...)`` reads ``queryset.visible_to(user, action)``,
filters it with the app's one ``FilterSet`` (the same one the API uses, so a page and an API call
with the same parameters list the same rows), cuts one keyset page (:mod:`jiceng.core.paging`, the
helper the desk lists and the API use too) and, where the app has an Excel kind the user may
export, links "export these rows" to the export of the same filter. The view adds what its
template needs and renders.
"""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from jiceng.core.paging import page_total, page_url, request_page
from jiceng.core.scope import scope_for
from jiceng.core.sorting import Sorts, SortState, sorted_keys


@dataclass
class ScopedList:
    filterset: Any  # the app's django_filters.FilterSet
    rows: list
    next_url: str | None  # ``?…&after=<cursor>``, None on the last page
    first_url: str | None  # None on the first page
    next_cursor: str  # the cursor alone ("" on the last page), for templates that build the link
    query: str  # the request's parameters without the cursor
    export_url: str | None  # the Excel export of the same filter, if the user may export
    total: str = ""  # "1,234" or "1 万+" (jiceng.core.paging.total_text); "" when the filter is invalid
    sort: SortState | None = None  # the sortable headers' state, when the list offers sorts

    @property
    def form(self):
        return self.filterset.form

    @property
    def is_first(self) -> bool:
        return self.first_url is None


def scoped_list(
    request,
    queryset,
    filterset_class,
    *,
    keys,
    size: int = 50,
    action: str = "view",
    param: str = "after",
    export_kind: str | None = None,
    sorts: Sorts | None = None,
    default_sort: str = "",
) -> ScopedList:
    """One page of ``queryset`` as ``request.user`` may ``action`` it, filtered by the request.

    ``keys`` is the keyset order (see :func:`jiceng.core.paging.keyset_page`), or a callable
    taking the valid filter's cleaned data and returning it (the roster cuts on the path its
    filter uses). An invalid filter lists nothing, and the form shows why. ``sorts`` is the
    list's allow-list of ``?sort=`` columns (:mod:`jiceng.core.sorting`); ``default_sort`` names
    the one the default order equals, for its header's arrow.
    """
    filterset = filterset_class(request.GET, queryset=queryset.visible_to(request.user, action), request=request)
    rows, next_url, first_url, total = [], None, None, ""
    if filterset.is_valid():
        data = filterset.form.cleaned_data
        order = sorted_keys(sorts, request.GET, (lambda: keys(data)) if callable(keys) else keys)
        rows, next_url, first_url = request_page(request, filterset.qs, order, size, param)
        total = page_total(filterset.qs, rows, single_page=next_url is None and first_url is None)
    params = request.GET.copy()
    params.pop(param, None)
    return ScopedList(
        filterset=filterset,
        rows=rows,
        next_url=next_url,
        first_url=first_url,
        next_cursor=(request_cursor(next_url, param) if next_url else ""),
        query=params.urlencode(),
        export_url=export_url(request, export_kind, params) if export_kind else None,
        total=total,
        sort=sorts.state(request.GET, default=default_sort) if sorts is not None else None,
    )


def request_cursor(url: str, param: str) -> str:
    from django.http import QueryDict

    return QueryDict(url.lstrip("?")).get(param, "")


def export_url(request, kind_key: str, params) -> str | None:
    """The export of the rows a list shows (its filter, without the cursor), if the user may."""
    from jiceng.core.excel_jobs import KINDS

    kind = KINDS.get(kind_key)
    if kind is None or kind.exporter is None or scope_for(request.user, kind.export_permission).empty:
        return None
    return reverse("excel:export", args=[kind.key]) + page_url(params, "after", None).rstrip("?")

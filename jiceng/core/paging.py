"""Keyset pages of desk lists: newest first, "下一页" links carry ``?before=<last id>``.

Offsets grow slower with every page and shift when rows arrive; a keyset on the primary key does
neither. (The member list pages by (path, id): see jiceng.members.api.PathKeysetPagination.)
"""


def before_id_page(request, queryset, size: int) -> tuple[list, str | None]:
    """The page of ``queryset`` (ordered, ids descending within it) below ``?before=``, and the
    URL of the next page (the request's other parameters kept), or None on the last page."""
    before = request.GET.get("before", "")
    if before.isdigit():
        queryset = queryset.filter(id__lt=int(before))
    rows = list(queryset[: size + 1])
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    params = request.GET.copy()
    params["before"] = rows[-1].pk
    return rows, f"?{params.urlencode()}"

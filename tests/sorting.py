"""Helpers for the sortable lists' tests: walk a list page by page under a sort, read an xlsx."""

from io import BytesIO
from urllib.parse import urlsplit

from openpyxl import load_workbook

from tests.queries import count_queries


def walk(client, url: str, *, rows: str = "rows", next_link=None, max_pages: int = 50):
    """``(ids, query counts)``: every row of the list from ``url`` on, following each page's next
    link (``next_link(context)``, default ``context["next_url"]``) to the last page."""
    path = urlsplit(url).path
    next_link = next_link or (lambda context: context.get("next_url"))
    ids, counts = [], []
    for _ in range(max_pages):
        queries, response = count_queries(client, url)
        counts.append(queries)
        ids += [row.pk for row in response.context[rows]]
        link = next_link(response.context)
        if not link:
            return ids, counts
        url = f"{path}{link}"
    raise AssertionError(f"more than {max_pages} pages")


def expected(objects, key, *, descending: bool = False) -> list[int]:
    """The ids of ``objects`` in the order ``(key(o), id)``, the whole tuple reversed if descending."""
    return [o.pk for o in sorted(objects, key=lambda o: (key(o), o.pk), reverse=descending)]


def sheet_rows(response) -> list[list]:
    """The data rows (below the header) of the xlsx a response carries, as lists of cell values."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(BytesIO(content), read_only=True).worksheets[0]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [row for row in values[1:] if any(cell not in (None, "") for cell in row)]

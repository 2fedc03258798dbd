"""Query counts of one request, for the tests that bound them (DESIGN.md §6: a page or API call
issues a bounded number of queries, independent of rows)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url, *, status: int = 200, **extra):
    """``(number of queries, response)`` of ``client.get(url)``, which must answer ``status``."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == status, (response.status_code, response.content[:500])
    return len(ctx.captured_queries), response


def query_count(client, url, **extra) -> int:
    """The number of queries of ``client.get(url)`` (a 200)."""
    return count_queries(client, url, **extra)[0]

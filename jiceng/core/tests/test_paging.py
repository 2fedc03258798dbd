"""before_id_page: the desk lists' keyset pages (newest first, ?before=<last id>)."""

import pytest
from django.test import RequestFactory

from jiceng.accounts.models import User
from jiceng.core.paging import before_id_page

pytestmark = pytest.mark.django_db


def test_pages_walk_every_row_once_and_keep_the_other_parameters():
    made = [User.objects.create(username=f"paging{i}").pk for i in range(7)]
    queryset = User.objects.filter(pk__in=made).order_by("-id")
    seen, url, pages = [], "/list/?tab=open", 0
    while url is not None:
        request = RequestFactory().get(url)
        rows, next_url = before_id_page(request, queryset, 3)
        seen += [row.pk for row in rows]
        pages += 1
        assert next_url is None or "tab=open" in next_url
        url = next_url and f"/list/{next_url}"
    assert seen == sorted(made, reverse=True)
    assert pages == 3  # 3 + 3 + 1


def test_a_full_last_page_has_no_next_link_and_junk_is_ignored():
    made = [User.objects.create(username=f"exact{i}").pk for i in range(3)]
    queryset = User.objects.filter(pk__in=made).order_by("-id")
    rows, next_url = before_id_page(RequestFactory().get("/list/?before=abc"), queryset, 3)
    assert [row.pk for row in rows] == sorted(made, reverse=True)
    assert next_url is None


def test_keyset_page_walks_a_two_field_key_with_ties_forwards_and_back():
    from jiceng.core.paging import keyset_page, position_of

    # Ten users over three names: many share the first key, so the id must break the ties.
    made = [User.objects.create(username=f"k{i}", display_name=f"name{i % 3}") for i in range(10)]
    queryset = User.objects.filter(pk__in=[u.pk for u in made])
    keys = ("display_name", "-id")
    expected = [u.pk for u in sorted(made, key=lambda u: (u.display_name, -u.pk))]
    seen, position, more = [], None, True
    while more:
        rows, more = keyset_page(queryset, keys, position, 4)
        seen += [r.pk for r in rows]
        position = position_of(rows[-1], keys)
    assert seen == expected
    rows, more = keyset_page(queryset, keys, position_of(rows[0], keys), 4, backwards=True)
    assert [r.pk for r in rows] == expected[4:8] and more


def test_api_pages_link_next_and_previous_and_refuse_a_bad_cursor():
    from rest_framework.exceptions import NotFound
    from rest_framework.request import Request

    from jiceng.core.api import KeysetPagination, PathKeysetPagination

    made = sorted(User.objects.create(username=f"api{i}").pk for i in range(5))
    queryset = User.objects.filter(pk__in=made)

    class ByName(KeysetPagination):
        keys = ("username", "id")
        page_size = 2

    def page(paginator, url):
        rows = paginator.paginate_queryset(queryset, Request(RequestFactory().get(url)))
        body = paginator.get_paginated_response([r.pk for r in rows]).data
        return body["results"], body

    first, body = page(ByName(), "/x/")
    assert first == made[:2] and body["previous"] is None
    second, body = page(ByName(), body["next"])
    assert second == made[2:4] and body["previous"] is not None
    back, body = page(ByName(), body["previous"])
    assert back == first and body["previous"] is None and body["next"] is not None
    last, body = page(ByName(), page(ByName(), body["next"])[1]["next"])
    assert last == made[4:] and body["next"] is None
    with pytest.raises(NotFound):
        page(ByName(), "/x/?cursor=garbage")

    class Lenient(PathKeysetPagination):
        page_size = 2

    rows, body = page(Lenient(), "/x/?cursor=garbage")
    assert rows == made[:2] and set(body) == {"next", "results"}


@pytest.mark.parametrize("keys", [("last_login", "id"), ("-last_login", "id"), ("-last_login", "-id")])
def test_a_nullable_key_walks_every_row_once_with_nulls_last_going_up(keys):
    """Nulls sort after every value (before them going down), on SQLite as on PostgreSQL; times
    with microseconds and ties survive the cursor."""
    from datetime import UTC, datetime, timedelta

    from jiceng.core.paging import decode_cursor, encode_cursor, keyset_page, position_of

    base = datetime(2025, 9, 10, 9, 0, 0, 123456, tzinfo=UTC)
    logins = [None, base, base + timedelta(microseconds=1), None, base, base - timedelta(days=1), None, base]
    made = [User.objects.create(username=f"null{i}", last_login=t) for i, t in enumerate(logins)]
    queryset = User.objects.filter(pk__in=[u.pk for u in made])

    def sort_key(user):
        parts = []
        for key in keys:
            value = getattr(user, key.removeprefix("-"))
            rank = (1, 0) if value is None else (0, value.timestamp() if hasattr(value, "timestamp") else value)
            parts.append(tuple(-x for x in rank) if key.startswith("-") else rank)
        return parts

    expected = [u.pk for u in sorted(made, key=sort_key)]
    seen, position, more = [], None, True
    while more:
        rows, more = keyset_page(queryset, keys, position, 3)
        seen += [r.pk for r in rows]
        position, _ = decode_cursor(encode_cursor(position_of(rows[-1], keys)), User, keys)
    assert seen == expected
    back, _ = keyset_page(queryset, keys, position_of(User.objects.get(pk=expected[5]), keys), 3, backwards=True)
    assert [r.pk for r in back] == expected[2:5]

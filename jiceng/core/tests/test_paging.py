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

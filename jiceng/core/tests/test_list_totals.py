"""A list's total: exact where cheap, "1 万+" where counting every row would be slow; counted with
one query bounded by the cap (``COUNT … FROM (… LIMIT cap + 1)``), the keyset paging unchanged."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.areas.models import Area
from jiceng.core import paging
from jiceng.core.paging import capped_count, count_text


def test_count_text_is_exact_below_the_cap_and_capped_past_it():
    assert count_text(0) == "0"
    assert count_text(1234) == "1,234"
    assert count_text(10_000) == "10,000"
    assert count_text(10_001) == "1 万+"
    assert count_text(501, cap=500) == "500+"


@pytest.mark.django_db
def test_capped_count_stops_at_the_cap(tree):
    areas = Area.objects.all()
    assert areas.count() > 4
    with CaptureQueriesContext(connection) as queries:
        assert capped_count(areas, cap=3) == 4
    assert len(queries) == 1 and "LIMIT 4" in queries[0]["sql"].upper()
    assert capped_count(areas.filter(code=tree.grid1.code), cap=3) == 1


@pytest.fixture
def roster(client, tree, make_user):
    from jiceng.orgs.tests.conftest import build_orgs, make_members

    orgs = build_orgs(tree)
    make_members(orgs.grid1, 55)
    make_members(orgs.gongyuan_branch, 4)  # outside 北安门: never counted
    client.force_login(make_user(role="community", area=tree.beianmen))
    return client


@pytest.mark.django_db
def test_the_roster_shows_its_total_on_every_page(roster):
    first = roster.get(reverse("members:member_list"))
    assert first.context["total"] == "55" and len(first.context["rows"]) == 50
    assert '共 <strong class="text-body" id="list-total">55</strong> 名' in first.text
    second = roster.get(reverse("members:member_list") + first.context["next_url"])
    assert len(second.context["rows"]) == 5 and second.context["total"] == "55"
    narrowed = roster.get(reverse("members:member_list"), {"q": "党员1"})
    assert narrowed.context["total"] == str(len(narrowed.context["rows"]))


@pytest.mark.django_db
def test_past_the_cap_the_roster_says_so(roster, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 50)
    assert roster.get(reverse("members:member_list")).context["total"] == "50+"

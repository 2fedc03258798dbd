"""The pages and API lists of 微心愿, 党员积分, 共建协议 and 协商议事 cost the same for 2 rows as for 12."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.consult import services as consult
from jiceng.orgs.models import UnitKind
from jiceng.orgs.services.units import create_resident_unit
from jiceng.partners import services as partners
from jiceng.points import services as points
from tests.queries import count_queries

from .conftest import publish

pytestmark = pytest.mark.django_db
MAX_QUERIES = 20


def add_rows(w, n: int, start: int) -> None:
    today = timezone.localdate()
    for i in range(start, start + n):
        wish = publish(w, title=f"心愿{i}")
        if i % 2:
            from jiceng.wishes import services

            services.claim(w.member_user, wish)
        points.award("dual_service", i, w.member, 1, today)
        consult.record(
            None,
            w.tree.beianmen,
            kind="council",
            held_on=today - timedelta(days=1),
            title=f"议事{i}",
            topics="t",
            residents=3,
            units=[w.unit],
        )
        unit = create_resident_unit(
            None, name=f"共建单位{i}", kind=UnitKind.STATE_ENTERPRISE, area=w.tree.grid1, party_org=w.orgs.grid2
        )
        partners.sign(
            None,
            w.orgs.beianmen,
            unit,
            title=f"协议{i}",
            content="c",
            community_contact="a",
            unit_contact="b",
            signed_on=today - timedelta(days=3),
            ends_on=today + timedelta(days=300),
            duties=[("unit", "d1", today + timedelta(days=3)), ("community", "d2", today + timedelta(days=30))],
        )


URLS = [
    reverse("wishes:wish_list"),
    reverse("points:award_list"),
    reverse("partners:agreement_list"),
    reverse("consult:consultation_list"),
    "/api/v1/wishes/",
    "/api/v1/point-awards/",
    "/api/v1/partner-agreements/",
    "/api/v1/consultations/",
]


def test_lists_do_not_grow_with_rows(wworld, client):
    client.force_login(wworld.users.community)
    add_rows(wworld, 2, 0)
    for url in URLS:
        client.get(url)
    small = {url: count_queries(client, url)[0] for url in URLS}
    add_rows(wworld, 10, 100)
    big = {url: count_queries(client, url)[0] for url in URLS}
    assert small == big
    assert max(big.values()) <= MAX_QUERIES, big


def test_my_points_and_the_member_section_do_not_grow(wworld, client):
    w = wworld
    points.award("dual_service", 1, w.member, 1, timezone.localdate())
    client.force_login(w.member_user)
    url = reverse("points:mine")
    client.get(url)
    small, _ = count_queries(client, url)
    for n in range(2, 12):
        points.award("dual_service", n, w.member, 1, timezone.localdate())
    big, _ = count_queries(client, url)
    assert small == big <= MAX_QUERIES

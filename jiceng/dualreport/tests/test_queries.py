"""The 双报到 pages and API lists issue the same number of queries for 2 rows as for 12."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.dualreport import services
from tests.queries import count_queries

from .conftest import employed_member
from .test_services import confirmed, make_post

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20


def add_members(world, n: int, start: int) -> None:
    post = make_post(world, places=50, title=f"岗位{start}")
    for i in range(start, start + n):
        member = employed_member(world.orgs.grid1, f"批量党员{i}", residence=world.tree.grid1)
        registration = confirmed(world, member)
        services.sign_up(world.users.community, post, member)
        services.record_service(
            world.users.community, registration, served_on=timezone.localdate(), hours="1", content="服务", confirm=True
        )
        services.send_feedback(world.users.community, registration, year=timezone.localdate().year, comment="好")


URLS = [
    reverse("dualreport:registration_list"),
    reverse("dualreport:service_list"),
    reverse("dualreport:post_list"),
    reverse("dualreport:below_target"),
    reverse("dualreport:feedback_list"),
    "/api/v1/dual-registrations/",
    "/api/v1/dual-services/",
    "/api/v1/dual-signups/",
    "/api/v1/dual-posts/",
]


def test_lists_do_not_grow_with_rows(world, client):
    client.force_login(world.users.community)
    add_members(world, 2, 0)
    for url in URLS:
        client.get(url)  # warm up: session, content types, rules
    small = {url: count_queries(client, url)[0] for url in URLS}
    add_members(world, 10, 100)
    big = {url: count_queries(client, url)[0] for url in URLS}
    assert small == big
    assert max(big.values()) <= MAX_QUERIES, big


def test_the_members_phone_page_does_not_grow_with_services(world, client):
    registration = confirmed(world)
    post = make_post(world)
    services.sign_up(world.member_user, post, world.member)
    client.force_login(world.member_user)
    url = reverse("dualreport:mine")
    client.get(url)
    services.record_service(world.member_user, registration, served_on=timezone.localdate(), hours="1", content="a")
    small, _ = count_queries(client, url)
    for n in range(8):
        services.record_service(
            world.member_user, registration, served_on=timezone.localdate(), hours="1", content=f"b{n}"
        )
    big, response = count_queries(client, url)
    assert response.content.decode().count("待确认") >= 9
    assert small == big <= MAX_QUERIES

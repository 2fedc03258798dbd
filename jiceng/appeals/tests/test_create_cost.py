"""受理 as recorded: its timestamps follow ``now``, and the API create stays within its statements."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jiceng.appeals import services
from jiceng.appeals.models import Appeal, Channel

from .conftest import T0


def test_a_request_recorded_at_a_past_time_was_last_changed_then(submit):
    appeal = submit(now=T0)
    stored = Appeal.objects.get(pk=appeal.pk)
    assert stored.created_at == stored.updated_at == T0
    assert appeal.updated_at == T0


def test_an_open311_create_at_a_given_time_keeps_it_too(people, catalogue, tree):
    from jiceng.appeals.open311.models import ApiKey

    key = ApiKey.objects.create(owner=people.community, name="桥接")
    appeal = services.create_open311_request(
        key, category=catalogue.stall, description="占道", area=tree.building, reporter_name="王", now=T0
    )
    assert Appeal.objects.values_list("updated_at", flat=True).get(pk=appeal.pk) == T0


def test_a_transition_then_moves_updated_at_to_its_own_time(submit, people, tree):
    appeal = submit(now=T0)
    later = T0 + timedelta(hours=2)
    services.dispatch_appeal(people.community, appeal, area=tree.grid1, now=later)
    stored = Appeal.objects.get(pk=appeal.pk)
    assert (stored.created_at, stored.updated_at) == (T0, later)


def test_a_create_without_a_time_takes_the_clock_for_both(submit):
    before = timezone.now()
    appeal = submit(now=None)
    stored = Appeal.objects.get(pk=appeal.pk)
    assert stored.created_at == stored.updated_at and before <= stored.created_at <= timezone.now()


def test_an_api_create_on_behalf_of_a_resident_costs_its_statements(api_client, people, catalogue, tree):
    """The hotline create the benchmark measures: area, grants, the row, then the timeline event,
    the rate counters and the audit row (on PostgreSQL one statement; SQLite numbers the row with
    an UPDATE and writes the other three one by one)."""
    api_client.force_authenticate(people.community)
    body = {
        "channel": Channel.HOTLINE,
        "category": catalogue.stall.code,
        "area": tree.building.code,
        "description": "楼道堆放杂物",
        "reporter_name": "王女士",
        "reporter_phone": "13900000001",
        "client_token": "cost-1",
    }
    api_client.post("/api/v1/appeals/", {**body, "client_token": "warm-up"}, format="json")
    people.community.forget_grants()  # a new request: the user and their grants are read anew
    with CaptureQueriesContext(connection) as queries:
        response = api_client.post("/api/v1/appeals/", body, format="json")
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    writes = 2 if connection.vendor == "postgresql" else 5
    assert len(statements) == 2 + writes, "\n".join(statements)

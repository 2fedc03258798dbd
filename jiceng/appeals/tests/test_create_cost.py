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


def test_the_create_writes_its_event_counters_and_audit_row(submit, people, tree, catalogue):
    from jiceng.accounts.models import AuditLog
    from jiceng.appeals.models import AppealEvent, AreaStat
    from jiceng.appeals.stats import month_of, stat_paths

    first = submit(now=T0)  # no counter rows for the month yet: they are created
    appeal = submit(now=T0 + timedelta(minutes=5), client_token="second")  # now they are updated
    event = AppealEvent.objects.get(appeal=appeal)
    assert (event.kind, event.at, event.actor_id, event.to_status, event.from_status) == (
        "create",
        T0 + timedelta(minutes=5),
        people.resident.pk,
        "accepted",
        "",
    )
    assert event.area_path == tree.building.code and event.department_id is None and event.public
    assert event.data == {"channel": "resident", "fallback_days": []} and event.note.startswith("受理（居民自助）")
    assert event.actor_name == str(people.resident)
    row = AuditLog.objects.get(action="create_appeal", object_id=str(appeal.pk))
    assert (row.actor_id, row.object_type, row.object_repr, row.area_path, row.before) == (
        people.resident.pk,
        "appeals.appeal",
        str(appeal),
        tree.building.code,
        None,
    )
    assert row.after == {
        "number": appeal.number,
        "channel": "resident",
        "category": catalogue.stall.code,
        "area": tree.building.code,
    }
    counts = dict(
        AreaStat.objects.filter(month=month_of(T0), path__in=stat_paths(tree.building.code)).values_list(
            "path", "received"
        )
    )
    assert counts == {path: 2 for path in stat_paths(tree.building.code)}
    assert AppealEvent.objects.filter(appeal=first).count() == 1

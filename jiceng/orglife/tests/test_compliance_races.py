"""Races of the compliance writes on PostgreSQL, real threads with their own connections:
a double submit of an exemption request makes one row; two approvers at once decide once; a
meeting closed while the held facts are rebuilt is counted exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiceng.orglife import held, services
from jiceng.orglife.models import Exemption, ExemptionStatus, HeldMonth
from jiceng.orglife.services import OrglifeError
from jiceng.orglife.tests.test_concurrency import race


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_double_submit_and_two_approvers(orgs, people):
    def ask():
        return services.request_exemption(
            people.secretary, org=orgs.grid1, kind="postpone", period="2026-Q4", meeting_type="congress", reason="换届"
        )

    results = race(ask, ask, ask)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(created for _, created in results) == [False, False, True]  # one writer says so
    assert Exemption.objects.filter(org=orgs.grid1).count() == 1
    row = Exemption.objects.get(org=orgs.grid1)
    results = race(
        lambda: services.decide_exemption(people.community, row, approve=True, note="同意"),
        lambda: services.decide_exemption(people.street, row, approve=False, note="不同意"),
    )
    refused = [r for r in results if isinstance(r, OrglifeError)]
    assert len(refused) == 1 and "不能重复审批" in refused[0].messages[0]
    row.refresh_from_db()
    assert row.status in (ExemptionStatus.APPROVED, ExemptionStatus.REJECTED)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_meeting_closed_during_a_rebuild_counts_once(plan_meeting, people):
    meetings = []
    for i in range(3):
        meeting = plan_meeting(start=timezone.now() - timedelta(minutes=5 + i))
        meetings.append(services.open_signin(people.community, meeting))
    services.close_meeting(people.community, meetings[0])
    year = timezone.localdate().year
    results = race(
        lambda: services.close_meeting(people.community, meetings[1]),
        lambda: held.rebuild(year),
        lambda: services.close_meeting(people.community, meetings[2]),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    total = sum(HeldMonth.objects.filter(org=meetings[0].org, type="congress").values_list("held", flat=True))
    assert total == 3
    before = held.table()
    held.rebuild(year)
    assert held.table() == before

"""One ballot per member: the same member submitting from two (or four) clients at once gets one
ballot and one receipt; the others are refused with the Chinese message. Closing the ballot while
members vote leaves every counted ballot with its receipt. On PostgreSQL real threads race with
their own connections; on SQLite writers are serialised, so the calls in sequence must agree."""

import pytest

from jiceng.appraisal import services
from jiceng.appraisal.models import Ballot, Participant, Receipt
from jiceng.orglife.tests.test_concurrency import race

from .conftest import all_marks


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_clients_of_one_member_give_one_ballot(round_, voters, people):
    marks = all_marks(round_, "excellent")
    results = race(*[lambda: services.cast_ballot(voters["jia"], round_, marks) for _ in range(4)])
    refused = [r for r in results if isinstance(r, services.AppraisalError)]
    assert len(refused) == 3, results
    assert all("已经投过票" in "".join(r.messages) for r in refused)
    assert Receipt.objects.filter(round=round_, member=people.me).count() == 1
    assert Ballot.objects.filter(round=round_).count() == 1
    round_.refresh_from_db()
    assert round_.ballots == 1
    assert set(Participant.objects.filter(round=round_).values_list("votes_excellent", flat=True)) == {1}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_members_vote_while_the_secretary_closes(round_, voters, people):
    calls = [lambda u=voters[k]: services.cast_ballot(u, round_, all_marks(round_)) for k in ("jia", "yi", "bing")]
    calls.append(lambda: services.close_voting(people.secretary, round_))
    results = race(*calls)
    refused = [r for r in results[:-1] if isinstance(r, services.AppraisalError)]
    counted = Ballot.objects.filter(round=round_).count()
    assert counted + len(refused) == 3
    assert Receipt.objects.filter(round=round_).count() == counted
    round_.refresh_from_db()
    assert round_.ballots == counted
    assert set(Participant.objects.filter(round=round_).values_list("votes_qualified", flat=True)) == {counted}


@pytest.mark.django_db
def test_in_sequence_a_second_ballot_is_refused(round_, voters):
    services.cast_ballot(voters["jia"], round_, all_marks(round_))
    with pytest.raises(services.AppraisalError, match="已经投过票"):
        services.cast_ballot(voters["jia"], round_, all_marks(round_))
    assert Ballot.objects.count() == Receipt.objects.count() == 1

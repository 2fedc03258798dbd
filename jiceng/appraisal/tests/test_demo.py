"""The demo's 民主评议 rows: consistent tallies (ballots = receipts = the round's count, every
participant's votes sum to the ballots), the 双报到 cap respected, the demo member's ballot left
waiting, loaded once."""

from datetime import date

import pytest

from jiceng.appraisal import rules
from jiceng.appraisal.models import Ballot, Participant, Receipt, Round, RoundStatus
from jiceng.appraisal.todos import mine
from jiceng.demo.appraisal import load_appraisal
from jiceng.members.models import Member

pytestmark = pytest.mark.django_db


def test_demo_rounds_are_consistent_and_load_once(people, orgs, make_user, tree):
    demo_user = make_user("beianmen_dangyuan", role="member", area=tree.beianmen)
    Member.objects.filter(pk=people.full[3].pk).update(user=demo_user, is_employed=True)
    today = date.today()
    report = load_appraisal(seed=5, today=today)
    assert report["created"] and report["rounds"] >= 2
    for round_ in Round.objects.all():
        assert Ballot.objects.filter(round=round_).count() == Receipt.objects.filter(round=round_).count()
        assert round_.ballots == Receipt.objects.filter(round=round_).count() <= round_.voters
        for row in Participant.objects.filter(round=round_).select_related("member"):
            assert sum(row.votes.values()) == round_.ballots
            if round_.status == RoundStatus.DECIDED:
                assert row.final_grade and not rules.grade_cap_reasons(
                    row.final_grade, employed=row.member.is_employed, services=row.services
                )
    home = Round.objects.get(org=orgs.grid1, year=today.year)
    assert home.status == RoundStatus.OPEN
    assert not Receipt.objects.filter(round=home, member=people.full[3]).exists()
    assert mine(demo_user, None, 5)  # the demo member's self-assessment and ballot are waiting
    assert load_appraisal(seed=5, today=today)["created"] is False

"""The pure checks: the 党员大会 majority rule (DOMAIN.md §1.3), tallies, plan periods, and the
frequency rules' defaults with their basis (city-overridable)."""

from datetime import date

import pytest

from jiceng.core.models import Rule
from jiceng.core.rules import RULES
from jiceng.orglife.models import MeetingType
from jiceng.orglife.rules import Tally, decision_reasons, frequency, period_starts, tally_errors


def test_congress_passes_with_quorum_and_a_majority_of_all_voters():
    assert decision_reasons(Tally(entitled=9, present=5, votes_for=5, votes_against=0, votes_abstain=0), True) == []


def test_congress_without_quorum_says_so():
    reasons = decision_reasons(Tally(entitled=10, present=5, votes_for=5, votes_against=0, votes_abstain=0), True)
    assert any("应到10人、实到5人，未超过半数" in r for r in reasons)


def test_congress_majority_counts_all_members_with_a_vote_not_those_present():
    # 7 of 10 present, all 5 yes votes are a majority of those present but not of all 10.
    reasons = decision_reasons(Tally(entitled=10, present=7, votes_for=5, votes_against=2, votes_abstain=0), True)
    assert reasons == ["赞成5票，未超过全体有表决权正式党员（10人）的半数，决定未通过。"]


def test_other_meetings_need_more_than_half_of_the_votes_cast():
    assert decision_reasons(Tally(5, 5, 3, 2, 0), False) == []
    assert decision_reasons(Tally(5, 5, 2, 2, 1), False)


def test_more_votes_than_voters_present_is_refused():
    assert tally_errors(Tally(entitled=5, present=3, votes_for=3, votes_against=1, votes_abstain=0))


def test_plan_periods():
    assert period_starts("quarterly", 2027, 15) == [date(2027, m, 15) for m in (1, 4, 7, 10)]
    assert len(period_starts("monthly", 2027, 1)) == 12
    assert period_starts("yearly", 2027, 28) == [date(2027, 1, 28)]


@pytest.mark.django_db
def test_frequencies_default_to_the_regulation_and_the_city_can_change_them():
    assert frequency(MeetingType.CONGRESS) == "quarterly"
    assert frequency(MeetingType.THEME_DAY) == "monthly"
    assert "第十一条" in RULES["orglife.frequency.congress"].basis
    Rule.objects.create(key="orglife.frequency.lecture", value="monthly")
    assert frequency(MeetingType.LECTURE) == "monthly"

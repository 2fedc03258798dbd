from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from jiceng.appraisal import services
from jiceng.appraisal.models import Ballot, Grade, Participant, Receipt, RoundStatus
from jiceng.appraisal.services import AppraisalError
from jiceng.core.models import Rule
from jiceng.dualreport.models import YearTally
from jiceng.members.models import Member

from .conftest import all_marks

pytestmark = pytest.mark.django_db


def _tally(member, year, services_count):
    YearTally.objects.update_or_create(
        member=member,
        year=year,
        defaults={
            "services": services_count,
            "area_path": member.area_path,
            "org_path": member.org_path,
            "branch_area_path": member.area_path,
        },
    )


def test_open_round_assesses_party_members_and_counts_voters(round_, people):
    members = set(round_.participants.values_list("member_id", flat=True))
    assert members == {m.pk for m in people.full} | {people.probationary.pk}
    assert people.activist.pk not in members
    assert round_.voters == 5  # the full members: probationary members have no vote
    assert not round_.participants.get(member=people.probationary).can_vote


def test_open_round_twice_gives_the_first_and_refuses_bad_input(round_, orgs, people):
    assert services.open_round(people.secretary, orgs.grid1, round_.year).pk == round_.pk
    with pytest.raises(AppraisalError, match="评议年度"):
        services.open_round(people.secretary, orgs.grid1, 1999)
    with pytest.raises(PermissionDenied):
        services.open_round(people.secretary, orgs.grid2, round_.year)
    with pytest.raises(AppraisalError, match="不是党支部"):
        services.open_round(None, orgs.grid1.parent, round_.year)


def test_self_assessment_by_the_member_only(round_, people, voters):
    row = services.save_self_assessment(voters["jia"], round_, "一年来坚持学习，按时参加组织生活，不足是服务群众不够。")
    assert row.member_id == people.me.pk and row.self_assessed_at
    with pytest.raises(AppraisalError, match="至少写10个字"):
        services.save_self_assessment(voters["jia"], round_, "很好")
    with pytest.raises(AppraisalError, match=r"不是.*评议对象"):
        services.save_self_assessment(people.stranger_user, round_, "我不是本支部的党员，想写自评。" * 2)


def test_ballot_is_secret_and_counted_once(round_, people, voters):
    marks = all_marks(round_, **{str(round_.participants.get(member=people.full[1]).pk): "excellent"})
    services.cast_ballot(voters["jia"], round_, marks)
    # No field of a ballot names a voter, a time or a sequence.
    names = {f.name for f in Ballot._meta.get_fields()}
    assert names == {"id", "round", "marks"}
    assert Receipt.objects.filter(round=round_, member=people.me).count() == 1
    yi = Participant.objects.get(round=round_, member=people.full[1])
    assert yi.votes == {"excellent": 1, "qualified": 0, "basic": 0, "unqualified": 0}
    with pytest.raises(AppraisalError, match="已经投过票"):
        services.cast_ballot(voters["jia"], round_, all_marks(round_, "basic"))
    round_.refresh_from_db()
    assert round_.ballots == 1 and Ballot.objects.filter(round=round_).count() == 1
    yi.refresh_from_db()
    assert yi.votes_basic == 0  # nothing of the refused ballot was written


def test_ballot_refusals(round_, people, voters):
    with pytest.raises(AppraisalError, match=r"不是.*评议对象"):
        services.cast_ballot(people.stranger_user, round_, all_marks(round_))
    with pytest.raises(AppraisalError, match="预备党员没有表决权"):
        services.cast_ballot(voters["prob"], round_, all_marks(round_))
    marks = all_marks(round_)
    marks.pop(next(iter(marks)))
    with pytest.raises(AppraisalError, match="未选择等次"):
        services.cast_ballot(voters["jia"], round_, marks)
    with pytest.raises(AppraisalError, match="等次“best”无效"):
        services.cast_ballot(voters["jia"], round_, all_marks(round_, "best"))
    with pytest.raises(AppraisalError, match="不是本次民主评议的评议对象"):
        services.cast_ballot(voters["jia"], round_, {**all_marks(round_), "999999": "qualified"})
    assert not Receipt.objects.exists() and not Ballot.objects.exists()
    services.close_voting(people.secretary, round_)
    with pytest.raises(AppraisalError, match="自评和测评已结束"):
        services.cast_ballot(voters["jia"], round_, all_marks(round_))


def test_no_service_caps_the_proposal_of_an_employed_member(round_, people):
    services.close_voting(people.secretary, round_)
    yi = people.full[1]
    Member.objects.filter(pk=yi.pk).update(is_employed=True)
    row = Participant.objects.get(round=round_, member=yi)
    with pytest.raises(AppraisalError, match="不得高于“合格”"):
        services.propose_grade(people.secretary, round_, row, Grade.EXCELLENT)
    services.propose_grade(people.secretary, round_, row, Grade.QUALIFIED)
    _tally(yi, round_.year, 2)
    row = services.propose_grade(people.secretary, round_, row, Grade.EXCELLENT)
    assert row.proposed_grade == Grade.EXCELLENT and row.services == 2
    # A retired (not employed) member is never capped.
    other = Participant.objects.get(round=round_, member=people.full[2])
    services.propose_grade(people.secretary, round_, other, Grade.EXCELLENT)


def test_cap_rule_can_be_stricter_or_off(round_, people):
    services.close_voting(people.secretary, round_)
    yi = people.full[1]
    Member.objects.filter(pk=yi.pk).update(is_employed=True)
    row = Participant.objects.get(round=round_, member=yi)
    Rule.objects.create(key="appraisal.cap_grade", value="basic")
    with pytest.raises(AppraisalError, match="不得高于“基本合格”"):
        services.propose_grade(people.secretary, round_, row, Grade.QUALIFIED)
    Rule.objects.create(key="appraisal.cap_without_service", value=0)
    services.propose_grade(people.secretary, round_, row, Grade.EXCELLENT)


def test_decision_needs_every_proposal_then_locks(round_, people):
    with pytest.raises(AppraisalError, match="先结束民主测评"):
        services.decide(people.secretary, round_)
    services.close_voting(people.secretary, round_)
    rows = list(round_.participants.select_related("member"))
    with pytest.raises(AppraisalError, match="尚未对"):
        services.decide(people.secretary, round_)
    for row in rows:
        services.propose_grade(people.secretary, round_, row, Grade.QUALIFIED)
    first = rows[0]
    with pytest.raises(AppraisalError) as info:
        services.decide(people.secretary, round_, changes={first.pk: Grade.EXCELLENT})
    assert "决定说明" in str(info.value)
    services.decide(people.secretary, round_, changes={first.pk: Grade.EXCELLENT}, note="大会表决改为优秀")
    round_.refresh_from_db()
    assert round_.status == RoundStatus.DECIDED
    assert Participant.objects.get(pk=first.pk).final_grade == Grade.EXCELLENT
    assert Participant.objects.filter(round=round_, final_grade=Grade.QUALIFIED).count() == len(rows) - 1
    with pytest.raises(AppraisalError, match="锁定"):
        services.propose_grade(people.secretary, round_, rows[1], Grade.BASIC)
    with pytest.raises(AppraisalError, match="锁定"):
        services.decide(people.secretary, round_)


def test_unqualified_needs_a_reason(round_, people):
    services.close_voting(people.secretary, round_)
    row = round_.participants.first()
    with pytest.raises(AppraisalError, match="写明理由"):
        services.propose_grade(people.secretary, round_, row, Grade.UNQUALIFIED)


def test_round_linked_to_a_review_meeting_only(orgs, people, plan_meeting):
    from jiceng.orglife.models import MeetingType

    congress = plan_meeting(types=(MeetingType.CONGRESS,))
    with pytest.raises(AppraisalError, match="不是民主评议党员会议"):
        services.open_round(people.secretary, orgs.grid1, timezone.localdate().year, congress)
    review = plan_meeting(types=(MeetingType.REVIEW, MeetingType.LIFE), topic="民主评议党员")
    round_ = services.open_round(people.secretary, orgs.grid1, timezone.localdate().year, review)
    assert round_.meeting_id == review.pk


def test_admitted_after_today_is_not_assessed(orgs, people):
    later = people.full[4]
    Member.objects.filter(pk=later.pk).update(admission_date=date(2999, 1, 1))
    round_ = services.open_round(people.secretary, orgs.grid1, timezone.localdate().year)
    assert not round_.participants.filter(member=later).exists()

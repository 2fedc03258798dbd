"""Every pipeline rule at its boundary (DOMAIN.md §2). check_transition and check_record are pure."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from jiceng.core.models import Rule
from jiceng.core.rules import RULES, forget_rule
from jiceng.members.models import Member, Status
from jiceng.members.rules import (
    add_months,
    check_extension,
    check_record,
    check_transition,
    clear_rule_snapshot,
    probation_end,
    vote_reasons,
)

from .conftest import FULL_DATES

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)


def person(**fields):
    base = {
        "pk": 1,
        "status": Status.APPLICANT,
        "birth_date": date(1990, 5, 10),
        "application_date": date(2024, 1, 15),
        "talk_date": None,
        "activist_date": None,
        "candidate_date": None,
        "training_hours": 0,
        "admission_date": None,
        "approval_date": None,
        "approval_extended": False,
        "probation_extended_to": None,
        "full_member_date": None,
    }
    base.update(fields)
    return SimpleNamespace(**base)


class Intro:
    def __init__(self, pk, status=Status.FULL):
        self.pk, self.status = pk, status

    def __str__(self):
        return f"介绍人{self.pk}"


def test_rules_registered_with_basis():
    for key in [
        "members.min_age",
        "members.talk_within_months",
        "members.activist_min_years",
        "members.introducers",
        "members.training_hours",
        "members.approval_months",
        "members.approval_max_months",
        "members.probation_years",
        "members.probation_extension_max_months",
        "members.probation_extension_min_months",
        "members.dues.employed_brackets",
        "members.dues.arrears_months",
        "members.transfer.letter_valid_months",
    ]:
        assert RULES[key].label and RULES[key].basis


def test_add_months_clamps_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


# --- age ≥ 18 at application ----------------------------------------------------------------


def test_age_17y364d_refused_18_allowed():
    member = person(status="", birth_date=date(2007, 6, 30), application_date=None)
    reasons = check_transition(member, Status.APPLICANT, date(2025, 6, 29))  # 17 years 364 days
    assert reasons and "未满18周岁" in reasons[0]
    assert check_transition(member, Status.APPLICANT, date(2025, 6, 30)) == []


def test_age_in_record():
    base = {"status": Status.APPLICANT, "birth_date": date(2007, 6, 30)}
    assert check_record({**base, "application_date": date(2025, 6, 30)}, TODAY) == []
    errors = check_record({**base, "application_date": date(2025, 6, 29)}, TODAY)
    assert [f for f, _ in errors] == ["application_date"]


# --- talk within 1 month ----------------------------------------------------------------------


def test_talk_at_one_month_allowed_one_day_later_refused():
    member = person(application_date=date(2024, 1, 15))
    ok = check_transition(member, Status.ACTIVIST, date(2024, 3, 1), talk_date=date(2024, 2, 15))
    assert ok == []
    late = check_transition(member, Status.ACTIVIST, date(2024, 3, 1), talk_date=date(2024, 2, 16))
    assert any("1个月内" in r for r in late)


def test_talk_required_for_activist():
    reasons = check_transition(person(), Status.ACTIVIST, date(2024, 3, 1))
    assert any("尚无谈话日期" in r for r in reasons)


def test_talk_in_record_boundary():
    base = {
        "status": Status.ACTIVIST,
        "birth_date": date(1990, 1, 1),
        "application_date": date(2024, 1, 15),
        "activist_date": date(2024, 3, 1),
    }
    assert check_record({**base, "talk_date": date(2024, 2, 15)}, TODAY) == []
    assert [f for f, _ in check_record({**base, "talk_date": date(2024, 2, 16)}, TODAY)] == ["talk_date"]
    assert [f for f, _ in check_record(base, TODAY)] == ["talk_date"]


# --- ≥ 1 year as activist ---------------------------------------------------------------------


def test_activist_one_year_minus_one_day_refused():
    member = person(status=Status.ACTIVIST, talk_date=date(2024, 1, 20), activist_date=date(2024, 3, 1))
    reasons = check_transition(member, Status.CANDIDATE, date(2025, 2, 28))
    assert reasons and "1年以上" in reasons[0]
    assert check_transition(member, Status.CANDIDATE, date(2025, 3, 1)) == []


def test_activist_year_in_record():
    base = {**FULL_DATES, "status": Status.CANDIDATE, "birth_date": date(1990, 1, 1)}
    for key in ("admission_date", "approval_date", "full_member_date"):
        base.pop(key)
    assert check_record({**base, "candidate_date": date(2016, 6, 1)}, TODAY) == []
    errors = check_record({**base, "candidate_date": date(2016, 5, 31)}, TODAY)
    assert [f for f, _ in errors] == ["candidate_date"]


# --- admission: introducers, training, approval ---------------------------------------------


def candidate(**fields):
    base = {
        "status": Status.CANDIDATE,
        "talk_date": date(2024, 1, 20),
        "activist_date": date(2024, 3, 1),
        "candidate_date": date(2025, 3, 1),
        "training_hours": 24,
    }
    return person(**{**base, **fields})


def admit(member, on_date=date(2025, 6, 1), **evidence):
    evidence.setdefault("admission_date", date(2025, 5, 1))
    evidence.setdefault("introducers", [Intro(10), Intro(11)])
    return check_transition(member, Status.PROBATIONARY, on_date, **evidence)


def test_admission_allowed_with_everything():
    assert admit(candidate()) == []


def test_one_introducer_refused():
    reasons = admit(candidate(), introducers=[Intro(10)])
    assert any("2名正式党员" in r for r in reasons)


def test_same_introducer_twice_counts_once():
    reasons = admit(candidate(), introducers=[Intro(10), Intro(10)])
    assert any("2名正式党员" in r for r in reasons)


def test_probationary_introducer_refused():
    reasons = admit(candidate(), introducers=[Intro(10), Intro(11, Status.PROBATIONARY)])
    assert any("不是正式党员" in r for r in reasons)


def test_training_23_refused_24_allowed():
    assert any("24学时" in r for r in admit(candidate(training_hours=23)))
    assert admit(candidate(training_hours=24)) == []
    assert any("24学时" in r for r in admit(candidate(training_hours=30), training_hours=23))


def test_approval_3_months_boundary():
    member = candidate(candidate_date=date(2025, 1, 1))
    vote = date(2025, 1, 31)
    assert admit(member, add_months(vote, 3), admission_date=vote) == []  # 2025-04-30
    late = admit(member, date(2025, 5, 1), admission_date=vote)
    assert any("3个月内" in r for r in late)
    # With the explicit extension flag: up to 6 months, not a day more.
    assert admit(member, date(2025, 7, 31), admission_date=vote, approval_extended=True) == []
    over = admit(member, date(2025, 8, 1), admission_date=vote, approval_extended=True)
    assert any("超过6个月" in r for r in over)


def test_approval_in_record():
    base = {**FULL_DATES, "status": Status.PROBATIONARY, "birth_date": date(1990, 1, 1)}
    base.pop("full_member_date")
    base["approval_date"] = date(2016, 12, 1)  # 3 months after 2016-09-01
    assert check_record(base, TODAY) == []
    base["approval_date"] = date(2016, 12, 2)
    assert [f for f, _ in check_record(base, TODAY)] == ["approval_date"]
    assert check_record({**base, "approval_extended": True}, TODAY) == []
    base["approval_date"] = date(2017, 3, 2)
    assert [f for f, _ in check_record({**base, "approval_extended": True}, TODAY)] == ["approval_date"]


def test_branch_vote_majority_of_full_members():
    assert vote_reasons(4, 7) == []
    assert vote_reasons(3, 6)  # exactly half is not more than half
    assert vote_reasons(4, 6) == []
    assert any("预备党员没有表决权" in r for r in vote_reasons(8, 7))
    assert any("半数" in r for r in admit(candidate(), votes_for=3, voters=7))


def test_probationary_member_cannot_vote():
    assert Member(status=Status.PROBATIONARY).can_vote is False
    assert Member(status=Status.FULL).can_vote is True


# --- probation ------------------------------------------------------------------------------


def probationary(**fields):
    base = {
        "status": Status.PROBATIONARY,
        "application_date": date(2023, 1, 15),
        "talk_date": date(2023, 1, 20),
        "activist_date": date(2023, 3, 1),
        "candidate_date": date(2024, 3, 1),
        "admission_date": date(2024, 9, 1),
        "approval_date": date(2024, 10, 1),
    }
    return candidate(**{**base, **fields})


def test_probation_one_year_from_branch_vote():
    member = probationary()
    assert probation_end(member.admission_date) == date(2025, 9, 1)
    assert any("尚不能转正" in r for r in check_transition(member, Status.FULL, date(2025, 8, 31)))
    assert check_transition(member, Status.FULL, date(2025, 9, 1)) == []


def test_extension_at_most_one_year_and_once():
    member = probationary()
    assert check_extension(member, date(2026, 9, 1)) == []
    assert any("最多延长12个月" in r for r in check_extension(member, date(2026, 9, 2)))
    assert check_extension(member, date(2025, 9, 1))  # not after the normal end
    extended = probationary(probation_extended_to=date(2026, 3, 1))
    assert check_extension(extended, date(2026, 9, 1)) == ["预备期只能延长一次，已延长过"]
    assert any("尚不能转正" in r for r in check_transition(extended, Status.FULL, date(2026, 2, 28)))
    assert check_transition(extended, Status.FULL, date(2026, 3, 1)) == []


def test_extension_at_least_six_months():
    """党章第七条: an extension is no shorter than half a year (before: one day was accepted)."""
    member = probationary()  # the probation ends on 2025-09-01
    (reason,) = check_extension(member, date(2026, 2, 28))
    assert (
        reason == "预备期延长不能少于6个月（原预备期满日2025年9月1日，最早延长至2026年3月1日），申请延长至2026年2月28日"
    )
    assert check_extension(member, date(2025, 9, 2))
    assert check_extension(member, date(2026, 3, 1)) == []
    record = {**FULL_DATES, "status": Status.FULL, "birth_date": date(1990, 1, 1)}
    end = probation_end(record["admission_date"])
    short = {**record, "probation_extended_to": add_months(end, 6) - timedelta(days=1)}
    short["full_member_date"] = short["probation_extended_to"]
    assert [f for f, _ in check_record(short, TODAY)] == ["probation_extended_to"]
    Rule.objects.create(key="members.probation_extension_min_months", value=3)
    forget_rule("members.probation_extension_min_months")
    clear_rule_snapshot()
    assert check_extension(member, date(2025, 12, 1)) == []
    clear_rule_snapshot()


def test_extension_only_for_probationary():
    assert check_extension(candidate(), date(2026, 1, 1)) == ["只有预备党员可以延长预备期"]


def test_full_member_date_in_record():
    base = {**FULL_DATES, "status": Status.FULL, "birth_date": date(1990, 1, 1)}
    assert check_record(base, TODAY) == []
    errors = check_record({**base, "full_member_date": date(2017, 8, 31)}, TODAY)
    assert [f for f, _ in errors] == ["full_member_date"]
    extended = {**base, "probation_extended_to": date(2018, 3, 1), "full_member_date": date(2018, 3, 1)}
    assert check_record(extended, TODAY) == []
    too_long = {**extended, "probation_extended_to": date(2018, 9, 2), "full_member_date": date(2018, 9, 2)}
    assert [f for f, _ in check_record(too_long, TODAY)] == ["probation_extended_to"]


# --- stages and exits -----------------------------------------------------------------------


def test_no_skipping_stages():
    reasons = check_transition(person(), Status.CANDIDATE, date(2025, 3, 1))
    assert reasons and "不能跳过程序" in reasons[0]
    assert "不能回到" in check_transition(probationary(), Status.ACTIVIST, date(2025, 3, 1))[0]
    assert "不能跳过程序" in check_transition(candidate(), Status.FULL, date(2026, 3, 1))[0]


def test_exits():
    assert check_transition(probationary(), Status.EXPELLED, date(2025, 1, 1)) == []
    assert check_transition(person(), Status.EXPELLED, date(2025, 1, 1))  # not a party member
    assert check_transition(person(), Status.DECEASED, date(2025, 1, 1)) == []
    dead = person(status=Status.DECEASED)
    assert check_transition(dead, Status.ACTIVIST, date(2025, 1, 1))
    assert check_transition(dead, Status.DECEASED, date(2025, 1, 1))


def test_record_requires_dates_of_its_status():
    errors = dict(check_record({"status": Status.FULL, "birth_date": date(1990, 1, 1)}, TODAY))
    assert {"application_date", "activist_date", "candidate_date", "admission_date", "approval_date"} <= set(errors)
    assert "full_member_date" in errors
    wrong = check_record(
        {"status": Status.APPLICANT, "birth_date": date(1990, 1, 1), "application_date": date(2024, 1, 1)}
        | {"full_member_date": date(2025, 1, 1)},
        TODAY,
    )
    assert [f for f, _ in wrong] == ["full_member_date"]
    assert check_record({"status": "unknown"}, TODAY) == [("status", "未知状态“unknown”")]
    future = check_record(
        {"status": Status.APPLICANT, "birth_date": date(1990, 1, 1), "application_date": date(2025, 7, 1)}, TODAY
    )
    assert [f for f, _ in future] == ["application_date"]


def test_record_exit_needs_exit_date():
    base = {**FULL_DATES, "status": Status.DECEASED, "birth_date": date(1950, 1, 1)}
    assert [f for f, _ in check_record(base, TODAY)] == ["exit_date"]
    assert check_record({**base, "exit_date": date(2024, 1, 1)}, TODAY) == []


def test_old_records_need_no_talk_or_training():
    old = {
        "status": Status.FULL,
        "birth_date": date(1950, 1, 1),
        "application_date": date(1975, 3, 1),
        "activist_date": date(1975, 6, 1),
        "candidate_date": date(1976, 6, 1),
        "admission_date": date(1976, 9, 1),
        "approval_date": date(1976, 10, 1),
        "full_member_date": date(1977, 9, 1),
    }
    assert check_record(old, TODAY) == []


def test_city_can_change_a_rule():
    Rule.objects.create(key="members.training_hours", value=32)
    forget_rule("members.training_hours")
    clear_rule_snapshot()
    assert any("32学时" in r for r in admit(candidate(training_hours=24)))


def test_born_on_29_february_may_apply_on_28_february_of_the_eighteenth_year():
    """The age rule uses the same calendar as every other period (core.dates)."""
    person = SimpleNamespace(status="", birth_date=date(2008, 2, 29))
    assert check_transition(person, Status.APPLICANT, date(2026, 2, 28)) == []
    (reason,) = check_transition(person, Status.APPLICANT, date(2026, 2, 27))
    assert "未满18周岁" in reason

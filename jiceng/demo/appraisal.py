"""Demo 民主评议党员 for a share of 梅园新村街道's branches: last year's rounds decided (ballots,
receipts, tallies, the committee's proposals and the final grades, the 双报到 cap respected);
this year the demo member's branch has an open round (some members have self-assessed and voted,
the demo member has not: it is on their 待办), and another branch of 北安门社区 waits for the
committee's proposals.

Rows are written with bulk_create (a branch's ballots in one statement); loading twice adds
nothing. Deterministic for a seed.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import date

from django.db import transaction
from django.utils import timezone

from jiceng.appraisal import rules
from jiceng.appraisal.models import GRADE_ORDER, Ballot, Grade, Participant, Receipt, Round, RoundStatus
from jiceng.core.paths import subtree_q
from jiceng.dualreport.models import YearTally
from jiceng.members.models import PARTY_MEMBER_STATUSES, Member, Status
from jiceng.orgs.models import BRANCH_TYPES, Org

STREET = "320102002"  # 梅园新村街道
COMMUNITY = "320102002011"  # 北安门社区
SHARE = 0.5  # of the street's branches with members hold last year's round in the demo
SELF_TEXTS = [
    "一年来坚持学习党的理论，按时参加组织生活和主题党日，积极参加社区志愿服务；不足是联系群众还不够主动。",
    "能够按时交纳党费，参加“三会一课”，在单位岗位上发挥作用；理论学习的系统性还需加强。",
    "积极参加双报到服务，在小区垃圾分类督导中带头；今后要多了解居民诉求，及时反映。",
]
WEIGHTS = {Grade.EXCELLENT: 0.2, Grade.QUALIFIED: 0.72, Grade.BASIC: 0.07, Grade.UNQUALIFIED: 0.01}


def load_appraisal(seed: int = 2024, today: date | None = None) -> dict:
    if Round.objects.filter(subtree_q(STREET, "area_path")).exists():
        return {"created": False, "rounds": Round.objects.count()}
    today = today or timezone.localdate()
    rnd = random.Random(f"{seed}:appraisal")
    branches = list(
        Org.objects.filter(subtree_q(STREET, "area_path"), org_type__in=BRANCH_TYPES, is_active=True)
        .filter(members__status__in=PARTY_MEMBER_STATUSES)
        .distinct()
        .order_by("code")
    )
    if not branches:
        return {"created": False, "rounds": 0}
    rosters: dict[int, list[Member]] = {}
    for m in Member.objects.filter(
        org__in=branches, status__in=PARTY_MEMBER_STATUSES, left_on__isnull=True, exit_date__isnull=True
    ).order_by("org_id", "id"):
        rosters.setdefault(m.org_id, []).append(m)
    me = Member.objects.filter(user__username="beianmen_dangyuan").first()
    with transaction.atomic():
        made = 0
        for org in branches:
            if rnd.random() < SHARE and rosters.get(org.pk):
                _decided_round(org, rosters[org.pk], today.year - 1, rnd)
                made += 1
        home = next((b for b in branches if me is not None and b.pk == me.org_id), None)
        if home is not None and rosters.get(home.pk):
            _open_round(home, rosters[home.pk], today.year, rnd, skip=me)
            made += 1
        other = next((b for b in branches if b.area_path.startswith(COMMUNITY) and b is not home), None)
        if other is not None and rosters.get(other.pk):
            round_ = _open_round(other, rosters[other.pk], today.year, rnd, skip=None, share=1.0)
            Round.objects.filter(pk=round_.pk).update(status=RoundStatus.PROPOSING, voting_closed_at=timezone.now())
            made += 1
    return {"created": True, "rounds": made}


def _new_round(org: Org, members: list[Member], year: int, status: str) -> tuple[Round, list[Participant]]:
    round_ = Round.objects.create(
        org=org,
        org_path=org.code,
        area_path=org.area_path,
        year=year,
        status=status,
        voters=sum(1 for m in members if m.status == Status.FULL),
    )
    rows = Participant.objects.bulk_create(
        [Participant(round=round_, member=m, can_vote=m.status == Status.FULL) for m in members]
    )
    for row, m in zip(rows, members, strict=True):
        row.member = m
    return round_, rows


def _vote(round_: Round, rows: list[Participant], voters: list[Member], rnd: random.Random) -> None:
    grades, weights = list(WEIGHTS), list(WEIGHTS.values())
    ballots, tallies = [], {row.pk: Counter() for row in rows}
    for _ in voters:
        marks = {}
        for row in rows:
            grade = rnd.choices(grades, weights)[0]
            marks[str(row.pk)] = grade.value
            tallies[row.pk][grade.value] += 1
        ballots.append(Ballot(id=uuid.UUID(int=rnd.getrandbits(128), version=4), round=round_, marks=marks))
    rnd.shuffle(ballots)
    Ballot.objects.bulk_create(ballots)
    Receipt.objects.bulk_create([Receipt(round=round_, member=m) for m in voters])
    for row in rows:
        for grade in GRADE_ORDER:
            setattr(row, f"votes_{grade.value}", tallies[row.pk][grade.value])
    Round.objects.filter(pk=round_.pk).update(ballots=len(voters))


def _decided_round(org: Org, members: list[Member], year: int, rnd: random.Random) -> None:
    round_, rows = _new_round(org, members, year, RoundStatus.DECIDED)
    voters = [m for m in members if m.status == Status.FULL and rnd.random() < 0.9]
    _vote(round_, rows, voters, rnd)
    services = dict(YearTally.objects.filter(year=year, member__in=members).values_list("member_id", "services"))
    now = timezone.now()
    for row in rows:
        row.self_assessment, row.self_assessed_at = rnd.choice(SELF_TEXTS), now
        top = max(GRADE_ORDER, key=lambda g: (getattr(row, f"votes_{g.value}"), -GRADE_ORDER.index(g)))
        grade = top.value
        served = services.get(row.member_id, 0)
        while rules.grade_cap_reasons(grade, employed=row.member.is_employed, services=served):
            grade = GRADE_ORDER[GRADE_ORDER.index(Grade(grade)) + 1].value
        row.proposed_grade = row.final_grade = grade
        row.services, row.proposed_at = served, now
        row.proposal_note = "不合格：长期不参加组织生活" if grade == Grade.UNQUALIFIED else ""
    Participant.objects.bulk_update(
        rows,
        [
            "self_assessment",
            "self_assessed_at",
            "proposed_grade",
            "final_grade",
            "services",
            "proposed_at",
            "proposal_note",
            *(f"votes_{g.value}" for g in GRADE_ORDER),
        ],
    )
    Round.objects.filter(pk=round_.pk).update(voting_closed_at=now, decided_at=now, decision_note="")


def _open_round(
    org: Org, members: list[Member], year: int, rnd: random.Random, *, skip: Member | None, share: float = 0.5
) -> Round:
    round_, rows = _new_round(org, members, year, RoundStatus.OPEN)
    voters = [m for m in members if m.status == Status.FULL and m != skip and rnd.random() < share]
    _vote(round_, rows, voters, rnd)
    now = timezone.now()
    for row in rows:
        if row.member != skip and rnd.random() < share + 0.2:
            row.self_assessment, row.self_assessed_at = rnd.choice(SELF_TEXTS), now
    Participant.objects.bulk_update(
        rows, ["self_assessment", "self_assessed_at", *(f"votes_{g.value}" for g in GRADE_ORDER)]
    )
    return round_

"""A little organisational life in 北安门社区's branches (the full year for every branch is later
work, issue 10 point 8): the demo member's branch has a meeting open for sign-in now, held
meetings whose minutes are approved, waiting for review and returned, a 补学 for the demo member,
and a planned meeting; two more branches have a held meeting (draft minutes) and a planned one.

Everything goes through the services (actor None: the system), with the meetings' real times
passed in, so the held facts count them in the months they were held. Loading twice adds nothing.
"""

import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from jiceng.core.paths import subtree_q
from jiceng.members.models import PARTY_MEMBER_STATUSES, Member
from jiceng.orglife import services
from jiceng.orglife.models import Attendance, AttendanceStatus, Meeting, SignMethod
from jiceng.orgs.models import BRANCH_TYPES, Org

COMMUNITY = "320102002011"  # 北安门社区
PLACE = "北安门社区党群服务中心"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))


def _hold(meeting: Meeting, rnd: random.Random, *, skip: set[int] = frozenset(), share: float = 0.85) -> Meeting:
    """Record ``meeting`` as held at its planned time: most members signed in (a few late), the
    members in ``skip`` absent, one on leave."""
    start = meeting.planned_start
    rows = list(meeting.attendances.filter(role="attendee").order_by("id"))
    leave = rows[-1] if len(rows) > 3 else None
    if leave is not None and leave.member_id not in skip:
        Attendance.objects.filter(pk=leave.pk).update(status=AttendanceStatus.LEAVE, reason="外出务工，提前请假")
    services.open_signin(None, meeting, at=start)
    for row in rows:
        if row.member_id in skip or (leave is not None and row.pk == leave.pk) or rnd.random() > share:
            continue
        minutes = rnd.choice([-5, -3, -1, 0, 2, 4, 15])
        Attendance.objects.filter(pk=row.pk).update(
            status=AttendanceStatus.LATE if minutes > 10 else AttendanceStatus.PRESENT,
            signed_at=start + timedelta(minutes=minutes),
            method=SignMethod.QR,
        )
    return services.close_meeting(None, meeting, at=start + timedelta(minutes=90))


def _minutes(meeting: Meeting, topics: str, discussion: str, resolutions: str) -> None:
    services.save_minutes(None, meeting, topics=topics, discussion=discussion, resolutions=resolutions)


def load_orglife(today: date | None = None) -> dict:
    """The demo's meetings; ``{"created": bool, "meetings": n}``."""
    if Meeting.objects.filter(subtree_q(COMMUNITY, "area_path")).exists():
        return {"created": False, "meetings": Meeting.objects.count()}
    today = today or timezone.localdate()
    rnd = random.Random(f"orglife:{today:%Y%m}")
    branches = list(
        Org.objects.filter(subtree_q(COMMUNITY, "area_path"), org_type__in=BRANCH_TYPES, is_active=True)
        .filter(members__status__in=PARTY_MEMBER_STATUSES)
        .distinct()
        .order_by("code")[:3]
    )
    if not branches:
        return {"created": False, "meetings": 0}
    me = Member.objects.filter(user__username="beianmen_dangyuan").select_related("org").first()
    if me is not None and me.org in branches:
        branches.remove(me.org)
        branches.insert(0, me.org)
    home = branches[0]
    people = list(Member.objects.filter(org=home, status__in=PARTY_MEMBER_STATUSES).order_by("id")[:2])
    host = people[0] if people else None
    recorder = people[1] if len(people) > 1 else host
    made = 0

    def plan(org, types, topic, start, **extra):
        nonlocal made
        made += 1
        return services.create_meeting(
            None,
            org=org,
            types=types,
            topic=topic,
            planned_start=start,
            place=PLACE,
            host=host if org == home else None,
            recorder=recorder if org == home else None,
            **extra,
        )

    # Held three weeks ago, minutes approved; the demo member missed it (a 补学 to do).
    congress = plan(
        home,
        ["theme_day", "congress"],
        "主题党日暨支部党员大会：学习贯彻党的二十届三中全会精神",
        _at(today - timedelta(days=21), 9),
        agenda="集中学习全会公报\n讨论本支部为民办实事项目\n表决接收预备党员",
    )
    _hold(congress, rnd, skip={me.pk} if me is not None else set(), share=1.0)
    _minutes(
        congress,
        "1. 学习党的二十届三中全会公报；2. 讨论本支部为民办实事项目；3. 讨论接收预备党员。",
        "与会党员逐一发言，结合社区加装电梯、老旧小区改造谈体会；支部书记作总结。",
        "确定“楼道微更新”为本年度为民办实事项目，由第一党小组牵头落实。",
    )
    counts = services.attendance_counts(congress)
    services.record_decision(
        None,
        congress,
        subject="接收张明同志为中共预备党员",
        votes_for=counts["present_entitled"],
        votes_against=0,
        votes_abstain=0,
    )
    services.submit_minutes(None, congress)
    services.review_minutes(None, congress, approve=True)

    # Held ten days ago, minutes waiting for the street's review.
    committee = plan(home, ["committee"], "支部委员会：研究季度工作安排", _at(today - timedelta(days=10), 19))
    _hold(committee, rnd)
    _minutes(committee, "研究第四季度工作安排。", "各委员汇报分管工作。", "12月开展组织生活会。")
    services.submit_minutes(None, committee)

    # A 党课 whose minutes came back with a reason.
    lecture = plan(home, ["lecture"], "书记讲党课：传承红色基因", _at(today - timedelta(days=5), 15))
    _hold(lecture, rnd)
    _minutes(lecture, "书记讲党课。", "略。", "")
    services.submit_minutes(None, lecture)
    services.review_minutes(None, lecture, approve=False, reason="讨论情况记录过简，请补充党员发言要点。")

    # Open for sign-in now: the host's screen shows the QR code; the demo member can scan it.
    now = timezone.now()
    open_meeting = plan(home, ["theme_day"], "主题党日：社区志愿服务动员", now - timedelta(minutes=10))
    services.open_signin(None, open_meeting)

    # Planned for next week.
    plan(home, ["congress"], "支部党员大会：年度组织生活会准备", _at(today + timedelta(days=7), 9))

    for org in branches[1:]:
        held = plan(org, ["theme_day"], f"{org.name}主题党日：垃圾分类宣传", _at(today - timedelta(days=14), 9))
        _hold(held, rnd)
        _minutes(held, "垃圾分类宣传进楼栋。", "", "")
        plan(org, ["congress"], f"{org.name}支部党员大会", _at(today + timedelta(days=10), 19))
    return {"created": True, "meetings": made}

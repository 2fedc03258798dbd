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


# --------------------------------------------------------------------------- a year for every branch

YEAR_PLACES = ("党群服务中心会议室", "社区党员活动室", "单位会议室", "红色教育基地", "网格党群服务站")
THEME_TOPICS = (
    "学习贯彻党的二十届三中全会精神",
    "垃圾分类宣传进楼栋",
    "老旧小区改造议事",
    "文明城市创建志愿服务",
    "重温入党誓词",
    "关爱独居老人走访",
    "平安社区巡防",
    "学习党纪学习教育读本",
    "为民办实事项目推进",
    "参观红色教育基地",
    "环境整治大扫除",
    "社区协商议事会",
)
LECTURE_TOPICS = ("书记讲党课：传承红色基因", "党课：全面从严治党", "党课：践行宗旨为民服务", "党课：党章学习")
# Share of branches per diligence profile: (share, chance a due meeting is held, chance a held one is late).
ATTENDANCE_DAYS = 366  # every held meeting of the year has its attendance
PROFILES = ((0.70, 0.97, 0.03), (0.20, 0.80, 0.25), (0.10, 0.45, 0.30))


def _sink_rows(model, names: tuple[str, ...], rows: list[tuple]) -> int:
    """Insert tuples whose values are the columns ``names`` (attnames) in one go; a column the
    tuples do not name gets its default (so a field added to the model later still loads)."""
    from jiceng.core.bulk import SpoolSink

    fields = list(model._meta.concrete_fields)
    index = {name: i for i, name in enumerate(names)}
    order = [(index.get(f.attname), f.get_default()) for f in fields]
    with SpoolSink(model, fields) as sink:
        for row in rows:
            sink.add(tuple(default if i is None else row[i] for i, default in order))
        sink.commit()
        return sink.count


MEETING_COLUMNS = (
    "id",
    "org_id",
    "org_path",
    "area_path",
    "group_id",
    "topic",
    "status",
    "planned_start",
    "actual_start",
    "closed_at",
    "place",
    "host_id",
    "recorder_id",
    "agenda",
    "plan_id",
    "plan_period",
    "signin_secret",
    "cancel_reason",
    "created_by_id",
    "created_at",
)
ATTENDANCE_COLUMNS = ("id", "meeting_id", "member_id", "role", "can_vote", "status", "signed_at", "method", "reason")
MINUTES_COLUMNS = (
    "id",
    "meeting_id",
    "status",
    "topics",
    "discussion",
    "resolutions",
    "written_by_id",
    "submitted_at",
    "reviewed_by_id",
    "reviewed_at",
    "return_reason",
    "updated_at",
)


def _next_id(model) -> int:
    return (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1


def load_orglife_year(  # noqa: C901
    seed: int = 2024, today: date | None = None, stdout=None, *, attendance_rows: bool = True
) -> dict:
    """A year of organisational life for every branch with members (issue 10 point 8), in bulk:
    for the twelve months up to today, each branch's monthly 主题党日 (the last of each quarter
    held as the 支部党员大会) and 支部委员会, a quarterly 党课, the yearly 组织生活会 held with the
    民主评议党员 in December (or planned for it), and next month's meetings planned. Branches
    are diligent, patchy or poor: some miss meetings, some hold them after their period (逾期召开).
    Held meetings have minutes in every state and attendance for
    the branch's members (出席, 迟到, 请假, 缺席) and, for the absent, a 补学 (older ones done).
    A few branches have an approved 延期召开 or are being dissolved. The held facts are then
    rebuilt from the meetings (``held.rebuild``), the same rows the services would have written.
    ``attendance_rows`` False (the benchmark's databases): no attendance, 补学 or minutes rows.
    北安门社区 keeps its hand-made meetings (``load_orglife``). Loading twice adds nothing."""
    import secrets
    from collections import defaultdict

    from jiceng.core.bulk import reset_sequences
    from jiceng.core.dates import add_months
    from jiceng.orglife import held
    from jiceng.orglife.models import (
        MakeupTask,
        MeetingKind,
        MeetingStatus,
        Minutes,
        MinutesStatus,
    )

    if Meeting.objects.exclude(subtree_q(COMMUNITY, "area_path")).exists():
        return {"created": False, "meetings": Meeting.objects.count()}
    today = today or timezone.localdate()
    now = timezone.now()
    rnd = random.Random(f"{seed}:orglife-year")
    branches = list(
        Org.objects.filter(org_type__in=BRANCH_TYPES, is_active=True)
        .exclude(subtree_q(COMMUNITY, "area_path"))
        .order_by("code")
        .values_list("id", "code", "area_path", "name")
    )
    people: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for member_id, org_id, status in (
        Member.objects.filter(status__in=PARTY_MEMBER_STATUSES).order_by("id").values_list("id", "org_id", "status")
    ):
        people[org_id].append((member_id, status == "full"))
    first_month = add_months(today.replace(day=1), -11)
    # Attendance rows (and 补学) for every held meeting of the year, written in bulk (SpoolSink).
    recent = now - timedelta(days=ATTENDANCE_DAYS)
    months = [add_months(first_month, i) for i in range(13)]  # the last one: next month, planned
    meeting_id, kind_id, att_id, makeup_id, minutes_id = (
        _next_id(m) for m in (Meeting, MeetingKind, Attendance, MakeupTask, Minutes)
    )
    meetings, kinds, attendance, makeups, minutes = [], [], [], [], []
    counts = defaultdict(int)

    def add_meeting(org, types, topic, due: datetime, plan_held: float, plan_late: float, who):
        nonlocal meeting_id, kind_id, att_id, makeup_id, minutes_id
        org_id, code, area_path, _ = org
        status, actual, closed = MeetingStatus.PLANNED, None, None
        if due < now - timedelta(hours=3):
            if rnd.random() >= plan_held:
                counts["missed"] += 1
                if rnd.random() < 0.5:  # half the missed ones were cancelled with a reason
                    status = MeetingStatus.CANCELLED
                else:
                    return
            else:
                actual = due
                if rnd.random() < plan_late:
                    actual = due + timedelta(days=rnd.randint(12, 45))
                    if actual > now - timedelta(hours=3):
                        actual = due + timedelta(days=1)
                status, closed = MeetingStatus.HELD, actual + timedelta(minutes=90)
        host = who[0][0] if who else None
        recorder = who[1][0] if len(who) > 1 else host
        mid = meeting_id
        meeting_id += 1
        meetings.append(
            (
                mid,
                org_id,
                code,
                area_path,
                None,
                topic,
                status,
                due,
                actual,
                closed,
                rnd.choice(YEAR_PLACES),
                host,
                recorder,
                "",
                None,
                None,
                secrets.token_hex(16),
                "因工作冲突取消，另行安排" if status == MeetingStatus.CANCELLED else "",
                None,
                due - timedelta(days=rnd.randint(7, 20)),
            )
        )
        for t in types:
            kinds.append((kind_id, mid, t))
            kind_id += 1
        counts["meetings"] += 1
        if status != MeetingStatus.HELD:
            return
        counts["held"] += 1
        if not attendance_rows:
            return
        for member_id, full in who if actual >= recent else ():
            r = rnd.random()
            if r < 0.82:
                state, signed = "present", actual + timedelta(minutes=rnd.randint(-10, 8))
            elif r < 0.87:
                state, signed = "late", actual + timedelta(minutes=rnd.randint(12, 40))
            elif r < 0.94:
                state, signed = "leave", None
            else:
                state, signed = "absent", None
            attendance.append(
                (
                    att_id,
                    mid,
                    member_id,
                    "attendee",
                    full,
                    state,
                    signed,
                    "qr" if signed else "",
                    "工作出差，提前请假" if state == "leave" else "",
                )
            )
            att_id += 1
            if signed is None:
                done = closed + timedelta(days=rnd.randint(3, 20))
                note = "已阅读会议记录，学习了会议精神。"
                makeups.append(
                    (makeup_id, mid, member_id, closed, done if done < now else None, note if done < now else "")
                )
                makeup_id += 1
        age = (now - closed).days
        if age > 45:
            state = MinutesStatus.APPROVED if rnd.random() < 0.95 else MinutesStatus.RETURNED
        else:
            state = rnd.choice(
                [MinutesStatus.DRAFT, MinutesStatus.SUBMITTED, MinutesStatus.SUBMITTED, MinutesStatus.APPROVED]
            )
        submitted = closed + timedelta(days=2) if state != MinutesStatus.DRAFT else None
        reviewed = closed + timedelta(days=5) if state in (MinutesStatus.APPROVED, MinutesStatus.RETURNED) else None
        minutes.append(
            (
                minutes_id,
                mid,
                state,
                f"{topic}。",
                "与会党员结合工作实际逐一发言，支部书记作总结。",
                "会议议定事项由支委分工落实。" if rnd.random() < 0.7 else "",
                None,
                submitted,
                None,
                reviewed,
                "讨论情况记录过简，请补充党员发言要点。" if state == MinutesStatus.RETURNED else "",
                reviewed or submitted or closed,
            )
        )
        minutes_id += 1

    def at(day: date, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))

    exemptions = []
    for org in branches:
        who = people.get(org[0], [])
        if not who:
            continue
        _, plan_held, plan_late = rnd.choices(PROFILES, weights=[p[0] for p in PROFILES])[0]
        fixed = rnd.randint(5, 25)  # the branch's fixed 主题党日
        committee = who[:3]
        for i, month in enumerate(months):
            planned_only = i == len(months) - 1
            h = 1.0 if planned_only else plan_held
            quarter_end = month.month % 3 == 0
            types = ["theme_day", "congress"] if quarter_end else ["theme_day"]
            topic = f"{month.month}月主题党日{'暨支部党员大会' if quarter_end else ''}：{THEME_TOPICS[month.month - 1]}"
            add_meeting(org, types, topic, at(month.replace(day=fixed), 9), h, plan_late, who)
            add_meeting(
                org, ["committee"], f"{month.month}月支部委员会", at(month.replace(day=2), 19), h, plan_late, committee
            )
            if month.month % 3 == 2:
                add_meeting(
                    org, ["lecture"], rnd.choice(LECTURE_TOPICS), at(month.replace(day=20), 15), h, plan_late, who
                )
            if month.month == 12:
                add_meeting(
                    org,
                    ["life", "review", "talk"],
                    f"{month.year}年度组织生活会暨民主评议党员",
                    at(month.replace(day=26), 14),
                    h,
                    plan_late,
                    who,
                )
        if rnd.random() < 0.01:
            period = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
            exemptions.append((org, "postpone", "congress", period, "支部书记调整，经上级党组织同意延期召开"))
        elif rnd.random() < 0.002:
            exemptions.append((org, "dissolving", "", str(today.year), "所在单位撤并，党支部拟撤销"))

    _sink_rows(Meeting, MEETING_COLUMNS, meetings)
    _sink_rows(MeetingKind, ("id", "meeting_id", "type"), kinds)
    _sink_rows(Attendance, ATTENDANCE_COLUMNS, attendance)
    _sink_rows(MakeupTask, ("id", "meeting_id", "member_id", "created_at", "done_at", "note"), makeups)
    _sink_rows(Minutes, MINUTES_COLUMNS, minutes)
    reset_sequences(Meeting, MeetingKind, Attendance, MakeupTask, Minutes)
    from jiceng.orglife import services as orglife_services

    for (org_id, _code, _path, _name), kind, meeting_type, period, reason in exemptions:
        org = Org.objects.get(pk=org_id)
        row, _ = orglife_services.request_exemption(
            None, org=org, kind=kind, period=period, reason=reason, meeting_type=meeting_type
        )
        orglife_services.decide_exemption(None, row, approve=True, note="同意")
    rows = held.rebuild()
    if stdout is not None:
        stdout.write(
            f"  组织生活：{counts['meetings']} 次会议（已召开 {counts['held']}），出席记录 {len(attendance)} 条，"
            f"召开情况 {rows} 行"
        )
    return {"created": True, "meetings": counts["meetings"], "attendance": len(attendance), "held_rows": rows}

"""Every write of organisational life: a verb with the actor first, the meeting row locked, the
meeting's log and the audit record in the same transaction (the pattern of areas/services.py).

``actor`` None is the system (the demo generator, a job). A refusal is :class:`OrglifeError` with
the reason in Chinese (per field where a form shows it); nothing is written then.
"""

import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Q, Value, When
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import Actor, audit, audit_record
from jiceng.core.inputs import DATE_MAX, DATE_MIN
from jiceng.core.rules import get_rule
from jiceng.core.scope import holds
from jiceng.members.models import EXIT_STATUSES, PARTY_MEMBER_STATUSES, Member, Status, member_of
from jiceng.orgs.models import BRANCH_TYPES, Org, OrgType

from . import rules, signin
from .models import (
    SIGNED_STATUSES,
    Amendment,
    Attachment,
    AttachmentKind,
    Attendance,
    AttendanceRole,
    AttendanceStatus,
    Decision,
    Exemption,
    ExemptionKind,
    ExemptionStatus,
    GroupMember,
    MakeupTask,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingStatus,
    MeetingType,
    Minutes,
    MinutesStatus,
    RecurringPlan,
    SignMethod,
)
from .permissions import MEETING_ADD, MEETING_CHANGE, MINUTES_REVIEW

OBSERVER_STATUSES = (Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE)
MINUTES_FIELDS = {"topics": "议题", "discussion": "讨论情况", "resolutions": "决议"}
AUDIT_FIELDS = ["topic", "status", "planned_start", "place", "org"]


# The minutes' starting text per meeting type (议题 and 讨论情况), completed by the recorder; the
# agenda, when there is one, becomes the 议题.
MINUTES_TEMPLATES = {
    MeetingType.CONGRESS: ("支部党员大会议题：", "应到、实到党员情况；各项议题的讨论情况和党员发言要点："),
    MeetingType.COMMITTEE: ("支部委员会议题：", "到会委员；各委员发言要点："),
    MeetingType.GROUP: ("党小组会议题：", "到会党员发言要点："),
    MeetingType.LECTURE: ("党课题目：", "主讲人、主要内容；党员学习体会："),
    MeetingType.THEME_DAY: ("主题党日主题：", "活动内容（学习、组织生活、民主议事、志愿服务）和党员参与情况："),
    MeetingType.LIFE: ("组织生活会主题：", "支部班子对照检查；党员逐一发言，开展批评和自我批评："),
    MeetingType.REVIEW: ("民主评议党员：", "党员自评、互评情况；评议结果："),
    MeetingType.TALK: ("谈心谈话对象：", "谈话主要内容、对方意见建议："),
}


def minutes_template(meeting: Meeting) -> tuple[str, str]:
    """(议题, 讨论情况) to start the minutes of ``meeting`` from: its first type's template."""
    order = list(MeetingType.values)
    types = sorted(meeting.type_keys, key=order.index)
    topic_head, discussion = MINUTES_TEMPLATES[MeetingType(types[0])] if types else ("议题：", "")
    agenda = meeting.agenda.strip()
    return (f"{topic_head}\n{agenda}" if agenda else topic_head), discussion


class OrglifeError(ValidationError):
    """A refusal with the reason(s) in Chinese; ``message_dict`` when tied to fields."""


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) and actor.pk else None


def _require(actor: Actor, permission: str, meeting_or_org, message: str) -> None:
    if actor is None:
        return
    org_path = getattr(meeting_or_org, "org_path", None) or getattr(meeting_or_org, "code", "")
    if not holds(actor, permission, areas=[meeting_or_org.area_path], orgs=[org_path]):
        raise PermissionDenied(message)


def _lock(meeting: Meeting) -> Meeting:
    # SQLite runs write transactions as IMMEDIATE (settings), which already serialises them.
    return Meeting.objects.select_for_update(of=("self",)).select_related("org", "group").get(pk=meeting.pk)


def _log(meeting: Meeting, actor: Actor, kind: str, summary: str) -> None:
    MeetingEvent.objects.create(meeting=meeting, actor=_user(actor), kind=kind, summary=summary[:300])


def _snapshot(meeting: Meeting) -> dict:
    return {
        "topic": meeting.topic,
        "status": meeting.status,
        "planned_start": meeting.planned_start.isoformat(),
        "place": meeting.place,
        "org": meeting.org_id,
        "types": sorted(meeting.type_keys) if meeting.pk else [],
    }


def _text(value, label: str, max_length: int, *, required: bool = False, field: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise OrglifeError({field or "text": [f"请填写{label}。"]})
    if len(text) > max_length:
        raise OrglifeError({field or "text": [f"{label}不能超过{max_length}个字。"]})
    if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        raise OrglifeError({field or "text": [f"{label}不能含有控制字符。"]})
    return text


def check_when(when: datetime, field: str = "planned_start") -> datetime:
    """A meeting's time within the platform's range and ``orglife.meeting_past_days`` /
    ``meeting_future_days`` of today: a date far away is a typing error."""
    if not isinstance(when, datetime):
        raise OrglifeError({field: ["请填写会议时间。"]})
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    day = timezone.localdate(when)
    if not DATE_MIN <= day <= DATE_MAX:
        raise OrglifeError({field: [f"会议日期应在 {DATE_MIN:%Y-%m-%d} 至 {DATE_MAX:%Y-%m-%d} 之间。"]})
    today = timezone.localdate()
    past, future = get_rule("orglife.meeting_past_days"), get_rule("orglife.meeting_future_days")
    if day < today - timedelta(days=past):
        raise OrglifeError({field: [f"会议日期{day:%Y-%m-%d}早于今天{past}天以上，请检查是否输错。"]})
    if day > today + timedelta(days=future):
        raise OrglifeError({field: [f"会议日期{day:%Y-%m-%d}晚于今天{future}天以上，请检查是否输错。"]})
    return when


def _check_types(types: Iterable[str]) -> list[str]:
    chosen = []
    for value in types or ():
        if value not in MeetingType.values:
            raise OrglifeError({"types": [f"未知的会议类型：{value}"]})
        if value not in chosen:
            chosen.append(value)
    if not chosen:
        raise OrglifeError({"types": ["请至少选择一种会议类型。"]})
    return chosen


def _check_org(org: Org | None) -> Org:
    if org is None:
        raise OrglifeError({"org": ["请选择党组织。"]})
    if org.org_type == OrgType.GROUP:
        raise OrglifeError({"org": ["党小组会请选择所在党支部，并在“党小组”中选择小组。"]})
    if not org.is_active:
        raise OrglifeError({"org": [f"“{org.name}”已撤销。"]})
    return org


def _check_group(org: Org, group: Org | None, types: list[str]) -> Org | None:
    if MeetingType.GROUP in types and group is None:
        raise OrglifeError({"group": ["党小组会须选择党小组。"]})
    if group is not None and (group.org_type != OrgType.GROUP or group.parent_id != org.pk):
        raise OrglifeError({"group": [f"“{group.name}”不是“{org.name}”的党小组。"]})
    return group


def members_on(org: Org, on_date: date):
    """The party members (full and probationary) of ``org`` on ``on_date``, from the members
    app's history rather than today's roster: today's members who were already admitted and had not
    transferred in after the date, plus those who have since transferred to another branch, left
    the platform (转出) or left the party (出党, 停止党籍, 死亡) after the date. Each row carries
    ``full_then`` (a full member, with a vote, on the date: 转正 on or before it)."""
    from jiceng.members.models import MemberEvent

    later = MemberEvent.objects.filter(on_date__gt=on_date)
    # Came into the org after the date (平台内转入, 转入平台): not its member then.
    came_in = later.filter(kind="transfer_in", to_org=org).values("member_id")
    # Left the org after the date, for another branch or off the platform: its member then.
    went_out = later.filter(kind__in=("transfer_in", "transfer_out"), from_org=org).values("member_id")
    rows = (
        Member.objects.filter((Q(org=org) & ~Q(pk__in=came_in)) | Q(pk__in=went_out))
        .filter(status__in=[*PARTY_MEMBER_STATUSES, *EXIT_STATUSES])
        # No admission date recorded (an old import): a member since before any meeting here.
        .filter(Q(admission_date__isnull=True) | Q(admission_date__lte=on_date))
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gt=on_date))
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=on_date))
        .annotate(
            full_then=Case(
                When(full_member_date__lte=on_date, then=Value(True)),
                When(full_member_date__isnull=True, status=Status.FULL, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    return rows.order_by("id")


def eligible_members(org: Org, group: Org | None, types: Iterable[str], on_date: date) -> list[tuple[Member, str]]:
    """(member, role) of the people expected at a meeting of ``org`` on ``on_date``: its full and
    probationary members on that date (:func:`members_on`; a 党小组会: the group's members), and as
    列席 its applicants, activists and candidates where one of the types allows them
    (``orglife.observer_types``), including today's members admitted only after the date."""
    observers = bool(set(types) & rules.observer_types())
    in_group = GroupMember.objects.filter(group=group).values("member_id") if group is not None else None
    members = members_on(org, on_date)
    if in_group is not None:
        members = members.filter(pk__in=in_group)
    result: list[tuple[Member, str]] = [(m, AttendanceRole.ATTENDEE) for m in members]
    if observers:
        pool = Member.objects.filter(org=org, left_on__isnull=True, exit_date__isnull=True).filter(
            Q(status__in=OBSERVER_STATUSES)
            | Q(status__in=PARTY_MEMBER_STATUSES, admission_date__gt=on_date, activist_date__lte=on_date)
        )
        if in_group is not None:
            pool = pool.filter(pk__in=in_group)
        for member in pool.order_by("id"):
            member.full_then = False  # type: ignore[attr-defined]
            result.append((member, AttendanceRole.OBSERVER))
    return result


def _check_person(org: Org, member: Member | None, label: str, field: str) -> Member | None:
    if member is not None and member.org_id != org.pk:
        raise OrglifeError({field: [f"{label}“{member.name}”不是“{org.name}”的党员。"]})
    return member


def _add_attendees(meeting: Meeting, chosen: list[tuple[Member, str]]) -> int:
    have = set(meeting.attendances.values_list("member_id", flat=True))
    rows = [
        Attendance(meeting=meeting, member=m, role=role, can_vote=getattr(m, "full_then", m.status == Status.FULL))
        for m, role in chosen
        if m.pk not in have
    ]
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _pick_attendees(meeting_org: Org, pool: list[tuple[Member, str]], attendees) -> list[tuple[Member, str]]:
    if attendees is None:
        return pool
    by_pk = {m.pk: (m, role) for m, role in pool}
    chosen = []
    for member in attendees:
        pk = getattr(member, "pk", member)
        if pk not in by_pk:
            name = getattr(member, "name", f"编号{pk}")
            raise OrglifeError({"attendees": [f"“{name}”不是“{meeting_org.name}”在会议日期的党员，不能列为参会人员。"]})
        chosen.append(by_pk[pk])
    if not chosen:
        raise OrglifeError({"attendees": ["请至少选择一名参会人员。"]})
    return chosen


@transaction.atomic
def create_meeting(
    actor: Actor,
    *,
    org: Org,
    types: Iterable[str],
    topic: str,
    planned_start: datetime,
    place: str = "",
    host: Member | None = None,
    recorder: Member | None = None,
    agenda: str = "",
    group: Org | None = None,
    attendees=None,
    plan: RecurringPlan | None = None,
    plan_period: int | None = None,
) -> Meeting:
    """A planned meeting with its expected attendees. The same org, time and topic submitted twice
    (a double click, a retried request) gives the first meeting back."""
    org = _check_org(org)
    _require(actor, MEETING_ADD, org, "您没有为该党组织安排会议的权限。")
    chosen_types = _check_types(types)
    topic = _text(topic, "会议主题", 120, required=True, field="topic")
    place = _text(place, "地点", 120, field="place")
    agenda = _text(agenda, "议程", 2000, field="agenda")
    planned_start = check_when(planned_start)
    group = _check_group(org, group, chosen_types)
    _check_person(org, host, "主持人", "host")
    _check_person(org, recorder, "记录人", "recorder")
    Org.objects.select_for_update().filter(pk=org.pk).first()  # serialises double submits
    existing = (
        Meeting.objects.filter(org=org, planned_start=planned_start, topic=topic)
        .exclude(status=MeetingStatus.CANCELLED)
        .first()
    )
    if existing is not None:
        return existing
    pool = eligible_members(org, group, chosen_types, timezone.localdate(planned_start))
    chosen = _pick_attendees(org, pool, attendees)
    meeting = Meeting.objects.create(
        org=org,
        org_path=org.code,
        area_path=org.area_path,
        group=group,
        topic=topic,
        planned_start=planned_start,
        place=place,
        host=host,
        recorder=recorder,
        agenda=agenda,
        plan=plan,
        plan_period=plan_period,
        signin_secret=secrets.token_hex(16),
        created_by=_user(actor),
    )
    MeetingKind.objects.bulk_create([MeetingKind(meeting=meeting, type=t) for t in chosen_types])
    _add_attendees(meeting, chosen)
    _log(meeting, actor, "create", f"安排会议：{topic}（{meeting.type_labels}）")
    audit(actor, "create_meeting", meeting, after=_snapshot(meeting), area_path=meeting.area_path)
    return meeting


@transaction.atomic
def move_meeting(actor: Actor, meeting: Meeting, planned_start: datetime, reason: str) -> Meeting:
    """调整 a planned meeting's time, with the reason (logged)."""
    meeting = _lock(meeting)
    _require(actor, MEETING_CHANGE, meeting, "您没有调整该会议的权限。")
    if meeting.status != MeetingStatus.PLANNED:
        raise OrglifeError(f"会议{meeting.get_status_display()}，不能再调整时间。")
    reason = _text(reason, "调整原因", 200, required=True, field="reason")
    planned_start = check_when(planned_start)
    before = _snapshot(meeting)
    old = timezone.localtime(meeting.planned_start)
    meeting.planned_start = planned_start
    meeting.save(update_fields=["planned_start"])
    new = timezone.localtime(planned_start)
    _log(meeting, actor, "move", f"会议时间由{old:%Y-%m-%d %H:%M}调整为{new:%Y-%m-%d %H:%M}，原因：{reason}")
    audit(actor, "move_meeting", meeting, before=before, after=_snapshot(meeting), area_path=meeting.area_path)
    return meeting


@transaction.atomic
def cancel_meeting(actor: Actor, meeting: Meeting, reason: str) -> Meeting:
    meeting = _lock(meeting)
    _require(actor, MEETING_CHANGE, meeting, "您没有取消该会议的权限。")
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.SIGNIN):
        raise OrglifeError(f"会议{meeting.get_status_display()}，不能取消。")
    reason = _text(reason, "取消原因", 200, required=True, field="reason")
    before = _snapshot(meeting)
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason
    meeting.save(update_fields=["status", "cancel_reason"])
    _log(meeting, actor, "cancel", f"取消会议，原因：{reason}")
    audit(actor, "cancel_meeting", meeting, before=before, after=_snapshot(meeting), area_path=meeting.area_path)
    return meeting


@transaction.atomic
def open_signin(actor: Actor, meeting: Meeting, *, at: datetime | None = None) -> Meeting:
    """开始签到: the QR screen works from now; people who joined the org since planning are added.
    ``at``: when the meeting really started, for a meeting recorded afterwards (补录, the demo)."""
    meeting = _lock(meeting)
    _require(actor, MEETING_CHANGE, meeting, "您没有主持该会议签到的权限。")
    if meeting.status == MeetingStatus.SIGNIN:
        return meeting
    if meeting.status != MeetingStatus.PLANNED:
        raise OrglifeError(f"会议{meeting.get_status_display()}，不能开始签到。")
    meeting.status = MeetingStatus.SIGNIN
    meeting.actual_start = at or timezone.now()
    meeting.save(update_fields=["status", "actual_start"])
    if MeetingType.TALK not in meeting.type_keys:  # a 谈心谈话 keeps the people chosen for it
        day = timezone.localdate(meeting.planned_start)
        _add_attendees(meeting, eligible_members(meeting.org, meeting.group, meeting.type_keys, day))
    _log(meeting, actor, "signin", "开始签到")
    audit(actor, "open_meeting_signin", meeting, area_path=meeting.area_path)
    return meeting


def _late(meeting: Meeting, at: datetime) -> bool:
    """迟到: signed in after the planned start plus ``orglife.late_grace_minutes``."""
    return at > meeting.planned_start + timedelta(minutes=get_rule("orglife.late_grace_minutes"))


def _check_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.SIGNIN:
        return
    if meeting.status == MeetingStatus.HELD:
        raise OrglifeError("会议已结束，不能再签到。未参会的党员请在“我的补学”中完成补学。")
    if meeting.status == MeetingStatus.CANCELLED:
        raise OrglifeError("会议已取消。")
    raise OrglifeError("会议尚未开始签到，请在主持人开始签到后再扫码。")


def _sign_row(meeting: Meeting, member_pk: int, values: dict) -> Attendance | None:
    """One statement: the member's row signed if it is still unsigned (应到 or 请假) and the
    meeting is still open for sign-in; the row as written, or None when nothing changed.

    The row's condition is on its own columns, so two phones at once cannot both win: the second
    waits for the first's row lock, then finds the row signed. (A condition joining the meeting
    made Django write ``id IN (subquery)``, which PostgreSQL does not re-check against a row
    another transaction just signed.) The meeting's condition is a one-time check that, on
    PostgreSQL, holds a KEY SHARE lock on the meeting row until the transaction ends; closing
    takes the meeting's FOR UPDATE lock first, so a close either waits for this sign-in (and
    counts it) or committed before it (this statement then sees the meeting held and signs
    nothing): no sign-in lands after a close, not even one of a member on leave. On SQLite write
    transactions are serialised (IMMEDIATE), which gives the same order."""
    lock = " FOR KEY SHARE" if connection.vendor == "postgresql" else ""
    sql = (
        f'UPDATE "{Attendance._meta.db_table}" SET "status" = %s, "signed_at" = %s, "method" = %s, "reason" = %s, '
        f'"recorded_by_id" = %s WHERE "meeting_id" = %s AND "member_id" = %s AND "status" IN (%s, %s) '
        f'AND EXISTS (SELECT 1 FROM "{Meeting._meta.db_table}" WHERE "id" = %s AND "status" = %s{lock}) '
        'RETURNING "id", "role", "can_vote"'
    )
    params = [values["status"], values["signed_at"], values["method"], values["reason"], values["recorded_by_id"]]
    params += [meeting.pk, member_pk, AttendanceStatus.EXPECTED, AttendanceStatus.LEAVE]
    params += [meeting.pk, MeetingStatus.SIGNIN]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchone()
    if found is None:
        return None
    pk, role, can_vote = found
    return Attendance(pk=pk, meeting_id=meeting.pk, member_id=member_pk, role=role, can_vote=bool(can_vote), **values)


def _try_sign_in(
    actor: Actor, meeting: Meeting, member_pk: int, method: str, reason: str = "", log: str = ""
) -> tuple[Attendance | None, bool]:
    """The sign-in in the fewest statements: (the row, True) when this call signed the member;
    (the row, False) when they had already signed and the meeting is still open; (None, False)
    otherwise, for the caller to say why (closed, not open yet, not on the list)."""
    now = timezone.now()
    recorder = _user(actor)
    values = {
        "status": AttendanceStatus.LATE if _late(meeting, now) else AttendanceStatus.PRESENT,
        "signed_at": now,
        "method": method,
        "reason": reason[:200],
        "recorded_by_id": recorder.pk if recorder else None,
    }
    with transaction.atomic():
        row = _sign_row(meeting, member_pk, values)
        if row is not None:
            if log:
                _log(meeting, actor, "proxy", log)
            audit(
                actor,
                "sign_in_meeting",
                row,
                after={"status": row.status, "method": method},
                area_path=meeting.area_path,
            )
            return row, True
    # Signed already (a double scan, a second phone): the row and the meeting's state in one read.
    row = (
        Attendance.objects.select_related("meeting")
        .only(*[f.attname for f in Attendance._meta.concrete_fields], "meeting__status")
        .filter(meeting_id=meeting.pk, member_id=member_pk)
        .first()
    )
    if row is not None and row.signed and row.meeting.status == MeetingStatus.SIGNIN:
        return row, False
    return None, False


def sign_in(
    actor: Actor, meeting: Meeting, member: Member, method: str = SignMethod.QR, reason: str = ""
) -> tuple[Attendance, bool]:
    """Sign ``member`` in once: (the row, whether this call signed them). One conditional UPDATE
    decides (the meeting still open, the member not signed yet; see :func:`_sign_row`), so two
    phones, a double scan or concurrent requests leave exactly one sign-in, and none lands after
    the meeting closed."""
    log = f"代签：{member.name}，事由：{reason}" if method == SignMethod.PROXY else ""
    row, signed = _try_sign_in(actor, meeting, member.pk, method, reason, log)
    if row is not None:
        return row, signed
    _check_open(Meeting.objects.only("status").get(pk=meeting.pk))
    row = Attendance.objects.filter(meeting_id=meeting.pk, member=member).first()
    if row is None:
        raise OrglifeError(f"{member.name}不在本次会议的应到人员名单中，不能签到。")
    return row, False


def _aware(value):
    """A datetime read by a raw statement: SQLite gives it naive (or as text) in UTC."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)


def _read_for_sign_in(user_pk: int, meeting_pk: int):
    """One raw read: the meeting's state and secret, the caller's roster entry (as ``member_of``
    finds it) and their attendance row, or None when the meeting does not exist. (The ORM's
    compilation of this read cost more CPU than the database spent on it.)"""
    q = connection.ops.quote_name
    sql = (
        f"SELECT m.{q('id')}, m.{q('status')}, m.{q('planned_start')}, m.{q('signin_secret')}, m.{q('area_path')}, "
        f"p.pk, a.{q('id')}, a.{q('role')}, a.{q('can_vote')}, a.{q('status')}, a.{q('signed_at')}, "
        f"a.{q('method')}, a.{q('reason')}, a.{q('recorded_by_id')} "
        f"FROM {q(Meeting._meta.db_table)} m "
        f"CROSS JOIN (SELECT (SELECT {q('id')} FROM {q(Member._meta.db_table)} WHERE {q('user_id')} = %s "
        f"AND {q('left_on')} IS NULL AND {q('exit_date')} IS NULL ORDER BY {q('id')} LIMIT 1) AS pk) p "
        f"LEFT JOIN {q(Attendance._meta.db_table)} a "
        f"ON a.{q('meeting_id')} = m.{q('id')} AND a.{q('member_id')} = p.pk "
        f"WHERE m.{q('id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user_pk, meeting_pk])
        found = cursor.fetchone()
    if found is None:
        return None, None
    pk, status, planned_start, secret, area_path, member_pk, *row = found
    meeting = Meeting(pk=pk, status=status, planned_start=_aware(planned_start), signin_secret=secret)
    meeting.area_path = area_path
    if member_pk is None or row[0] is None:
        return meeting, None
    attendance = Attendance(
        pk=row[0],
        meeting_id=pk,
        member_id=member_pk,
        role=row[1],
        can_vote=bool(row[2]),
        status=row[3],
        signed_at=_aware(row[4]),
        method=row[5],
        reason=row[6],
        recorded_by_id=row[7],
    )
    attendance._state.adding, attendance._state.db = False, connection.alias
    return meeting, attendance


def _sign_and_audit(user, meeting: Meeting, row: Attendance, values: dict) -> bool:
    """PostgreSQL: the conditional UPDATE of the row (see :func:`_sign_row`, the same conditions
    and the meeting's KEY SHARE lock) and its audit record in ONE statement, so one transaction
    by itself (data-modifying CTEs, as appeals' intake writes its event and audit); whether it
    signed. The audit record is the one ``accounts.services.audit`` builds, written only when the
    UPDATE changed the row."""
    q = connection.ops.quote_name
    signed = Attendance(pk=row.pk, meeting_id=row.meeting_id, member_id=row.member_id, **values)
    record = audit_record(
        user,
        "sign_in_meeting",
        signed,
        after={"status": values["status"], "method": values["method"]},
        area_path=meeting.area_path,
    )
    fields = [f for f in record._meta.local_concrete_fields if f is not record._meta.auto_field]
    columns = ", ".join(q(str(f.column)) for f in fields)
    casts = ", ".join(f"CAST(%s AS {f.cast_db_type(connection) or 'text'})" for f in fields)
    audit_params = [f.get_db_prep_save(f.pre_save(record, add=True), connection) for f in fields]
    sql = (
        f"WITH s AS (UPDATE {q(Attendance._meta.db_table)} SET {q('status')} = %s, {q('signed_at')} = %s, "
        f"{q('method')} = %s, {q('reason')} = %s, {q('recorded_by_id')} = %s "
        f"WHERE {q('id')} = %s AND {q('status')} IN (%s, %s) "
        f"AND EXISTS (SELECT 1 FROM {q(Meeting._meta.db_table)} WHERE {q('id')} = %s AND {q('status')} = %s "
        f"FOR KEY SHARE) RETURNING 1), "
        f"a AS (INSERT INTO {q(record._meta.db_table)} ({columns}) SELECT {casts} FROM s) "
        "SELECT count(*) FROM s"
    )
    params = [values["status"], values["signed_at"], values["method"], values["reason"], values["recorded_by_id"]]
    params += [row.pk, AttendanceStatus.EXPECTED, AttendanceStatus.LEAVE, meeting.pk, MeetingStatus.SIGNIN]
    with connection.cursor() as cursor:
        cursor.execute(sql, params + audit_params)
        (count,) = cursor.fetchone()
    return bool(count)


def quick_sign_in(user, meeting_pk: int, code: str) -> tuple[Attendance, bool] | None:
    """A member's own QR sign-in (the API's hot path, 500 phones at a meeting's start): after
    authentication, one read (the meeting, the caller's roster entry and row) and, on PostgreSQL,
    one statement that signs and audits; a repeat is answered from the read. None when it is
    anything but a plain sign-in or repeat (a bad or stale code, a meeting not open, not on the
    list, not a member): the caller then goes the full way (scope lookup,
    :func:`sign_in_by_qr`) and says why.

    A member who has a row is an expected attendee, so the meeting is visible to them
    (``MeetingAttendeeRule``); no answer here tells anything to anyone else."""
    try:
        parsed = signin.parse(code)
    except signin.CodeError:
        return None
    if parsed.pk != meeting_pk:
        return None
    meeting, row = _read_for_sign_in(user.pk, meeting_pk)
    if meeting is None or row is None or meeting.status != MeetingStatus.SIGNIN:
        return None
    try:
        signin.check_meeting_code(meeting, parsed)
    except signin.CodeError:
        return None
    if row.signed:
        return row, False  # a double scan, a second phone: the meeting is still open
    if row.status not in (AttendanceStatus.EXPECTED, AttendanceStatus.LEAVE):
        return None
    if connection.vendor != "postgresql":
        # SQLite has no data-modifying CTEs: the UPDATE, then the audit, in one transaction.
        signed, done = _try_sign_in(user, meeting, row.member_id, SignMethod.QR)
        return None if signed is None else (signed, done)
    now = timezone.now()
    values = {
        "status": AttendanceStatus.LATE if _late(meeting, now) else AttendanceStatus.PRESENT,
        "signed_at": now,
        "method": SignMethod.QR,
        "reason": "",
        "recorded_by_id": user.pk,
    }
    if _sign_and_audit(user, meeting, row, values):
        for key, value in values.items():
            setattr(row, key, value)
        return row, True
    # Another request of the same member signed first (two phones at once): its row, if the
    # meeting is still open.
    meeting, row = _read_for_sign_in(user.pk, meeting_pk)
    if meeting is not None and row is not None and row.signed and meeting.status == MeetingStatus.SIGNIN:
        return row, False
    return None


def sign_in_by_qr(user, code: str, meeting: Meeting | None = None) -> tuple[Attendance, bool]:
    """A member's phone scanned the host's screen: ``code`` from the URL (or the API's body)."""
    try:
        parsed = signin.parse(code)
    except signin.CodeError as exc:
        raise OrglifeError(str(exc)) from exc
    if meeting is None:
        meeting = Meeting.objects.filter(pk=parsed.pk).first()
        if meeting is None:
            raise OrglifeError("二维码无效，请扫描会议屏幕上的签到二维码。")
    try:
        signin.check_meeting_code(meeting, parsed)
    except signin.CodeError as exc:
        raise OrglifeError(str(exc)) from exc
    member = member_of(user)
    if member is None:
        raise OrglifeError("您的账号没有关联党员信息，不能签到。请联系所在党支部。")
    return sign_in(user, meeting, member, SignMethod.QR)


def sign_in_by_member_code(actor: Actor, meeting: Meeting, code: str) -> tuple[Attendance, bool]:
    """The host scanned a member's personal code (扫党员签到码)."""
    _require(actor, MEETING_CHANGE, meeting, "您没有主持该会议签到的权限。")
    try:
        parsed = signin.parse(code, personal=True)
        signin.check_member_code(parsed)
    except signin.CodeError as exc:
        raise OrglifeError({"code": [str(exc)]}) from exc
    member = Member.objects.filter(pk=parsed.pk).first()
    if member is None:
        raise OrglifeError({"code": ["党员签到码无效。"]})
    return sign_in(actor, meeting, member, SignMethod.PERSONAL)


def proxy_sign_in(actor: Actor, meeting: Meeting, member: Member, reason: str) -> Attendance:
    """代签: the host marks a member present, with the reason (logged). After the meeting closed
    it corrects a 缺席 (and withdraws the 补学 task)."""
    _require(actor, MEETING_CHANGE, meeting, "您没有为该会议代签的权限。")
    reason = _text(reason, "代签事由", 200, required=True, field="reason")
    if Meeting.objects.filter(pk=meeting.pk, status=MeetingStatus.HELD).exists():
        with transaction.atomic():
            meeting = _lock(meeting)
            row = Attendance.objects.filter(meeting=meeting, member=member).first()
            if row is None:
                raise OrglifeError({"member": [f"{member.name}不在本次会议的应到人员名单中。"]})
            if row.status not in (AttendanceStatus.ABSENT, AttendanceStatus.LEAVE):
                return row
            row.status, row.method, row.reason, row.recorded_by = (
                AttendanceStatus.PRESENT,
                SignMethod.PROXY,
                reason,
                _user(actor),
            )
            row.signed_at = meeting.actual_start
            row.save(update_fields=["status", "method", "reason", "recorded_by", "signed_at"])
            MakeupTask.objects.filter(meeting=meeting, member=member, done_at__isnull=True).delete()
            _log(meeting, actor, "proxy", f"会后补记出席（代签）：{member.name}，事由：{reason}")
            audit(actor, "proxy_sign_in", row, after={"status": row.status}, area_path=meeting.area_path)
            return row
    row, _ = sign_in(actor, meeting, member, SignMethod.PROXY, reason)
    return row


@transaction.atomic
def ask_leave(actor: Actor, meeting: Meeting, member: Member, reason: str) -> Attendance:
    """请假, asked before the meeting starts, with the reason."""
    meeting = _lock(meeting)
    reason = _text(reason, "请假事由", 200, required=True, field="reason")
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.SIGNIN) or timezone.now() >= meeting.planned_start:
        raise OrglifeError("请假须在会议开始前提出；会议已开始或已结束。")
    row = Attendance.objects.select_for_update().filter(meeting=meeting, member=member).first()
    if row is None:
        raise OrglifeError(f"{member.name}不在本次会议的应到人员名单中。")
    if row.status == AttendanceStatus.LEAVE:
        return row
    if row.status != AttendanceStatus.EXPECTED:
        raise OrglifeError(f"已记录为{row.get_status_display()}，不能请假。")
    row.status, row.reason, row.recorded_by = AttendanceStatus.LEAVE, reason, _user(actor)
    row.save(update_fields=["status", "reason", "recorded_by"])
    _log(meeting, actor, "leave", f"{member.name}请假：{reason}")
    audit(actor, "ask_leave", row, after={"reason": reason}, area_path=meeting.area_path)
    return row


def _bump_held(meeting: Meeting, day: date, delta: int) -> None:
    from . import held

    held.bump(meeting, day, delta)
    from jiceng.orglife.metrics import on_held

    on_held(meeting, day.replace(day=1), delta)


@transaction.atomic
def close_meeting(actor: Actor, meeting: Meeting, *, at: datetime | None = None) -> Meeting:
    """结束会议: the meeting is held. Whoever did not sign in is 缺席; the absent and those on
    leave get a 补学 task; the org's held facts (:class:`HeldMonth`) count it for every type;
    the minutes open as a draft."""
    meeting = _lock(meeting)
    _require(actor, MEETING_CHANGE, meeting, "您没有结束该会议的权限。")
    if meeting.status == MeetingStatus.HELD:
        return meeting
    if meeting.status != MeetingStatus.SIGNIN:
        raise OrglifeError("请先开始签到，会议结束时才能记录出席情况。")
    now = at or timezone.now()
    meeting.status = MeetingStatus.HELD
    meeting.closed_at = now
    meeting.save(update_fields=["status", "closed_at"])
    meeting.attendances.filter(status=AttendanceStatus.EXPECTED).update(status=AttendanceStatus.ABSENT)
    missed = meeting.attendances.filter(status__in=(AttendanceStatus.ABSENT, AttendanceStatus.LEAVE))
    MakeupTask.objects.bulk_create(
        [MakeupTask(meeting=meeting, member_id=pk) for pk in missed.values_list("member_id", flat=True)],
        ignore_conflicts=True,
    )
    _bump_held(meeting, timezone.localdate(meeting.actual_start or now), 1)
    topics, discussion = minutes_template(meeting)
    Minutes.objects.get_or_create(meeting=meeting, defaults={"topics": topics, "discussion": discussion})
    counts = attendance_counts(meeting)
    _log(meeting, actor, "close", f"会议结束：应到{counts['expected']}人，实到{counts['signed']}人")
    audit(actor, "close_meeting", meeting, after=_snapshot(meeting), area_path=meeting.area_path)
    return meeting


@transaction.atomic
def backfill_meeting(
    actor: Actor,
    *,
    org: Org,
    types: Iterable[str],
    topic: str,
    held_at: datetime,
    place: str = "",
    host: Member | None = None,
    recorder: Member | None = None,
    present: Iterable = (),
    minutes_topics: str = "",
    minutes_discussion: str = "",
    minutes_resolutions: str = "",
) -> Meeting:
    """补录: record a meeting held in the past, within ``orglife.backfill_days``: the meeting as
    planned and held at ``held_at`` with the org's members of that date as expected attendees,
    those in ``present`` 出席 (recorded, 代签 with the reason 补录), the others 缺席 with a 补学,
    the held facts counted in the month it was held, the minutes as a draft. Logged as 补录; all
    in one transaction, nothing written when any part is refused."""
    if not isinstance(held_at, datetime):
        raise OrglifeError({"held_at": ["请填写会议召开时间。"]})
    if timezone.is_naive(held_at):
        held_at = timezone.make_aware(held_at)
    now = timezone.now()
    days = get_rule("orglife.backfill_days")
    if held_at >= now:
        raise OrglifeError({"held_at": ["补录只用于已经召开的会议，召开时间应早于现在；今后的会议请用“安排会议”。"]})
    if timezone.localdate(held_at) < timezone.localdate(now) - timedelta(days=days):
        raise OrglifeError(
            {
                "held_at": [
                    f"只能补录{days}天内召开的会议（{timezone.localdate(now) - timedelta(days=days):%Y-%m-%d}以后）。"
                ]
            }
        )
    meeting = create_meeting(
        actor, org=org, types=types, topic=topic, planned_start=held_at, place=place, host=host, recorder=recorder
    )
    if meeting.status != MeetingStatus.PLANNED or meeting.events.filter(kind="backfill").exists():
        raise OrglifeError({"topic": [f"该党组织{held_at:%Y-%m-%d %H:%M}的“{topic}”已经录入，请勿重复补录。"]})
    rows = {a.member_id: a for a in meeting.attendances.select_related("member")}
    chosen = []
    for member in present or ():
        pk = getattr(member, "pk", member)
        if pk not in rows:
            name = getattr(member, "name", f"编号{pk}")
            raise OrglifeError({"present": [f"“{name}”不是“{org.name}”在会议日期的党员，不能记为出席。"]})
        chosen.append(pk)
    open_signin(actor, meeting, at=held_at)
    Attendance.objects.filter(meeting=meeting, member_id__in=chosen).update(
        status=AttendanceStatus.PRESENT,
        signed_at=held_at,
        method=SignMethod.PROXY,
        reason="补录",
        recorded_by=_user(actor),
    )
    meeting = close_meeting(actor, meeting, at=held_at + timedelta(hours=1))
    if minutes_topics or minutes_discussion or minutes_resolutions:
        save_minutes(
            actor,
            meeting,
            topics=minutes_topics or minutes_template(meeting)[0],
            discussion=minutes_discussion,
            resolutions=minutes_resolutions,
        )
    local = timezone.localtime(held_at)
    _log(meeting, actor, "backfill", f"补录：{local:%Y-%m-%d %H:%M}召开，出席{len(chosen)}人（应到{len(rows)}人）")
    audit(actor, "backfill_meeting", meeting, after=_snapshot(meeting), area_path=meeting.area_path)
    return meeting


def attendance_counts(meeting: Meeting) -> dict[str, int]:
    rows = list(meeting.attendances.values_list("role", "status", "can_vote"))
    attendees = [r for r in rows if r[0] == AttendanceRole.ATTENDEE]
    return {
        "expected": len(attendees),
        "signed": sum(1 for r in attendees if r[1] in SIGNED_STATUSES),
        "leave": sum(1 for r in attendees if r[1] == AttendanceStatus.LEAVE),
        "absent": sum(1 for r in attendees if r[1] == AttendanceStatus.ABSENT),
        "observers": len(rows) - len(attendees),
        "entitled": sum(1 for r in attendees if r[2]),
        "present_entitled": sum(1 for r in attendees if r[2] and r[1] in SIGNED_STATUSES),
    }


# --------------------------------------------------------------------------- minutes


def _minutes_writer(actor: Actor, meeting: Meeting, person: Member | None, message: str) -> None:
    if actor is None:
        return
    if person is not None and person.user_id and person.user_id == actor.pk:
        return
    _require(actor, MEETING_CHANGE, meeting, message)


def _editable(meeting: Meeting) -> Minutes:
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        raise OrglifeError("会议结束后才能填写纪要。")
    if minutes.status == MinutesStatus.APPROVED:
        raise OrglifeError("纪要已审核通过并锁定，不能直接修改；如需更正，请使用“修改已通过的纪要”并说明原因。")
    if minutes.status == MinutesStatus.SUBMITTED:
        raise OrglifeError("纪要已提交审核，审核退回后才能修改。")
    return minutes


@transaction.atomic
def save_minutes(actor: Actor, meeting: Meeting, *, topics: str, discussion: str, resolutions: str) -> Minutes:
    """The recorder writes the minutes (议题, 讨论情况, 决议) while they are a draft or returned."""
    meeting = _lock(meeting)
    _minutes_writer(actor, meeting, meeting.recorder, "只有记录人或本支部管理人员可以填写纪要。")
    minutes = _editable(meeting)
    values = {
        "topics": _text(topics, "议题", 4000, field="topics"),
        "discussion": _text(discussion, "讨论情况", 8000, field="discussion"),
        "resolutions": _text(resolutions, "决议", 4000, field="resolutions"),
    }
    for name, value in values.items():
        setattr(minutes, name, value)
    minutes.written_by = _user(actor)
    minutes.save()
    audit(actor, "save_minutes", minutes, after={k: len(v) for k, v in values.items()}, area_path=meeting.area_path)
    return minutes


@transaction.atomic
def record_decision(
    actor: Actor, meeting: Meeting, *, subject: str, votes_for: int, votes_against: int, votes_abstain: int
) -> tuple[Decision, list[str]]:
    """A vote (表决) and its tally. Whether it passed is decided here (``rules.decision_reasons``),
    never typed: (the decision, why it did not pass)."""
    meeting = _lock(meeting)
    _minutes_writer(actor, meeting, meeting.recorder, "只有记录人或本支部管理人员可以记录表决。")
    minutes = _editable(meeting)
    subject = _text(subject, "表决事项", 200, required=True, field="subject")
    counts = attendance_counts(meeting)
    tally = rules.Tally(
        entitled=counts["entitled"],
        present=counts["present_entitled"],
        votes_for=int(votes_for),
        votes_against=int(votes_against),
        votes_abstain=int(votes_abstain),
    )
    errors = rules.tally_errors(tally)
    if errors:
        raise OrglifeError({"votes_for": errors})
    reasons = rules.decision_reasons(tally, congress=meeting.is_congress)
    same = minutes.decisions.filter(
        subject=subject,
        votes_for=tally.votes_for,
        votes_against=tally.votes_against,
        votes_abstain=tally.votes_abstain,
    ).first()
    if same is not None:  # a double submit: the first record stands
        return same, reasons
    decision = Decision.objects.create(
        minutes=minutes,
        subject=subject,
        votes_for=tally.votes_for,
        votes_against=tally.votes_against,
        votes_abstain=tally.votes_abstain,
        entitled=tally.entitled,
        present_entitled=tally.present,
        passed=not reasons,
        note="；".join(reasons)[:300],
    )
    _log(meeting, actor, "decision", f"表决“{subject}”：{'通过' if not reasons else '未通过'}")
    audit(actor, "record_decision", decision, after={"passed": decision.passed}, area_path=meeting.area_path)
    return decision, reasons


@transaction.atomic
def submit_minutes(actor: Actor, meeting: Meeting) -> Minutes:
    """The host submits the minutes for review."""
    meeting = _lock(meeting)
    _minutes_writer(actor, meeting, meeting.host, "只有主持人或本支部管理人员可以提交纪要。")
    minutes = _editable(meeting)
    untouched = minutes_template(meeting)[0].strip() if not meeting.agenda.strip() else ""
    if minutes.topics.strip() in ("", untouched):
        raise OrglifeError({"topics": ["请先填写议题再提交审核。"]})
    minutes.status = MinutesStatus.SUBMITTED
    minutes.submitted_at = timezone.now()
    minutes.return_reason = ""
    minutes.save()
    _log(meeting, actor, "submit", "提交纪要审核")
    audit(actor, "submit_minutes", minutes, area_path=meeting.area_path)
    return minutes


@transaction.atomic
def review_minutes(actor: Actor, meeting: Meeting, *, approve: bool, reason: str = "") -> Minutes:
    """The street or a higher office reviews: 通过 (the minutes are locked) or 退回 with a reason."""
    meeting = _lock(meeting)
    _require(actor, MINUTES_REVIEW, meeting, "只有街道或上级党组织可以审核纪要。")
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None or minutes.status != MinutesStatus.SUBMITTED:
        raise OrglifeError("纪要不在待审核状态。")
    if not approve:
        minutes.return_reason = _text(reason, "退回原因", 200, required=True, field="reason")
    minutes.status = MinutesStatus.APPROVED if approve else MinutesStatus.RETURNED
    minutes.reviewed_by, minutes.reviewed_at = _user(actor), timezone.now()
    minutes.save()
    _log(meeting, actor, "review", "纪要审核通过" if approve else f"纪要退回：{minutes.return_reason}")
    audit(actor, "review_minutes", minutes, after={"status": minutes.status}, area_path=meeting.area_path)
    return minutes


@transaction.atomic
def amend_minutes(actor: Actor, meeting: Meeting, *, field: str, text: str, reason: str) -> Amendment:
    """A change to approved minutes: kept as a logged amendment (before, after, reason)."""
    meeting = _lock(meeting)
    _require(actor, MEETING_CHANGE, meeting, "您没有修改该会议纪要的权限。")
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None or minutes.status != MinutesStatus.APPROVED:
        raise OrglifeError("只有审核通过的纪要才以修改记录的方式更正；未通过的纪要请直接编辑。")
    if field not in MINUTES_FIELDS:
        raise OrglifeError({"field": ["请选择要修改的部分。"]})
    label = MINUTES_FIELDS[field]
    text = _text(text, label, 8000, required=True, field="text")
    reason = _text(reason, "修改原因", 200, required=True, field="reason")
    before = getattr(minutes, field)
    if before == text:
        raise OrglifeError({"text": ["内容没有变化。"]})
    setattr(minutes, field, text)
    minutes.save(update_fields=[field, "updated_at"])
    amendment = Amendment.objects.create(
        minutes=minutes, field=field, before=before, after=text, reason=reason, actor=_user(actor)
    )
    _log(meeting, actor, "amend", f"修改已通过的纪要（{label}），原因：{reason}")
    audit(actor, "amend_minutes", minutes, before={field: before}, after={field: text}, area_path=meeting.area_path)
    return amendment


# --------------------------------------------------------------------------- 补学, attachments, plans, groups


@transaction.atomic
def confirm_makeup(user, task: MakeupTask, note: str = "") -> MakeupTask:
    """The member read the minutes of the meeting they missed and confirms (补学)."""
    task = MakeupTask.objects.select_for_update().select_related("meeting", "member").get(pk=task.pk)
    member = member_of(user)
    if member is None or member.pk != task.member_id:
        raise PermissionDenied("这不是您的补学任务。")
    if task.done_at:
        return task
    minutes = Minutes.objects.filter(meeting=task.meeting).first()
    if minutes is None or minutes.status != MinutesStatus.APPROVED:
        raise OrglifeError("该会议的纪要尚未审核通过，审核通过后才能补学。")
    task.note = _text(note, "学习体会", 300, field="note")
    task.done_at = timezone.now()
    task.save(update_fields=["note", "done_at"])
    _log(task.meeting, user, "makeup", f"{task.member.name}完成补学")
    audit(user, "confirm_makeup", task, area_path=task.meeting.area_path)
    return task


_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", AttachmentKind.PHOTO, "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", AttachmentKind.PHOTO, "png"),
    (b"%PDF-", "application/pdf", AttachmentKind.DOCUMENT, "pdf"),
)
_OFFICE = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ALLOWED_TEXT = "照片（JPG、PNG）或文档（PDF、DOCX、XLSX、PPTX）"


def _file_type(upload) -> tuple[str, str]:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type, kind, _ in _SIGNATURES:
        if head.startswith(magic):
            return content_type, kind
    extension = (getattr(upload, "name", "") or "").rsplit(".", 1)[-1].lower()
    if head.startswith(b"PK\x03\x04") and extension in _OFFICE:
        return _OFFICE[extension], AttachmentKind.DOCUMENT
    raise OrglifeError({"file": [f"只能上传{ALLOWED_TEXT}。"]})


@transaction.atomic
def add_attachment(actor: Actor, meeting: Meeting, upload) -> Attachment:
    meeting = _lock(meeting)
    _require(actor, MEETING_CHANGE, meeting, "您没有为该会议上传附件的权限。")
    if meeting.status == MeetingStatus.CANCELLED:
        raise OrglifeError("会议已取消，不能上传附件。")
    if upload is None:
        raise OrglifeError({"file": ["请选择文件。"]})
    size = upload.size
    limit = get_rule("orglife.attachment_max_bytes")
    if size == 0:
        raise OrglifeError({"file": ["文件是空的。"]})
    if size > limit:
        raise OrglifeError({"file": [f"文件不能超过{limit // (1024 * 1024)} MB。"]})
    if meeting.attachments.count() >= get_rule("orglife.attachment_max_count"):
        raise OrglifeError({"file": [f"每次会议最多上传{get_rule('orglife.attachment_max_count')}个附件。"]})
    content_type, kind = _file_type(upload)
    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][-100:]
    same = meeting.attachments.filter(name=name, size=size).first()
    if same is not None:  # the same file sent twice (a double submit): kept once
        return same
    attachment = Attachment(
        meeting=meeting, kind=kind, name=name, content_type=content_type, size=size, uploaded_by=_user(actor)
    )
    attachment.file.save(f"{meeting.pk}-{name}", upload, save=False)
    attachment.save()
    _log(meeting, actor, "attach", f"上传{attachment.get_kind_display()}：{name}")
    audit(actor, "add_meeting_attachment", attachment, area_path=meeting.area_path)
    return attachment


def create_plan(
    actor: Actor,
    *,
    org: Org,
    year: int,
    types: Iterable[str],
    frequency: str,
    day: int,
    start_time: time,
    topic: str,
    place: str = "",
) -> tuple[RecurringPlan, int]:
    """A recurring plan and the year's planned meetings from today on: (plan, meetings created).
    Submitting the same plan again creates nothing more (one meeting per plan and period)."""
    org = _check_org(org)
    _require(actor, MEETING_ADD, org, "您没有为该党组织安排会议的权限。")
    chosen = _check_types(types)
    if frequency not in RecurringPlan.Frequency.values:
        raise OrglifeError({"frequency": ["请选择频次。"]})
    if not 1 <= int(day) <= 28:
        raise OrglifeError({"day": ["固定日应在1至28日之间（每个月都有的日子）。"]})
    today = timezone.localdate()
    if year not in (today.year, today.year + 1):
        raise OrglifeError({"year": [f"只能制定{today.year}年或{today.year + 1}年的计划。"]})
    topic = _text(topic, "主题", 100, required=True, field="topic")
    place = _text(place, "地点", 120, field="place")
    with transaction.atomic():
        Org.objects.select_for_update().filter(pk=org.pk).first()
        plan = RecurringPlan.objects.filter(
            org=org, year=year, frequency=frequency, types=sorted(chosen), day=day, start_time=start_time
        ).first()
        if plan is None:
            plan = RecurringPlan.objects.create(
                org=org,
                org_path=org.code,
                area_path=org.area_path,
                year=year,
                types=sorted(chosen),
                frequency=frequency,
                day=day,
                start_time=start_time,
                topic=topic,
                place=place,
                created_by=_user(actor),
            )
            audit(actor, "create_meeting_plan", plan, after={"year": year, "types": chosen}, area_path=org.area_path)
        made = 0
        for period, start in enumerate(rules.period_starts(frequency, year, day), start=1):
            if start < today or plan.meetings.filter(plan_period=period).exists():
                continue
            when = timezone.make_aware(datetime.combine(start, start_time))
            label = (
                f"{start.month}月"
                if frequency == "monthly"
                else (f"第{(start.month + 2) // 3}季度" if frequency == "quarterly" else "")
            )
            create_meeting(
                actor,
                org=org,
                types=chosen,
                topic=f"{year}年{label}{topic}",
                planned_start=when,
                place=place,
                plan=plan,
                plan_period=period,
            )
            made += 1
    return plan, made


@transaction.atomic
def set_group_members(actor: Actor, group: Org, members: Iterable[Member]) -> int:
    """The members of a 党小组: members of its branch; a member is in one group at most."""
    if group.org_type != OrgType.GROUP or group.parent is None:
        raise OrglifeError({"group": ["请选择党小组。"]})
    _require(actor, MEETING_CHANGE, group, "您没有调整该党小组成员的权限。")
    chosen = list(members)
    for member in chosen:
        if member.org_id != group.parent_id:
            raise OrglifeError({"members": [f"“{member.name}”不是“{group.parent.name}”的党员，不能编入其党小组。"]})
    GroupMember.objects.filter(group=group).delete()
    GroupMember.objects.filter(member__in=chosen).delete()
    GroupMember.objects.bulk_create([GroupMember(group=group, member=m) for m in chosen])
    audit(actor, "set_group_members", group, after={"members": [m.pk for m in chosen]}, area_path=group.area_path)
    return len(chosen)


# --------------------------------------------------------------------------- 免于考核 (exemptions)


def request_exemption(
    actor: Actor, *, org: Org, kind: str, period: str, reason: str, meeting_type: str = ""
) -> tuple[Exemption, bool]:
    """A branch asks to be exempt: 延期召开 of one type for one period, or 撤销中 from a period on
    (every type). Waits for the higher org's decision; nothing counts before it is approved.

    Returns ``(row, created)`` as ``get_or_create`` does: a request pending or approved already
    (a double submit, or asked before) is returned with ``created=False`` and nothing written."""
    from .compliance import KIND_OF_FREQUENCY, Period, PeriodError

    org = _check_org(org)
    _require(actor, MEETING_CHANGE, org, "您没有为该党组织申请免于考核的权限。")
    errors: dict[str, list[str]] = {}
    if org.org_type not in BRANCH_TYPES:
        errors["org"] = ["只有党支部（含联合、临时党支部）参加组织生活考核。"]
    if kind not in ExemptionKind.values:
        errors["kind"] = ["请选择申请类别。"]
    parsed = None
    try:
        parsed = Period.parse(period)
    except PeriodError as exc:
        errors["period"] = [str(exc)]
    if kind == ExemptionKind.POSTPONE:
        if meeting_type not in MeetingType.values:
            errors["type"] = ["延期召开须选择会议类型。"]
        elif parsed is not None and KIND_OF_FREQUENCY.get(rules.frequency(meeting_type)) != parsed.kind:
            errors["type"] = [f"{MeetingType(meeting_type).label}不按该考核期（{parsed.label}）考核。"]
    elif meeting_type:
        errors["type"] = ["撤销中的党支部对所有会议类型免于考核，无需选择会议类型。"]
    try:
        reason = _text(reason, "申请理由", 300, required=True, field="reason")
    except OrglifeError as exc:
        errors.update(exc.message_dict)
    if parsed is not None and not errors:
        today = timezone.localdate()
        if parsed.end <= date(today.year - 1, 1, 1) or parsed.start > date(today.year + 1, 12, 31):
            errors["period"] = ["只能申请上一年度至下一年度的考核期。"]
    if errors:
        raise OrglifeError(errors)
    assert parsed is not None
    with transaction.atomic():
        Org.objects.select_for_update().filter(pk=org.pk).first()
        pending = Exemption.objects.filter(
            org=org, kind=kind, type=meeting_type, period=parsed.key, status__in=("pending", "approved")
        ).first()
        if pending is not None:  # a double submit, or asked already
            return pending, False
        row = Exemption.objects.create(
            org=org,
            org_path=org.code,
            area_path=org.area_path,
            kind=kind,
            type=meeting_type,
            period=parsed.key,
            starts=parsed.start,
            ends=parsed.end if kind == ExemptionKind.POSTPONE else None,
            reason=reason,
            requested_by=_user(actor),
        )
        audit(
            actor,
            "request_orglife_exemption",
            row,
            after={"kind": kind, "type": meeting_type, "period": parsed.key, "reason": reason},
            area_path=org.area_path,
        )
    return row, True


def decide_exemption(actor: Actor, exemption: Exemption, *, approve: bool, note: str = "") -> Exemption:
    """The higher org approves or refuses (with a note) a pending exemption; audited."""
    from .permissions import EXEMPTION_DECIDE

    with transaction.atomic():
        row = Exemption.objects.select_for_update(of=("self",)).select_related("org__parent").get(pk=exemption.pk)
        parent = row.org.parent
        if actor is not None and (
            parent is None
            or not holds(actor, EXEMPTION_DECIDE, areas=[parent.area_path], orgs=[parent.code])
            or _user(actor) == row.requested_by
        ):
            raise PermissionDenied("免于考核须由上级党组织审批。")
        if row.status != ExemptionStatus.PENDING:
            raise OrglifeError(f"该申请已{row.get_status_display()}，不能重复审批。")
        note = _text(note, "审批意见", 200, required=not approve, field="note")
        row.status = ExemptionStatus.APPROVED if approve else ExemptionStatus.REJECTED
        row.decided_by, row.decided_at, row.decision_note = _user(actor), timezone.now(), note
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            from . import rollup

            rollup.refresh([row.org_id])
        audit(
            actor,
            "decide_orglife_exemption",
            row,
            before={"status": ExemptionStatus.PENDING},
            after={"status": row.status, "note": note},
            area_path=row.area_path,
        )
    return row


def revoke_exemption(actor: Actor, exemption: Exemption, *, reason: str) -> Exemption:
    """撤销 an exemption, with a reason: a pending request by its branch's side (who may ask) or
    by the higher org; an approved one only by the higher org (it stops counting from now on, the
    compliance report reads approved rows only). Audited; a decided-against or revoked row stays."""
    from .permissions import EXEMPTION_DECIDE

    with transaction.atomic():
        row = Exemption.objects.select_for_update(of=("self",)).select_related("org__parent").get(pk=exemption.pk)
        parent = row.org.parent
        if row.status not in (ExemptionStatus.PENDING, ExemptionStatus.APPROVED):
            raise OrglifeError(f"该申请已{row.get_status_display()}，不能撤销。")
        if actor is not None:
            decider = parent is not None and holds(
                actor, EXEMPTION_DECIDE, areas=[parent.area_path], orgs=[parent.code]
            )
            if row.status == ExemptionStatus.APPROVED and not decider:
                raise PermissionDenied("已批准的免于考核只能由上级党组织撤销。")
            if row.status == ExemptionStatus.PENDING and not (
                decider or holds(actor, MEETING_CHANGE, areas=[row.area_path], orgs=[row.org_path])
            ):
                raise PermissionDenied("您没有撤销该免于考核申请的权限。")
        reason = _text(reason, "撤销原因", 200, required=True, field="reason")
        before = row.status
        row.status = ExemptionStatus.REVOKED
        row.decided_by, row.decided_at, row.decision_note = _user(actor), timezone.now(), reason
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit(
            actor,
            "revoke_orglife_exemption",
            row,
            before={"status": before},
            after={"status": row.status, "reason": reason},
            area_path=row.area_path,
        )
    return row

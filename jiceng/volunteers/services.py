"""Every write of 志愿服务: actor first, the row locked, counters, ledger and audit in one transaction.

Refusals are :class:`VolunteerError` with a Chinese message and a ``code`` naming the field.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import Actor, audit
from jiceng.areas.models import Area, Level, ancestor_codes
from jiceng.core.inputs import InputError, read_number
from jiceng.core.rules import get_rule
from jiceng.core.scope import scope_for
from jiceng.orglife import signin

from .models import (
    HOURS_MAX,
    Activity,
    ActivityStatus,
    HoursMonth,
    HoursRecord,
    HoursSource,
    HoursStatus,
    SignUp,
    SignUpStatus,
    Team,
    TeamMember,
    Volunteer,
)
from .permissions import ACTIVITY_ADD, HOURS_APPROVE, TEAM_ADD
from .signals import hours_approved

TENTH = Decimal("0.1")


class VolunteerError(ValidationError):
    pass


def _staff(actor: Actor, permission: str, path: str, what: str) -> None:
    if not scope_for(actor, permission).covers(path):
        raise VolunteerError(f"您没有权限{what}。", code="permission")


def _is_self(actor: Actor, volunteer: Volunteer) -> bool:
    return getattr(actor, "pk", None) is not None and volunteer.user_id == actor.pk  # type: ignore[union-attr]


def _text(value: str, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise VolunteerError(f"请填写{label}。", code="text")
    if len(value) > max_length:
        raise VolunteerError(f"{label}不能超过{max_length}个字。", code="text")
    return value


def read_hours(value, label: str = "时长") -> Decimal:
    try:
        number = read_number(value, label)
    except InputError as exc:
        raise VolunteerError(str(exc), code="hours") from None
    if number <= 0 or number > HOURS_MAX:
        raise VolunteerError(f"{label}应大于0且不超过24小时。", code="hours")
    if number != number.quantize(TENTH, rounding=ROUND_DOWN):
        raise VolunteerError(f"{label}最多保留1位小数。", code="hours")
    return number


# --------------------------------------------------------------------------- people and teams


def register_volunteer(
    actor: Actor,
    community: Area,
    name: str,
    *,
    phone: str = "",
    birth_date: date | None = None,
    user=None,
    member=None,
    skills: str = "",
) -> Volunteer:
    if community.level != Level.COMMUNITY:
        raise VolunteerError("志愿者须登记在社区。", code="community")
    if user is None or getattr(actor, "pk", None) != user.pk:
        _staff(actor, TEAM_ADD, community.code, "在该社区登记志愿者")
    with transaction.atomic():
        volunteer = Volunteer.objects.create(
            name=_text(name, "姓名", 50),
            phone=phone,
            birth_date=birth_date,
            community=community,
            area_path=community.code,
            user=user,
            member=member,
            skills=skills[:200],
        )
        audit(actor, "create", volunteer, area_path=community.code)
    return volunteer


def create_team(actor: Actor, community: Area, name: str, *, org=None, service_scope: str = "") -> Team:
    _staff(actor, TEAM_ADD, community.code, "在该社区成立志愿服务队")
    with transaction.atomic():
        team = Team.objects.create(
            name=_text(name, "队伍名称", 80),
            org=org,
            org_path=org.code if org else "",
            community=community,
            area_path=community.code,
            service_scope=service_scope[:200],
        )
        audit(actor, "create", team, area_path=community.code)
    return team


def add_team_member(actor: Actor, team: Team, volunteer: Volunteer, *, is_leader: bool = False) -> TeamMember:
    _staff(actor, TEAM_ADD, team.area_path, "管理该队伍")
    with transaction.atomic():
        Team.objects.select_for_update().get(pk=team.pk)
        if TeamMember.objects.filter(team=team, volunteer=volunteer).exists():
            raise VolunteerError(f"{volunteer.name}已是该队队员。", code="volunteer")
        membership = TeamMember.objects.create(team=team, volunteer=volunteer, is_leader=is_leader)
        Team.objects.filter(pk=team.pk).update(member_count=F("member_count") + 1)
        audit(actor, "timebank.team_join", team, after={"volunteer": volunteer.pk}, area_path=team.area_path)
    return membership


# --------------------------------------------------------------------------- activities


def create_activity(
    actor: Actor, team: Team, *, title: str, place: str, starts_at: datetime, ends_at: datetime, places
) -> Activity:
    _staff(actor, ACTIVITY_ADD, team.area_path, "为该队伍发布活动")
    errors = []
    for check in (lambda: _text(title, "活动名称", 80), lambda: _text(place, "活动地点", 120)):
        try:
            check()
        except VolunteerError as exc:
            errors.append(exc)
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        errors.append(VolunteerError("结束时间应晚于开始时间。", code="ends_at"))
    elif ends_at - starts_at > timedelta(hours=24):
        errors.append(VolunteerError("一次活动不超过24小时。", code="ends_at"))
    try:
        count = int(places)
        if not 1 <= count <= 10000:
            raise ValueError
    except (TypeError, ValueError):
        errors.append(VolunteerError("招募人数应为1至10000的整数。", code="places"))
        count = 0
    if errors:
        raise VolunteerError([e for exc in errors for e in exc.error_list])
    with transaction.atomic():
        activity = Activity.objects.create(
            team=team,
            title=title.strip(),
            place=place.strip(),
            starts_at=starts_at,
            ends_at=ends_at,
            places=count,
            area_path=team.area_path,
            created_by=actor if isinstance(actor, User) and actor.pk else None,
        )
        audit(actor, "create", activity, area_path=team.area_path)
    return activity


def _locked_activity(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().get(pk=activity.pk)


def sign_up(actor: Actor, activity: Activity, volunteer: Volunteer) -> SignUp:
    """Take a place, or a place on the waiting list when all are taken (the activity row locked:
    many clients racing for the last place have exactly one winner)."""
    if not _is_self(actor, volunteer):
        _staff(actor, ACTIVITY_ADD, activity.area_path, "代志愿者报名该活动")
    with transaction.atomic():
        activity = _locked_activity(activity)
        if activity.status != ActivityStatus.OPEN:
            raise VolunteerError("该活动已结束或已取消，不能报名。", code="status")
        if activity.ends_at <= timezone.now():
            raise VolunteerError("该活动已结束，不能报名。", code="status")
        if SignUp.objects.filter(
            activity=activity, volunteer=volunteer, status__in=[SignUpStatus.CONFIRMED, SignUpStatus.WAITING]
        ).exists():
            raise VolunteerError("您已报名该活动。", code="duplicate")
        if activity.taken < activity.places:
            status = SignUpStatus.CONFIRMED
            Activity.objects.filter(pk=activity.pk).update(taken=F("taken") + 1)
        else:
            status = SignUpStatus.WAITING
            Activity.objects.filter(pk=activity.pk).update(waiting=F("waiting") + 1)
        try:
            with transaction.atomic():
                signup = SignUp.objects.create(
                    activity=activity, volunteer=volunteer, status=status, area_path=activity.area_path
                )
        except IntegrityError:
            raise VolunteerError("您已报名该活动。", code="duplicate") from None
        audit(actor, "volunteers.sign_up", signup, after={"status": status}, area_path=activity.area_path)
    return signup


def cancel_signup(actor: Actor, signup: SignUp) -> SignUp | None:
    """Cancel a sign-up; a freed place goes to the first on the waiting list. Returns the promoted one."""
    if not _is_self(actor, signup.volunteer):
        _staff(actor, ACTIVITY_ADD, signup.area_path, "取消该报名")
    promoted = None
    with transaction.atomic():
        activity = _locked_activity(signup.activity)
        signup = SignUp.objects.select_for_update().get(pk=signup.pk)
        if signup.status == SignUpStatus.CANCELLED:
            raise VolunteerError("该报名已取消。", code="status")
        if signup.signed_in_at is not None:
            raise VolunteerError("已签到的报名不能取消。", code="status")
        was = signup.status
        SignUp.objects.filter(pk=signup.pk).update(status=SignUpStatus.CANCELLED)
        if was == SignUpStatus.WAITING:
            Activity.objects.filter(pk=activity.pk).update(waiting=F("waiting") - 1)
        else:
            first = (
                SignUp.objects.select_for_update()
                .filter(activity=activity, status=SignUpStatus.WAITING)
                .order_by("created_at", "id")
                .first()
            )
            if first is None:
                Activity.objects.filter(pk=activity.pk).update(taken=F("taken") - 1)
            else:
                SignUp.objects.filter(pk=first.pk).update(status=SignUpStatus.CONFIRMED, promoted_at=timezone.now())
                Activity.objects.filter(pk=activity.pk).update(waiting=F("waiting") - 1)
                promoted = first
        audit(
            actor,
            "volunteers.cancel",
            signup,
            after={"promoted": promoted.pk if promoted else None},
            area_path=signup.area_path,
        )
    return promoted


def _signup_of(activity: Activity, volunteer: Volunteer) -> SignUp:
    signup = (
        SignUp.objects.select_for_update()
        .filter(activity=activity, volunteer=volunteer, status=SignUpStatus.CONFIRMED)
        .first()
    )
    if signup is None:
        raise VolunteerError("您没有该活动的有效报名（候补中或未报名），不能签到。", code="signup")
    return signup


def sign_in(
    actor: Actor, activity: Activity, volunteer: Volunteer, code: str, *, now: datetime | None = None
) -> SignUp:
    """Scan the activity's rotating code (orglife's QR mechanism), within the activity's time."""
    if not _is_self(actor, volunteer):
        raise VolunteerError("请志愿者本人扫码签到。", code="permission")
    now = now or timezone.now()
    try:
        signin.check_object_code("activity", activity, signin.parse(code), now.timestamp(), noun="活动")
    except signin.CodeError as exc:
        raise VolunteerError(str(exc), code="code") from None
    opens = activity.starts_at - timedelta(minutes=get_rule("volunteers.signin_early_minutes"))
    if not opens <= now <= activity.ends_at:
        local = timezone.localtime
        raise VolunteerError(
            f"不在活动签到时间内：签到时间为 {local(opens):%m-%d %H:%M} 至 {local(activity.ends_at):%m-%d %H:%M}。",
            code="time",
        )
    with transaction.atomic():
        _locked_activity(activity)
        signup = _signup_of(activity, volunteer)
        if signup.signed_in_at is not None:
            raise VolunteerError("您已签到。", code="duplicate")
        SignUp.objects.filter(pk=signup.pk).update(signed_in_at=now)
        signup.signed_in_at = now
        audit(actor, "volunteers.sign_in", signup, area_path=activity.area_path)
    return signup


def sign_out(
    actor: Actor, activity: Activity, volunteer: Volunteer, code: str, *, now: datetime | None = None
) -> HoursRecord | None:
    """Scan again to sign out: the hours between sign-in and sign-out (within the activity's time,
    at most the day's remaining cap) are recorded as verified attendance, approved and credited."""
    if not _is_self(actor, volunteer):
        raise VolunteerError("请志愿者本人扫码签退。", code="permission")
    now = now or timezone.now()
    try:
        signin.check_object_code("activity", activity, signin.parse(code), now.timestamp(), noun="活动")
    except signin.CodeError as exc:
        raise VolunteerError(str(exc), code="code") from None
    if now > activity.ends_at + timedelta(minutes=get_rule("volunteers.signout_late_minutes")):
        raise VolunteerError("活动已结束较久，不能再签退，请联系社区补录时长。", code="time")
    with transaction.atomic():
        _locked_activity(activity)
        signup = (
            SignUp.objects.select_for_update()
            .filter(activity=activity, volunteer=volunteer, status=SignUpStatus.CONFIRMED)
            .first()
        )
        if signup is None or signup.signed_in_at is None:
            raise VolunteerError("请先签到再签退。", code="signup")
        if signup.signed_out_at is not None:
            raise VolunteerError("您已签退。", code="duplicate")
        SignUp.objects.filter(pk=signup.pk).update(signed_out_at=now)
        start = max(signup.signed_in_at, activity.starts_at)
        end = min(now, activity.ends_at)
        hours = (Decimal(max((end - start).total_seconds(), 0)) / Decimal(3600)).quantize(TENTH, rounding=ROUND_DOWN)
        record = None
        if hours > 0:
            served_on = timezone.localtime(activity.starts_at).date()
            locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
            hours = min(hours, _remaining_today(locked, served_on))
            if hours > 0:
                record = HoursRecord.objects.create(
                    volunteer=volunteer,
                    activity=activity,
                    team_id=activity.team_id,
                    source=HoursSource.ATTENDANCE,
                    served_on=served_on,
                    hours=hours,
                    content=activity.title,
                    area_path=activity.area_path,
                )
                _approve(actor, record)
        audit(actor, "volunteers.sign_out", signup, after={"hours": str(hours)}, area_path=activity.area_path)
    return record


# --------------------------------------------------------------------------- hours


def _remaining_today(volunteer: Volunteer, day: date) -> Decimal:
    cap = get_rule("volunteers.daily_hours_cap")
    used = HoursRecord.objects.filter(
        volunteer=volunteer, served_on=day, status__in=[HoursStatus.PENDING, HoursStatus.APPROVED]
    ).aggregate(total=Sum("hours"))["total"] or Decimal("0")
    return max(cap - used, Decimal("0"))


def record_hours(
    actor: Actor,
    volunteer: Volunteer,
    hours,
    served_on: date,
    content: str,
    *,
    source: str = HoursSource.SELF,
    activity: Activity | None = None,
    team: Team | None = None,
) -> HoursRecord:
    """A pending hours record (self-reported, or a redeemed service), within the daily cap."""
    errors = []
    try:
        hours = read_hours(hours, "服务时长")
    except VolunteerError as exc:
        errors.append(exc)
    try:
        content = _text(content, "服务内容", 200)
    except VolunteerError as exc:
        errors.append(exc)
    today = timezone.localdate()
    if served_on is None or served_on > today:
        errors.append(VolunteerError("服务日期不能晚于今天。", code="served_on"))
    elif served_on < today - timedelta(days=get_rule("volunteers.report_past_days")):
        errors.append(
            VolunteerError(f"只能申报{get_rule('volunteers.report_past_days')}天内的服务时长。", code="served_on")
        )
    if errors:
        raise VolunteerError([e for exc in errors for e in exc.error_list])
    with transaction.atomic():
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        remaining = _remaining_today(locked, served_on)
        if hours > remaining:
            cap = get_rule("volunteers.daily_hours_cap")
            left = remaining.quantize(TENTH)
            raise VolunteerError(
                f"超过每日时长上限：{served_on:%Y-%m-%d} 每人最多计 {cap} 小时，当天还可申报 {left} 小时。",
                code="hours",
            )
        record = HoursRecord.objects.create(
            volunteer=volunteer,
            activity=activity,
            team=team,
            source=source,
            served_on=served_on,
            hours=hours,
            content=content,
            area_path=volunteer.area_path,
        )
        audit(actor, "create", record, after={"hours": str(hours)}, area_path=volunteer.area_path)
    return record


def report_hours(
    actor: Actor, volunteer: Volunteer, hours, served_on: date, content: str, team: Team | None = None
) -> HoursRecord:
    if not _is_self(actor, volunteer):
        _staff(actor, HOURS_APPROVE, volunteer.area_path, "为该志愿者登记时长")
    return record_hours(actor, volunteer, hours, served_on, content, source=HoursSource.SELF, team=team)


def _approve(actor: Actor, record: HoursRecord) -> None:
    """Inside the caller's transaction: approve, count it monthly, credit it, tell listeners."""
    from jiceng.timebank import services as ledger

    now = timezone.now()
    HoursRecord.objects.filter(pk=record.pk).update(
        status=HoursStatus.APPROVED, decided_by=actor if getattr(actor, "pk", None) else None, decided_at=now
    )
    record.status = HoursStatus.APPROVED
    month = record.served_on.replace(day=1)
    for path in sorted([*ancestor_codes(record.area_path), record.area_path]):
        row, _ = HoursMonth.objects.select_for_update().get_or_create(path=path, month=month)
        HoursMonth.objects.filter(pk=row.pk).update(hours=F("hours") + record.hours, records=F("records") + 1)
    ledger.earn(actor, record)
    hours_approved.send(sender=HoursRecord, record=record, actor=actor)


def approve_hours(actor: Actor, record: HoursRecord) -> HoursRecord:
    _staff(actor, HOURS_APPROVE, record.area_path, "审核该时长")
    with transaction.atomic():
        record = (
            HoursRecord.objects.select_for_update(of=("self",)).select_related("volunteer__community").get(pk=record.pk)
        )
        if record.status != HoursStatus.PENDING:
            raise VolunteerError("该时长已审核过。", code="status")
        _approve(actor, record)
        audit(actor, "volunteers.approve_hours", record, after={"hours": str(record.hours)}, area_path=record.area_path)
    return record


def reject_hours(actor: Actor, record: HoursRecord, reason: str) -> HoursRecord:
    _staff(actor, HOURS_APPROVE, record.area_path, "审核该时长")
    reason = _text(reason, "退回原因", 200)
    with transaction.atomic():
        record = HoursRecord.objects.select_for_update().get(pk=record.pk)
        if record.status != HoursStatus.PENDING:
            raise VolunteerError("该时长已审核过。", code="status")
        HoursRecord.objects.filter(pk=record.pk).update(
            status=HoursStatus.REJECTED,
            reason=reason,
            decided_by=actor if getattr(actor, "pk", None) else None,
            decided_at=timezone.now(),
        )
        record.status = HoursStatus.REJECTED
        audit(actor, "volunteers.reject_hours", record, after={"reason": reason}, area_path=record.area_path)
    return record

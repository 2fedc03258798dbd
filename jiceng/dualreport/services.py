"""Every write of 双报到: actor first, the row locked, the tallies and the audit in one transaction.

Who may act is decided here, against the row's community (``area_path``) or the member's own
side, so a page, the API and a test reach the same answer. Refusals are :class:`DualError` with a
Chinese message and a ``code`` naming the field it is about.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import Actor, audit, snapshot
from jiceng.areas.models import Area, Level, code_at_level
from jiceng.core.inputs import InputError, check_text, read_number
from jiceng.core.scope import scope_for
from jiceng.members.models import PARTY_MEMBER_STATUSES, Member
from jiceng.orgs.models import ResidentUnit

from .models import (
    ACTIVE_STATUSES,
    HOURS_MAX,
    Delivery,
    Feedback,
    PostStatus,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    Service,
    ServiceCorrection,
    ServicePost,
    ServiceStatus,
    SignUp,
    YearTally,
)
from .permissions import FEEDBACK_ADD, POST_ADD, REGISTRATION_ADD, REGISTRATION_CONFIRM, SERVICE_CONFIRM
from .rules import backdate_days, yearly_target
from .signals import service_confirmed, service_corrected

SERVICE_FIELDS = ["served_on", "hours", "content", "status"]


class DualError(ValidationError):
    pass


def _today() -> date:
    return timezone.localdate()


def _text(value: str, label: str, *, required: bool = True, max_length: int = 300, code: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise DualError(f"请填写{label}。", code=code or "text")
    if len(value) > max_length:
        raise DualError(f"{label}不能超过{max_length}个字。", code=code or "text")
    try:
        return check_text(value, label, multiline=False)
    except InputError as exc:
        raise DualError(str(exc), code=code or "text") from None


def city_of(path: str) -> str:
    return code_at_level(path, Level.CITY)


def home_city(member: Member) -> str:
    """The city a member lives in: of the residence when the roster has it, else of the branch."""
    return city_of(member.residence_path or member.area_path)


def _user(actor: Actor) -> User | None:
    """The acting account to record (``None`` for the system and anonymous callers)."""
    return actor if isinstance(actor, User) else None


def _is_self(actor: Actor, member: Member | None) -> bool:
    user = _user(actor)
    return member is not None and user is not None and member.user_id == user.pk


def _holds_on_community(actor: Actor, permission: str, area_path: str) -> bool:
    return scope_for(actor, permission).covers(area_path)


def _require(actor: Actor, permission: str, area_path: str, message: str) -> None:
    if actor is not None and not _holds_on_community(actor, permission, area_path):
        raise DualError(message, code="permission")


def _check_community(community: Area | None, city: str) -> Area:
    if community is None:
        raise DualError("请选择报到的社区。", code="community")
    if community.level != Level.COMMUNITY:
        raise DualError(
            f"“{community.name}”是{community.get_level_display()}，只能向社区报到，请选择社区。", code="community"
        )
    if city_of(community.code) != city:
        raise DualError(f"“{community.name}”不在本市，只能向本市的社区报到。", code="community")
    return community


# --------------------------------------------------------------------------- registrations


def _paths_of_member(member: Member) -> dict:
    return {"org_path": member.org_path, "branch_area_path": member.area_path}


def register_member(
    actor: Actor, member: Member, community: Area | None, *, phone: str = "", skills: str = "", on: date | None = None
) -> Registration:
    """An employed member reports to the community where they live: by themselves (我的双报到) or
    by their branch's or the community's staff for them."""
    phone = _text(phone, "联系电话", required=False, max_length=20, code="phone")
    skills = _text(skills, "特长与服务意向", required=False, max_length=200, code="skills")
    with transaction.atomic():
        member = Member.objects.select_for_update(of=("self",)).select_related("org").get(pk=member.pk)
        if not _is_self(actor, member) and actor is not None:
            scope = scope_for(actor, REGISTRATION_ADD)
            # The member's own branch (and the offices above it), or the community they live in and
            # report to (a member who comes to the community office in person).
            sides = (member.area_path, member.residence_path, community.code if community is not None else "")
            if not (scope.covers_org(member.org_path) or any(scope.covers(path) for path in sides if path)):
                raise DualError("您无权为该党员登记双报到。", code="permission")
        if member.status not in PARTY_MEMBER_STATUSES or member.left_on or member.exit_date:
            raise DualError(f"{member.name}不是在册的党员，不能登记双报到。", code="member")
        if not member.is_employed:
            raise DualError(f"{member.name}不是在职党员：只有在职党员到居住地社区报到。", code="member")
        community = _check_community(community, home_city(member))
        existing = Registration.objects.filter(member=member, status__in=ACTIVE_STATUSES).select_related("community")
        current = existing.first()
        if current is not None:
            raise DualError(
                f"{member.name}已向“{current.community.name}”报到（{current.get_status_display()}），"
                "同一时间只能有一个有效的报到。",
                code="duplicate",
            )
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    kind=RegistrationKind.MEMBER,
                    member=member,
                    org=member.org,
                    community=community,
                    area_path=community.code,
                    phone=phone or member.phone,
                    skills=skills,
                    registered_on=on or _today(),
                    created_by=_user(actor),
                    **_paths_of_member(member),
                )
        except IntegrityError:
            raise DualError(f"{member.name}已有一个有效的报到。", code="duplicate") from None
        audit(actor, "dual_register", registration, after=_reg_snapshot(registration), area_path=community.code)
    return registration


def register_unit(actor: Actor, unit: ResidentUnit, community: Area | None, *, on: date | None = None) -> Registration:
    """A resident unit's party org reports to the community (组织报到, 共驻共建)."""
    with transaction.atomic():
        unit = ResidentUnit.objects.select_for_update(of=("self",)).select_related("party_org").get(pk=unit.pk)
        if actor is not None:
            scope = scope_for(actor, REGISTRATION_ADD)
            if not (scope.covers(unit.area_path) or (community is not None and scope.covers(community.code))):
                raise DualError("您无权为该单位登记组织报到。", code="permission")
        if unit.party_org is None:
            raise DualError(f"“{unit.name}”尚未建立党组织，不能办理组织报到。", code="unit")
        community = _check_community(community, city_of(unit.area_path))
        if Registration.objects.filter(unit=unit, status__in=ACTIVE_STATUSES).exists():
            raise DualError(f"“{unit.name}”已有一个有效的组织报到。", code="duplicate")
        org = unit.party_org
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    kind=RegistrationKind.UNIT,
                    unit=unit,
                    org=org,
                    community=community,
                    area_path=community.code,
                    org_path=org.code,
                    branch_area_path=org.area_path,
                    phone=unit.contact_phone,
                    registered_on=on or _today(),
                    created_by=_user(actor),
                )
        except IntegrityError:
            raise DualError(f"“{unit.name}”已有一个有效的组织报到。", code="duplicate") from None
        audit(actor, "dual_register_unit", registration, after=_reg_snapshot(registration), area_path=community.code)
    return registration


def _reg_snapshot(registration: Registration) -> dict:
    return snapshot(registration, ["kind", "status", "member", "unit", "org", "community", "reason"])


def _locked_registration(registration: Registration) -> Registration:
    return Registration.objects.select_for_update().get(pk=registration.pk)


@transaction.atomic
def confirm_registration(actor: Actor, registration: Registration) -> Registration:
    registration = _locked_registration(registration)
    _require(actor, REGISTRATION_CONFIRM, registration.area_path, "只有报到社区可以确认报到。")
    if registration.status != RegistrationStatus.PENDING:
        raise DualError(f"该报到{registration.get_status_display()}，不能再确认。", code="status")
    before = _reg_snapshot(registration)
    registration.status = RegistrationStatus.CONFIRMED
    registration.decided_by = _user(actor)
    registration.decided_at = timezone.now()
    registration.save(update_fields=["status", "decided_by", "decided_at"])
    if registration.member_id:
        _tally_row(registration, _today().year)
    audit(
        actor,
        "dual_confirm",
        registration,
        before=before,
        after=_reg_snapshot(registration),
        area_path=registration.area_path,
    )
    return registration


@transaction.atomic
def reject_registration(actor: Actor, registration: Registration, reason: str) -> Registration:
    reason = _text(reason, "退回原因", max_length=200, code="reason")
    registration = _locked_registration(registration)
    _require(actor, REGISTRATION_CONFIRM, registration.area_path, "只有报到社区可以退回报到。")
    if registration.status != RegistrationStatus.PENDING:
        raise DualError(f"该报到{registration.get_status_display()}，不能退回。", code="status")
    before = _reg_snapshot(registration)
    registration.status = RegistrationStatus.REJECTED
    registration.reason = reason
    registration.decided_by = _user(actor)
    registration.decided_at = timezone.now()
    registration.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    audit(
        actor,
        "dual_reject",
        registration,
        before=before,
        after=_reg_snapshot(registration),
        area_path=registration.area_path,
    )
    return registration


@transaction.atomic
def end_registration(actor: Actor, registration: Registration, reason: str) -> Registration:
    """结束报到 (the member moved, changed jobs, retired): by the community or the member; the
    services stay on record and a new registration may follow."""
    reason = _text(reason, "结束原因", max_length=200, code="reason")
    registration = Registration.objects.select_for_update(of=("self",)).select_related("member").get(pk=registration.pk)
    if not _is_self(actor, registration.member):
        _require(actor, REGISTRATION_CONFIRM, registration.area_path, "只有报到社区或党员本人可以结束报到。")
    if registration.status not in ACTIVE_STATUSES:
        raise DualError(f"该报到{registration.get_status_display()}，不能结束。", code="status")
    before = _reg_snapshot(registration)
    registration.status = RegistrationStatus.ENDED
    registration.reason = reason
    registration.save(update_fields=["status", "reason"])
    audit(
        actor,
        "dual_end",
        registration,
        before=before,
        after=_reg_snapshot(registration),
        area_path=registration.area_path,
    )
    return registration


# --------------------------------------------------------------------------- posts and sign-ups


def _check_post_fields(title, needs, starts_on, ends_on, places) -> dict:
    title = _text(title, "岗位名称", max_length=80, code="title")
    needs = _text(needs, "服务内容与要求", max_length=300, code="needs")
    if starts_on is None or ends_on is None:
        raise DualError("请填写开始和结束日期。", code="dates")
    if ends_on < starts_on:
        raise DualError("结束日期不能早于开始日期。", code="dates")
    if ends_on < _today():
        raise DualError("结束日期已过，不能发布。", code="dates")
    if (ends_on - starts_on).days > 366:
        raise DualError("一个岗位的时间跨度不能超过一年。", code="dates")
    if isinstance(places, bool) or not isinstance(places, int) or not 1 <= places <= 500:
        raise DualError("招募人数应为1至500之间的整数。", code="places")
    return {"title": title, "needs": needs, "starts_on": starts_on, "ends_on": ends_on, "places": places}


@transaction.atomic
def create_post(actor: Actor, community: Area, *, title, needs, starts_on, ends_on, places) -> ServicePost:
    if community is None or community.level != Level.COMMUNITY:
        raise DualError("服务岗位只能由社区发布。", code="community")
    _require(actor, POST_ADD, community.code, "您无权在该社区发布服务岗位。")
    fields = _check_post_fields(title, needs, starts_on, ends_on, places)
    post = ServicePost.objects.create(
        community=community,
        area_path=community.code,
        created_by=_user(actor),
        **fields,
    )
    audit(actor, "dual_post_create", post, after=snapshot(post, list(fields)), area_path=community.code)
    return post


@transaction.atomic
def close_post(actor: Actor, post: ServicePost) -> ServicePost:
    post = ServicePost.objects.select_for_update().get(pk=post.pk)
    _require(actor, POST_ADD, post.area_path, "您无权关闭该岗位。")
    if post.status == PostStatus.CLOSED:
        raise DualError("该岗位已结束。", code="status")
    post.status = PostStatus.CLOSED
    post.save(update_fields=["status"])
    audit(actor, "dual_post_close", post, after={"status": post.status}, area_path=post.area_path)
    return post


def sign_up(actor: Actor, post: ServicePost, member: Member) -> SignUp:
    """A member signs up for a post of the community they reported to; the post row is locked, so
    concurrent sign-ups for the last place have exactly one winner."""
    with transaction.atomic():
        post = ServicePost.objects.select_for_update().get(pk=post.pk)
        if not _is_self(actor, member) and actor is not None:
            _require(actor, SERVICE_CONFIRM, post.area_path, "您无权为该党员报名。")
        registration = Registration.objects.filter(
            member=member, community_id=post.community_id, status=RegistrationStatus.CONFIRMED
        ).first()
        if registration is None:
            raise DualError("只有已向该社区报到（并经社区确认）的党员可以报名。", code="registration")
        if post.status != PostStatus.OPEN or post.ends_on < _today():
            raise DualError(f"岗位“{post.title}”已结束报名。", code="status")
        if SignUp.objects.filter(post=post, member=member).exists():
            raise DualError(f"您已报名“{post.title}”。", code="duplicate")
        if post.taken >= post.places:
            raise DualError(f"岗位“{post.title}”的{post.places}个名额已满。", code="places")
        try:
            with transaction.atomic():
                signup = SignUp.objects.create(
                    post=post,
                    registration=registration,
                    member=member,
                    area_path=post.area_path,
                    org_path=registration.org_path,
                    branch_area_path=registration.branch_area_path,
                )
        except IntegrityError:
            raise DualError(f"您已报名“{post.title}”。", code="duplicate") from None
        ServicePost.objects.filter(pk=post.pk).update(taken=F("taken") + 1)
        audit(actor, "dual_sign_up", signup, after={"post": post.pk, "member": member.pk}, area_path=post.area_path)
    return signup


def cancel_sign_up(actor: Actor, post: ServicePost, member: Member) -> None:
    """取消报名: the member (or the community) withdraws a sign-up while the post runs and before
    any service was recorded for it; the place is freed under the post's lock."""
    with transaction.atomic():
        post = ServicePost.objects.select_for_update().get(pk=post.pk)
        if not _is_self(actor, member) and actor is not None:
            _require(actor, SERVICE_CONFIRM, post.area_path, "您无权取消该党员的报名。")
        signup = SignUp.objects.filter(post=post, member=member).first()
        if signup is None:
            raise DualError(f"您没有报名“{post.title}”。", code="signup")
        if post.ends_on < _today():
            raise DualError(f"岗位“{post.title}”已结束，不能取消报名。", code="status")
        if Service.objects.filter(post=post, member=member).exists():
            raise DualError(f"已申报“{post.title}”的服务，不能取消报名。", code="service")
        signup.delete()
        ServicePost.objects.filter(pk=post.pk, taken__gt=0).update(taken=F("taken") - 1)
        audit(actor, "dual_cancel_sign_up", post, after={"member": member.pk}, area_path=post.area_path)


# --------------------------------------------------------------------------- services


def read_hours(value) -> Decimal:
    try:
        hours = read_number(value, "服务时长")
    except InputError as exc:
        raise DualError(str(exc), code="hours") from None
    if hours <= 0:
        raise DualError("服务时长应大于0小时。", code="hours")
    if hours > HOURS_MAX:
        raise DualError(f"一次服务时长不能超过一天（{HOURS_MAX}小时）。", code="hours")
    if hours != hours.quantize(Decimal("0.1")):
        raise DualError("服务时长最多保留一位小数。", code="hours")
    return hours.quantize(Decimal("0.1"))


def check_served_on(served_on: date | None, registration: Registration) -> date:
    if served_on is None:
        raise DualError("请填写服务日期。", code="served_on")
    today = _today()
    if served_on > today:
        raise DualError("服务日期不能晚于今天。", code="served_on")
    if served_on < registration.registered_on:
        raise DualError(f"服务日期不能早于报到日期（{registration.registered_on:%Y-%m-%d}）。", code="served_on")
    if served_on < today - timedelta(days=backdate_days()):
        raise DualError(f"服务日期超过{backdate_days()}天，不能补登。", code="served_on")
    return served_on


def record_service(
    actor: Actor,
    registration: Registration,
    *,
    served_on: date | None,
    hours,
    content: str,
    post: ServicePost | None = None,
    confirm: bool = False,
) -> Service:
    """A service a member did: reported by the member (待确认), or recorded by the community, who
    may confirm it at once (``confirm``)."""
    hours = read_hours(hours)
    content = _text(content, "服务内容", max_length=300, code="content")
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",)).select_related("member").get(pk=registration.pk)
        )
        staff = actor is None or _holds_on_community(actor, SERVICE_CONFIRM, registration.area_path)
        if not staff and not _is_self(actor, registration.member):
            raise DualError("您无权登记该党员的服务。", code="permission")
        if confirm and not staff:
            raise DualError("服务须由社区确认。", code="permission")
        member = registration.member
        if member is None or registration.status != RegistrationStatus.CONFIRMED:
            raise DualError("报到经社区确认后才能登记服务。", code="registration")
        served_on = check_served_on(served_on, registration)
        if post is not None and post.community_id != registration.community_id:
            raise DualError("该岗位不属于报到社区。", code="post")
        service = Service.objects.create(
            registration=registration,
            member=member,
            post=post,
            served_on=served_on,
            hours=hours,
            content=content,
            area_path=registration.area_path,
            org_path=registration.org_path,
            branch_area_path=registration.branch_area_path,
            created_by=_user(actor),
        )
        audit(actor, "dual_service_record", service, after=_service_snapshot(service), area_path=service.area_path)
        if confirm:
            service = _confirm(actor, service)
    return service


def _service_snapshot(service: Service) -> dict:
    data = snapshot(service, SERVICE_FIELDS)
    data["served_on"] = f"{service.served_on:%Y-%m-%d}"
    data["hours"] = str(service.hours)
    return data


def _tally_row(registration: Registration, year: int) -> YearTally:
    assert registration.member_id is not None, "tallies are per member"
    tally, _ = YearTally.objects.get_or_create(
        member_id=registration.member_id,
        year=year,
        defaults={
            "area_path": registration.area_path,
            "org_path": registration.org_path,
            "branch_area_path": registration.branch_area_path,
        },
    )
    return tally


def _add_to_tally(service: Service, count: int, hours: Decimal) -> None:
    tally = _tally_row(service.registration, service.served_on.year)
    YearTally.objects.filter(pk=tally.pk).update(services=F("services") + count, hours=F("hours") + hours)
    from jiceng.dualreport.metrics import on_tally

    on_tally(service, count, hours)


def _confirm(actor: Actor, service: Service) -> Service:
    before = _service_snapshot(service)
    service.status = ServiceStatus.CONFIRMED
    service.confirmed_by = _user(actor)
    service.confirmed_at = timezone.now()
    service.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    _add_to_tally(service, 1, service.hours)
    service_confirmed.send(sender=Service, service=service, actor=actor)
    audit(
        actor,
        "dual_service_confirm",
        service,
        before=before,
        after=_service_snapshot(service),
        area_path=service.area_path,
    )
    return service


def _locked_service(service: Service) -> Service:
    return Service.objects.select_for_update(of=("self",)).select_related("registration", "member").get(pk=service.pk)


@transaction.atomic
def confirm_service(actor: Actor, service: Service) -> Service:
    service = _locked_service(service)
    _require(actor, SERVICE_CONFIRM, service.area_path, "只有报到社区可以确认服务。")
    if service.status != ServiceStatus.PENDING:
        raise DualError(f"该服务记录{service.get_status_display()}，不能再确认。", code="status")
    return _confirm(actor, service)


@transaction.atomic
def reject_service(actor: Actor, service: Service, reason: str) -> Service:
    reason = _text(reason, "未认可原因", max_length=200, code="reason")
    service = _locked_service(service)
    _require(actor, SERVICE_CONFIRM, service.area_path, "只有报到社区可以处理服务记录。")
    if service.status != ServiceStatus.PENDING:
        raise DualError(f"该服务记录{service.get_status_display()}，不能再处理。", code="status")
    before = _service_snapshot(service)
    service.status = ServiceStatus.REJECTED
    service.reason = reason
    service.save(update_fields=["status", "reason"])
    audit(
        actor,
        "dual_service_reject",
        service,
        before=before,
        after=_service_snapshot(service),
        area_path=service.area_path,
    )
    return service


@transaction.atomic
def correct_service(
    actor: Actor,
    service: Service,
    *,
    reason: str,
    served_on: date | None = None,
    hours=None,
    content: str | None = None,
) -> Service:
    """A confirmed service is locked: a change is a logged correction (before, after, reason) and
    moves the tallies in the same transaction."""
    reason = _text(reason, "更正原因", max_length=200, code="reason")
    service = _locked_service(service)
    _require(actor, SERVICE_CONFIRM, service.area_path, "只有报到社区可以更正服务记录。")
    if service.status != ServiceStatus.CONFIRMED:
        raise DualError("只有已确认的服务记录需要更正；待确认的记录请直接确认或不予认可。", code="status")
    new_hours = read_hours(hours) if hours not in (None, "") else service.hours
    new_day = check_served_on(served_on, service.registration) if served_on is not None else service.served_on
    new_content = _text(content, "服务内容", max_length=300, code="content") if content is not None else service.content
    before = _service_snapshot(service)
    if (new_day, new_hours, new_content) == (service.served_on, service.hours, service.content):
        raise DualError("没有需要更正的内容。", code="unchanged")
    _add_to_tally(service, -1, -service.hours)
    service.served_on, service.hours, service.content = new_day, new_hours, new_content
    service.save(update_fields=["served_on", "hours", "content"])
    _add_to_tally(service, 1, service.hours)
    after = _service_snapshot(service)
    ServiceCorrection.objects.create(service=service, actor=_user(actor), reason=reason, before=before, after=after)
    service_corrected.send(sender=Service, service=service, actor=actor)
    audit(
        actor,
        "dual_service_correct",
        service,
        before=before,
        after={**after, "reason": reason},
        area_path=service.area_path,
    )
    return service


# --------------------------------------------------------------------------- feedback


def delivery_for(registration: Registration) -> str:
    """In the system when the member's branch is in the community's city, else a printed letter."""
    return (
        Delivery.SYSTEM
        if city_of(registration.branch_area_path) == city_of(registration.area_path)
        else Delivery.LETTER
    )


def send_feedback(actor: Actor, registration: Registration, *, year: int, comment: str) -> Feedback:
    """服务情况反馈 to the member's branch: the year's confirmed services from the tally."""
    comment = _text(comment, "社区评价", max_length=300, code="comment")
    today = _today()
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= today.year:
        raise DualError(f"反馈年度应在2000年至{today.year}年之间。", code="year")
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",)).select_related("member", "org").get(pk=registration.pk)
        )
        _require(actor, FEEDBACK_ADD, registration.area_path, "只有报到社区可以发送服务情况反馈。")
        member = registration.member
        if member is None:
            raise DualError("服务情况反馈针对在职党员个人。", code="registration")
        if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.ENDED):
            raise DualError("报到尚未确认，不能反馈。", code="registration")
        if Feedback.objects.filter(registration=registration, year=year, sent_on=today).exists():
            raise DualError(f"今天已发送过{year}年度的反馈。", code="duplicate")
        tally = YearTally.objects.filter(member_id=member.pk, year=year).first()
        try:
            with transaction.atomic():
                feedback = Feedback.objects.create(
                    registration=registration,
                    member=member,
                    org=registration.org,
                    community_id=registration.community_id,
                    year=year,
                    sent_on=today,
                    delivery=delivery_for(registration),
                    services=tally.services if tally else 0,
                    hours=tally.hours if tally else Decimal("0"),
                    target=yearly_target(),
                    comment=comment,
                    area_path=registration.area_path,
                    org_path=registration.org_path,
                    branch_area_path=registration.branch_area_path,
                    sent_by=_user(actor),
                )
        except IntegrityError:
            raise DualError(f"今天已发送过{year}年度的反馈。", code="duplicate") from None
        audit(
            actor,
            "dual_feedback",
            feedback,
            after={"year": year, "services": feedback.services, "delivery": feedback.delivery},
            area_path=registration.area_path,
        )
    return feedback


@transaction.atomic
def mark_feedback_read(actor: Actor, feedback: Feedback) -> Feedback:
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.read_at is None:
        feedback.read_at = timezone.now()
        feedback.read_by = _user(actor)
        feedback.save(update_fields=["read_at", "read_by"])
    return feedback


# --------------------------------------------------------------------------- the tallies' safety net


def recount(year: int | None = None) -> dict[tuple[int, int], tuple[int, Decimal]]:
    """(member id, year) → (services, hours) counted from the confirmed services: what the tallies
    must hold (tests compare; :func:`rebuild_tallies` writes it)."""
    rows = Service.objects.filter(status=ServiceStatus.CONFIRMED)
    if year is not None:
        rows = rows.filter(served_on__year=year)
    counted: dict[tuple[int, int], tuple[int, Decimal]] = {}
    for member_id, served_on, hours in rows.values_list("member_id", "served_on", "hours"):
        n, h = counted.get((member_id, served_on.year), (0, Decimal("0")))
        counted[(member_id, served_on.year)] = (n + 1, h + hours)
    return counted


@transaction.atomic
def rebuild_tallies() -> int:
    """Set every tally to the recount (after bulk loads such as the demo); returns rows changed."""
    counted = recount()
    changed = 0
    for tally in YearTally.objects.select_for_update():
        want = counted.pop((tally.member_id, tally.year), (0, Decimal("0")))
        if (tally.services, tally.hours) != want:
            YearTally.objects.filter(pk=tally.pk).update(services=want[0], hours=want[1])
            changed += 1
    for (member_id, year), (n, h) in counted.items():
        registration = (
            Registration.objects.filter(member_id=member_id)
            .order_by("-created_at")
            .only("area_path", "org_path", "branch_area_path")
            .first()
        )
        if registration is None:
            continue
        YearTally.objects.create(
            member_id=member_id,
            year=year,
            services=n,
            hours=h,
            area_path=registration.area_path,
            org_path=registration.org_path,
            branch_area_path=registration.branch_area_path,
        )
        changed += 1
    from jiceng.dualreport.metrics import rebuild as rebuild_node_tallies

    rebuild_node_tallies()
    return changed


def tallies_summary(queryset) -> dict:
    return queryset.aggregate(services=Sum("services"), members=Count("id"))

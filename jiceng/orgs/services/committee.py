"""Committee posts (任职, 离任, vacancies) and the part-time members of 大工委 / 大党委."""

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet

from jiceng.accounts.services import Actor, audit, snapshot
from jiceng.core.paths import is_in_subtree
from jiceng.orgs.models import (
    CommitteePost,
    Org,
    OrgCategory,
    OrgType,
    PartTimeMember,
    PartTimeRole,
    Post,
    ResidentUnit,
)
from jiceng.orgs.services.tree import OrgError, _check_choice, _clean_name, _today, lock_org

if TYPE_CHECKING:
    from jiceng.members.models import Member

POST_AUDIT_FIELDS = ["org", "post", "member", "holder_name", "start_on", "end_on", "vacant_since"]
PART_TIME_AUDIT_FIELDS = ["org", "role", "person_name", "unit", "job_title", "start_on", "end_on"]

# Posts held by one person at a time; ending one leaves a tracked vacancy (``vacant_since``).
SINGLE_POSTS = {Post.SECRETARY, Post.ORGANISATION, Post.PROPAGANDA, Post.DISCIPLINE, Post.GROUP_LEADER}


def _open_vacancy(org: Org, post: str) -> CommitteePost | None:
    return CommitteePost.objects.filter(org=org, post=post, end_on__isnull=True, holder_name="").first()


def _held(org: Org, post: str) -> QuerySet[CommitteePost]:
    return CommitteePost.objects.filter(org=org, post=post, end_on__isnull=True).exclude(holder_name="")


def _check_post_for_org(org: Org, post: str) -> None:
    _check_choice(post, Post, "职务")
    if org.org_type == OrgType.GROUP and post != Post.GROUP_LEADER:
        raise OrgError("党小组只设组长。", code="post")
    if org.org_type != OrgType.GROUP and post == Post.GROUP_LEADER:
        raise OrgError("党小组组长只能设在党小组。", code="post")


@transaction.atomic
def appoint_post(
    actor: Actor,
    org: Org,
    *,
    post: str,
    member: "Member | None" = None,
    holder_name: str = "",
    start_on: date | None = None,
) -> CommitteePost:
    """Appoint someone to a committee post. An open vacancy of that post is filled in place, so
    its ``vacant_since`` stays as the record of how long the seat was empty."""
    from jiceng.members.models import Status

    lock_org(org)
    _check_post_for_org(org, post)
    label = Post(post).label
    if member is not None:
        if member.status != Status.FULL:
            if member.status == Status.PROBATIONARY:
                raise OrgError("预备党员没有表决权、选举权和被选举权，不能担任委员。", code="member")
            raise OrgError(f"{member.name}不是正式党员（{member.get_status_display()}），不能任职。", code="member")
        holder_name = member.name
    holder_name = _clean_name(holder_name, "任职人姓名")
    start_on = start_on or _today()
    if post in SINGLE_POSTS:
        current = _held(org, post).first()
        if current is not None:
            raise OrgError(f"已有现任{label}（{current.holder_name}），请先办理离任。", code="post")
    elif member is not None and _held(org, post).filter(member=member).exists():
        raise OrgError(f"{member.name}已是现任{label}。", code="member")
    vacancy = _open_vacancy(org, post)
    if vacancy is not None and vacancy.vacant_since and start_on < vacancy.vacant_since:
        raise OrgError(f"任职日期不能早于空缺起始日期（{vacancy.vacant_since:%Y-%m-%d}）。", code="start_on")
    if vacancy is not None:
        before = snapshot(vacancy, POST_AUDIT_FIELDS)
        vacancy.member, vacancy.holder_name, vacancy.start_on = member, holder_name, start_on
        vacancy.save()
        seat = vacancy
    else:
        before = None
        seat = CommitteePost.objects.create(
            org=org, post=post, member=member, holder_name=holder_name, start_on=start_on
        )
    audit(actor, "appoint_post", seat, before=before, after=snapshot(seat, POST_AUDIT_FIELDS), area_path=org.area_path)
    return seat


@transaction.atomic
def end_post(
    actor: Actor, seat: CommitteePost, *, end_on: date | None = None, leave_vacant: bool = True
) -> CommitteePost | None:
    """A holder leaves (离任). For a one-person post a vacancy from ``end_on`` is recorded unless
    ``leave_vacant`` is false (the post is abolished). Ending a vacancy closes it. Returns the new
    vacancy or ``None``."""
    seat = CommitteePost.objects.select_for_update(of=("self",)).select_related("org").get(pk=seat.pk)
    if seat.end_on is not None:
        raise OrgError("该职务已离任。", code="end_on")
    end_on = end_on or _today()
    begin = seat.start_on or seat.vacant_since
    if begin and end_on < begin:
        raise OrgError(f"离任日期不能早于任职日期（{begin:%Y-%m-%d}）。", code="end_on")
    before = snapshot(seat, POST_AUDIT_FIELDS)
    seat.end_on = end_on
    seat.save(update_fields=["end_on"])
    audit(
        actor,
        "vacate_post" if seat.holder_name else "revoke_vacancy",
        seat,
        before=before,
        after=snapshot(seat, POST_AUDIT_FIELDS),
        area_path=seat.org.area_path,
    )
    if not (seat.holder_name and leave_vacant and seat.post in SINGLE_POSTS):
        return None
    vacancy = CommitteePost.objects.create(org=seat.org, post=seat.post, vacant_since=end_on)
    audit(actor, "record_vacancy", vacancy, after=snapshot(vacancy, POST_AUDIT_FIELDS), area_path=seat.org.area_path)
    return vacancy


@transaction.atomic
def record_vacancy(actor: Actor, org: Org, *, post: str, since: date) -> CommitteePost:
    """Record that a post is empty since ``since`` (data entry for a seat nobody holds)."""
    lock_org(org)
    _check_post_for_org(org, post)
    label = Post(post).label
    if since is None:
        raise OrgError("请填写空缺起始日期。", code="vacant_since")
    if _held(org, post).exists() and post in SINGLE_POSTS:
        raise OrgError(f"已有现任{label}，不能登记空缺。", code="post")
    if _open_vacancy(org, post) is not None:
        raise OrgError(f"{label}已登记为空缺。", code="post")
    vacancy = CommitteePost.objects.create(org=org, post=post, vacant_since=since)
    audit(actor, "record_vacancy", vacancy, after=snapshot(vacancy, POST_AUDIT_FIELDS), area_path=org.area_path)
    return vacancy


POST_EDITABLE_FIELDS = {"holder_name", "start_on", "vacant_since"}


@transaction.atomic
def update_post(actor: Actor, seat: CommitteePost, **changes: Any) -> CommitteePost:
    """Correct a post record (a misspelt name, a wrong date)."""
    unknown = set(changes) - POST_EDITABLE_FIELDS
    if unknown:
        raise OrgError(f"不能直接修改：{'、'.join(sorted(unknown))}", code="fields")
    seat = CommitteePost.objects.select_for_update(of=("self",)).select_related("org").get(pk=seat.pk)
    before = snapshot(seat, POST_AUDIT_FIELDS)
    if "holder_name" in changes:
        if not seat.holder_name:
            raise OrgError("空缺职务请通过“任职”登记任职人。", code="holder_name")
        if seat.member_id:
            raise OrgError("任职人关联了党员档案，姓名以档案为准。", code="holder_name")
        changes["holder_name"] = _clean_name(changes["holder_name"], "任职人姓名")
    for field, value in changes.items():
        setattr(seat, field, value)
    if seat.end_on and seat.start_on and seat.end_on < seat.start_on:
        raise OrgError("离任日期不能早于任职日期。", code="start_on")
    seat.save()
    after = snapshot(seat, POST_AUDIT_FIELDS)
    if after != before:
        audit(actor, "update_post", seat, before=before, after=after, area_path=seat.org.area_path)
    return seat


# --- part-time members of 大工委 / 大党委 -------------------------------------------------------

PART_TIME_CATEGORIES = {OrgCategory.STREET, OrgCategory.COMMUNITY}


def _check_part_time(org: Org, role: str, unit: ResidentUnit | None, *, exclude_pk: int | None = None) -> None:
    _check_choice(role, PartTimeRole, "身份")
    if org.category not in PART_TIME_CATEGORIES:
        raise OrgError("兼职委员只设在街道“大工委”和社区“大党委”。", code="org")
    if role == PartTimeRole.FIRST_SECRETARY:
        if org.category != OrgCategory.COMMUNITY:
            raise OrgError("兼职第一书记只设在社区党组织。", code="role")
        current = PartTimeMember.objects.filter(org=org, role=role, end_on__isnull=True)
        if exclude_pk is not None:
            current = current.exclude(pk=exclude_pk)
        holder = current.first()
        if holder is not None:
            raise OrgError(f"已有现任兼职第一书记（{holder.person_name}），请先办理离任。", code="role")
    if unit is not None and not is_in_subtree(unit.area_path, org.area_path):
        raise OrgError(f"“{unit.name}”不在本组织所在区划内，不是驻区单位。", code="unit")


@transaction.atomic
def add_part_time_member(
    actor: Actor,
    org: Org,
    *,
    role: str,
    person_name: str,
    unit: ResidentUnit | None = None,
    job_title: str = "",
    start_on: date | None = None,
) -> PartTimeMember:
    """兼职委员 from a resident unit, or the community's 兼职第一书记."""
    lock_org(org)
    person_name = _clean_name(person_name, "姓名")
    _check_part_time(org, role, unit)
    record = PartTimeMember.objects.create(
        org=org,
        role=role,
        person_name=person_name,
        unit=unit,
        job_title=(job_title or "").strip(),
        start_on=start_on or _today(),
    )
    audit(
        actor,
        "create_part_time_member",
        record,
        after=snapshot(record, PART_TIME_AUDIT_FIELDS),
        area_path=org.area_path,
    )
    return record


PART_TIME_EDITABLE_FIELDS = {"person_name", "unit", "job_title", "start_on"}


@transaction.atomic
def update_part_time_member(actor: Actor, record: PartTimeMember, **changes: Any) -> PartTimeMember:
    unknown = set(changes) - PART_TIME_EDITABLE_FIELDS
    if unknown:
        raise OrgError(f"不能直接修改：{'、'.join(sorted(unknown))}", code="fields")
    record = PartTimeMember.objects.select_for_update(of=("self",)).select_related("org").get(pk=record.pk)
    before = snapshot(record, PART_TIME_AUDIT_FIELDS)
    if "person_name" in changes:
        changes["person_name"] = _clean_name(changes["person_name"], "姓名")
    if "unit" in changes and changes["unit"] is not None:
        _check_part_time(record.org, record.role, changes["unit"], exclude_pk=record.pk)
    for field, value in changes.items():
        setattr(record, field, value)
    record.save()
    after = snapshot(record, PART_TIME_AUDIT_FIELDS)
    if after != before:
        audit(actor, "update_part_time_member", record, before=before, after=after, area_path=record.org.area_path)
    return record


@transaction.atomic
def end_part_time_member(actor: Actor, record: PartTimeMember, *, end_on: date | None = None) -> PartTimeMember:
    record = PartTimeMember.objects.select_for_update(of=("self",)).select_related("org").get(pk=record.pk)
    if record.end_on is not None:
        raise OrgError("该兼职委员已离任。", code="end_on")
    end_on = end_on or _today()
    if record.start_on and end_on < record.start_on:
        raise OrgError(f"离任日期不能早于任职日期（{record.start_on:%Y-%m-%d}）。", code="end_on")
    before = snapshot(record, PART_TIME_AUDIT_FIELDS)
    record.end_on = end_on
    record.save(update_fields=["end_on"])
    audit(
        actor,
        "vacate_part_time_member",
        record,
        before=before,
        after=snapshot(record, PART_TIME_AUDIT_FIELDS),
        area_path=record.org.area_path,
    )
    return record

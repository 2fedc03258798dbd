"""Demo 双报到: a share of 北安门社区's employed members registered with the community, most
confirmed, some still waiting; the community's posts with sign-ups; a few confirmed (and some
waiting) services this year; and a feedback to the branches of a few.

Deterministic for a seed and a day. Rows are written directly (as the other demo loaders do), so
the demo's fixed "today" may lie in the past; the tallies are then rebuilt from the services
(:func:`jiceng.dualreport.services.rebuild_tallies`, the same numbers the services keep).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jiceng.areas.models import Area
from jiceng.core.paths import subtree_q
from jiceng.dualreport.models import (
    Delivery,
    Feedback,
    PostStatus,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    Service,
    ServicePost,
    ServiceStatus,
    SignUp,
    YearTally,
)
from jiceng.dualreport.rules import yearly_target
from jiceng.dualreport.services import delivery_for, rebuild_tallies
from jiceng.members.models import PARTY_MEMBER_STATUSES, Member

COMMUNITY = "320102002011"  # 北安门社区
SHARE = 0.6  # of its employed members
POSTS = [
    ("周末垃圾分类督导", "在小区投放点引导居民分类投放，每次2小时。"),
    ("独居老人结对陪伴", "每月上门看望结对老人一次，了解需求并反馈社区。"),
    ("文明交通劝导", "早高峰在北安门街路口劝导行人和非机动车。"),
    ("社区法律咨询", "每月第一个周六上午在党群服务中心解答居民法律问题。"),
    ("青少年课后托管", "工作日下午陪伴辅导社区小学生作业。"),
]
CONTENTS = ["垃圾分类督导", "看望独居老人", "文明交通劝导", "法律咨询", "课后托管辅导", "楼道环境整治", "防汛值守"]
SKILLS = ["", "法律咨询", "医疗保健", "文艺宣传", "理发", "家电维修", "心理疏导"]


def load_dualreport(seed: int = 2024, today: date | None = None, stdout=None) -> dict:
    """Insert the demo's 双报到 rows once; returns counts (``created`` False when they exist)."""
    if Registration.objects.exists():
        return {"created": False, "registrations": Registration.objects.count()}
    community = Area.objects.filter(code=COMMUNITY).first()
    if community is None:
        return {"created": False, "registrations": 0}
    today = today or timezone.localdate()
    with transaction.atomic():
        counts = _load(random.Random(f"{seed}:dualreport"), community, today)
    if stdout:
        stdout.write(f"  已生成双报到 {counts['registrations']} 人、服务记录 {counts['services']} 条")
    # Nothing to register (a tiny demo without employed members there) is not a new load.
    return {"created": counts["registrations"] > 0, **counts}


def _moment(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _load(rnd: random.Random, community: Area, today: date) -> dict:
    members = list(
        Member.objects.filter(
            subtree_q(COMMUNITY, "residence_path"),
            is_employed=True,
            status__in=PARTY_MEMBER_STATUSES,
            left_on__isnull=True,
            exit_date__isnull=True,
            user__isnull=True,  # the demo member's own login registers on the phone
        )
        .select_related("org")
        .order_by("id")
    )
    chosen = [m for m in members if rnd.random() < SHARE]
    year_start = date(today.year, 1, 1)
    registrations = []
    for member in chosen:
        registered_on = year_start + timedelta(days=rnd.randint(0, max((today - year_start).days // 2, 0)))
        status = RegistrationStatus.PENDING if rnd.random() < 0.1 else RegistrationStatus.CONFIRMED
        registrations.append(
            Registration(
                kind=RegistrationKind.MEMBER,
                status=status,
                member=member,
                org=member.org,
                community=community,
                area_path=community.code,
                org_path=member.org_path,
                branch_area_path=member.area_path,
                phone=member.phone,
                skills=rnd.choice(SKILLS),
                registered_on=registered_on,
                decided_at=_moment(registered_on + timedelta(days=2))
                if status == RegistrationStatus.CONFIRMED
                else None,
            )
        )
    Registration.objects.bulk_create(registrations, batch_size=500)
    posts = []
    for i, (title, needs) in enumerate(POSTS):
        starts = today - timedelta(days=rnd.randint(10, 120))
        ends = today + timedelta(days=rnd.randint(15, 90)) if i < 4 else today - timedelta(days=3)
        posts.append(
            ServicePost(
                community=community,
                area_path=community.code,
                title=title,
                needs=needs,
                starts_on=starts,
                ends_on=ends,
                places=rnd.randint(6, 15),
                status=PostStatus.OPEN if ends >= today else PostStatus.CLOSED,
            )
        )
    ServicePost.objects.bulk_create(posts)
    confirmed = [r for r in Registration.objects.filter(status=RegistrationStatus.CONFIRMED).order_by("id")]
    signups, services = [], []
    for registration in confirmed:
        for post in rnd.sample(posts, k=rnd.randint(0, 2)):
            if post.taken < post.places:
                post.taken += 1
                signups.append(
                    SignUp(
                        post=post,
                        registration=registration,
                        member_id=registration.member_id,
                        area_path=community.code,
                        org_path=registration.org_path,
                        branch_area_path=registration.branch_area_path,
                    )
                )
        span = (today - registration.registered_on).days
        for _ in range(rnd.choice([0, 1, 1, 2, 2, 3, 4])):
            served_on = registration.registered_on + timedelta(days=rnd.randint(0, max(span, 0)))
            pending = served_on > today - timedelta(days=7) and rnd.random() < 0.5
            services.append(
                Service(
                    registration=registration,
                    member_id=registration.member_id,
                    served_on=served_on,
                    hours=Decimal(rnd.choice(["1.0", "1.5", "2.0", "2.5", "3.0", "4.0"])),
                    content=rnd.choice(CONTENTS),
                    status=ServiceStatus.PENDING if pending else ServiceStatus.CONFIRMED,
                    confirmed_at=None if pending else _moment(served_on, 17),
                    area_path=community.code,
                    org_path=registration.org_path,
                    branch_area_path=registration.branch_area_path,
                )
            )
    SignUp.objects.bulk_create(signups, batch_size=500)
    for post in posts:
        ServicePost.objects.filter(pk=post.pk).update(taken=post.taken)
    Service.objects.bulk_create(services, batch_size=500)
    rebuild_tallies()
    feedbacks = _feedback(rnd, confirmed[:8], today)
    return {
        "registrations": len(registrations),
        "services": len(services),
        "signups": len(signups),
        "feedbacks": feedbacks,
    }


def _feedback(rnd: random.Random, registrations: list[Registration], today: date) -> int:
    target = yearly_target()
    tallies = {
        t.member_id: t
        for t in YearTally.objects.filter(member_id__in=[r.member_id for r in registrations], year=today.year)
    }
    rows = []
    for registration in registrations:
        tally = tallies.get(registration.member_id)
        done = tally.services if tally else 0
        rows.append(
            Feedback(
                registration=registration,
                member_id=registration.member_id,
                org_id=registration.org_id,
                community_id=registration.community_id,
                year=today.year,
                sent_on=today - timedelta(days=rnd.randint(1, 20)),
                delivery=delivery_for(registration) or Delivery.SYSTEM,
                services=done,
                hours=tally.hours if tally else Decimal("0"),
                target=target,
                comment="积极参加社区服务，表现良好。" if done >= target else "本年度服务次数未达要求，请支部督促。",
                area_path=registration.area_path,
                org_path=registration.org_path,
                branch_area_path=registration.branch_area_path,
            )
        )
    Feedback.objects.bulk_create(rows)
    return len(rows)

"""Demo 共建清单: a year of 需求/资源/项目 in every community of the demo city, claimed by the
street's resident units and party members (most completed and rated, some under way, some
released), one 民生菜单招亲会 per street, and the monthly counters rebuilt from the rows.

The volunteer teams are loaded after the lists (jiceng/demo/volunteers.py); :func:`load_team_claims`
then hands part of the unit claims in each community with a team to that team, and lets the teams
offer some resources, so the lists show 志愿服务队 claimers too.

Deterministic for a seed and a day; rows are bulk-inserted (no per-row services), then
:func:`jiceng.cobuild.services.rebuild_months` derives the counters the services keep.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from jiceng.areas.models import Area, Level
from jiceng.cobuild.models import (
    VISIBLE_LENGTH,
    Category,
    Claim,
    ClaimerKind,
    ClaimStatus,
    Item,
    ItemStatus,
    Kind,
    MenuEvent,
    Milestone,
    Visibility,
)
from jiceng.cobuild.services import rebuild_months
from jiceng.members.models import PARTY_MEMBER_STATUSES, Member
from jiceng.orgs.models import ResidentUnit

NEEDS = [
    ("独居老人助餐", "助餐送餐", 30, "份"),
    ("四点半课堂志愿辅导", "四点半课堂", 10, "人"),
    ("老旧小区楼道清理", "环境整治", 20, "人"),
    ("加装电梯意见协调", "加装电梯", 1, "项"),
    ("暑期青少年托管", "假期托管", 15, "人"),
    ("困难家庭冬季慰问", "困难帮扶", 40, "份"),
    ("社区义诊", "义诊体检", 2, "场"),
    ("邻里纠纷调解", "矛盾调解", 3, "人"),
]
RESOURCES = [
    ("单位会议室周末开放", "会议活动场地", 8, "场"),
    ("职工食堂助老餐位", "助餐送餐", 20, "份"),
    ("律师志愿咨询", "法律咨询", 6, "次"),
    ("医护志愿者义诊", "义诊体检", 4, "场"),
    ("停车场夜间共享车位", "停车共享", 30, "个"),
    ("图书捐赠", "物资捐赠", 200, "册"),
]
PROJECTS = [
    ("邻里食堂", "助餐送餐", "王书记", 80000),
    ("红色物业楼道微更新", "环境整治", "李主任", 120000),
    ("四点半课堂提质", "四点半课堂", "赵委员", 30000),
]
RESULTS = ["按计划完成", "服务居民反映良好", "已全部送达", "活动如期举办", "问题已协调解决"]


def load_cobuild(seed: int = 2024, today: date | None = None, stdout=None, per_community: int = 14) -> dict:
    """Insert the demo's lists once; returns counts (``created`` False when they exist)."""
    if Item.objects.exists():
        return {"created": False, "items": Item.objects.count()}
    today = today or timezone.localdate()
    with transaction.atomic():
        counts = _load(random.Random(f"{seed}:cobuild"), today, per_community)
        rebuild_months()
    if stdout:
        stdout.write(f"  已生成共建清单 {counts['items']} 项、认领 {counts['claims']} 条")
    return {"created": counts["items"] > 0, **counts}


HOME = "320102002011"  # 北安门社区: the demo's 志愿者 login leads its team
TEAM_SHARE = 0.35  # of the unit claims in a community with a team


def load_team_claims(seed: int = 2024, stdout=None) -> dict:
    """After the volunteers: hand a share of the unit claims (at most one per item) to the
    community's volunteer team, and make a share of the resources the team's offer. Neither
    changes a quantity or a counter (a claim keeps its item, quantity, status and dates; the
    counters count by the item's area). Unit claims only: a member's claim may have earned
    党员积分. Once: a second call finds team claims and returns."""
    from jiceng.volunteers.models import Team, TeamMember

    if Claim.objects.filter(claimer_kind=ClaimerKind.TEAM).exists():
        return {"created": False, "team_claims": Claim.objects.filter(claimer_kind=ClaimerKind.TEAM).count()}
    team_of = dict(Team.objects.order_by("id").values_list("area_path", "id"))
    if not team_of:
        return {"created": False, "team_claims": 0}
    rnd = random.Random(f"{seed}:cobuild-teams")
    with transaction.atomic():
        claims = list(
            Claim.objects.filter(claimer_kind=ClaimerKind.UNIT, area_path__in=list(team_of))
            .only("id", "item_id", "area_path")
            .order_by("item_id", "id")
        )
        moved, seen = [], set()
        for claim in claims:
            share = 1.0 if claim.area_path == HOME else TEAM_SHARE
            if claim.item_id in seen or rnd.random() >= share:
                continue
            seen.add(claim.item_id)
            claim.claimer_kind, claim.team_id, claim.unit_id = ClaimerKind.TEAM, team_of[claim.area_path], None
            claim.claimer_area_path = claim.area_path
            moved.append(claim)
        Claim.objects.bulk_update(moved, ["claimer_kind", "team_id", "unit_id", "claimer_area_path"], batch_size=2000)
        resources = list(
            Item.objects.filter(kind=Kind.RESOURCE, offered_by_unit__isnull=True, area_path__in=list(team_of))
            .only("id", "area_path")
            .order_by("id")
        )
        offered = [r for r in resources if rnd.random() < 0.25]
        for item in offered:
            item.offered_by_team_id = team_of[item.area_path]
        Item.objects.bulk_update(offered, ["offered_by_team_id"], batch_size=2000)
        # The demo's 志愿者 login is a 队长 of 北安门社区's team: they can claim in its name.
        TeamMember.objects.filter(team__area_path=HOME, volunteer__user__username="beianmen_zhiyuanzhe").update(
            is_leader=True
        )
    if stdout:
        stdout.write(f"  志愿服务队认领 {len(moved)} 条、提供资源 {len(offered)} 项")
    return {"created": True, "team_claims": len(moved), "team_resources": len(offered)}


def _moment(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _leaves() -> dict[str, Category]:
    return {c.name: c for c in Category.objects.filter(parent__isnull=False)}


def _load(rnd: random.Random, today: date, per_community: int) -> dict:
    communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("code").only("id", "code", "name"))
    streets = list(Area.objects.filter(level=Level.STREET).order_by("code").only("id", "code", "name"))
    leaves = _leaves()
    if not communities or not leaves:
        return {"items": 0, "claims": 0}
    fallback = next(iter(leaves.values()))
    units_by_street, members_by_street = _claimers_by_street()

    events = MenuEvent.objects.bulk_create(
        [
            MenuEvent(
                title=f"{street.name}民生菜单招亲会",
                area=street,
                area_path=street.code,
                opens_at=_moment(today - timedelta(days=rnd.randint(30, 200)), 9),
                place=f"{street.name}党群服务中心",
                note="驻区单位现场认领服务内容",
            )
            for street in streets
        ]
    )
    event_of = {e.area_path: e for e in events}

    items: list[Item] = []
    for community in communities:
        for n in range(per_community):
            roll = rnd.random()
            published = today - timedelta(days=rnd.randint(0, 364))
            if roll < 0.6:
                kind, (title, cat, qty, unit_label) = Kind.NEED, rnd.choice(NEEDS)
                extra = {}
            elif roll < 0.88:
                kind, (title, cat, qty, unit_label) = Kind.RESOURCE, rnd.choice(RESOURCES)
                extra = {}
            else:
                kind = Kind.PROJECT
                title, cat, owner, budget = rnd.choice(PROJECTS)
                qty, unit_label = rnd.choice([(1, "项"), (3, "家单位")])
                extra = {"owner_name": owner, "budget": budget}
            visibility = rnd.choices([Visibility.COMMUNITY, Visibility.STREET, Visibility.DISTRICT], weights=[7, 2, 1])[
                0
            ]
            expires = published + timedelta(days={Kind.NEED: 90, Kind.RESOURCE: 180, Kind.PROJECT: 365}[kind])
            event = event_of.get(community.code[:9]) if n == 0 else None
            items.append(
                Item(
                    kind=kind,
                    title=title,
                    description=f"{community.name}{title}",
                    category=leaves.get(cat, fallback),
                    area=community,
                    area_path=community.code,
                    visibility=visibility,
                    visible_path=community.code[: VISIBLE_LENGTH[visibility]],
                    quantity=qty,
                    unit_label=unit_label,
                    status=ItemStatus.OPEN if expires >= today else ItemStatus.EXPIRED,
                    event=event,
                    opens_at=event.opens_at if event else None,
                    expires_on=expires,
                    published_at=_moment(published, 9 + n % 8),
                    **extra,
                )
            )
    Item.objects.bulk_create(items, batch_size=2000)

    claims: list[Claim] = []
    created_at: list[datetime] = []
    taken: dict[int, int] = {}
    progress: dict[int, int] = {}
    milestones: list[Milestone] = []
    for item in items:
        street = item.area_path[:9]
        made, left = _claims_for(rnd, item, today, units_by_street.get(street, []), members_by_street.get(street, []))
        for claim, at in made:
            claims.append(claim)
            created_at.append(at)
        age = (today - item.published_at.date()).days
        taken[item.pk] = item.quantity - left
        if item.kind == Kind.PROJECT:
            progress[item.pk] = min(100, age * 100 // 300)
            for k, (name, offset) in enumerate((("立项", 0), ("实施", 60), ("验收", 240))):
                due = item.published_at.date() + timedelta(days=offset)
                milestones.append(
                    Milestone(
                        item=item, title=name, due_on=due, done_on=due if due <= today - timedelta(days=k) else None
                    )
                )
    Claim.objects.bulk_create(claims, batch_size=2000)
    # ``created_at`` is auto_now_add: the claim's own day is set afterwards.
    for claim, at in zip(claims, created_at, strict=True):
        claim.created_at = at
    Claim.objects.bulk_update(claims, ["created_at"], batch_size=2000)
    Milestone.objects.bulk_create(milestones, batch_size=2000)
    for item in items:
        item.taken = taken.get(item.pk, 0)
        if item.pk in progress:
            item.progress = progress[item.pk]
            if item.progress == 100:
                item.status = ItemStatus.DONE
    Item.objects.bulk_update(items, ["taken", "progress", "status"], batch_size=2000)
    return {"items": len(items), "claims": len(claims), "events": len(events)}


def _claimers_by_street() -> tuple[dict, dict]:
    """The street's resident units, and up to 40 members living (or organised) in each street."""
    units_by_street: dict[str, list[ResidentUnit]] = defaultdict(list)
    for unit in ResidentUnit.objects.only("id", "area_path"):
        units_by_street[unit.area_path[:9]].append(unit)
    members_by_street: dict[str, list[tuple[int, str]]] = defaultdict(list)
    rows = Member.objects.filter(status__in=PARTY_MEMBER_STATUSES, left_on__isnull=True).values_list(
        "pk", "area_path", "residence_path"
    )[:50000]
    for pk, path, home in rows:
        key = (home or path)[:9]
        if len(members_by_street[key]) < 40:
            members_by_street[key].append((pk, home or path))
    return units_by_street, members_by_street


def _claims_for(rnd: random.Random, item: Item, today: date, units: list, members: list) -> tuple[list, int]:
    """Up to three claims of the street's units and members on ``item``: (claim, created) pairs
    and the quantity left."""
    made: list[tuple[Claim, datetime]] = []
    left = item.quantity
    age = (today - item.published_at.date()).days
    used: set[tuple[str, int]] = set()
    for _ in range(rnd.randint(0, 3)):
        if left <= 0:
            break
        quantity = max(1, min(left, rnd.randint(1, max(1, item.quantity // 2))))
        if units and (not members or rnd.random() < 0.55):
            unit = rnd.choice(units)
            key, side = (
                ("unit", unit.pk),
                {"claimer_kind": ClaimerKind.UNIT, "unit_id": unit.pk, "claimer_area_path": unit.area_path},
            )
        elif members:
            pk, home = rnd.choice(members)
            key, side = ("member", pk), {"claimer_kind": ClaimerKind.MEMBER, "member_id": pk, "claimer_area_path": home}
        else:
            break
        if key in used:
            continue
        used.add(key)
        status = _claim_status(rnd, age)
        created = item.published_at + timedelta(days=rnd.randint(0, max(0, min(age, 20))))
        finished = status in (ClaimStatus.COMPLETED, ClaimStatus.RATED)
        completed = min(created + timedelta(days=rnd.randint(3, 30)), _moment(today, 8)) if finished else None
        rated = status == ClaimStatus.RATED
        claim = Claim(
            item=item,
            quantity=quantity,
            status=status,
            reason="工作安排调整" if status == ClaimStatus.RELEASED else "",
            result=rnd.choice(RESULTS) if completed else "",
            served=rnd.randint(5, 80) if completed else None,
            beneficiary_rating=rnd.choice([4, 5, 5, 5, 3]) if rated else None,
            publisher_rating=rnd.choice([4, 5, 5]) if rated else None,
            area_path=item.area_path,
            decided_at=created + timedelta(days=1) if status != ClaimStatus.INTENT else None,
            completed_at=completed,
            **side,
        )
        made.append((claim, created))
        if status not in (ClaimStatus.RELEASED, ClaimStatus.REJECTED):
            left -= quantity
    return made, left


def _claim_status(rnd: random.Random, age: int) -> str:
    if age < 7:
        return rnd.choice([ClaimStatus.INTENT, ClaimStatus.INTENT, ClaimStatus.CONFIRMED])
    if age < 45:
        return rnd.choice([ClaimStatus.CONFIRMED, ClaimStatus.ACTIVE, ClaimStatus.COMPLETED, ClaimStatus.INTENT])
    return rnd.choices(
        [ClaimStatus.RATED, ClaimStatus.COMPLETED, ClaimStatus.RELEASED, ClaimStatus.REJECTED],
        weights=[6, 2, 1, 1],
    )[0]

"""Demo 党员积分, 微心愿, 共驻共建 and 协商议事: a year across the demo city, written in bulk.

* 党员积分: an award per confirmed demo 双报到 service (as the signal would have given), per
  confirmed wish claimed by a member, with the yearly totals built from them (cap applied).
* 微心愿: a few per community over the past year, in every state; claimed ones by a member whose
  branch lies in the community; the delivered ones share one stored photo.
* 共驻共建: up to two agreements per street's resident units with the community's party org, three
  duties each, last year's reviewed. A demo unit without a party org is given a branch of its
  community (the demo has no units' own party orgs).
* 协商议事: a few 议事会 / 听证会 / 公约 per community over the year.

Loaded once; deterministic for a seed and a day.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from jiceng.areas.models import Area, Level
from jiceng.consult.models import Consultation, FollowUp, Kind
from jiceng.core.dates import add_years
from jiceng.dualreport.models import Service, ServiceStatus
from jiceng.members.models import PARTY_MEMBER_STATUSES, Member
from jiceng.orgs.models import Org, OrgType, ResidentUnit
from jiceng.partners.models import Agreement, Duty, DutyRating, Rating, Review, Side
from jiceng.partners.services import score_of
from jiceng.points.models import Award, YearTotal
from jiceng.points.services import rule_for
from jiceng.wishes.models import Wish, WishStatus

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
WISHES = [
    ("一台助听器", "老人听力下降，希望能听清电视和家人说话。"),
    ("一套课外书", "孩子喜欢读书，家里买不起课外读物。"),
    ("一辆轮椅", "腿脚不便，想到楼下晒晒太阳。"),
    ("冬天的棉被", "家里被子太薄，冬天难熬。"),
    ("一次理发上门", "卧床老人很久没有理发了。"),
    ("学习用的台灯", "孩子晚上写作业光线太暗。"),
    ("一个电饭煲", "旧电饭煲坏了。"),
]
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗"
GIVEN = ["秀英", "桂兰", "建国", "小明", "玉珍", "德华", "淑芬", "志强", "子涵", "凤英"]
TOPICS = [
    (Kind.COUNCIL, "老旧小区加装电梯议事会", "加装电梯的费用分摊和低层住户补偿", "按楼层系数分摊，一层住户不出资"),
    (Kind.COUNCIL, "楼道堆物清理议事会", "楼道堆放杂物的清理办法", "两周内由楼栋长组织清理"),
    (Kind.HEARING, "小区停车收费圆桌听证会", "停车收费标准调整", "白天收费不变，夜间包月下调"),
    (Kind.HEARING, "菜市场改造圆桌听证会", "菜市场改造期间的临时摊位", "设临时摊位区三个月"),
    (Kind.PACT, "文明养犬居民公约", "文明养犬的约定", "出门牵绳、及时清理粪便"),
    (Kind.PACT, "垃圾分类居民公约", "定时定点投放", "每日两次定时投放，楼栋长督导"),
]
DUTIES = [
    (Side.COMMUNITY, "提供党员活动阵地和场地"),
    (Side.UNIT, "每季度组织一次进社区志愿服务"),
    (Side.UNIT, "资助社区困难家庭"),
    (Side.COMMUNITY, "向单位党组织反馈在职党员表现"),
    (Side.UNIT, "开放单位食堂为社区老人助餐"),
]


def load_issue11(seed: int = 2024, today: date | None = None, stdout=None) -> dict:
    if Wish.objects.exists() or Consultation.objects.exists():
        return {"created": False}
    today = today or timezone.localdate()
    rnd = random.Random(f"{seed}:issue11")
    with transaction.atomic():
        communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("code"))
        grids = defaultdict(list)
        for grid in Area.objects.filter(level=Level.GRID).only("id", "code").order_by("code").iterator():
            grids[grid.code[:12]].append(grid)
        members = defaultdict(list)
        for m in (
            Member.objects.filter(status__in=PARTY_MEMBER_STATUSES, left_on__isnull=True)
            .only("id", "area_path", "org_path")
            .order_by("id")
            .iterator()
        ):
            if len(members[m.area_path[:12]]) < 30:
                members[m.area_path[:12]].append(m)
        wishes = _wishes(rnd, communities, grids, members, today)
        consultations = _consultations(rnd, communities, today)
        agreements = _agreements(rnd, today)
        awards = _points(today)
        links = _cobuild_links(rnd)
    counts = {
        "created": True,
        "wishes": wishes,
        "consultations": consultations,
        "agreements": agreements,
        "awards": awards,
        "cobuild_links": links,
    }
    if stdout is not None:
        stdout.write(
            f"  微心愿 {wishes} 个，协商议事 {consultations} 次，共建协议 {agreements} 份，积分记录 {awards} 条"
        )
    return counts


def _name(rnd) -> str:
    return rnd.choice(SURNAMES) + rnd.choice(GIVEN)


def _wishes(rnd, communities, grids, members, today) -> int:
    photo = default_storage.save("wishes/demo/送达.png", ContentFile(PNG))
    rows = []
    for community in communities:
        places = grids.get(community.code) or [community]
        claimers = members.get(community.code, [])
        for _ in range(rnd.randint(2, 6)):
            title, content = rnd.choice(WISHES)
            created = today - timedelta(days=rnd.randint(0, 360))
            status = rnd.choice(
                [WishStatus.OPEN, WishStatus.CLAIMED, WishStatus.DELIVERED, WishStatus.CONFIRMED, WishStatus.CONFIRMED]
            )
            if status != WishStatus.OPEN and not claimers:
                status = WishStatus.OPEN
            place = rnd.choice(places)
            wish = Wish(
                community=community,
                area_path=community.code,
                title=title,
                content=content,
                beneficiary_name=_name(rnd),
                beneficiary_phone=f"139{rnd.randint(10000000, 99999999)}",
                beneficiary_address=f"{community.name}{rnd.randint(1, 30)}栋{rnd.randint(1, 6)}0{rnd.randint(1, 4)}室",
                beneficiary_area=place,
                beneficiary_path=place.code,
                status=status,
            )
            if status != WishStatus.OPEN:
                wish.claimer_member = rnd.choice(claimers)
                wish.claimed_at = _at(created + timedelta(days=2))
            if status in (WishStatus.DELIVERED, WishStatus.CONFIRMED):
                wish.delivered_at = _at(min(created + timedelta(days=9), today))
                wish.photo, wish.photo_type, wish.delivery_note = photo, "image/png", "已送到心愿人家中"
            if status == WishStatus.CONFIRMED:
                wish.confirmed_at, wish.confirmed_for = _at(min(created + timedelta(days=10), today)), True
            rows.append(wish)
    Wish.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _at(day: date):
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(day, time(10)))


def _consultations(rnd, communities, today) -> int:
    rows = []
    for community in communities:
        for _ in range(rnd.randint(2, 5)):
            kind, title, topics, decisions = rnd.choice(TOPICS)
            held = today - timedelta(days=rnd.randint(1, 360))
            rows.append(
                Consultation(
                    kind=kind,
                    held_on=held,
                    area=community,
                    area_path=community.code,
                    title=title,
                    topics=topics,
                    decisions=decisions,
                    residents=rnd.randint(8, 40),
                    unit_reps=rnd.randint(0, 4),
                    member_reps=rnd.randint(2, 8),
                    owners_committee=rnd.randint(0, 5),
                    follow_up="由社区牵头，物业配合落实",
                    follow_up_status=rnd.choice(
                        [FollowUp.DONE, FollowUp.DONE, FollowUp.ONGOING]
                        if held < today - timedelta(days=90)
                        else [FollowUp.PENDING, FollowUp.ONGOING]
                    ),
                )
            )
    Consultation.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _cobuild_links(rnd) -> int:
    """About a third of the consultations turned a decision into one of their community's needs or
    projects (published on or after the meeting); each agreement's resources linked to up to two
    resource items of the unit's community. Bulk, through the M2M tables."""
    from jiceng.cobuild.models import Item
    from jiceng.cobuild.models import Kind as ItemKind

    needs: dict[str, list[tuple[int, date]]] = defaultdict(list)
    resources: dict[str, list[int]] = defaultdict(list)
    for pk, kind, path, published in (
        Item.objects.filter(source_appeal__isnull=True)
        .order_by("id")
        .values_list("id", "kind", "area_path", "published_at")
        .iterator()
    ):
        if kind == ItemKind.RESOURCE:
            resources[path].append(pk)
        else:
            needs[path].append((pk, timezone.localdate(published)))
    taken: set[int] = set()
    consult_links = []
    for row in Consultation.objects.order_by("id").only("id", "area_path", "held_on").iterator():
        if rnd.random() > 0.35:
            continue
        fits = [pk for pk, day in needs.get(row.area_path, ()) if day >= row.held_on and pk not in taken]
        if fits:
            pk = rnd.choice(fits)
            taken.add(pk)
            consult_links.append(Consultation.items.through(consultation_id=row.pk, item_id=pk))
    Consultation.items.through.objects.bulk_create(consult_links, batch_size=1000)
    agreement_links = []
    for agreement_id, unit_path in Agreement.objects.order_by("id").values_list("id", "unit__area_path").iterator():
        pool = resources.get(unit_path[:12], [])
        for pk in rnd.sample(pool, min(len(pool), rnd.randint(0, 2))):
            agreement_links.append(Agreement.resource_items.through(agreement_id=agreement_id, item_id=pk))
    Agreement.resource_items.through.objects.bulk_create(agreement_links, batch_size=1000)
    return len(consult_links) + len(agreement_links)


def _agreements(rnd, today) -> int:
    community_orgs = {
        o.area_path: o
        for o in Org.objects.filter(
            area__level=Level.COMMUNITY, org_type__in=[OrgType.COMMITTEE, OrgType.GENERAL_BRANCH]
        )
    }
    branches = defaultdict(list)
    for o in Org.objects.filter(org_type=OrgType.BRANCH).only("id", "code", "area_path").order_by("code"):
        branches[o.area_path[:12]].append(o)
    units = list(ResidentUnit.objects.select_related("party_org").order_by("id"))
    last_year = today.year - 1
    agreements, duties = [], []
    for unit in units:
        community_org = community_orgs.get(unit.area_path[:12])
        if community_org is None:
            continue
        if unit.party_org is None:
            candidates = branches.get(unit.area_path[:12])
            if not candidates:
                continue
            unit.party_org = rnd.choice(candidates)
            ResidentUnit.objects.filter(pk=unit.pk).update(party_org=unit.party_org)
        signed = date(last_year, rnd.randint(1, 6), rnd.randint(1, 28))
        agreement = Agreement(
            community_org=community_org,
            unit=unit,
            unit_org=unit.party_org,
            area_path=community_org.area_path,
            org_path=unit.party_org.code,
            title=f"{unit.name}与{community_org.name}共驻共建协议",
            content="共建党员活动阵地、共育志愿服务队伍、共办为民实事。",
            resources="会议室一间；每年志愿服务不少于四次；助困资金一万元",
            community_contact=_name(random.Random(unit.pk)),
            unit_contact=unit.contact_name or "联络员",
            signed_on=signed,
            ends_on=add_years(signed, 3),
        )
        agreements.append(agreement)
    Agreement.objects.bulk_create(agreements, batch_size=500)
    for agreement in agreements:
        for side, content in rnd.sample(DUTIES, 3):
            for year in (last_year, today.year):
                due = date(year, rnd.randint(1, 12), rnd.randint(1, 28))
                done = due - timedelta(days=rnd.randint(0, 20)) if due < today and rnd.random() < 0.8 else None
                duties.append(
                    Duty(
                        agreement=agreement,
                        side=side,
                        content=content,
                        due_on=due,
                        done_on=done,
                        area_path=agreement.area_path,
                        org_path=agreement.org_path,
                    )
                )
    Duty.objects.bulk_create(duties, batch_size=2000)
    reviews, ratings = [], []
    by_agreement = defaultdict(list)
    for duty in duties:
        if duty.due_on.year == last_year:
            by_agreement[duty.agreement_id].append(duty)
    for agreement in agreements:
        rows = by_agreement.get(agreement.pk, [])
        if not rows:
            continue
        rated = [(d, Rating.DONE if d.done_on else rnd.choice([Rating.PARTLY, Rating.NOT_DONE])) for d in rows]
        review = Review(
            agreement=agreement,
            unit_id=agreement.unit_id,
            year=last_year,
            score=score_of([r for _, r in rated]),
            comment="履约情况良好" if all(r == Rating.DONE for _, r in rated) else "部分责任需加强落实",
            reviewed_on=date(today.year, 1, 15) if today >= date(today.year, 1, 15) else today,
            area_path=agreement.area_path,
            org_path=agreement.org_path,
        )
        reviews.append((review, rated))
    Review.objects.bulk_create([r for r, _ in reviews], batch_size=500)
    for review, rated in reviews:
        ratings.extend(DutyRating(review=review, duty=d, rating=r) for d, r in rated)
    DutyRating.objects.bulk_create(ratings, batch_size=2000)
    return len(agreements)


def _points(today) -> int:
    """Awards as the services would have written them: in date order, each kind capped per year."""
    sources = []
    for pk, member_id, day in Service.objects.filter(status=ServiceStatus.CONFIRMED).values_list(
        "pk", "member_id", "served_on"
    ):
        sources.append((day, "dual_service", pk, member_id))
    for pk, member_id, at in Wish.objects.filter(status=WishStatus.CONFIRMED, claimer_member__isnull=False).values_list(
        "pk", "claimer_member_id", "confirmed_at"
    ):
        sources.append((timezone.localdate(at), "wish_claim", pk, member_id))
    sources.sort()
    paths = dict(
        (m.pk, (m.area_path, m.org_path))
        for m in Member.objects.filter(pk__in={s[3] for s in sources}).only("id", "area_path", "org_path")
    )
    rules = {kind: rule_for(kind) for kind in ("dual_service", "wish_claim")}
    totals: dict[tuple, Decimal] = defaultdict(Decimal)
    awards = []
    for day, kind, ref, member_id in sources:
        rule = rules[kind]
        used = totals[(member_id, day.year, kind)]
        points = min(rule.points_per_unit, max(Decimal(rule.yearly_cap) - used, Decimal("0")))
        totals[(member_id, day.year, kind)] += points
        totals[(member_id, day.year, "")] += points
        area_path, org_path = paths[member_id]
        awards.append(
            Award(
                member_id=member_id,
                source_kind=kind,
                source_ref=str(ref),
                quantity=Decimal("1"),
                points=points,
                capped=points < rule.points_per_unit,
                awarded_on=day,
                year=day.year,
                area_path=area_path,
                org_path=org_path,
            )
        )
    Award.objects.bulk_create(awards, batch_size=2000)
    YearTotal.objects.bulk_create(
        [
            YearTotal(
                member_id=member_id,
                year=year,
                source_kind=kind,
                points=points,
                area_path=paths[member_id][0],
                org_path=paths[member_id][1],
            )
            for (member_id, year, kind), points in totals.items()
        ],
        batch_size=2000,
    )
    return len(awards)

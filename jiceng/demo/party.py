"""Demo party organisations and members, generated in bulk for speed.

Orgs follow the setup rules: a 社区党委 per community, a 党支部 per grid, 党小组 in some
buildings, 街道党工委 and 区委 above them, plus 机关/两新 orgs, the 新街口商圈 comprehensive org and
a few 行业党委. Members get realistic names, valid ID numbers (GB 11643) consistent with birth
date and gender, and dates that obey the development rules. Deterministic for a seed and a day.
"""

import random
from collections import namedtuple
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from jiceng.areas.models import Area, Level
from jiceng.core.bulk import SpoolSink, reset_sequences
from jiceng.core.dates import add_months, add_years
from jiceng.core.ids import check_char
from jiceng.members.models import DuesCategory, Education, Gender, Member, Status
from jiceng.orgs.models import (
    ORG_SEGMENT,
    CommitteePost,
    Department,
    DepartmentLevel,
    Org,
    OrgCategory,
    OrgType,
    PartTimeMember,
    PartTimeRole,
    Post,
    ResidentUnit,
    UnitKind,
)
from jiceng.orgs.services import refresh_member_counts
from jiceng.orgs.terms import term_for

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕雪梅晓东文斌玉兰春花红梅"
    "丹宇浩然子涵欣怡梓萱一诺思远嘉怡宏伟立新卫东向阳国庆淑珍凤英玉珍德明永刚俊杰佳琪雨轩晨阳"
)
EDUCATIONS = list(Education.values)
Holder = namedtuple("Holder", "id name")
ETHNICITIES = ["汉族"] * 96 + ["回族", "满族", "壮族", "蒙古族"]
DISTRICT_DEPARTMENTS = [
    "城市管理局",
    "住房和城乡建设局",
    "市场监督管理局",
    "公安分局",
    "生态环境分局",
    "水务局",
    "民政局",
    "卫生健康委员会",
]
UNIT_NAMES = [
    ("第{n}中学", UnitKind.SCHOOL),
    ("{s}人民医院", UnitKind.HOSPITAL),
    ("{s}供电所", UnitKind.STATE_ENTERPRISE),
    ("{s}科技有限公司", UnitKind.PRIVATE_ENTERPRISE),
    ("{s}社会工作服务中心", UnitKind.SOCIAL_ORG),
    ("{s}税务所", UnitKind.ORGAN),
]
INDUSTRY_COMMITTEES = ["南京市物业服务行业党委", "南京市快递物流行业党委", "南京市律师行业党委"]


def _name(rnd: random.Random) -> str:
    given = rnd.choice(GIVEN) if rnd.random() < 0.3 else rnd.choice(GIVEN) + rnd.choice(GIVEN)
    return rnd.choice(SURNAMES) + given


def _id_number(rnd: random.Random, address: str, birth: date, gender: str, used: set) -> str:
    while True:
        seq = rnd.randrange(0, 500) * 2 + (1 if gender == Gender.MALE else 0)
        first17 = f"{address}{birth:%Y%m%d}{seq:03d}"
        number = first17 + check_char(first17)
        if number not in used:
            used.add(number)
            return number


# Days before today a person at each stage applied (those still on the way): (from, to).
APPLIED_DAYS_AGO = {
    Status.APPLICANT: (10, 300),
    Status.ACTIVIST: (120, 700),
    Status.CANDIDATE: (600, 900),
    Status.PROBATIONARY: (700, 1000),
}


def _application_date(rnd: random.Random, birth: date, status: str, today: date) -> date:
    """Recent for those on the way; for full members some time after 18, at least 1,200 days ago."""
    earliest_application = add_years(birth, 18) + timedelta(days=rnd.randint(0, 3650))
    if status in APPLIED_DAYS_AGO:
        application = today - timedelta(days=rnd.randint(*APPLIED_DAYS_AGO[status]))
    else:
        application = min(earliest_application, today - timedelta(days=1200))
    return max(application, add_years(birth, 18) + timedelta(days=1))


def _pipeline_dates(rnd: random.Random, birth: date, status: str, today: date) -> dict:
    """Dates that obey DOMAIN §2, working backwards from a plausible application date."""
    data: dict = {"application_date": _application_date(rnd, birth, status, today)}
    application = data["application_date"]
    data["talk_date"] = application + timedelta(days=rnd.randint(3, 25))
    if status == Status.APPLICANT:
        if data["talk_date"] > today:
            data["talk_date"] = None
        return data
    data["activist_date"] = application + timedelta(days=rnd.randint(30, 100))
    if status == Status.ACTIVIST:
        return data
    data["candidate_date"] = add_years(data["activist_date"], 1) + timedelta(days=rnd.randint(0, 120))
    data["training_hours"] = rnd.choice([24, 24, 32, 40])
    if status == Status.CANDIDATE:
        return data
    admission = data["candidate_date"] + timedelta(days=rnd.randint(60, 150))
    if status == Status.PROBATIONARY:
        admission = today - timedelta(days=rnd.randint(100, 340))
        data["candidate_date"] = min(data["candidate_date"], admission - timedelta(days=60))
        data["activist_date"] = min(data["activist_date"], add_years(data["candidate_date"], -1))
        data["talk_date"] = min(data["talk_date"], data["activist_date"] - timedelta(days=5))
        data["application_date"] = min(data["application_date"], data["talk_date"] - timedelta(days=3))
    data["admission_date"] = admission
    data["approval_date"] = admission + timedelta(days=rnd.randint(10, 80))
    if data["approval_date"] > today:
        data["approval_date"] = None
    if status == Status.FULL:
        data["full_member_date"] = add_years(admission, 1)
    return data


class Builder:
    """Collects orgs with issued path codes and ids, then inserts them in bulk."""

    def __init__(self, start_id: int):
        self.next_id = start_id
        self.rows: list[Org] = []
        self.child_seq: dict[str | None, int] = {}

    def add(self, parent: Org | None, name: str, org_type, category, area: Area, founded: date | None = None) -> Org:
        key = parent.code if parent else None
        seq = self.child_seq.get(key, 0) + 1
        self.child_seq[key] = seq
        org = Org(
            id=self.next_id,
            code=(parent.code if parent else "") + f"{seq:03d}",
            name=name,
            org_type=org_type,
            category=category,
            parent=parent,
            area=area,
            area_path=area.code,
            founded_on=founded,
        )
        self.next_id += 1
        self.rows.append(org)
        return org


def build_orgs(seed: int, today: date) -> tuple[list[Org], list[Org]]:
    """All demo orgs, and the branches that hold members."""
    rnd = random.Random(f"{seed}:orgs")
    areas = {
        a.code: a
        for a in Area.objects.filter(
            level__in=[Level.CITY, Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID]
        ).order_by("code")
    }
    by_parent: dict[int, list[Area]] = {}
    for area in areas.values():
        by_parent.setdefault(area.parent_id, []).append(area)
    start = (Org.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    b = Builder(start)
    branches: list[Org] = []
    city = areas["3201"]
    root = b.add(None, "中共南京市委员会", OrgType.COMMITTEE, OrgCategory.CITY, city, date(1949, 4, 23))
    for name in INDUSTRY_COMMITTEES:
        industry = b.add(root, name, OrgType.COMMITTEE, OrgCategory.INDUSTRY, city, date(2018, 7, 1))
        for i in range(1, rnd.randint(3, 6)):
            branches.append(
                b.add(
                    industry,
                    f"{name[3:-4]}第{i}联合党支部",
                    OrgType.JOINT_BRANCH,
                    OrgCategory.PRIVATE_ENTERPRISE,
                    city,
                    date(2019, 3, 1),
                )
            )
    for district in by_parent.get(city.id, []):
        d_org = b.add(
            root,
            f"中共南京市{district.name}委员会",
            OrgType.COMMITTEE,
            OrgCategory.DISTRICT,
            district,
            date(1950, 1, 1),
        )
        organ = b.add(d_org, f"{district.name}机关工作委员会", OrgType.WORKING_COMMITTEE, OrgCategory.ORGAN, district)
        for dept in DISTRICT_DEPARTMENTS[: rnd.randint(4, len(DISTRICT_DEPARTMENTS))]:
            branches.append(
                b.add(
                    organ,
                    f"{district.name}{dept}机关党支部",
                    OrgType.BRANCH,
                    OrgCategory.ORGAN,
                    district,
                    date(2000, 1, 1),
                )
            )
        for street in by_parent.get(district.id, []):
            _street_orgs(b, rnd, d_org, street, by_parent, branches)
    _set_terms(rnd, b.rows, today)
    return b.rows, branches


def _street_orgs(b: Builder, rnd: random.Random, d_org: Org, street: Area, by_parent: dict, branches: list) -> None:
    """A street's (or town's) committee, its communities' committees, their grid branches and groups."""
    street_type = OrgType.WORKING_COMMITTEE if street.name.endswith("街道") else OrgType.COMMITTEE
    suffix = "工作委员会" if street_type == OrgType.WORKING_COMMITTEE else "委员会"
    s_org = b.add(d_org, f"中共{street.name}{suffix}", street_type, OrgCategory.STREET, street, date(1980, 1, 1))
    if street.code == "320102003":  # 新街口街道: the 商圈 comprehensive org (seed 000/001)
        hub = b.add(s_org, "新街口商圈综合党委", OrgType.COMMITTEE, OrgCategory.COMPREHENSIVE, street, date(2017, 6, 1))
        for i, firm in enumerate(["德基广场", "金鹰国际", "中央商场", "新百", "艾尚天地"], start=1):
            branches.append(
                b.add(
                    hub,
                    f"{firm}党支部",
                    OrgType.BRANCH,
                    OrgCategory.PRIVATE_ENTERPRISE,
                    street,
                    date(2017, 6, i),
                )
            )
    for community in by_parent.get(street.id, []):
        village = community.kind == "village"
        c_org = b.add(
            s_org,
            f"中共{community.name}委员会",
            OrgType.COMMITTEE,
            OrgCategory.VILLAGE if village else OrgCategory.COMMUNITY,
            community,
            date(2000 + rnd.randint(0, 20), 7, 1),
        )
        for grid in by_parent.get(community.id, []):
            branch = b.add(
                c_org,
                f"{grid.name}党支部",
                OrgType.BRANCH,
                OrgCategory.GRID,
                grid,
                date(2019 + rnd.randint(0, 4), 7, 1),
            )
            branches.append(branch)
            if rnd.random() < 0.25:
                b.add(branch, f"{grid.name}楼栋党小组", OrgType.GROUP, OrgCategory.BUILDING, grid)


def _set_terms(rnd: random.Random, rows: list[Org], today: date) -> None:
    for org in rows:
        term = term_for(org.org_type, org.category)
        if org.org_type != OrgType.GROUP and term is not None:
            # Spread term starts so some terms end within 6 months (换届 reminders) or are overdue.
            org.term_start = today - timedelta(days=rnd.randint(30, 365 * term.years + 120))
            org.term_end = add_years(org.term_start, term.years)


@transaction.atomic
def load_party(seed: int = 2024, members: int = 50_000, today: date | None = None, stdout=None) -> dict:
    """Insert demo orgs, units, departments, committee posts and members; returns counts."""
    if Org.objects.exists():
        return {"created": False, "orgs": Org.objects.count(), "members": Member.objects.count()}
    today = today or date.today()
    orgs, branches = build_orgs(seed, today)
    Org.objects.bulk_create(orgs, batch_size=2000)
    rnd = random.Random(f"{seed}:party")
    _load_units_and_departments(rnd, orgs)

    buildings_by_grid: dict[str, list[tuple[int, str]]] = {}
    for pk, code in Area.objects.filter(level=Level.BUILDING).values_list("id", "code"):
        buildings_by_grid.setdefault(code[:15], []).append((pk, code))
    statuses = (
        [Status.FULL] * 85
        + [Status.PROBATIONARY] * 4
        + [Status.CANDIDATE] * 3
        + [Status.ACTIVIST] * 4
        + [Status.APPLICANT] * 4
    )
    used_ids: set[str] = set()
    branch_weights = [3 if br.category == OrgCategory.GRID else 8 for br in branches]
    chosen = rnd.choices(branches, weights=branch_weights, k=members)
    secretaries: dict[str, Member] = {}
    full_by_branch: dict[int, list[Member]] = {}
    fields = list(Member._meta.concrete_fields)
    defaults = {f.attname: f.get_default() for f in fields}
    now = timezone.now()
    sink = SpoolSink(Member, fields).__enter__()
    next_id = (Member.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    for i, branch in enumerate(chosen):
        gender = Gender.MALE if rnd.random() < 0.7 else Gender.FEMALE
        status = rnd.choice(statuses)
        birth = today - timedelta(days=rnd.randint(24 * 365, 88 * 365))
        if status in (Status.APPLICANT, Status.ACTIVIST, Status.CANDIDATE, Status.PROBATIONARY):
            birth = today - timedelta(days=rnd.randint(21 * 365, 45 * 365))
        dates = _pipeline_dates(rnd, birth, status, today)
        district = branch.area_path[:6].ljust(6, "0")  # city-level orgs: 320100
        id_number = _id_number(rnd, district, birth, gender, used_ids)
        age = (today - birth).days // 365
        retired = age >= 60
        category = (
            DuesCategory.RETIRED
            if retired
            else rnd.choice([DuesCategory.EMPLOYED] * 8 + [DuesCategory.STUDENT, DuesCategory.UNEMPLOYED])
        )
        base = (
            Decimal(rnd.randrange(2500, 16000, 100))
            if category in (DuesCategory.EMPLOYED, DuesCategory.RETIRED)
            else Decimal(0)
        )
        paid_months_ago = 1 if rnd.random() < 0.97 else rnd.randint(6, 9)
        paid_through = add_months(today.replace(day=1), -paid_months_ago)
        homes = buildings_by_grid.get(branch.area_path)
        residence_id, residence_path = rnd.choice(homes) if homes else (None, "")
        mobile = rnd.random() < 0.02
        member = dict(
            id=next_id,
            name=_name(rnd),
            gender=gender,
            ethnicity=rnd.choice(ETHNICITIES),
            birth_date=birth,
            id_number=id_number,
            id_last4=id_number[-4:],
            phone=f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}",
            education=rnd.choice(EDUCATIONS),
            status=status,
            org_id=branch.id,
            org_path=branch.code,
            area_path=branch.area_path,
            residence_id=residence_id,
            residence_path=residence_path,
            workplace="" if retired else rnd.choice(["南京市某机关", "某科技公司", "某医院", "某学校", "个体经营"]),
            is_employed=not retired and category == DuesCategory.EMPLOYED,
            is_center_household=rnd.random() < 0.03,
            is_mobile=mobile,
            mobile_place=rnd.choice(["上海市", "苏州市", "杭州市", "深圳市"]) if mobile else "",
            mobile_since=today - timedelta(days=rnd.randint(30, 700)) if mobile else None,
            dues_category=category,
            dues_base=base,
            dues_paid_through=paid_through if status in (Status.FULL, Status.PROBATIONARY) else None,
            created_at=now,
            updated_at=now,
            **dates,
        )
        next_id += 1
        # Rows go in as tuples: model instances and bulk_create's per-value preparation cost most
        # of the load time at this size.
        sink.add(tuple(member[f.attname] if f.attname in member else defaults[f.attname] for f in fields))
        member = Holder(member["id"], member["name"])
        if status == Status.FULL:
            full_by_branch.setdefault(branch.id, []).append(member)
            # The first full member found below an org serves as its secretary.
            for cut in range(ORG_SEGMENT, len(branch.code) + 1, ORG_SEGMENT):
                secretaries.setdefault(branch.code[:cut], member)
        if stdout and (i + 1) % 10000 == 0:
            stdout.write(f"  已生成党员 {i + 1}/{members}")
    try:
        sink.commit()
    finally:
        sink.__exit__(None, None, None)

    posts = _committee_posts(rnd, orgs, secretaries, full_by_branch, today)
    CommitteePost.objects.bulk_create(posts, batch_size=5000)
    reset_sequences(Org, Member)
    refresh_member_counts()
    return {"created": True, "orgs": len(orgs), "members": members}


def _committee_posts(rnd: random.Random, orgs: list[Org], secretaries: dict, full_by_branch: dict, today: date):
    """A secretary for every org (a few vacant), and a committee for branches big enough to elect one."""
    posts: list[CommitteePost] = []
    for org in orgs:
        if org.org_type == OrgType.GROUP:
            continue
        secretary = secretaries.get(org.code)
        if secretary is None or rnd.random() < 0.01:  # a few vacancies for the setup checks
            posts.append(
                CommitteePost(org=org, post=Post.SECRETARY, vacant_since=today - timedelta(days=rnd.randint(10, 200)))
            )
            continue
        posts.append(
            CommitteePost(
                org=org,
                post=Post.SECRETARY,
                member_id=secretary.id,
                holder_name=secretary.name,
                start_on=org.term_start,
            )
        )
        # A branch with 7 or more full members elects a committee (支部委员会) of 3–5.
        full = full_by_branch.get(org.id, [])
        if len(full) >= 7 and rnd.random() < 0.97:
            others = [m for m in full if m is not secretary]
            for post, holder in zip((Post.ORGANISATION, Post.PROPAGANDA, Post.DISCIPLINE), others, strict=False):
                posts.append(
                    CommitteePost(
                        org=org, post=post, member_id=holder.id, holder_name=holder.name, start_on=org.term_start
                    )
                )
    return posts


def _load_units_and_departments(rnd: random.Random, orgs: list[Org]) -> None:
    streets = list(Area.objects.filter(level=Level.STREET).order_by("code"))
    districts = list(Area.objects.filter(level=Level.DISTRICT).order_by("code"))
    community_orgs = {o.area_path: o for o in orgs if o.category in (OrgCategory.COMMUNITY, OrgCategory.VILLAGE)}
    communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("code"))
    units = []
    for street in streets:
        stem = street.name.removesuffix("街道")
        for n, (pattern, kind) in enumerate(rnd.sample(UNIT_NAMES, 3), start=1):
            area = rnd.choice([c for c in communities if c.parent_id == street.id] or [street])
            units.append(
                ResidentUnit(
                    name=pattern.format(n=n + rnd.randint(1, 60), s=stem),
                    kind=kind,
                    area=area,
                    area_path=area.code,
                    contact_name=_name(rnd),
                )
            )
    ResidentUnit.objects.bulk_create(units, batch_size=2000)
    part_time = []
    for unit in units[::3]:
        org = community_orgs.get(unit.area_path)
        if org is not None:
            part_time.append(
                PartTimeMember(
                    org=org, role=PartTimeRole.PART_TIME_MEMBER, person_name=_name(rnd), unit=unit, job_title="党委书记"
                )
            )
    for unit in units[1::9]:
        org = community_orgs.get(unit.area_path)
        if org is not None:
            part_time.append(
                PartTimeMember(
                    org=org, role=PartTimeRole.FIRST_SECRETARY, person_name=_name(rnd), unit=unit, job_title="副处长"
                )
            )
    PartTimeMember.objects.bulk_create(part_time, batch_size=2000)
    departments = []
    for district in districts:
        for dept in DISTRICT_DEPARTMENTS:
            departments.append(
                Department(
                    name=f"{district.name}{dept}",
                    level=DepartmentLevel.DISTRICT,
                    area=district,
                    area_path=district.code,
                )
            )
    Department.objects.bulk_create(departments, batch_size=2000)

"""The demo city: Nanjing's real divisions plus generated grids, compounds and buildings.

Deterministic for a given seed and scale: every community draws from its own
``random.Random(f"{seed}:{code}")``, so the same community gets the same grids whatever else
changes. ``scale`` multiplies the households per community (and so grids and buildings).
"""

import math
import random
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from jiceng.accounts.models import User
from jiceng.accounts.services import assign_role, audit, create_user
from jiceng.areas.importer import import_divisions
from jiceng.areas.models import Area, Kind, Level
from jiceng.areas.services import recompute_rollups
from jiceng.core.bulk import reset_sequences
from jiceng.core.paths import subtree_q
from jiceng.core.rules import get_rule
from jiceng.demo.appeals import load_appeals
from jiceng.demo.appraisal import load_appraisal
from jiceng.demo.cobuild import load_cobuild, load_team_claims
from jiceng.demo.dashboards import load_dashboards
from jiceng.demo.dualreport import load_dualreport
from jiceng.demo.issue11 import load_issue11
from jiceng.demo.metrics import load_metrics
from jiceng.demo.orglife import load_orglife, load_orglife_year
from jiceng.demo.party import load_party
from jiceng.demo.volunteers import load_volunteers
from jiceng.members.models import Member
from jiceng.members.models import Status as MemberStatus
from jiceng.orgs.models import Department, DepartmentLevel
from jiceng.orgs.services import create_department

DIVISIONS_DIR = Path(__file__).resolve().parent.parent / "areas" / "data" / "nanjing_3201"
CN_NUMBERS = "一二三四五六七八九十"
COMPOUND_WORDS = ["花园", "新村", "小区", "苑", "家园", "公寓", "雅居", "名邸", "华府", "里"]
COMPOUND_STEMS = "金银翠锦华瑞盛和安康福泰祥丰明德清雅秀山水云月兰桂梅竹松柏"

DEMO_ACCOUNTS = [
    # username, display name, role, area code (None: the first grid of 北安门社区)
    ("city_admin", "南京市委组织部", "city_org", "3201"),
    ("xuanwu_admin", "玄武区委组织部", "district_org", "320102"),
    ("meiyuan_street", "梅园新村街道党工委", "street", "320102002"),
    ("beianmen", "北安门社区党委", "community", "320102002011"),
    ("beianmen_grid1", "北安门社区第一网格网格员", "grid_worker", None),
    # A handler of the street's own 城管执法 department (below), for 吹哨 → 报到 → 评价 end to end.
    ("meiyuan_zhifa", "梅园新村街道综合行政执法队", "department", "320102002"),
    # A party member of a 北安门社区 branch with their own login (my meetings, QR sign-in, 双报到).
    ("beianmen_dangyuan", "北安门社区党员", "member", "320102002011"),
    # Two 北安门社区 volunteers (jiceng/demo/volunteers.py links them): 我的志愿服务, 时间银行.
    ("beianmen_zhiyuanzhe", "北安门社区志愿者", "resident", "320102002011"),
    ("beianmen_laoren", "北安门社区老人", "resident", "320102002011"),
]
# The department a demo account of role "department" handles: (name, level) at its account's area.
DEMO_DEPARTMENT = ("梅园新村街道综合行政执法队", DepartmentLevel.STREET)


MEMBERS_PER_SCALE = 50_000
APPEALS_PER_SCALE = 5_000  # keeps the default demo load near a minute on 2 cores; SCALE raises it


@dataclass
class DemoReport:
    created: bool
    areas: int
    grids: int
    buildings: int
    accounts: list[str]
    orgs: int = 0
    members: int = 0
    appeals: int = 0


def cn_ordinal(n: int) -> str:
    if n <= 10:
        return CN_NUMBERS[n - 1]
    if n < 20:
        return "十" + CN_NUMBERS[n - 11]
    tens, ones = divmod(n, 10)
    return CN_NUMBERS[tens - 1] + "十" + (CN_NUMBERS[ones - 1] if ones else "")


def generate_community(community: Area, seed: int, scale: float, target: int, start_id: int):
    """Rows (grids, compounds, buildings) for one community, with ids assigned here."""
    rnd = random.Random(f"{seed}:{community.code}")
    base = rnd.randint(600, 3200) if community.kind != Kind.VIRTUAL else rnd.randint(50, 300)
    households = max(1, int(base * scale))
    grid_count = max(1, math.ceil(households / target))
    rows = []
    next_id = start_id
    remaining = households
    for g in range(1, grid_count + 1):
        grid_households = remaining if g == grid_count else min(remaining, target + rnd.randint(-40, 40))
        remaining -= grid_households
        grid = Area(
            id=next_id,
            code=f"{community.code}{g:03d}",
            name=f"{community.name}第{cn_ordinal(g)}网格",
            level=Level.GRID,
            kind=Kind.COMPREHENSIVE_GRID,
            parent_id=community.id,
        )
        next_id += 1
        rows.append(grid)
        compounds = rnd.randint(1, 3)
        for c in range(1, compounds + 1):
            compound = Area(
                id=next_id,
                code=f"{grid.code}{c:03d}",
                name=rnd.choice(COMPOUND_STEMS) + rnd.choice(COMPOUND_STEMS) + rnd.choice(COMPOUND_WORDS),
                level=Level.COMPOUND,
                kind=Kind.COMPOUND,
                parent_id=grid.id,
            )
            next_id += 1
            rows.append(compound)
            share = grid_households // compounds + (grid_households % compounds if c == compounds else 0)
            per_building = rnd.randint(24, 72)
            buildings = max(1, math.ceil(share / per_building))
            for b in range(1, buildings + 1):
                hh = share // buildings + (share % buildings if b == buildings else 0)
                population = int(hh * rnd.uniform(2.3, 2.9))
                rows.append(
                    Area(
                        id=next_id,
                        code=f"{compound.code}{b:03d}",
                        name=f"{b}栋",
                        level=Level.BUILDING,
                        kind=Kind.BUILDING,
                        parent_id=compound.id,
                        households=hh,
                        population=population,
                        total_households=hh,
                        total_population=population,
                    )
                )
                next_id += 1
    return rows


def load_demo(seed: int = 2024, scale: float = 1.0, stdout=None, today: date | None = None) -> DemoReport:
    """Load the demo city once; a second call finds it and returns at once. ``today`` (tests) fixes the
    day the party's dates and the year of requests lead up to; by default the real one."""
    areas_created = not Area.objects.filter(level=Level.GRID).exists()
    if areas_created:
        _load_areas(seed, scale, stdout)
    party = load_party(seed=seed, members=int(MEMBERS_PER_SCALE * scale), today=today, stdout=stdout)
    appeals = load_appeals(seed=seed, count=int(APPEALS_PER_SCALE * scale), today=today, stdout=stdout)
    accounts = ensure_accounts()
    # After the accounts: the demo member's branch holds the meetings. They are dated from the real
    # today whatever ``today`` says: one is open for sign-in now.
    load_orglife()
    load_orglife_year(seed=seed, today=today, stdout=stdout)
    # After the accounts: the demo member's own login is left to register on the phone.
    dual = load_dualreport(seed=seed, today=today, stdout=stdout)
    # After 双报到: last year's grades respect the 双报到 cap; the demo member has a ballot waiting.
    load_appraisal(seed=seed, today=today)
    _timed("共建清单", load_cobuild, seed=seed, today=today, stdout=stdout)
    # After 双报到: its confirmed services award 党员积分 (with 微心愿, 共建协议 and 协商议事).
    _timed("微心愿、共建协议、协商议事", load_issue11, seed=seed, today=today, stdout=stdout)
    _timed("志愿服务与时间银行", load_volunteers, seed=seed, today=today, scale=scale, stdout=stdout)
    # After the volunteer teams: some of the lists' claims and resources become the teams'.
    load_team_claims(seed=seed, stdout=stdout)
    # Last but one: the dashboards' statistics from everything loaded above.
    load_metrics()
    # Last: the 月报 freezes the figures everything above wrote.
    load_dashboards(today=today, stdout=stdout)
    return DemoReport(
        areas_created or party["created"] or appeals["created"] or dual["created"],
        Area.objects.count(),
        Area.objects.filter(level=Level.GRID).count(),
        Area.objects.filter(level=Level.BUILDING).count(),
        accounts,
        party["orgs"],
        party["members"],
        appeals["appeals"],
    )


def _timed(label: str, load, **kwargs):
    """Run one loader and say on its ``stdout`` how long it took (docs/timebank.md quotes the times)."""
    started = time.monotonic()
    result = load(**kwargs)
    stdout = kwargs.get("stdout")
    if stdout:
        stdout.write(f"  {label}：{time.monotonic() - started:.1f} 秒")
    return result


@transaction.atomic
def _load_areas(seed: int, scale: float, stdout) -> None:
    import_divisions(DIVISIONS_DIR)
    target = get_rule("grid.target_households")
    communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("code"))
    next_id = (Area.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    batch: list[Area] = []
    for i, community in enumerate(communities):
        rows = generate_community(community, seed, scale, target, next_id)
        next_id += len(rows)
        batch.extend(rows)
        if len(batch) >= 20000:
            Area.objects.bulk_create(batch, batch_size=2000)
            batch = []
            if stdout:
                stdout.write(f"  已生成 {i + 1}/{len(communities)} 个社区的网格和楼栋")
    Area.objects.bulk_create(batch, batch_size=2000)
    reset_sequences(Area)
    recompute_rollups()
    audit(None, "load_demo", Area.objects.get(code="3201"), after={"seed": seed, "scale": scale})


def _demo_department(area: Area) -> Department:
    """The street's own 城管执法 department (the demo's whistles and summons name district ones)."""
    name, level = DEMO_DEPARTMENT
    existing = Department.objects.filter(name=name, area=area).first()
    return existing or create_department(None, name=name, level=level, area=area)


def _link_demo_member(user: User, community: Area) -> None:
    """Give the demo member account a roster entry: a full member of a branch of ``community``."""
    if Member.objects.filter(user=user).exists():
        return
    member = (
        Member.objects.filter(
            subtree_q(community.code, "area_path"),
            status=MemberStatus.FULL,
            user__isnull=True,
            left_on__isnull=True,
            exit_date__isnull=True,
        )
        # An employed member where there is one, so the account can also try 双报到.
        .order_by("-is_employed", "org_path", "id")
        .first()
    )
    if member is not None:
        Member.objects.filter(pk=member.pk).update(user=user)


def ensure_accounts() -> list[str]:
    """Create the demo accounts that are missing (password from JICENG_DEMO_PASSWORD)."""
    password = settings.JICENG_DEMO_PASSWORD
    names = []
    for username, display_name, role, code in DEMO_ACCOUNTS:
        area = (
            Area.objects.get(code=code)
            if code
            else (Area.objects.filter(parent__code="320102002011", level=Level.GRID).order_by("code").first())
        )
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user(None, username=username, password=password, display_name=display_name, area=area)
        if role == "department":
            assign_role(None, user, role, department=_demo_department(area))
        else:
            assign_role(None, user, role, area)
        if role == "member":
            _link_demo_member(user, area)
        names.append(f"{username}（{display_name} · {area.name} {area.code}）")
    if not User.objects.filter(username="admin").exists():
        create_user(
            None, username="admin", password=password, display_name="系统管理员", is_staff=True, is_superuser=True
        )
    names.append("admin（系统管理员，可进入 /admin/）")
    return names

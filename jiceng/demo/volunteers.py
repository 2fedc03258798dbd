"""Demo 志愿服务 and 时间银行: every community of the city has a volunteer team and volunteers; the ledger
holds a year of movements (the issue's 1,000,000 × the demo's scale; ``JICENG_DEMO_TIMEBANK_MOVEMENTS``
sets the number, 0 leaves the ledger empty; the demo tests use a small one) written in bulk (see
:class:`_Ledger`): earnings from approved hours (each movement with its hours record, the only way
hours enter), redemptions by the 60+ volunteers (with their ``Redemption`` and the server's hours),
donations, and the overflow above the cap. Balances, movement counts and the
monthly hours per area are computed here from the same rows, so the nightly check (``manage.py
timebank_check``) finds them equal.

北安门社区 also gets activities around today (one open for sign-in now) and two logins:
``beianmen_zhiyuanzhe`` (a resident volunteer) and ``beianmen_laoren`` (a 60+ resident who redeems
services).
"""

from __future__ import annotations

import os
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from jiceng.accounts.models import User
from jiceng.accounts.services import assign_role, create_user
from jiceng.areas.models import Area, Level, ancestor_codes
from jiceng.core.bulk import copy_types, reset_sequences
from jiceng.core.rules import get_rule
from jiceng.timebank.models import Account, AccountKind, Movement, MovementKind, Redemption
from jiceng.volunteers.models import (
    Activity,
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

# The issue asks for a ledger of at least 1,000,000 movements (at scale 1); docs/timebank.md has the
# load times.
DEFAULT_MOVEMENTS = 1_000_000
PER_COMMUNITY = 12
HOME = "320102002011"  # 北安门社区
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "建国秀英桂兰志强丽华海燕明军玉梅文杰春花国庆晓东红霞伟平"
CONTENTS = [
    "助老陪伴",
    "助餐送餐",
    "陪同就医",
    "楼道清扫",
    "垃圾分类督导",
    "文明劝导",
    "理发义剪",
    "课后托管",
    "防汛值守",
]
SKILLS = ["", "理发", "家电维修", "医疗保健", "法律咨询", "心理疏导", "文艺"]
BATCH = 5000


def _movements_wanted(scale: float) -> int:
    value = os.environ.get("JICENG_DEMO_TIMEBANK_MOVEMENTS", "")
    return int(value) if value.isdigit() else int(DEFAULT_MOVEMENTS * scale)


def load_volunteers(
    seed: int = 2024, today: date | None = None, movements: int | None = None, scale: float = 1.0, stdout=None
) -> dict:
    if Team.objects.exists():
        return {"created": False, "movements": Movement.objects.count()}
    communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("code"))
    if not communities:
        return {"created": False, "movements": 0}
    today = today or timezone.localdate()
    wanted = _movements_wanted(scale) if movements is None else movements
    rnd = random.Random(f"{seed}:volunteers")
    with transaction.atomic():
        counts = _load(rnd, communities, today, wanted, stdout)
    return {"created": True, **counts}


def _name(rnd) -> str:
    return rnd.choice(SURNAMES) + rnd.choice(GIVEN) + rnd.choice(GIVEN)


def _load(rnd, communities, today: date, wanted: int, stdout) -> dict:
    now = timezone.now()
    # Volunteers and teams, one team per community.
    teams = [
        Team(
            name=f"{c.name}志愿服务队",
            community=c,
            area_path=c.code,
            service_scope="助老、环境、文明实践",
            member_count=PER_COMMUNITY,
        )
        for c in communities
    ]
    Team.objects.bulk_create(teams, batch_size=BATCH)
    volunteers = []
    for c in communities:
        for i in range(PER_COMMUNITY):
            elder = i < 3
            born = date(
                rnd.randint(1940, 1962) if elder else rnd.randint(1965, 2004), rnd.randint(1, 12), rnd.randint(1, 28)
            )
            volunteers.append(
                Volunteer(
                    name=_name(rnd),
                    birth_date=born,
                    community=c,
                    area_path=c.code,
                    skills=rnd.choice(SKILLS),
                    registered_on=today - timedelta(days=rnd.randint(30, 900)),
                )
            )
    Volunteer.objects.bulk_create(volunteers, batch_size=BATCH)
    by_community = defaultdict(list)
    for v in volunteers:
        by_community[v.community_id].append(v)
    TeamMember.objects.bulk_create(
        [
            TeamMember(team=t, volunteer=v, is_leader=i == PER_COMMUNITY - 1)
            for t in teams
            for i, v in enumerate(by_community[t.community_id])
        ],
        batch_size=BATCH,
    )
    # Accounts: each volunteer, each team, and the fund, issue and redeemed accounts of each community.
    accounts = [
        Account(kind=AccountKind.PERSON, volunteer=v, community_id=v.community_id, area_path=v.area_path, name=v.name)
        for v in volunteers
    ]
    accounts += [
        Account(kind=AccountKind.TEAM, team=t, community_id=t.community_id, area_path=t.area_path, name=t.name)
        for t in teams
    ]
    system = {}
    for c in communities:
        for kind, label in (
            (AccountKind.FUND, "公益基金"),
            (AccountKind.ISSUE, "时长发放"),
            (AccountKind.REDEEMED, "兑换服务"),
        ):
            account = Account(kind=kind, community=c, area_path=c.code, name=f"{c.name}{label}")
            system[(c.id, kind)] = account
            accounts.append(account)
    # Explicit ids: the movements name them, and each account is inserted once, with the balance and
    # the movement count of the simulated year (no update of 20,000 rows afterwards).
    first = (Account.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    for pk, account in enumerate(accounts, start=first):
        account.pk = pk
    person = {a.volunteer_id: a.pk for a in accounts if a.kind == AccountKind.PERSON}
    team_of = {t.community_id: t.pk for t in teams}
    system_ids = {key: a.pk for key, a in system.items()}
    cap = get_rule("timebank.balance_cap_hours")
    ledger = _Ledger(int(cap * 10), today, wanted, stdout)
    team_accounts = {a.community_id: a.pk for a in accounts if a.kind == AccountKind.TEAM}
    ledger.simulate(rnd, volunteers, by_community, person, team_of, team_accounts, system_ids)
    # Stored balances and counts from the same movements (the nightly check agrees).
    for a in accounts:
        a.balance = Decimal(ledger.balance[a.pk]) / 10
        a.movement_count = ledger.count[a.pk]
    Account.objects.bulk_create(accounts, batch_size=BATCH)
    ledger.flush()
    HoursMonth.objects.bulk_create(
        [HoursMonth(path=p, month=m, hours=Decimal(h) / 10, records=n) for (p, m), (h, n) in ledger.months.items()],
        batch_size=BATCH,
    )
    activities = _home_activities(rnd, now)
    _demo_logins()
    reset_sequences(
        Team, Volunteer, TeamMember, Account, Movement, HoursRecord, Redemption, HoursMonth, Activity, SignUp
    )
    return {
        "volunteers": len(volunteers),
        "teams": len(teams),
        "movements": ledger.made,
        "redemptions": ledger.redemptions,
        "activities": activities,
    }


class _Rows:
    """Rows of one model with explicit ids, flushed every ``FLUSH`` rows in the caller's transaction:
    ``COPY … FROM STDIN`` in binary format on PostgreSQL, ``executemany`` on SQLite. No ORM object
    per row; the values are already what the driver takes (see :meth:`_Ledger.moment`)."""

    FLUSH = 20_000

    def __init__(self, model, names: list[str]):
        fields = [model._meta.get_field(n[:-3] if n.endswith("_id") else n) for n in names]
        assert [f.attname for f in fields] == names, model
        # A column added later (e.g. by another app's migration) gets its default in every row.
        extra = [f for f in model._meta.concrete_fields if f.attname not in names]
        self.defaults = tuple(f.get_default() for f in extra)
        fields += extra
        quote = connection.ops.quote_name
        table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
        self.postgres = connection.vendor == "postgresql"
        self.types = copy_types(fields) if self.postgres else None
        binary = " (FORMAT BINARY)" if self.types else ""
        self.copy_sql = f"COPY {table} ({columns}) FROM STDIN{binary}"
        self.insert_sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        self.rows: list[tuple] = []

    def add(self, row: tuple) -> None:
        self.rows.append(row + self.defaults if self.defaults else row)
        if len(self.rows) >= self.FLUSH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(self.copy_sql) as copy:
                    if self.types:
                        copy.set_types(self.types)
                    for row in self.rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.insert_sql, self.rows)
        self.rows = []


class _Ledger:
    """The year of movements, simulated in tenths of an hour (integers) in id order, which is also
    the order of time: the day advances with the movement's number, so every balance, read in the
    order of ``created_at`` as the statement shows it, never went below zero nor above the cap.

    Rows go out through :class:`SpoolSink` with explicit ids (``COPY`` in binary format on
    PostgreSQL, ``executemany`` on SQLite): no ORM objects per row. Earnings are issue → person with
    their approved hours record and the volunteer's team (as ``timebank.services.earn`` writes
    them); a person above the cap gives the excess to the community fund (overflow); a 60+
    volunteer redeems a service (person → 兑换服务, with its ``Redemption`` and the server's
    approved hours, 通存通兑: the server is from any community); donations go to the fund, the
    team or a relative. A volunteer's hours on one day stay within ``volunteers.daily_hours_cap``.
    """

    FIELDS = {
        HoursRecord: [
            "id", "volunteer_id", "activity_id", "team_id", "source", "status", "served_on", "hours", "content",
            "area_path", "reason", "decided_by_id", "decided_at", "created_at",
        ],
        Movement: [
            "id", "debit_id", "credit_id", "amount", "kind", "reverses_id", "hours_record_id", "team_id", "memo",
            "actor_id", "created_at",
        ],
        Redemption: [
            "id", "beneficiary_id", "server_id", "hours", "content", "served_on", "movement_id", "area_path",
            "created_at",
        ],
    }  # fmt: skip

    def __init__(self, cap: int, today: date, wanted: int, stdout):
        self.cap = cap
        self.day_cap = int(get_rule("volunteers.daily_hours_cap") * 10)
        self.wanted = wanted
        self.stdout = stdout
        self.start = today - timedelta(days=364)
        self.balance: dict[int, int] = defaultdict(int)
        self.count: dict[int, int] = defaultdict(int)
        self.months: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0])
        self.made = 0
        self.redemptions = 0
        self.ids = {
            model: model._default_manager.order_by("-id").values_list("id", flat=True).first() or 0
            for model in self.FIELDS
        }
        self.sinks = {model: _Rows(model, names) for model, names in self.FIELDS.items()}
        self.sqlite = connection.vendor == "sqlite"
        self._tenths: dict[int, Decimal] = {}
        self._moments: dict[tuple[date, int], datetime | str] = {}
        self._days: dict[date, date | str] = {}
        self._paths: dict[str, list[str]] = {}
        self._day: date | None = None
        self._served: dict[int, int] = defaultdict(int)  # tenths served today per volunteer

    def hours(self, tenths: int) -> Decimal:
        value = self._tenths.get(tenths)
        if value is None:
            value = self._tenths[tenths] = Decimal(tenths) / 10
        return value

    def moment(self, day: date, hour: int) -> datetime | str:
        value = self._moments.get((day, hour))
        if value is None:
            value = timezone.make_aware(datetime.combine(day, time(hour)))
            if self.sqlite:  # what Django's SQLite backend stores: naive UTC text
                value = str(timezone.make_naive(value, connection.timezone))
            self._moments[(day, hour)] = value
        return value

    def day(self, day: date):
        value = self._days.get(day)
        if value is None:
            value = self._days[day] = str(day) if self.sqlite else day
        return value

    def next_id(self, model) -> int:
        self.ids[model] += 1
        return self.ids[model]

    def move(self, debit: int, credit: int, tenths: int, kind: str, memo: str, when, record=None, team=None) -> int:
        self.balance[debit] -= tenths
        self.balance[credit] += tenths
        self.count[debit] += 1
        self.count[credit] += 1
        pk = self.next_id(Movement)
        self.sinks[Movement].add((pk, debit, credit, self.hours(tenths), kind, None, record, team, memo, None, when))
        self.made += 1
        if self.made % 200_000 == 0 and self.stdout:
            self.stdout.write(f"  时间银行流水 {self.made}/{self.wanted}")
        return pk

    def room(self, volunteer) -> int:
        return self.day_cap - self._served[volunteer.pk]

    def earn(self, volunteer, account: int, tenths: int, content: str, source: str, day: date, when, ctx) -> None:
        team = ctx["team_of"][volunteer.community_id]
        record = self.next_id(HoursRecord)
        hours = self.hours(tenths)
        path = volunteer.area_path
        self.sinks[HoursRecord].add(
            (
                record,
                volunteer.pk,
                None,
                team,
                source,
                HoursStatus.APPROVED.value,
                self.day(day),
                hours,
                content,
                path,
                "",
                None,
                when,
                when,
            )
        )
        self._served[volunteer.pk] += tenths
        self.move(ctx["system"][(volunteer.community_id, AccountKind.ISSUE)], account, tenths,
                  MovementKind.EARN.value, content, when, record, team)  # fmt: skip
        paths = self._paths.get(path)
        if paths is None:
            paths = self._paths[path] = [*ancestor_codes(path), path]
        month = day.replace(day=1)
        for p in paths:
            row = self.months[(p, month)]
            row[0] += tenths
            row[1] += 1
        self.overflow(volunteer, account, when, ctx)

    def overflow(self, volunteer, account: int, when, ctx) -> None:
        excess = self.balance[account] - self.cap
        if excess > 0:
            fund = ctx["system"][(volunteer.community_id, AccountKind.FUND)]
            self.move(account, fund, excess, MovementKind.OVERFLOW.value, "超出个人上限部分转入公益基金", when)

    def simulate(self, rnd, volunteers, by_community, person, team_of, team_accounts, system) -> None:
        ctx = {"team_of": team_of, "system": system, "team_accounts": team_accounts}
        elders = {v.pk for v in volunteers if v.birth_date and v.birth_date.year <= 1962}
        idle, last = 0, self.made
        while self.made < self.wanted:
            # Each volunteer serves at most the daily cap: too many movements a year for too few
            # volunteers can never be written (every pick is capped for the day). Say so, not spin.
            idle = idle + 1 if self.made == last else 0
            last = self.made
            if idle > 200_000:
                raise ValueError(
                    f"{len(volunteers)} 名志愿者在每日上限内写不下 {self.wanted} 笔流水（已写 {self.made} 笔）："
                    "请增加社区数或减少流水数。"
                )
            v = rnd.choice(volunteers)
            acct = person[v.pk]
            day = self.start + timedelta(days=self.made * 365 // self.wanted)
            if day != self._day:
                self._day = day
                self._served.clear()
            when = self.moment(day, rnd.randint(8, 18))
            roll = rnd.random()
            community = v.community_id
            if roll < 0.72 or self.balance[acct] < 10:
                tenths = min(rnd.choice((10, 10, 20, 20, 30, 40)) + (5 if rnd.random() < 0.2 else 0), self.room(v))
                if tenths > 0:
                    source = HoursSource.SELF.value if rnd.random() < 0.3 else HoursSource.ATTENDANCE.value
                    self.earn(v, acct, tenths, rnd.choice(CONTENTS), source, day, when, ctx)
            elif roll < 0.92 and v.pk in elders:
                tenths = min(self.balance[acct], rnd.choice((10, 20)))
                local = rnd.random() < 0.8
                server = None
                for _ in range(10):
                    candidate = rnd.choice(by_community[community] if local else volunteers)
                    if candidate.pk != v.pk and self.room(candidate) >= tenths:
                        server = candidate
                        break
                if server is None:
                    continue
                content = rnd.choice(CONTENTS[:4])
                movement = self.move(acct, system[(community, AccountKind.REDEEMED)], tenths,
                                     MovementKind.REDEEM.value, content, when)  # fmt: skip
                self.sinks[Redemption].add(
                    (self.next_id(Redemption), v.pk, server.pk, self.hours(tenths), content, self.day(day), movement,
                     v.area_path, when)
                )  # fmt: skip
                self.redemptions += 1
                # The server's hours (source 兑换服务), approved by their own community: an earning.
                self.earn(server, person[server.pk], tenths, f"时间银行兑换服务：{content}",
                          HoursSource.REDEMPTION.value, day, when, ctx)  # fmt: skip
            else:
                tenths = min(self.balance[acct], 10)
                pick = rnd.random()
                if pick < 0.45:
                    self.move(acct, system[(community, AccountKind.FUND)], tenths, MovementKind.DONATE.value,
                              "捐赠给社区公益基金", when)  # fmt: skip
                elif pick < 0.6:
                    self.move(acct, ctx["team_accounts"][community], tenths, MovementKind.DONATE.value,
                              "捐赠给志愿服务队", when)  # fmt: skip
                else:
                    relative = rnd.choice(by_community[community])
                    if relative.pk != v.pk:
                        target = person[relative.pk]
                        self.move(acct, target, tenths, MovementKind.DONATE.value, "捐赠给亲属", when)
                        self.overflow(relative, target, when, ctx)

    def flush(self) -> None:
        """The rows not yet written (the accounts they name are in: the foreign keys are checked
        at commit anyway)."""
        for sink in self.sinks.values():
            sink.flush()


def _home_activities(rnd, now: datetime) -> int:
    team = Team.objects.filter(area_path=HOME).first()
    if team is None:
        return 0
    members = list(Volunteer.objects.filter(area_path=HOME).order_by("id"))
    plans = [
        (-72, 2, "楼道清扫"),
        (-1, 3, "助老陪伴（进行中，可扫码签到）"),
        (24, 2, "垃圾分类督导"),
        (48, 3, "理发义剪"),
        (96, 2, "防汛值守"),
    ]
    made = 0
    for offset, length, title in plans:
        start = now + timedelta(hours=offset)
        activity = Activity.objects.create(
            team=team,
            title=title,
            place="北安门社区党群服务中心",
            starts_at=start,
            ends_at=start + timedelta(hours=length),
            places=4,
            area_path=HOME,
        )
        taken = rnd.sample(members, min(5, len(members)))
        for i, v in enumerate(taken):
            status = SignUpStatus.CONFIRMED if i < 4 else SignUpStatus.WAITING
            SignUp.objects.create(activity=activity, volunteer=v, status=status, area_path=HOME)
        Activity.objects.filter(pk=activity.pk).update(taken=4, waiting=max(len(taken) - 4, 0))
        made += 1
    return made


def _demo_logins() -> None:
    home = Area.objects.filter(code=HOME).first()
    if home is None:
        return
    password = settings.JICENG_DEMO_PASSWORD
    for username, display, elder in (
        ("beianmen_zhiyuanzhe", "北安门社区志愿者", False),
        ("beianmen_laoren", "北安门社区老人", True),
    ):
        user = User.objects.filter(username=username).first()
        if user is None:  # the bench loads volunteers without the demo's accounts
            user = create_user(None, username=username, password=password, display_name=display, area=home)
            assign_role(None, user, "resident", home)
        candidates = Volunteer.objects.filter(area_path=HOME, user__isnull=True)
        candidates = (
            candidates.filter(birth_date__year__lte=1962) if elder else candidates.filter(birth_date__year__gt=1962)
        )
        volunteer = candidates.order_by("id").first()
        if volunteer is not None:
            Volunteer.objects.filter(pk=volunteer.pk).update(user=user, name=display)
            Account.objects.filter(volunteer=volunteer).update(name=display)

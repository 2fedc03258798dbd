"""时间银行 and 志愿服务 benchmarks (issue 11, point 9), in one run on a database of their own.

1. Builds a fresh database (PostgreSQL ``bench_timebank`` by default, dropped and created; or a
   SQLite file with ``--database-url sqlite:///...``): a city with ``--communities`` communities,
   the demo's volunteers, teams and a ledger of ``--movements`` movements (jiceng/demo/volunteers.py).
2. Measures, at that size: a community's volunteer board (``/volunteers/my/`` as a volunteer), a
   person's balance (``/api/v1/timebank-accounts/<pk>/``) and statement page of the busiest person.
3. Appends 9× the movements (earnings with their hours records, bulk), so the ledger is 10× the
   baseline, and measures the same pages again: ratio big ÷ small, target ≤ 1.5 (a balance read is
   the stored balance, never a sum over the history).
4. The nightly check of all movements (seconds, rows) and that it finds no difference.
5. Concurrent spends (PostgreSQL only): ``--clients`` threads redeem 1 h each from one account
   holding fewer hours than asked: correct result (exactly the balance spent, never below zero) and
   throughput (spends/s).

    .venv/bin/python -m bench.timebank --json out.json [--movements 100000] [--communities 60]
        [--rounds 15] [--clients 16] [--database-url postgres://postgres@127.0.0.1:5432/bench_timebank]
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_timebank"


def log(message: str) -> None:
    print(message, flush=True)


def fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.split("sqlite:///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    os.environ.setdefault("JICENG_DEBUG", "0")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_city(communities: int):
    from jiceng.areas.models import Area, Kind, Level

    city = Area.objects.create(code="3201", name="南京市", level=Level.CITY, kind=Kind.CITY)
    district = Area.objects.create(
        code="320102", name="玄武区", level=Level.DISTRICT, kind=Kind.URBAN_DISTRICT, parent=city
    )
    streets = [
        Area.objects.create(
            code=f"320102{s:03d}", name=f"第{s}街道", level=Level.STREET, kind=Kind.SUBDISTRICT, parent=district
        )
        for s in range(1, max(1, communities // 20) + 2)
    ]
    rows = []
    for i in range(communities):
        street = streets[i % len(streets)]
        code = f"{street.code}{(i // len(streets)) + 1:03d}"
        rows.append(Area(code=code, name=f"第{i + 1}社区", level=Level.COMMUNITY, kind=Kind.RESIDENTIAL, parent=street))
    Area.objects.bulk_create(rows)
    home = Area.objects.filter(level=Level.COMMUNITY).order_by("code").first()
    return home


def append_earnings(count: int, seed: int = 7) -> int:
    """``count`` more earnings (issue → person, each with its approved hours record), balances kept."""
    import random
    from collections import defaultdict
    from datetime import timedelta
    from decimal import Decimal

    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from jiceng.timebank.models import Account, AccountKind, Movement, MovementKind
    from jiceng.volunteers.models import HoursRecord, HoursSource, HoursStatus

    rnd = random.Random(seed)
    people = list(
        Account.objects.filter(kind=AccountKind.PERSON).values_list("pk", "volunteer_id", "community_id", "area_path")
    )
    issue = dict(Account.objects.filter(kind=AccountKind.ISSUE).values_list("community_id", "pk"))
    today = timezone.localdate()
    delta: dict[int, Decimal] = defaultdict(Decimal)
    moves: dict[int, int] = defaultdict(int)
    done = 0
    while done < count:
        n = min(20000, count - done)
        records, rows = [], []
        for _ in range(n):
            pk, volunteer_id, community_id, path = rnd.choice(people)
            hours = Decimal(rnd.choice([1, 2, 3]))
            records.append(
                HoursRecord(
                    volunteer_id=volunteer_id,
                    source=HoursSource.ATTENDANCE,
                    status=HoursStatus.APPROVED,
                    served_on=today - timedelta(days=rnd.randint(0, 364)),
                    hours=hours,
                    content="助老陪伴",
                    area_path=path,
                )
            )
            rows.append((issue[community_id], pk, hours))
        with transaction.atomic():
            HoursRecord.objects.bulk_create(records, batch_size=5000)
            Movement.objects.bulk_create(
                [
                    Movement(debit_id=d, credit_id=c, amount=a, kind=MovementKind.EARN, memo="助老陪伴", hours_record=r)
                    for (d, c, a), r in zip(rows, records, strict=True)
                ],
                batch_size=5000,
            )
        for d, c, a in rows:
            delta[d] -= a
            delta[c] += a
            moves[d] += 1
            moves[c] += 1
        done += n
    with transaction.atomic():
        for pk, amount in delta.items():
            Account.objects.filter(pk=pk).update(
                balance=F("balance") + amount, movement_count=F("movement_count") + moves[pk]
            )
    return done


def timed(client, url: str, rounds: int) -> float:
    client.get(url)  # warm
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples)


def measure(rounds: int) -> dict:
    from django.test import Client

    from jiceng.timebank.models import Account, AccountKind
    from jiceng.volunteers.models import Volunteer

    volunteer = Volunteer.objects.filter(user__username="beianmen_zhiyuanzhe").select_related("user").first()
    busiest = Account.objects.filter(kind=AccountKind.PERSON).order_by("-movement_count", "pk").first()
    client = Client()
    client.force_login(volunteer.user)
    staff = Client()
    from jiceng.accounts.models import User

    staff.force_login(User.objects.get(username="bench_city"))
    return {
        "board_ms": timed(client, "/volunteers/my/", rounds),
        "balance_ms": timed(staff, f"/api/v1/timebank-accounts/{busiest.pk}/", rounds),
        "statement_ms": timed(staff, f"/timebank/accounts/{busiest.pk}/", rounds),
        "busiest_movements": busiest.movement_count,
    }


def concurrent_spends(clients: int) -> dict:
    from decimal import Decimal

    from django.db import connection
    from django.db.models import F

    from jiceng.accounts.models import User
    from jiceng.accounts.services import assign_role
    from jiceng.timebank import services
    from jiceng.timebank.models import Account
    from jiceng.volunteers.models import Volunteer

    elder = Volunteer.objects.select_related("community").filter(user__username="beianmen_laoren").first()
    # The beneficiary's community records a redemption (the city office holds no such grant).
    actor = User.objects.create(username="bench_community", display_name="社区党委")
    assign_role(None, actor, "community", elder.community)
    # Fresh volunteers of another community serve (通存通兑): the generated history has filled the
    # daily cap of the old ones for today, which would refuse the redemption for another reason.
    other_id, other_path = (
        Volunteer.objects.exclude(community_id=elder.community_id).values_list("community_id", "area_path").first()
    )
    servers = Volunteer.objects.bulk_create(
        [Volunteer(name=f"服务者{i}", community_id=other_id, area_path=other_path) for i in range(clients)]
    )
    account = Account.objects.get(volunteer=elder)
    # Give the elder exactly half the hours asked (an approved-hours earning would do the same).
    holding = Decimal(clients // 2)
    diff = holding - account.balance
    from jiceng.timebank.models import AccountKind

    issue = Account.objects.get(community_id=elder.community_id, kind=AccountKind.ISSUE)
    if diff:
        # Through the service path's own primitives: one movement and both balances.
        from django.db import transaction

        with transaction.atomic():
            locked = services._lock(account, issue)
            if diff > 0:
                services._move(None, locked[issue.pk], locked[account.pk], diff, "earn", memo="bench")
            else:
                services._move(None, locked[account.pk], locked[issue.pk], -diff, "donate", memo="bench")
    barrier = threading.Barrier(clients)
    results: list = [None] * clients

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = services.redeem(actor, elder, servers[i], "1", "助餐")
        except Exception as exc:  # a refusal is a result
            results[i] = exc
        finally:
            connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    seconds = time.perf_counter() - started
    ok = sum(1 for r in results if not isinstance(r, Exception))
    refused = [r for r in results if isinstance(r, Exception)]
    final = Account.objects.get(pk=account.pk).balance
    del F
    return {
        "clients": clients,
        "held": str(holding),
        "succeeded": ok,
        "refused_balance": sum(1 for r in refused if "余额不足" in str(r)),
        "other_errors": [str(r)[:200] for r in refused if "余额不足" not in str(r)],
        "final_balance": str(final),
        "correct": ok == int(holding) and final == 0,
        "seconds": round(seconds, 3),
        "spends_per_s": round(ok / seconds, 1) if seconds else None,
    }


def row(key, name, value, unit, baseline_name=None, baseline_value=None, target=None):
    ratio = round(value / baseline_value, 3) if baseline_value else None
    met = None
    if target is not None and ratio is not None:
        met = ratio <= target
    return {
        "key": key,
        "name": name,
        "value": round(value, 2) if isinstance(value, float) else value,
        "unit": unit,
        "baseline_name": baseline_name,
        "baseline_value": round(baseline_value, 2) if isinstance(baseline_value, float) else baseline_value,
        "ratio": ratio,
        "target": f"<= {target}" if target is not None else None,
        "met": met,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path)
    parser.add_argument("--movements", type=int, default=100_000, help="the baseline ledger; the big one is 10×")
    parser.add_argument("--communities", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    url = args.database_url
    fresh_database(url)
    setup(url)
    from django.db import connection

    from jiceng.accounts.services import assign_role
    from jiceng.demo.volunteers import load_volunteers
    from jiceng.timebank.checks import run_check

    log(f"building: {args.communities} communities, {args.movements} movements ({connection.vendor})")
    home = build_city(args.communities)
    import jiceng.demo.volunteers as demo

    demo.HOME = home.code
    started = time.perf_counter()
    load_volunteers(seed=2024, movements=args.movements)
    build_small = time.perf_counter() - started
    from jiceng.accounts.models import User

    city = User.objects.create(username="bench_city", display_name="市委组织部")
    from jiceng.areas.models import Area

    assign_role(None, city, "city_org", Area.objects.get(code="3201"))
    small = measure(args.rounds)
    log(f"small: {small}")
    started = time.perf_counter()
    append_earnings(args.movements * 9)
    build_big = time.perf_counter() - started
    big = measure(args.rounds)
    log(f"big: {big}")
    check = run_check()
    check_seconds = (check.finished_at - check.started_at).total_seconds()
    log(f"check: {check.movements} movements in {check_seconds:.1f} s, ok={check.ok}")
    spends = concurrent_spends(args.clients) if connection.vendor == "postgresql" else None
    log(f"spends: {spends}")
    after = run_check()
    m = args.movements
    rows = [
        row(
            "timebank.board",
            f"志愿服务 board (/volunteers/my/) at {m * 10} vs {m} movements",
            big["board_ms"],
            "ms",
            f"{m} movements",
            small["board_ms"],
            1.5,
        ),
        row(
            "timebank.balance",
            f"balance read (API account detail) at {m * 10} vs {m} movements",
            big["balance_ms"],
            "ms",
            f"{m} movements",
            small["balance_ms"],
            1.5,
        ),
        row(
            "timebank.statement",
            f"statement page of the busiest person ({big['busiest_movements']} vs "
            f"{small['busiest_movements']} movements)",
            big["statement_ms"],
            "ms",
            f"{m} movements",
            small["statement_ms"],
            1.5,
        ),
        row(
            "timebank.check",
            f"nightly ledger check of {check.movements} movements (worker)",
            round(check_seconds, 2),
            "s",
        ),
    ]
    if spends:
        rows.append(
            row(
                "timebank.spends",
                f"{spends['clients']} concurrent 1 h spends from {spends['held']} h",
                spends["spends_per_s"],
                "spends/s",
            )
        )
        rows[-1]["met"] = spends["correct"]
    facts = {
        "backend": connection.vendor,
        "movements_small": m,
        "movements_big": check.movements,
        "build_small_s": round(build_small, 1),
        "append_big_s": round(build_big, 1),
        "check_ok": check.ok,
        "check_after_spends_ok": after.ok,
        "spends": spends,
        "small": small,
        "big": big,
    }
    result = {"rows": rows, "facts": facts}
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)
    return 0 if check.ok and after.ok and (spends is None or spends["correct"]) else 1


if __name__ == "__main__":
    sys.exit(main())

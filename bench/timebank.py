"""时间银行 and 志愿服务 benchmarks (issue 11, point 9), in one run on databases of their own.

1. Builds two fresh databases (PostgreSQL ``bench_timebank_small`` and ``bench_timebank_big`` by
   default, dropped and created; or two SQLite files next to ``--database-url sqlite:///...``), each
   a city of ``--communities`` communities with the demo's volunteers and teams and the demo's
   ledger (jiceng/demo/volunteers.py): ``--movements`` movements in the small one, 10 × in the big.
2. Measures, in both, interleaved (rounds alternate small/big and big/small, the database is
   switched before each, every page is requested once untimed after the switch, then
   ``--per-round`` timed requests each; the median of all samples): a community's volunteer board
   (``/volunteers/my/`` as a volunteer), a person's balance (``/api/v1/timebank-accounts/<pk>/``)
   and the statement page of the busiest person. Ratio big ÷ small, target ≤ 1.5: load that
   changes during the run hits both sizes alike. The query count of each page at both sizes and
   the plan of the board's hours list are reported too.
3. The nightly check of all movements of the big ledger (seconds, rows) and that it finds no
   difference.
4. Concurrent spends (PostgreSQL only): ``--clients`` threads redeem 1 h each from one account
   holding fewer hours than asked: correct result (exactly the balance spent, never below zero) and
   throughput (spends/s).

    .venv/bin/python -m bench.timebank --json out.json [--movements 100000] [--communities 60]
        [--rounds 15] [--per-round 3] [--clients 16]
        [--database-url postgres://postgres@127.0.0.1:5432/bench_timebank]
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


def sized_urls(url: str) -> dict[str, str]:
    """The small and the big database next to ``url`` (a PostgreSQL name or a SQLite file)."""
    if url.startswith("sqlite"):
        path = Path(url.split("sqlite:///", 1)[1])
        return {size: f"sqlite:///{path.with_name(f'{path.stem}-{size}{path.suffix}')}" for size in ("small", "big")}
    return {size: f"{url}_{size}" for size in ("small", "big")}


def database_name(url: str) -> str:
    return url.split("sqlite:///", 1)[1] if url.startswith("sqlite") else url.rsplit("/", 1)[1]


def use(url: str) -> None:
    """Point the default connection (and any thread's new one: they share the settings) at ``url``."""
    from django.core.cache import cache
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = database_name(url)
    cache.clear()  # the process's own local-memory cache: nothing of the other database is kept


def build(communities: int, movements: int) -> float:
    """Migrate, the city, the demo's volunteers and ledger, the bench's city user: seconds to load."""
    from django.core.management import call_command

    from jiceng.accounts.models import User
    from jiceng.accounts.services import assign_role
    from jiceng.areas.models import Area
    from jiceng.demo.volunteers import load_volunteers

    call_command("migrate", verbosity=0)
    home = build_city(communities)
    import jiceng.demo.volunteers as demo

    demo.HOME = home.code
    started = time.perf_counter()
    load_volunteers(seed=2024, movements=movements)
    seconds = time.perf_counter() - started
    city = User.objects.create(username="bench_city", display_name="市委组织部")
    assign_role(None, city, "city_org", Area.objects.get(code="3201"))
    return seconds


def pages() -> dict:
    """The pages measured in the current database: {key: (client, url)} and the busiest's count."""
    from django.test import Client

    from jiceng.accounts.models import User
    from jiceng.timebank.models import Account, AccountKind
    from jiceng.volunteers.models import Volunteer

    volunteer = Volunteer.objects.filter(user__username="beianmen_zhiyuanzhe").select_related("user").first()
    busiest = Account.objects.filter(kind=AccountKind.PERSON).order_by("-movement_count", "pk").first()
    client = Client()
    client.force_login(volunteer.user)
    staff = Client()
    staff.force_login(User.objects.get(username="bench_city"))
    return {
        "urls": {
            "board": (client, "/volunteers/my/"),
            "balance": (staff, f"/api/v1/timebank-accounts/{busiest.pk}/"),
            "statement": (staff, f"/timebank/accounts/{busiest.pk}/"),
        },
        "busiest_movements": busiest.movement_count,
        "volunteer": volunteer.pk,
    }


def board_plan(volunteer_id: int) -> dict:
    """The board's only query whose rows grow with the ledger (the volunteer's newest hours)."""
    from django.db import connection

    from jiceng.volunteers.models import HoursRecord

    rows = HoursRecord.objects.filter(volunteer_id=volunteer_id)
    newest = rows.order_by("-served_on", "-id")[:10]
    options = {"analyze": True, "buffers": True} if connection.vendor == "postgresql" else {}
    return {"volunteer_hours_records": rows.count(), "plan": newest.explain(**options).splitlines()}


def measure(urls: dict[str, str], rounds: int, per_round: int, warmup: int = 2) -> dict:
    """Both sizes, interleaved: every round switches to each database (alternating which first),
    requests each page once untimed, then ``per_round`` timed requests; medians of all samples."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sides = {}
    for size, url in urls.items():
        use(url)
        sides[size] = pages()
    samples: dict[str, dict[str, list[float]]] = {size: {key: [] for key in sides[size]["urls"]} for size in urls}
    order = list(urls)
    for number in range(warmup + rounds):
        for size in order if number % 2 == 0 else order[::-1]:
            use(urls[size])
            for client, url in sides[size]["urls"].values():
                assert client.get(url).status_code == 200, (size, url)
            if number < warmup:
                continue
            for key, (client, url) in sides[size]["urls"].items():
                for _ in range(per_round):
                    started = time.perf_counter()
                    response = client.get(url)
                    samples[size][key].append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, (url, response.status_code)
    result = {}
    for size, url in urls.items():
        use(url)
        queries = {}
        for key, (client, page) in sides[size]["urls"].items():
            with CaptureQueriesContext(connection) as captured:
                client.get(page)
            queries[key] = len(captured.captured_queries)
        result[size] = {
            **{f"{key}_ms": statistics.median(values) for key, values in samples[size].items()},
            **{f"{key}_p90_ms": sorted(values)[int(len(values) * 0.9)] for key, values in samples[size].items()},
            "samples": len(samples[size]["board"]),
            "queries": queries,
            "busiest_movements": sides[size]["busiest_movements"],
            "board_plan": board_plan(sides[size]["volunteer"]),
        }
    return result


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
    parser.add_argument("--movements", type=int, default=100_000, help="the small ledger; the big one is 10×")
    parser.add_argument("--communities", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    urls = sized_urls(args.database_url)
    for url in urls.values():
        fresh_database(url)
    setup(urls["small"])
    from django.db import connection

    from jiceng.timebank.checks import run_check

    m = args.movements
    built = {}
    for size, count in (("small", m), ("big", m * 10)):
        use(urls[size])
        log(f"building {size}: {args.communities} communities, {count} movements ({connection.vendor})")
        built[size] = build(args.communities, count)
        log(f"  loaded in {built[size]:.1f} s")
    measured = measure(urls, args.rounds, args.per_round)
    small, big = measured["small"], measured["big"]
    log(f"small: { {k: v for k, v in small.items() if k != 'board_plan'} }")
    log(f"big: { {k: v for k, v in big.items() if k != 'board_plan'} }")
    use(urls["big"])
    check = run_check()
    check_seconds = (check.finished_at - check.started_at).total_seconds()
    log(f"check: {check.movements} movements in {check_seconds:.1f} s, ok={check.ok}")
    spends = concurrent_spends(args.clients) if connection.vendor == "postgresql" else None
    log(f"spends: {spends}")
    after = run_check()
    rows = [
        row(
            f"timebank.{key}",
            f"{label} at {m * 10} vs {m} movements ({big['queries'][key]} vs {small['queries'][key]} queries)",
            big[f"{key}_ms"],
            "ms",
            f"{m} movements",
            small[f"{key}_ms"],
            1.5,
        )
        for key, label in (
            ("board", "志愿服务 board (/volunteers/my/)"),
            ("balance", "balance read (API account detail)"),
        )
    ]
    rows.append(
        row(
            "timebank.statement",
            f"statement page of the busiest person ({big['busiest_movements']} vs "
            f"{small['busiest_movements']} movements; {big['queries']['statement']} vs "
            f"{small['queries']['statement']} queries)",
            big["statement_ms"],
            "ms",
            f"{m} movements",
            small["statement_ms"],
            1.5,
        )
    )
    rows.append(
        row(
            "timebank.check",
            f"nightly ledger check of {check.movements} movements (worker)",
            round(check_seconds, 2),
            "s",
        )
    )
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
        "load_small_s": round(built["small"], 1),
        "load_big_s": round(built["big"], 1),
        "rounds": args.rounds,
        "per_round": args.per_round,
        "check_ok": check.ok,
        "check_after_spends_ok": after.ok,
        "spends": spends,
        "small": small,
        "big": big,
        "loadavg": os.getloadavg(),
    }
    result = {"rows": rows, "facts": facts}
    text = json.dumps(result, ensure_ascii=False, indent=2)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    print(text)
    return 0 if check.ok and after.ok and (spends is None or spends["correct"]) else 1


if __name__ == "__main__":
    sys.exit(main())

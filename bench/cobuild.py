"""共建清单 benchmarks (issue 11, point 9), on a PostgreSQL database of their own (``bench_cobuild``,
dropped and built again each run; never the developer's):

1. the community service board (服务公告栏) for a resident and for the street, at the demo's size
   (``--per-community`` items in each community, a year of them) and again after adding nine times
   as many (10× the items): ratio of the medians (target ≤ 1.5) and the query counts (must be equal);
2. concurrent claims: ``--threads`` threads each claiming one unit of one item of ``--quantity``
   until refused; the result must be exactly the quantity (no more, no less) and every refusal
   must say why; reported as claims per second.

    .venv/bin/python -m bench.cobuild --json out.json [--communities 40] [--per-community 14]
        [--rounds 15] [--threads 50] [--quantity 400]

Writes ``{"rows": [...], "facts": {...}}`` in the shape of bench/appeals_run.py's rows.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
NAME = "bench_cobuild"
TARGET = 1.5


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def recreate() -> None:
    import psycopg

    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{NAME}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = PG_SERVER_URL.rsplit("/", 1)[0] + "/" + NAME
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def build_city(communities: int):
    """南京市 › 玄武区 › streets of 10 communities each; three resident units per street."""
    from jiceng.areas.models import Area, Level
    from jiceng.orgs.models import ResidentUnit, UnitKind

    city = Area.objects.create(code="3201", name="南京市", level=Level.CITY, kind="city")
    district = Area.objects.create(code="320102", name="玄武区", level=Level.DISTRICT, parent=city)
    areas, units = [], []
    for s in range((communities + 9) // 10):
        street = Area.objects.create(
            code=f"320102{s + 1:03d}", name=f"第{s + 1}街道", level=Level.STREET, parent=district
        )
        for c in range(min(10, communities - s * 10)):
            areas.append(
                Area(
                    code=f"{street.code}{c + 1:03d}",
                    name=f"{street.name}第{c + 1}社区",
                    level=Level.COMMUNITY,
                    parent=street,
                )
            )
        units += [
            ResidentUnit(
                name=f"{street.name}驻区单位{n}", kind=UnitKind.STATE_ENTERPRISE, area=street, area_path=street.code
            )
            for n in range(3)
        ]
    Area.objects.bulk_create(areas)
    ResidentUnit.objects.bulk_create(units)
    return areas


def users(community_code: str, street_code: str):
    from jiceng.accounts.models import User
    from jiceng.accounts.services import assign_role
    from jiceng.areas.models import Area

    resident = User.objects.create_user(username="bench_resident", password="x")
    assign_role(None, resident, "resident", Area.objects.get(code=community_code))
    street = User.objects.create_user(username="bench_street", password="x")
    assign_role(None, street, "street", Area.objects.get(code=street_code))
    return resident, street


def measure(user, rounds: int) -> tuple[float, int]:
    """Median ms of ``GET /cobuild/`` for ``user`` and its query count."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for _ in range(3):
        assert client.get("/cobuild/").status_code == 200
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get("/cobuild/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        client.get("/cobuild/")
    return statistics.median(times), len(ctx.captured_queries)


def add_items(per_community: int, seed: int) -> int:
    import random

    from django.db import transaction
    from django.utils import timezone

    from jiceng.cobuild.services import rebuild_months
    from jiceng.demo.cobuild import _load

    with transaction.atomic():
        counts = _load(random.Random(seed), timezone.localdate(), per_community)
        rebuild_months()
    return counts["items"]


def concurrent_claims(threads: int, quantity: int, community_code: str) -> dict:
    from django.db import connections

    from jiceng.areas.models import Area
    from jiceng.cobuild import services
    from jiceng.cobuild.models import Category, Claim, Kind
    from jiceng.orgs.models import ResidentUnit, UnitKind

    community = Area.objects.get(code=community_code)
    category = Category.objects.filter(parent__isnull=False).first()
    item = services.publish_item(
        None, kind=Kind.NEED, title="并发认领", category=category, area=community, quantity=quantity, unit_label="份"
    )
    total_claimers = quantity + threads * 4
    claimers = ResidentUnit.objects.bulk_create(
        [
            ResidentUnit(
                name=f"认领单位{n}", kind=UnitKind.PRIVATE_ENTERPRISE, area=community, area_path=community.code
            )
            for n in range(total_claimers)
        ]
    )
    barrier = threading.Barrier(threads)
    wins: list[int] = []
    refusals: list[str] = []
    other: list[str] = []
    lock = threading.Lock()

    def run(t: int) -> None:
        try:
            barrier.wait(timeout=30)
            for unit in claimers[t::threads]:
                try:
                    services.claim_item(None, item, quantity=1, unit=unit)
                    with lock:
                        wins.append(unit.pk)
                except services.CobuildError as exc:
                    with lock:
                        (refusals if exc.code == "quantity" else other).append(exc.message)
        except BaseException as exc:  # collect: the main thread reports it
            with lock:
                other.append(repr(exc))
        finally:
            connections.close_all()

    started = time.perf_counter()
    workers = [threading.Thread(target=run, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - started
    item.refresh_from_db()
    return {
        "attempts": total_claimers,
        "wins": len(wins),
        "refused_quantity": len(refusals),
        "other_errors": other[:5],
        "taken": item.taken,
        "quantity": item.quantity,
        "claims_in_db": Claim.objects.filter(item=item).count(),
        "exact": item.taken == item.quantity == len(wins) == Claim.objects.filter(item=item).count(),
        "every_loser_told": len(refusals) == total_claimers - len(wins) and all("认领完" in m for m in refusals),
        "seconds": round(seconds, 2),
        "per_s": round(total_claimers / seconds, 1),
    }


def row(key, name, value, unit, baseline_name=None, baseline_value=None, target=None, met=None, **extra) -> dict:
    ratio = round(value / baseline_value, 2) if value is not None and baseline_value else None
    return {
        "key": key,
        "name": name,
        "value": round(value, 2) if isinstance(value, float) else value,
        "unit": unit,
        "baseline_name": baseline_name,
        "baseline_value": round(baseline_value, 2) if isinstance(baseline_value, float) else baseline_value,
        "ratio": ratio,
        "target": target,
        "met": met,
        **extra,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--communities", type=int, default=40)
    parser.add_argument("--per-community", type=int, default=14)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--threads", type=int, default=50)
    parser.add_argument("--quantity", type=int, default=400)
    args = parser.parse_args()
    recreate()
    setup_django()
    areas = build_city(args.communities)
    community, street = areas[0].code, areas[0].code[:9]
    resident, street_user = users(community, street)
    facts: dict = {"database": NAME, "communities": args.communities}
    small = add_items(args.per_community, 1)
    log(f"demo size: {small} items")
    r_small, rq_small = measure(resident, args.rounds)
    s_small, sq_small = measure(street_user, args.rounds)
    big = small + add_items(args.per_community * 9, 2)
    log(f"10x: {big} items")
    r_big, rq_big = measure(resident, args.rounds)
    s_big, sq_big = measure(street_user, args.rounds)
    facts.update(
        items_small=small, items_big=big, queries={"resident": [rq_small, rq_big], "street": [sq_small, sq_big]}
    )
    rows = [
        row(
            "cobuild.board.resident",
            f"服务公告栏（居民，{big}项 vs {small}项）",
            r_big,
            "ms",
            f"{small}项",
            r_small,
            f"<= {TARGET}",
            r_big / r_small <= TARGET and rq_big == rq_small,
            queries=[rq_small, rq_big],
        ),
        row(
            "cobuild.board.street",
            f"服务公告栏（街道，含下级统计，{big}项 vs {small}项）",
            s_big,
            "ms",
            f"{small}项",
            s_small,
            f"<= {TARGET}",
            s_big / s_small <= TARGET and sq_big == sq_small,
            queries=[sq_small, sq_big],
        ),
    ]
    race = concurrent_claims(args.threads, args.quantity, community)
    facts["claims"] = race
    rows.append(
        row(
            "cobuild.claims.concurrent",
            f"并发认领（{args.threads}线程，{race['attempts']}次争{args.quantity}份）",
            race["per_s"],
            "claims/s",
            target="exactly the quantity, every loser told",
            met=race["exact"] and race["every_loser_told"] and not race["other_errors"],
        )
    )
    args.json.write_text(json.dumps({"rows": rows, "facts": facts}, ensure_ascii=False, indent=1), encoding="utf-8")
    for r in rows:
        log(f"{r['name']}: {r['value']} {r['unit']} (baseline {r['baseline_value']}, ratio {r['ratio']})")
    return 0 if all(r["met"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())

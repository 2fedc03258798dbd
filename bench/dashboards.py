"""The dashboard of a community, street, district and city user at the demo size vs full scale
(issue 12, point 6), in-process, both databases side by side in one run.

Two PostgreSQL databases of its own (never the developer's), built once and reused while their key
matches (``COMMENT ON DATABASE``, as bench/appeals_data.py does):

* ``bench_dash_<members>_<appeals>`` for each size: the demo city (areas at scale 1, about 10,000
  party orgs from ``load_party``), ``members`` party members and ``appeals`` requests of a year,
  then the statistics the write verbs keep, rebuilt once (``members.stats.rebuild`` and
  ``tallies.tasks.rebuild_all``: the demo writes in bulk, past the verbs).

Defaults: the demo size (50,000 members, 5,000 requests, as ``make demo``) vs 560,000 members and
50,000 requests (``--big-appeals 5000000`` for the issue's 5 M: the dashboard reads the monthly
``AreaStat`` rows, whose number is bounded by nodes × months, not by requests; building 5 M takes
hours here, bench/appeals_data.py).

Measured through ``django.test.Client`` (middleware, session, grants, queries, template):
``GET /dashboard/areas/<node>/?period=2026-10`` and ``GET /api/v1/metrics/figures/`` for users at
each level, and the city user's org-tree dashboard. Targets: big / small ≤ 1.5 and big ≤ 100 ms;
the number of SQL statements is recorded (it must be the same on both sizes).

    .venv/bin/python -m bench.dashboards [--json out.json] [--rounds 4]
        [--small-members 50000] [--big-members 560000] [--small-appeals 5000] [--big-appeals 50000]
"""

import argparse
import copy
import hashlib
import inspect
import json
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench.timing import emit

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
SEED = 2024
TODAY = date(2026, 11, 1)
PERIOD = "2026-10"
VERSION = 1
TARGET_RATIO = 1.5
TARGET_MS = 100.0
# (label, role, area code or None for "the street's first community")
USERS = [
    ("community", "community", None),
    ("street", "street", "320102002"),
    ("district", "district_org", "320102"),
    ("city", "city_org", "3201"),
]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def url(name: str) -> str:
    return PG_SERVER_URL.rsplit("/", 1)[0] + "/" + name


def db_name(members: int, appeals: int) -> str:
    return f"bench_dash_{members}_{appeals}"


def build_key(members: int, appeals: int) -> str:
    """What the records depend on (the schema is not part of it: a reused database is migrated)."""
    from jiceng.demo import appeals as demo_appeals
    from jiceng.demo import party

    digest = hashlib.sha256((inspect.getsource(party) + inspect.getsource(demo_appeals)).encode()).hexdigest()[:12]
    return f"jiceng-bench-dash v{VERSION} seed={SEED} today={TODAY} members={members} appeals={appeals} code={digest}"


def stats_key() -> str:
    """What the statistics depend on: a reused database whose statistics were computed by other
    code gets them rebuilt (not the whole database)."""
    from jiceng.members import stats
    from jiceng.tallies import services, tasks

    text = "".join(inspect.getsource(m) for m in (stats, services, tasks))
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _server(sql: str, params=None):
    import psycopg

    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        return conn.execute(sql, params).fetchone() if sql.startswith("SELECT") else conn.execute(sql)


def build(name: str, members: int, appeals: int) -> dict:
    """In a process of its own (DATABASE_URL set before Django starts): build or reuse ``name``."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    key = build_key(members, appeals)
    row = _server("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
    found, _, found_stats = (row[0] if row and row[0] else "").partition(" stats=")
    if found == key:
        call_command("migrate", interactive=False, verbosity=0)
        log(f"[{name}] reusing the database built for: {key}")
        facts = {"database": name, "reused": True}
        if found_stats != stats_key():
            from jiceng.demo.metrics import load_metrics

            step = time.perf_counter()
            facts.update(load_metrics(), stats_rebuild_s=round(time.perf_counter() - step, 1))
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE members_memberstat")
            log(f"[{name}] statistics rebuilt in {facts['stats_rebuild_s']} s")
            connections.close_all()
            _server(f"COMMENT ON DATABASE \"{name}\" IS '{key} stats={stats_key()}'")
        return facts
    log(f"[{name}] building: {key}")
    connections.close_all()
    _server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _server(f'CREATE DATABASE "{name}"')
    from bench import dataset
    from jiceng.accounts.services import assign_role, create_user
    from jiceng.areas.models import Area, Level
    from jiceng.demo.appeals import load_appeals
    from jiceng.demo.metrics import load_metrics
    from jiceng.demo.party import load_party

    timings = {}
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    dataset.load_city(SEED, 1.0, log)
    timings["areas_s"] = round(time.perf_counter() - started, 1)
    step = time.perf_counter()
    load_party(SEED, members, TODAY)
    timings["party_s"] = round(time.perf_counter() - step, 1)
    step = time.perf_counter()
    load_appeals(SEED, appeals, TODAY)
    timings["appeals_s"] = round(time.perf_counter() - step, 1)
    step = time.perf_counter()
    stats = load_metrics()
    timings["stats_rebuild_s"] = round(time.perf_counter() - step, 1)
    community = Area.objects.filter(level=Level.COMMUNITY, code__startswith="320102002").order_by("code").first()
    for label, role, code in USERS:
        user = create_user(None, username=f"bench_dash_{label}", password=None, display_name=f"bench {label}")
        assign_role(None, user, role, Area.objects.get(code=code or community.code))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["total_s"] = round(time.perf_counter() - started, 1)
    connections.close_all()
    _server(f"COMMENT ON DATABASE \"{name}\" IS '{key} stats={stats_key()}'")
    return {"database": name, "reused": False, **stats, **timings}


_WRAPPERS: dict = {}
NAMES: dict = {}


def use(size: str) -> None:
    from django.db import connections
    from django.db.utils import load_backend

    if size not in _WRAPPERS:
        settings = copy.deepcopy(connections.settings["default"])
        settings["NAME"] = NAMES[size]
        _WRAPPERS[size] = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, "default")
    connections["default"] = _WRAPPERS[size]


def cases_for(size: str) -> tuple[dict, dict]:
    from django.test import Client

    from bench.timing import Case
    from jiceng.accounts.models import User
    from jiceng.members.models import Member, MemberStat
    from jiceng.orgs.models import Org
    from jiceng.tallies.models import NodeTally

    use(size)
    cases = {}
    facts = {
        "members": Member.objects.count(),
        "orgs": Org.objects.count(),
        "member_stat_rows": MemberStat.objects.count(),
        "node_tally_rows": NodeTally.objects.count(),
    }
    for label, _, _ in USERS:
        user = User.objects.get(username=f"bench_dash_{label}")
        client = Client()
        client.force_login(user)
        grant = user.role_assignments.select_related("area").first()
        code = grant.area.code
        urls = {
            "page": f"/dashboard/areas/{code}/?period={PERIOD}",
            "api": f"/api/v1/metrics/figures/?tree=areas&node={code}&period={PERIOD}",
        }
        if label == "city":
            root = Org.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True).first()
            urls["orgpage"] = f"/dashboard/orgs/{root}/?period={PERIOD}"
        for kind, address in urls.items():

            def fn(client=client, address=address):
                response = client.get(address)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {address} answered {response.status_code}")
                return response

            cases[f"{kind}/{label}"] = Case(f"{kind}/{label}", fn)
        api = client.get(urls["api"]).json()
        facts[f"figures/{label}"] = {k: api["figures"].get(k) for k in ("members.area.party", "appeals.received")}
        facts[f"children/{label}"] = len(api["children"])
    return cases, facts


DESCRIPTIONS = {
    "page": "GET /dashboard/areas/<node>/ (数据看板, period " + PERIOD + "), {level} user",
    "api": "GET /api/v1/metrics/figures/ (the same figures as JSON), {level} user",
    "orgpage": "GET /dashboard/orgs/<root org>/ (党组织 tree), {level} user",
}


def measure(rounds: int, sizes: dict) -> dict:
    from bench import timing

    cases, facts = {}, {}
    for size in ("small", "big"):
        cases[size], facts[size] = cases_for(size)
        for case in cases[size].values():
            use(size)
            case.count_queries()
    groups = [[(size, cases[size][key]) for size in ("small", "big")] for key in cases["small"]]
    log(f"  measuring {len(groups)} cases × 2 sizes, {rounds} rounds, alternating sample by sample")
    timing.measure_groups(groups, use, rounds=rounds)
    rows = []
    for key in cases["small"]:
        kind, level = key.split("/")
        small, big = cases["small"][key].summary(), cases["big"][key].summary()
        ratio = round(big["median_ms"] / small["median_ms"], 3) if small["median_ms"] else None
        text = DESCRIPTIONS[kind].format(level=level)
        rows.append(
            {
                "key": f"dashboard_{kind}_{level}_big_vs_small",
                "name": f"postgres {sizes['big']}: {text}",
                "value": big["median_ms"],
                "unit": "ms",
                "baseline_name": f"postgres {sizes['small']}: {text}",
                "baseline_value": small["median_ms"],
                "ratio": ratio,
                "target": f"ratio <= {TARGET_RATIO:g} and <= {TARGET_MS:g} ms",
                "met": ratio is not None
                and ratio <= TARGET_RATIO
                and big["median_ms"] <= TARGET_MS
                and big["queries"] == small["queries"],
                "queries": big["queries"],
                "baseline_queries": small["queries"],
                "reps": big["reps"],
                "cpu_ms": big["cpu_median_ms"],
                "baseline_cpu_ms": small["cpu_median_ms"],
                "p90_ms": [small["p90_ms"], big["p90_ms"]],
            }
        )
    return {"facts": facts, "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--small-members", type=int, default=50_000)
    parser.add_argument("--big-members", type=int, default=560_000)
    parser.add_argument("--small-appeals", type=int, default=5_000)
    parser.add_argument("--big-appeals", type=int, default=50_000)
    parser.add_argument("--build", nargs=3, metavar=("NAME", "MEMBERS", "APPEALS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    if args.build:
        name, members, appeals = args.build[0], int(args.build[1]), int(args.build[2])
        os.environ["DATABASE_URL"] = url(name)
        print(json.dumps(build(name, members, appeals), ensure_ascii=False))
        return 0
    started = time.perf_counter()
    sizes = {
        "small": (args.small_members, args.small_appeals),
        "big": (args.big_members, args.big_appeals),
    }
    built = {}
    for size, (members, appeals) in sizes.items():
        NAMES[size] = db_name(members, appeals)
        step = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bench.dashboards", "--build", NAMES[size], str(members), str(appeals)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        built[size] = {
            **json.loads(done.stdout.strip().splitlines()[-1]),
            "seconds": round(time.perf_counter() - step, 1),
        }
    os.environ["DATABASE_URL"] = url(NAMES["small"])
    import django

    django.setup()
    labels = {size: f"{m:,} members, {a:,} requests" for size, (m, a) in sizes.items()}
    result = measure(args.rounds, labels)
    result["built"] = built
    result["seconds"] = round(time.perf_counter() - started, 1)
    return emit(result, args.json)


if __name__ == "__main__":
    sys.exit(main())

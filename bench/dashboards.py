"""The dashboard of a community, street, district and city user at the demo size vs full scale
(issue 12, point 6), in-process, both databases side by side in one run.

Two PostgreSQL databases of its own (never the developer's), built once and reused while their key
matches (``COMMENT ON DATABASE``, as bench/appeals_data.py does):

* ``bench_dash_<members>_<appeals>`` for each size: the demo city (areas at scale 1, about 10,000
  party orgs from ``load_party``), ``members`` party members and ``appeals`` requests of a year,
  then the statistics the write verbs keep, rebuilt once (``members.stats.rebuild`` and
  ``tallies.tasks.rebuild_all``: the demo writes in bulk, past the verbs);
* then (:func:`complete`, recorded as ``extra=`` in the comment) a year of 组织生活 for every
  branch (``load_orglife_year`` without attendance rows) and its tallies, on both; and on the big
  one the 民呼我应 statistics rows of ``--big-density`` requests (5 M), written directly from the
  loaded requests' rates (:func:`synthesise_appeal_stats`: the dashboards read the monthly
  ``AreaStat``/``DepartmentStat`` rows, never the requests; loading 5 M real ones takes 98 min).

Defaults: the demo size (50,000 members, 5,000 requests, as ``make demo``) vs 560,000 members,
50,000 requests loaded and the statistics of 5,000,000.

Measured through ``django.test.Client`` (middleware, session, grants, queries, template):
``GET /dashboard/areas/<node>/?period=2026-10`` and ``GET /api/v1/metrics/figures/`` for users at
each level, and the city user's org-tree dashboard. Targets: big / small ≤ 1.5 and big ≤ 100 ms;
the same number of SQL statements on both sizes, at most ``MAX_QUERIES``. Each row also says where
a big request's time goes (``big_breakdown``: SQL as the client waits for it vs the rest, the
slowest statements), and the result the load average before and after (the machine is shared).

    .venv/bin/python -m bench.dashboards [--json out.json] [--rounds 4]
        [--small-members 50000] [--big-members 560000] [--small-appeals 5000] [--big-appeals 50000]
        [--big-density 5000000]
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
# One request's SQL statements: the same on both sizes, and at most this many (about one per
# metric source for the figures, one per periodic source for the trend, and the page's own).
MAX_QUERIES = 30
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


def build(name: str, members: int, appeals: int, density: int = 0) -> dict:
    """In a process of its own (DATABASE_URL set before Django starts): build or reuse ``name``."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    key = build_key(members, appeals)
    row = _server("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
    found, _, rest = (row[0] if row and row[0] else "").partition(" stats=")
    found_stats, _, found_extra = rest.partition(" extra=")
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
            found_extra = ""  # the tallies were rebuilt: the year of meetings' are again, the rest stays
        facts.update(complete(name, key, density, found_extra))
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
    return {"database": name, "reused": False, **stats, **timings, **complete(name, key, density, "")}


def extra_key(density: int) -> str:
    """What the second stage depends on: the year of meetings' loader and the statistics synthesis."""
    from jiceng.demo import orglife

    text = inspect.getsource(orglife) + inspect.getsource(synthesise_appeal_stats)
    return f"{hashlib.sha256(text.encode()).hexdigest()[:12]}-{density}"


def complete(name: str, key: str, density: int, found_extra: str) -> dict:
    """The second stage, on a database built (or reused) above, recorded in its comment as
    ``extra=``: a year of 组织生活 for every branch (``load_orglife_year`` without attendance rows,
    as bench/orglife.py), the tallies rebuilt from it; then, when ``density`` (requests) is larger
    than the requests loaded, the 民呼我应 statistics rows ``density`` requests would give
    (:func:`synthesise_appeal_stats`)."""
    from django.db import connection, connections

    wanted = extra_key(density)
    if found_extra == wanted:
        return {"extra": "reused"}
    from jiceng.demo.orglife import load_orglife_year
    from jiceng.tallies.tasks import rebuild_all

    facts: dict = {}
    step = time.perf_counter()
    year = load_orglife_year(SEED, TODAY, attendance_rows=False)
    facts["orglife"] = {k: v for k, v in year.items() if isinstance(v, int | bool)}
    facts["tallies"] = rebuild_all()
    facts["orglife_s"] = round(time.perf_counter() - step, 1)
    log(f"[{name}] a year of meetings: {facts['orglife']} in {facts['orglife_s']} s")
    if density > appeals_loaded():
        step = time.perf_counter()
        facts["synthesised"] = synthesise_appeal_stats(density)
        facts["synthesis_s"] = round(time.perf_counter() - step, 1)
        log(f"[{name}] statistics of {density:,} requests: {facts['synthesised']} in {facts['synthesis_s']} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connections.close_all()
    _server(f"COMMENT ON DATABASE \"{name}\" IS '{key} stats={stats_key()} extra={wanted}'")
    return facts


def appeals_loaded() -> int:
    from jiceng.appeals.models import Appeal

    return Appeal.objects.count()


def synthesise_appeal_stats(requests: int) -> dict:
    """Replace the 民呼我应 statistics (``AreaStat``, ``DepartmentStat``) with the rows ``requests``
    requests received over the twelve months up to ``PERIOD`` would give, written directly (the
    dashboards read these rows, never the requests; loading 5 M real requests takes 98 min here).

    Density: at 5 M requests a grid receives about 60 a month, so every grid × month has a row (as
    every department × month); each grid-month's ``received`` is drawn uniformly in [0.5 λ, 1.5 λ]
    (λ = requests ÷ grid-months, at least 1; ``setseed`` makes it repeatable) and every other
    counter is ``received`` × that counter's share in the loaded requests' city rows (their rates,
    so the rates stay plausible; ``rebuild_sql`` first gives their statistics). Grid rows are
    summed up to community, street, district and city as ``appeals.stats.rebuild_sql`` does.
    Departments likewise, each month's ``dispatched`` drawn around the loaded requests' share of
    dispatches to departments. PostgreSQL only."""
    from django.db import connection, transaction
    from django.db.models import Sum

    from jiceng.appeals.models import COUNTER_FIELDS, AreaStat, DepartmentStat
    from jiceng.appeals.stats import STAT_LEVELS, rebuild_sql
    from jiceng.areas.models import Area, Level
    from jiceng.core.metrics import Period
    from jiceng.orgs.models import Department

    rebuild_sql()  # from the loaded requests first: their rates, whatever ran here before
    qn = connection.ops.quote_name
    sums = {n: Sum(n) for n in COUNTER_FIELDS}
    city = {n: v or 0 for n, v in AreaStat.objects.filter(level="city").aggregate(**sums).items()}
    depts = {n: v or 0 for n, v in DepartmentStat.objects.aggregate(**sums).items()}
    if not city["received"]:
        raise RuntimeError("no requests loaded: nothing to take the rates from")
    months = Period.parse(PERIOD, TODAY).trend(12)
    grids = Area.objects.filter(level=Level.GRID).count()
    departments = Department.objects.count()
    area_table, dept_table = qn(AreaStat._meta.db_table), qn(DepartmentStat._meta.db_table)
    grid_sql, grid_params = Area.objects.filter(level=Level.GRID).values("code").query.sql_with_params()
    dept_sql, dept_params = Department.objects.order_by().values("id").query.sql_with_params()
    columns = ", ".join(qn(n) for n in COUNTER_FIELDS)

    def counters(totals: dict, base: str) -> str:
        # ``r`` is the row's ``base`` counter; each other counter its share of ``base`` in ``totals``
        return ", ".join(
            "r" if n == base else f"ROUND(r * {totals[n] / totals[base]:.8f})::int" for n in COUNTER_FIELDS
        )

    with transaction.atomic(), connection.cursor() as cursor:
        AreaStat.objects.all().delete()
        DepartmentStat.objects.all().delete()
        cursor.execute("SELECT setseed(0.2024)")
        lam = max(1.0, requests / (grids * len(months)))
        cursor.execute(
            f"INSERT INTO {area_table} (path, level, month, {columns}) "
            f"SELECT code, 'grid', month, {counters(city, 'received')} FROM ("
            f"  SELECT g.code, m.month, GREATEST(1, ROUND(%s * (0.5 + random())))::int AS r"
            f"  FROM ({grid_sql}) g CROSS JOIN UNNEST(%s::date[]) AS m(month) ORDER BY g.code, m.month"
            f") t",
            [lam, *grid_params, months],
        )
        rows = {"grid": cursor.rowcount}
        total = ", ".join(f"SUM({qn(n)})" for n in COUNTER_FIELDS)
        for length, level in STAT_LEVELS.items():
            if level == "grid":
                continue
            cursor.execute(
                f"INSERT INTO {area_table} (path, level, month, {columns}) "
                f"SELECT SUBSTR(path, 1, %s), %s, month, {total} FROM {area_table} "
                f"WHERE level = 'grid' GROUP BY SUBSTR(path, 1, %s), month",
                [length, level, length],
            )
            rows[level] = cursor.rowcount
        received = sum(AreaStat.objects.filter(level="city").values_list("received", flat=True))
        if departments and depts["dispatched"]:
            dept_lam = max(1.0, received * depts["dispatched"] / city["received"] / (departments * len(months)))
            cursor.execute(
                f"INSERT INTO {dept_table} (department_id, month, {columns}) "
                f"SELECT id, month, {counters(depts, 'dispatched')} FROM ("
                f"  SELECT d.id, m.month, GREATEST(1, ROUND(%s * (0.5 + random())))::int AS r"
                f"  FROM ({dept_sql}) d CROSS JOIN UNNEST(%s::date[]) AS m(month) ORDER BY d.id, m.month"
                f") t",
                [dept_lam, *dept_params, months],
            )
            rows["departments"] = cursor.rowcount
    return {"received": received, "grids": grids, "departments": departments, "rows": rows}


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
    from jiceng.appeals.models import Appeal, AreaStat, DepartmentStat
    from jiceng.members.models import Member, MemberStat
    from jiceng.orglife.models import Meeting
    from jiceng.orgs.models import Org
    from jiceng.tallies.models import NodeTally

    use(size)
    cases = {}
    facts: dict[str, object] = {
        "members": Member.objects.count(),
        "orgs": Org.objects.count(),
        "member_stat_rows": MemberStat.objects.count(),
        "node_tally_rows": NodeTally.objects.count(),
        "meetings": Meeting.objects.count(),
        "requests": Appeal.objects.count(),
        "area_stat_rows": AreaStat.objects.count(),
        "department_stat_rows": DepartmentStat.objects.count(),
        "requests_in_stats": sum(AreaStat.objects.filter(level="city").values_list("received", flat=True)),
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


def breakdown(case, runs: int = 7) -> dict:
    """Where one request's time goes: the SQL statements' time (as the client sees it: sending,
    the server's work, fetching) vs the rest (Python: middleware, ORM, template, JSON), medians of
    ``runs`` requests, and the slowest statements of the median request."""
    import statistics

    from django.db import connection

    walls, sqls, slowest = [], [], []
    for _ in range(runs):
        spent: list[tuple[float, str]] = []

        def timed(execute, sql, params, many, context, spent=spent):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent.append((time.perf_counter() - started, sql))

        started = time.perf_counter()
        with connection.execute_wrapper(timed):
            case.fn()
        walls.append(time.perf_counter() - started)
        sqls.append(sum(t for t, _ in spent))
        slowest.append(sorted(spent, reverse=True)[:3])
    middle = sorted(range(runs), key=lambda i: walls[i])[runs // 2]
    return {
        "wall_ms": round(statistics.median(walls) * 1000, 1),
        "sql_ms": round(statistics.median(sqls) * 1000, 1),
        "python_ms": round(statistics.median(w - q for w, q in zip(walls, sqls, strict=True)) * 1000, 1),
        "slowest_sql": [(round(t * 1000, 1), sql[:160]) for t, sql in slowest[middle]],
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
    load = os.getloadavg()
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
                "target": f"ratio <= {TARGET_RATIO:g} and <= {TARGET_MS:g} ms, queries equal and <= {MAX_QUERIES}",
                "met": ratio is not None
                and ratio <= TARGET_RATIO
                and big["median_ms"] <= TARGET_MS
                and big["queries"] == small["queries"] <= MAX_QUERIES,
                "queries": big["queries"],
                "baseline_queries": small["queries"],
                "reps": big["reps"],
                "cpu_ms": big["cpu_median_ms"],
                "baseline_cpu_ms": small["cpu_median_ms"],
                "p90_ms": [small["p90_ms"], big["p90_ms"]],
            }
        )
    use("big")
    where = {key: breakdown(case) for key, case in cases["big"].items()}
    for row, key in zip(rows, cases["big"], strict=True):
        row["big_breakdown"] = where[key]
    return {"facts": facts, "rows": rows, "load_average": {"before": load, "after": os.getloadavg()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--small-members", type=int, default=50_000)
    parser.add_argument("--big-members", type=int, default=560_000)
    parser.add_argument("--small-appeals", type=int, default=5_000)
    parser.add_argument("--big-appeals", type=int, default=50_000)
    parser.add_argument(
        "--big-density",
        type=int,
        default=5_000_000,
        help="requests whose statistics rows the big database gets (synthesised; 0: those of its requests)",
    )
    parser.add_argument("--build", nargs=4, metavar=("NAME", "MEMBERS", "APPEALS", "DENSITY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    if args.build:
        name, (members, appeals, density) = args.build[0], map(int, args.build[1:])
        os.environ["DATABASE_URL"] = url(name)
        print(json.dumps(build(name, members, appeals, density), ensure_ascii=False))
        return 0
    started = time.perf_counter()
    sizes = {
        "small": (args.small_members, args.small_appeals),
        "big": (args.big_members, args.big_appeals),
    }
    densities = {"small": 0, "big": args.big_density}
    built = {}
    for size, (members, appeals) in sizes.items():
        NAMES[size] = db_name(members, appeals)
        step = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.dashboards",
                "--build",
                NAMES[size],
                str(members),
                str(appeals),
                str(densities[size]),
            ],
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
    if densities["big"] > sizes["big"][1]:
        labels["big"] = f"{sizes['big'][0]:,} members, statistics of {densities['big']:,} requests"
    result = measure(args.rounds, labels)
    result["built"] = built
    result["seconds"] = round(time.perf_counter() - started, 1)
    return emit(result, args.json)


if __name__ == "__main__":
    sys.exit(main())

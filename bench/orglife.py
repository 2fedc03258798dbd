"""组织生活 benchmarks (issue 10 point 8), on PostgreSQL, in one run:

1. The 落实情况 (compliance) page for a street, a district and the city user, on the demo-size
   database (the demo's areas, orgs and members at scale 1, a year of meetings for every branch)
   vs a database with ``--factor`` times its orgs (the demo at that scale: more grids, so more grid
   branches, members ×factor) and a year of meetings. Median of ``--rounds`` requests through
   Django's test client, query count asserted equal at both sizes and ≤ ``MAX_QUERIES``. Target:
   big ÷ demo ≤ 1.5.
2. A sign-in burst: 500 members scan one meeting's QR code at once — ``POST
   /api/v1/meetings/<id>/sign-in/`` with their own tokens, from ``--clients`` concurrent HTTP
   clients against gunicorn (``--workers`` sync workers, default 5 = 2 × cores + 1 as
   docs/deployment.md says; loopback) on a copy of the demo-size database; 100
   of them send twice at the same moment. Every member must be signed exactly once (checked in
   the database afterwards); p50/p95 reported, with the CPU per request of gunicorn's workers
   (``app_cpu_ms``), of PostgreSQL (``db_cpu_ms``), of the client (``client_cpu_ms``) and of the
   whole machine (``machine_cpu_ms``: far above the sum when other load shares the cores);
   target ≥ 200 sign-ins/s.
3. The yearly roll-up rebuild (``orglife.held.rebuild``, the worker's job) for the whole city at
   both sizes: seconds and rows written.

The databases ``bench_orglife_x1`` and ``bench_orglife_x<factor>`` are built on the first run
(migrate, the demo's areas and party at that scale, ``load_orglife_year`` without attendance
rows) and reused while they exist; never the developer's database.

    .venv/bin/python -m bench.orglife [--json out.json] [--factor 5] [--rounds 7] [--clients 16] [--rebuild-db]
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
HTTP_DB = "bench_orglife_http"
MAX_QUERIES = 30
PAGE_TARGET = 1.5
SIGNIN_TARGET = 200.0
BURST = 500
DOUBLE = 100
WORKERS = 5  # gunicorn sync workers for the burst: docs/deployment.md's 2 × cores + 1


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def pg_url(name: str) -> str:
    return PG_SERVER_URL.rsplit("/", 1)[0] + "/" + name


def db_name(factor: float) -> str:
    return f"bench_orglife_x{str(factor).replace('.', '_')}"


def _exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _django(step: str, database: str, *args: str, timeout: float = 3600) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": pg_url(database),
        "DJANGO_SETTINGS_MODULE": "jiceng.settings",
        "PYTHONPATH": str(ROOT),
    }
    out = subprocess.run(
        [sys.executable, "-m", "bench.orglife", "--step", step, *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        timeout=timeout,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_database(factor: float, rebuild: bool) -> dict:
    import psycopg

    name = db_name(factor)
    if _exists(name) and not rebuild:
        facts = _django("reuse", name)
        if facts.get("complete"):
            log(f"{name}: reused ({facts['branches']} branches, {facts['meetings']} meetings{facts['filled']})")
            return {**facts, "built_seconds": None}
    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    log(f"{name}: building (scale {factor}) …")
    started = time.monotonic()
    facts = _django("build", name, "--scale", str(factor))
    facts["built_seconds"] = round(time.monotonic() - started, 1)
    log(f"{name}: built in {facts['built_seconds']} s")
    return facts


# --------------------------------------------------------------------------- steps run inside Django


def _setup() -> None:
    import django

    django.setup()


def step_build(scale: float) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from jiceng.demo.generator import MEMBERS_PER_SCALE, _load_areas
    from jiceng.demo.orglife import load_orglife_year
    from jiceng.demo.party import load_party

    timings = {}
    started = time.monotonic()
    _load_areas(2024, scale, None)
    timings["areas_s"] = round(time.monotonic() - started, 1)
    started = time.monotonic()
    load_party(seed=2024, members=int(MEMBERS_PER_SCALE * scale))
    timings["party_s"] = round(time.monotonic() - started, 1)
    started = time.monotonic()
    year = load_orglife_year(seed=2024, attendance_rows=False)
    timings["orglife_s"] = round(time.monotonic() - started, 1)
    _analyze()
    return {**step_facts(), **timings, "year": year}


def step_facts() -> dict:
    from django.utils import timezone

    from jiceng.orglife.models import ComplianceBranch, ComplianceTally, ComplianceYear, HeldMonth, Meeting
    from jiceng.orgs.models import BRANCH_TYPES, Org

    meetings = Meeting.objects.count()
    tallied = ComplianceYear.objects.filter(year=timezone.localdate().year).exists()
    return {
        "complete": meetings > 0 and HeldMonth.objects.exists() and tallied,
        "orgs": Org.objects.count(),
        "branches": Org.objects.filter(org_type__in=BRANCH_TYPES, is_active=True).count(),
        "meetings": meetings,
        "held_rows": HeldMonth.objects.count(),
        "rollup_branch_rows": ComplianceBranch.objects.count(),
        "rollup_tally_rows": ComplianceTally.objects.count(),
    }


def step_reuse() -> dict:
    """A database built earlier, perhaps by older code: migrate it, and when its year of meetings
    is there but the held facts or this year's compliance roll-up are not (a table added since,
    or a build stopped after the meetings' bulk load), fill them (``held.rebuild``, the worker's
    job, which rebuilds the roll-up too)."""
    from django.core.management import call_command

    from jiceng.orglife import held

    call_command("migrate", verbosity=0, interactive=False)
    facts = step_facts()
    filled = ""
    if not facts["complete"] and facts["meetings"] > 0:
        started = time.monotonic()
        held.rebuild()
        filled = f"; held facts and compliance roll-up filled in {time.monotonic() - started:.1f} s"
        facts = step_facts()
    _analyze()
    return {**facts, "filled": filled}


def _analyze() -> None:
    """Planner statistics after the bulk loads, as autovacuum would have them in production: without
    them the page's list of branches (the first by code in scope) is planned from an empty table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _bench_users() -> dict:
    from jiceng.accounts.models import User
    from jiceng.accounts.services import assign_role
    from jiceng.areas.models import Area

    street = Area.objects.get(code="320102002")  # 梅园新村街道 (玄武区)
    district = Area.objects.get(code="320102")
    city = Area.objects.get(code="3201")
    users = {}
    for key, role, area in (
        ("street", "street", street),
        ("district", "district_org", district),
        ("city", "city_org", city),
    ):
        user, created = User.objects.get_or_create(username=f"bench_orglife_{key}")
        if created:
            assign_role(None, user, role, area=area)
        users[key] = user
    return users


def step_pages(rounds: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from jiceng.orglife.compliance import Period

    period = Period.containing("quarter", timezone.localdate()).key
    url = reverse("orglife:compliance") + f"?period={period}"
    result = {}
    for key, user in _bench_users().items():
        client = Client()
        client.force_login(user)
        client.get(url)  # the first page of a session fills the menu's cached counts
        client.get(url)
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        result[key] = {"ms": round(statistics.median(times), 1), "queries": len(queries), "url": url}
    return result


def step_rebuild() -> dict:
    from django.utils import timezone

    from jiceng.orglife import held, rollup

    year = timezone.localdate().year
    started = time.monotonic()
    rows = held.rebuild(year)  # the held facts and, in the same transaction, the compliance roll-up
    seconds = round(time.monotonic() - started, 2)
    started = time.monotonic()
    written = rollup.rebuild([year])  # the roll-up alone, to show its share
    return {
        "year": year,
        "seconds": seconds,
        "rows": rows,
        "rollup_seconds": round(time.monotonic() - started, 2),
        "rollup_branch_rows": written["branches"],
        "rollup_tally_rows": written["tally"],
    }


def step_prepare_burst(count: int) -> dict:
    """In the HTTP copy: ``count`` party members moved into one branch, each with a login and an
    API token; a meeting of that branch open for sign-in; its QR codes for the next windows."""
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from jiceng.accounts.models import User
    from jiceng.accounts.services import issue_token
    from jiceng.members.models import PARTY_MEMBER_STATUSES, Member
    from jiceng.orglife import services, signin
    from jiceng.orgs.models import BRANCH_TYPES, Org
    from jiceng.orgs.services import refresh_member_counts

    branch = Org.objects.filter(org_type__in=BRANCH_TYPES, is_active=True).order_by("code")[10]
    chosen = list(
        Member.objects.filter(status__in=PARTY_MEMBER_STATUSES, user__isnull=True)
        .exclude(org=branch)
        .order_by("id")
        .values_list("id", flat=True)[:count]
    )
    Member.objects.filter(pk__in=chosen).update(org=branch, org_path=branch.code, area_path=branch.area_path)
    refresh_member_counts()
    password = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"bench_signin_{pk}", password=password) for pk in chosen], batch_size=1000
    )
    for user, pk in zip(users, chosen, strict=True):
        Member.objects.filter(pk=pk).update(user=user)
    tokens = [issue_token(None, user, label="bench")[1] for user in users]
    meeting = services.create_meeting(
        None,
        org=branch,
        types=["theme_day"],
        topic="主题党日：签到压力测试",
        planned_start=timezone.now() - timedelta(minutes=1),
        place="会议室",
    )
    services.open_signin(None, meeting)
    window = signin.current_window()
    return {
        "meeting": meeting.pk,
        "tokens": tokens,
        "members": chosen,
        "rotate": signin.rotate_seconds(),
        "codes": {str(w): signin.meeting_code(meeting, w) for w in range(window - 1, window + 40)},
    }


def step_check_burst(meeting_id: int, members: list[int]) -> dict:
    from django.db.models import Count

    from jiceng.orglife.models import SIGNED_STATUSES, Attendance

    rows = Attendance.objects.filter(meeting_id=meeting_id, member_id__in=members)
    signed = rows.filter(status__in=SIGNED_STATUSES).count()
    most = rows.values("member_id").annotate(n=Count("id")).order_by("-n").values_list("n", flat=True).first()
    return {"signed": signed, "rows": rows.count(), "max_rows_per_member": most}


# --------------------------------------------------------------------------- the burst over HTTP


class _Phone:
    """One client thread's HTTP/1.1 connection, reused while the server keeps it (a sync gunicorn
    worker answers ``Connection: close``; http.client then reconnects on the next request): no
    urllib opener per request, so the client's CPU stays a small share of the 2 cores."""

    def __init__(self, base: str):
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)

    def send(self, method: str, path: str, token: str, body: bytes | None = None) -> int:
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed a kept connection just as we sent: once more on a new one.
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        response.read()
        if response.will_close:
            self.connection.close()
        return response.status

    def close(self) -> None:
        self.connection.close()


def _in_threads(base: str, clients: int, work: list, call) -> None:
    """``call(phone, item)`` for every item of ``work``, taken in order by ``clients`` threads."""
    lock = threading.Lock()
    position = [0]

    def run():
        phone = _Phone(base)
        try:
            while True:
                with lock:
                    if position[0] >= len(work):
                        return
                    item = work[position[0]]
                    position[0] += 1
                call(phone, item)
        finally:
            phone.close()

    threads = [threading.Thread(target=run) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def warm(base: str, prepared: dict, clients: int, workers: int) -> None:
    """Before the clock starts: every worker has imported the URLconf and opened its database
    connection (``/healthz`` answers before either), with concurrent GETs that change nothing."""
    path = f"/api/v1/meetings/{prepared['meeting']}/"
    tokens = prepared["tokens"][-12:]
    work = [tokens[i % len(tokens)] for i in range(max(24, workers * 8))]

    def get(phone, token):
        phone.send("GET", path, token)

    _in_threads(base, min(clients, workers * 2), work, get)


def burst(base: str, prepared: dict, clients: int, server_pid: int | None = None) -> dict:
    """Every member POSTs the meeting's current code once (``DOUBLE`` of them twice, at once);
    with the server's pid, the CPU its workers and PostgreSQL spent per request."""
    from bench.appeals_http import cpu_counters, cpu_spent, load_average, machine_cpu_seconds

    path = f"/api/v1/meetings/{prepared['meeting']}/sign-in/"
    tokens = prepared["tokens"]
    work = [(token, 0) for token in tokens] + [(token, 1) for token in tokens[:DOUBLE]]
    # The doubles go right after their first send, so the two race.
    order = {token: i for i, token in enumerate(tokens)}
    work.sort(key=lambda item: order[item[0]] + item[1] * 0.5)
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    def sign(phone, item):
        token, _ = item
        code = prepared["codes"][str(int(time.time() // prepared["rotate"]))]
        body = json.dumps({"code": code}).encode()
        started = time.perf_counter()
        status = phone.send("POST", path, token, body)
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            latencies.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1

    before = cpu_counters(server_pid, HTTP_DB) if server_pid else None
    client_before = time.process_time()
    machine_before = machine_cpu_seconds()
    started = time.perf_counter()
    _in_threads(base, clients, work, sign)
    wall = time.perf_counter() - started
    client_cpu = time.process_time() - client_before
    machine_cpu = machine_cpu_seconds() - machine_before
    latencies.sort()
    result = {
        "requests": len(work),
        "seconds": round(wall, 2),
        "per_s": round(len(work) / wall, 1),
        "p50_ms": round(latencies[len(latencies) // 2], 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1], 1),
        "statuses": statuses,
        "client_cpu_ms": round(client_cpu / len(work) * 1000, 2),
        "machine_cpu_ms": round(machine_cpu / len(work) * 1000, 2),
        "load": load_average(),
    }
    if before is not None:
        after = cpu_counters(server_pid, HTTP_DB)
        result["app_cpu_ms"] = round(cpu_spent(before["app"], after["app"]) / len(work) * 1000, 2)
        result["db_cpu_ms"] = round(cpu_spent(before["db"], after["db"]) / len(work) * 1000, 2)
    return result


def run_burst(small: str, clients: int, workers: int = WORKERS) -> dict:
    import psycopg

    from bench.appeals_http import Gunicorn

    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{HTTP_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{HTTP_DB}" TEMPLATE "{small}"')
    prepared = _django("prepare_burst", HTTP_DB, "--count", str(BURST))
    env = {
        **os.environ,
        "DATABASE_URL": pg_url(HTTP_DB),
        "DJANGO_SETTINGS_MODULE": "jiceng.settings",
        "DJANGO_DEBUG": "false",
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = Gunicorn(gunicorn, "jiceng.wsgi:application", env, ROOT, database=HTTP_DB)
    # docs/deployment.md: 2 × cores + 1 sync workers (5 on this 2-core machine).
    server.command[server.command.index("--workers") + 1] = str(workers)
    with server:
        assert server.process is not None
        warm(server.base, prepared, clients, workers)
        measured = burst(server.base, prepared, clients, server.process.pid)
    checked = _django(
        "check_burst",
        HTTP_DB,
        "--meeting",
        str(prepared["meeting"]),
        "--members",
        ",".join(map(str, prepared["members"])),
    )
    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{HTTP_DB}" WITH (FORCE)')
    return {**measured, **checked, "clients": clients, "workers": workers}


# --------------------------------------------------------------------------- rows


def row(key, name, value, unit, baseline_name=None, baseline_value=None, ratio=None, target=None, met=None, **extra):
    return {
        "key": key,
        "name": name,
        "value": value,
        "unit": unit,
        "baseline_name": baseline_name,
        "baseline_value": baseline_value,
        "ratio": ratio,
        "target": target,
        "met": met,
        **extra,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--factor", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn sync workers for the burst")
    parser.add_argument("--rebuild-db", action="store_true", help="build the databases again")
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--only-burst", action="store_true", help="the sign-in burst alone (demo-size database)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, default=BURST, help=argparse.SUPPRESS)
    parser.add_argument("--meeting", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--members", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:
        _setup()
        result = {
            "build": lambda: step_build(args.scale),
            "facts": step_facts,
            "reuse": step_reuse,
            "pages": lambda: step_pages(args.rounds),
            "rebuild": step_rebuild,
            "prepare_burst": lambda: step_prepare_burst(args.count),
            "check_burst": lambda: step_check_burst(args.meeting, [int(x) for x in args.members.split(",") if x]),
        }[args.step]()
        print(json.dumps(result, ensure_ascii=False, default=str))
        return 0

    rows, facts, errors = [], {}, []
    small, big = db_name(1.0), db_name(args.factor)
    if args.only_burst:
        ensure_database(1.0, False)
        measured = run_burst(small, args.clients, args.workers)
        log(json.dumps(measured, ensure_ascii=False))
        if args.json:
            args.json.write_text(json.dumps({"rows": [], "facts": {"burst": measured}}, ensure_ascii=False) + "\n")
        return 0
    facts["small"] = ensure_database(1.0, args.rebuild_db)
    facts["big"] = ensure_database(args.factor, args.rebuild_db)
    pages = {
        size: _django("pages", name, "--rounds", str(args.rounds)) for size, name in (("small", small), ("big", big))
    }
    facts["pages"] = pages
    ratio_label = f"{args.factor:g}×"
    for user in ("street", "district", "city"):
        s, b = pages["small"][user], pages["big"][user]
        ratio = round(b["ms"] / s["ms"], 2) if s["ms"] else None
        bounded = s["queries"] == b["queries"] <= MAX_QUERIES
        if not bounded:
            errors.append(f"compliance page ({user}): queries {s['queries']} → {b['queries']} (max {MAX_QUERIES})")
        rows.append(
            row(
                f"orglife_compliance_{user}",
                f"组织生活落实情况 page, {user} user: {ratio_label} orgs ({facts['big']['branches']} branches) "
                f"vs demo ({facts['small']['branches']}); queries {s['queries']} → {b['queries']}",
                b["ms"],
                "ms",
                "demo size",
                s["ms"],
                ratio,
                f"≤ {PAGE_TARGET}× and bounded queries",
                bool(ratio is not None and ratio <= PAGE_TARGET and bounded),
            )
        )
    for size, name in (("small", small), ("big", big)):
        rebuilt = _django("rebuild", name)
        facts[f"rebuild_{size}"] = rebuilt
        rows.append(
            row(
                f"orglife_rebuild_{size}",
                f"yearly held-facts roll-up rebuild (worker), whole city, {'demo' if size == 'small' else ratio_label} "
                f"({facts[size]['meetings']} meetings): {rebuilt['rows']} held rows + compliance roll-up "
                f"{rebuilt['rollup_branch_rows']} branch-years, {rebuilt['rollup_tally_rows']} node rows "
                f"(roll-up alone {rebuilt['rollup_seconds']} s)",
                rebuilt["seconds"],
                "s",
            )
        )
    if not args.skip_burst:
        try:
            measured = run_burst(small, args.clients, args.workers)
            facts["burst"] = measured
            exact = measured["signed"] == BURST and measured["max_rows_per_member"] == 1
            ok = set(measured["statuses"]) == {200}
            if not (exact and ok):
                errors.append(f"sign-in burst: not every member exactly once ({measured})")
            rows.append(
                row(
                    "orglife_signin_burst",
                    f"sign-in burst over HTTP: {BURST} members (+{DOUBLE} sent twice at once), {args.clients} clients, "
                    f"gunicorn {measured['workers']} sync workers, PostgreSQL; "
                    f"p50 {measured['p50_ms']} ms, p95 {measured['p95_ms']} ms; "
                    f"signed {measured['signed']}, exactly once: {exact}",
                    measured["per_s"],
                    "sign-ins/s",
                    target=f"≥ {SIGNIN_TARGET:g}/s, every member exactly once",
                    met=bool(measured["per_s"] >= SIGNIN_TARGET and exact and ok),
                    p95_ms=measured["p95_ms"],
                )
            )
        except Exception as exc:  # one failed measurement is one failed row
            errors.append(f"sign-in burst: {exc}")
    facts["errors"] = errors
    for r in rows:
        log(f"{r['name']}: {r['value']} {r['unit']}" + (f" (ratio {r['ratio']}, met {r['met']})" if r["ratio"] else ""))
    for error in errors:
        log(f"!!! {error}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "facts": facts}, ensure_ascii=False, indent=2) + "\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

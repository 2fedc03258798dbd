"""The 民呼我应 benchmark databases on PostgreSQL, built once and kept between runs.

``bench_appeals_small`` holds the demo city (areas at scale 1, as ``make demo`` loads them; the demo
party's orgs and departments with a few members) and 50,000 requests of a year from
``load_appeals``; ``bench_appeals_big`` the same city with 5,000,000 requests. Same seed, same
"today", so they differ only in the number of requests.

Building the big one takes long (see docs/benchmarks-appeals.md), so each database carries its
build key as ``COMMENT ON DATABASE``: seed, request count, today and a hash of the source of what
generates the rows. A run whose key matches reuses the database (the page benchmarks only read
it), after applying the migrations added since it was built, as a production database would be;
anything else drops and rebuilds it. ``--rebuild`` forces it.

Run in a process of its own (``DATABASE_URL`` is set here before Django starts)::

    .venv/bin/python -m bench.appeals_data --size small [--rebuild]
"""

import argparse
import hashlib
import importlib
import inspect
import json
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# BENCH_BIG_APPEALS builds a "big" database of another size beside the 5 M one (its own name), for a
# machine or a session that cannot afford the 5 M build; the report names the size measured.
BIG_APPEALS = int(os.environ.get("BENCH_BIG_APPEALS", "5000000"))
NAMES = {
    "small": "bench_appeals_small",
    "big": "bench_appeals_big" if BIG_APPEALS == 5_000_000 else f"bench_appeals_big_{BIG_APPEALS}",
}
APPEALS = {"small": 50_000, "big": BIG_APPEALS}
SEED = 2024
TODAY = date(2026, 11, 1)  # fixed: reruns and both sizes see the same year (2025-11 … 2026-10)
MEMBERS = 2_000  # the party only matters here for its departments; members are not measured
BUILD_VERSION = 2  # bump when what is built here changes (v2: the key no longer holds the migrations)
# What decides the rows: these functions' and modules' source (not the whole of files that others
# edit for other reasons, so an unrelated change does not cost a 5 M rebuild).
SOURCES = [
    "bench.dataset:load_city",
    "bench.dataset:roll_up_within",
    "jiceng.demo.generator:generate_community",
    "jiceng.demo.party",
    "jiceng.demo.appeals",
    "jiceng.appeals.stats:event_deltas",
    "jiceng.appeals.stats:_close_deltas",
    "jiceng.appeals.stats:_FIXED_DELTAS",
    "jiceng.appeals.stats:_event_conditions",
    "jiceng.appeals.stats:rebuild_sql",
]
# (label, role, area code) of the users the benchmarks log in as.
USERS = [("street", "street", "320102002"), ("city", "city_org", "3201")]


def url(name: str) -> str:
    return PG_SERVER_URL.rsplit("/", 1)[0] + "/" + name


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sources_digest(migrations: list[str] | None = None) -> str:
    digest = hashlib.sha256()
    for line in migrations or []:
        digest.update(line.encode())
    for source in SOURCES:
        module, _, name = source.partition(":")
        target = importlib.import_module(module)
        obj = getattr(target, name) if name else target
        # Tables of values (the fixed stat deltas) have no source of their own: their repr is their content.
        text = inspect.getsource(obj) if inspect.ismodule(obj) or callable(obj) else repr(obj)
        digest.update(text.encode())
    return digest.hexdigest()[:16]


def _prefix(size: str, version: int = BUILD_VERSION) -> str:
    return f"jiceng-bench v{version} seed={SEED} appeals={APPEALS[size]} today={TODAY} members={MEMBERS}"


def build_key(size: str) -> str:
    """What the rows depend on. The schema is not part of it: a reused database is migrated."""
    return f"{_prefix(size)} code={_sources_digest()}"


def legacy_key(size: str) -> str:
    """The v1 key, which hashed the migrations on disk with the sources: verified against the
    migrations the database itself records (all of those on disk when it was built)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = sorted(f"{app}.{name}" for app, name in cursor.fetchall())
    return f"{_prefix(size, 1)} code={_sources_digest(applied)}"


def pending_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def current_key(name: str) -> str | None:
    import psycopg

    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
    return row[0] if row else None


def recreate(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def set_key(name: str, key: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{key}'")


def build(size: str) -> dict:
    """Fill the (empty, migrated) current database; returns the facts and timings."""
    from django.db import connection

    from bench import dataset
    from jiceng.accounts.services import assign_role, create_user
    from jiceng.appeals.models import Appeal, AppealEvent, AreaStat
    from jiceng.areas.models import Area
    from jiceng.demo.appeals import load_appeals
    from jiceng.demo.party import load_party

    timings = {}
    started = time.perf_counter()
    dataset.load_city(SEED, 1.0, log)
    timings["areas_s"] = round(time.perf_counter() - started, 1)
    step = time.perf_counter()
    load_party(SEED, MEMBERS, TODAY)
    timings["party_s"] = round(time.perf_counter() - step, 1)
    for label, role, code in USERS:
        user = create_user(None, username=f"bench_{label}", password=None, display_name=f"bench {label}")
        assign_role(None, user, role, Area.objects.get(code=code))

    class Progress:
        last = time.perf_counter()

        def write(self, text):
            if time.perf_counter() - self.last > 30 or not text.startswith("  已生成诉求 "):
                log(f"    [{time.perf_counter() - step:7.0f} s] {text.strip()}")
                self.last = time.perf_counter()

    step = time.perf_counter()
    result = load_appeals(SEED, APPEALS[size], TODAY, stdout=Progress())
    timings["appeals_s"] = round(time.perf_counter() - step, 1)
    step = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    timings["vacuum_s"] = round(time.perf_counter() - step, 1)
    timings["total_s"] = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        db_bytes = cursor.fetchone()[0]
    return {
        "appeals": Appeal.objects.count(),
        "events": AppealEvent.objects.count(),
        "whistles": result.get("whistles"),
        "area_stat_rows": AreaStat.objects.count(),
        "areas": Area.objects.count(),
        "database_gb": round(db_bytes / 1e9, 2),
        **timings,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(NAMES), required=True)
    parser.add_argument("--rebuild", action="store_true", help="build again even when the key matches")
    args = parser.parse_args()
    name = NAMES[args.size]
    os.environ["DATABASE_URL"] = url(name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    key = build_key(args.size)
    facts = {"database": name, "key": key}
    found = current_key(name)
    record = ROOT / "var" / "bench" / f"{name}.json"
    if found is not None and found != key and found.startswith("jiceng-bench v1 ") and found == legacy_key(args.size):
        set_key(name, key)  # same rows, key written the v1 way
        if record.exists() and json.loads(record.read_text()).get("key") == found:
            record.write_text(json.dumps({**json.loads(record.read_text()), "key": key}, ensure_ascii=False, indent=1))
        found = key
    if found == key and not args.rebuild:
        from django.core.management import call_command

        from jiceng.appeals.models import Appeal

        # Migrations added since the build are applied, as on a production database.
        pending = pending_migrations()
        if pending:
            step = time.perf_counter()
            call_command("migrate", interactive=False, verbosity=0)
            facts["migrated"] = {"migrations": pending, "seconds": round(time.perf_counter() - step, 1)}
            log(f"[{name}] applied {pending} new migrations in {facts['migrated']['seconds']} s")
        built = json.loads(record.read_text()) if record.exists() else {}
        if built.get("key") != key:
            built = {}
        # The timings of the build that made it, for the report; the count is checked now.
        facts.update({k: v for k, v in built.items() if k not in facts}, reused=True, appeals=Appeal.objects.count())
        log(f"[{name}] reusing the database built for: {key}")
    else:
        log(f"[{name}] building ({'forced' if found == key else 'no database' if found is None else 'key changed'})")
        from django.core.management import call_command
        from django.db import connections

        connections.close_all()
        recreate(name)
        step = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        migrate_s = round(time.perf_counter() - step, 1)
        facts.update(reused=False, migrate_s=migrate_s, **build(args.size))
        facts["built_at"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        connections.close_all()
        set_key(name, key)
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps(facts, ensure_ascii=False, indent=1) + "\n")
        log(f"[{name}] built: {json.dumps(facts, ensure_ascii=False)}")
    print(json.dumps(facts, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

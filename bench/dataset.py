"""The benchmark's own databases, never the developer's: dropped, created and filled here.

PostgreSQL (production) uses the databases ``jiceng_bench`` (small) and ``jiceng_bench_big`` on
the server of ``BENCH_PG_URL``; SQLite uses ``var/bench-small.sqlite3`` and ``var/bench-big.sqlite3``.
Each is dropped and created again at every run, and left in place afterwards for inspection.

"small" holds the areas of the demo city as ``make demo`` loads them (the demo generator at scale
1), "big" the same generator at a larger scale. Both are written the same way: COPY (PostgreSQL) or
one executemany per batch (SQLite) instead of ``load_demo``'s ``bulk_create``, which costs minutes
at a million rows; the roll-ups are then recomputed with the app's own ``recompute_rollups``.
Party members, when asked for, come from the demo's own ``load_party`` over those areas.
"""

import datetime
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Both sizes stay available so the measurements can alternate between them (see worker.py).
PG_DB_NAMES = {"small": "jiceng_bench", "big": "jiceng_bench_big"}
SQLITE_PATHS = {size: ROOT / "var" / f"bench-{size}.sqlite3" for size in ("small", "big")}
SQLITE_BATCH = 50_000

# The five scopes measured: (label, role, area code; None means the first grid of 北安门社区).
SCOPES = [
    ("grid", "grid_worker", None),
    ("community", "community", "320102002011"),
    ("street", "street", "320102002"),
    ("district", "district_org", "320102"),
    ("city", "city_org", "3201"),
]
FIRST_GRID_OF = "320102002011"
# "today" of the generated party members (their pipeline dates); fixed, so runs compare.
MEMBERS_TODAY = datetime.date(2026, 11, 1)


def database_name(backend: str, size: str) -> str:
    return PG_DB_NAMES[size] if backend == "postgres" else str(SQLITE_PATHS[size])


def database_url(backend: str, size: str = "small") -> str:
    if backend == "postgres":
        return PG_SERVER_URL.rsplit("/", 1)[0] + "/" + PG_DB_NAMES[size]
    return f"sqlite:///{SQLITE_PATHS[size]}"


_WRAPPERS: dict[str, object] = {}


def use_database(backend: str, size: str) -> None:
    """Make the database of ``size`` Django's default connection.

    Each size keeps its own connection object, so switching back and forth costs nothing and does
    not reconnect (a new PostgreSQL session starts with cold catalog caches): the measurements
    alternate between the sizes sample by sample.
    """
    import copy

    from django.db import connections
    from django.db.utils import load_backend

    if size not in _WRAPPERS:
        settings = copy.deepcopy(connections.settings["default"])
        settings["NAME"] = database_name(backend, size)
        _WRAPPERS[size] = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, "default")
    connections["default"] = _WRAPPERS[size]


def drop_connections() -> None:
    from django.db import connections

    connections.close_all()
    for wrapper in _WRAPPERS.values():
        wrapper.close()
    _WRAPPERS.clear()


def recreate_database(backend: str, size: str) -> None:
    """Drop and create the benchmark database of ``size``, use it, and migrate it."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command

    drop_connections()
    ContentType.objects.clear_cache()
    name = database_name(backend, size)
    if backend == "postgres":
        import psycopg

        with psycopg.connect(PG_SERVER_URL, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        Path(name).parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
    use_database(backend, size)
    call_command("migrate", interactive=False, verbosity=0)


def load_city(seed: int, scale: float, log) -> int:
    """The real divisions plus the demo generator at ``scale``, bulk-written; returns rows written.

    At scale 1 the areas are exactly those of ``load_demo`` (same generator, seed, order and ids);
    both sizes are written the same way so that they differ only in size.
    """
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from jiceng.areas.importer import import_divisions
    from jiceng.areas.models import Area, Level
    from jiceng.areas.services import recompute_rollups
    from jiceng.core.rules import get_rule
    from jiceng.demo.generator import DIVISIONS_DIR, generate_community

    import_divisions(DIVISIONS_DIR)
    target = get_rule("grid.target_households")
    communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("code"))
    next_id = (Area.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    fields = Area._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    now = timezone.now()
    now_db = now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    stamped = [getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields]
    attnames = [f.attname for f in fields]

    def row_values(area):
        return tuple(now_db if stamp else getattr(area, name) for name, stamp in zip(attnames, stamped, strict=True))

    def generated_rows():
        nonlocal next_id
        for i, community in enumerate(communities, 1):
            rows = generate_community(community, seed, scale, target, next_id)
            next_id += len(rows)
            roll_up_within(rows)
            yield from rows
            if i % 200 == 0:
                log(f"    generated {i}/{len(communities)} communities ({next_id:,} ids)")

    table = connection.ops.quote_name(Area._meta.db_table)
    written = 0
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for area in generated_rows():
                    copy.write_row(row_values(area))
                    written += 1
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
            batch = []
            for area in generated_rows():
                batch.append(row_values(area))
                if len(batch) >= SQLITE_BATCH:
                    cursor.executemany(sql, batch)
                    written += len(batch)
                    batch = []
            cursor.executemany(sql, batch)
            written += len(batch)
        for statement in connection.ops.sequence_reset_sql(no_style(), [Area]):
            cursor.execute(statement)
    log(f"    wrote {written:,} generated rows in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    changed = recompute_rollups()
    log(f"    recompute_rollups: {changed:,} rows updated in {time.perf_counter() - started:.1f} s")
    return written


def roll_up_within(rows) -> None:
    """Totals and counts of generated rows from their own subtrees (rows come parent first).

    Only saves time: ``recompute_rollups`` afterwards then rewrites the ~1,500 national units
    instead of ~250,000 grids and compounds, and it still checks every row.
    """
    by_id = {area.id: area for area in rows}
    for area in rows:
        area.total_households, area.total_population = area.households, area.population
        area.child_count = area.descendant_count = 0
    for area in reversed(rows):
        parent = by_id.get(area.parent_id)
        if parent is not None:
            parent.total_households += area.total_households
            parent.total_population += area.total_population
            parent.child_count += 1
            parent.descendant_count += area.descendant_count + 1


def busiest_community() -> str:
    """The community whose members fill the most of a first page (most members on the roll, then
    the lowest code): the member-list cases compare equal pages, 50 rows on both sizes, not a
    community of 18 members on the small database with one of 200 on the big one."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from jiceng.areas.models import Area, Level
    from jiceng.members.models import Member

    counts = (
        Member.objects.filter(left_on__isnull=True, area_path__regex=r"^[0-9]{12}")
        .annotate(community=Substr("area_path", 1, 12))
        .values("community")
        .annotate(n=Count("id"))
        .order_by("-n", "community")
    )
    communities = set(Area.objects.filter(level=Level.COMMUNITY).values_list("code", flat=True))
    return next(row["community"] for row in counts if row["community"] in communities)


def create_member_user(code: str) -> tuple:
    """A community secretary of ``code`` for the member-list cases (see busiest_community)."""
    from jiceng.accounts.services import assign_role, create_user
    from jiceng.areas.models import Area

    area = Area.objects.get(code=code)
    user = create_user(None, username="bench_member_community", password=None, display_name="bench members")
    assign_role(None, user, "community", area)
    return user, area


def create_bench_users() -> dict:
    """One user per scope (through the account services) and a superuser, keyed by label."""
    from jiceng.accounts.services import assign_role, create_user
    from jiceng.areas.models import Area, Level

    users = {}
    for label, role, code in SCOPES:
        if code is None:
            area = Area.objects.filter(parent__code=FIRST_GRID_OF, level=Level.GRID).order_by("code").first()
        else:
            area = Area.objects.get(code=code)
        # No password: the benchmark logs in with force_login, and argon2 would cost seconds.
        user = create_user(None, username=f"bench_{label}", password=None, display_name=f"bench {label}")
        assign_role(None, user, role, area)
        users[label] = (user, area)
    superuser = create_user(
        None, username="bench_superuser", password=None, display_name="bench superuser", is_superuser=True
    )
    users["superuser"] = (superuser, None)
    return users


def settle(backend: str) -> None:
    """Leave the database as a running server would be: statistics gathered, nothing pending.

    On PostgreSQL, VACUUM ANALYZE now so autovacuum does not start in the middle of the timings
    (and the visibility map allows index-only scans). SQLite is left as the app leaves it.
    """
    from django.db import connection

    if backend == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def level_counts() -> dict[str, int]:
    from django.db.models import Count

    from jiceng.areas.models import LEVEL_ORDER, Area

    counts = dict(Area.objects.order_by().values_list("level").annotate(n=Count("id")))
    return {level: counts.get(level, 0) for level in LEVEL_ORDER}


def server_version(backend: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if backend == "postgres" else "SELECT 'SQLite ' || sqlite_version()")
        return cursor.fetchone()[0]


def load_members(seed: int, members: int, log) -> dict:
    """The demo party organisations over the areas already loaded, and ``members`` party members.

    ``load_party`` as ``make demo`` runs it (orgs from the area tree, members spooled and COPY'd
    on PostgreSQL); its "today" is fixed so both sizes and every run get the same dates.
    """
    from django.db import connection

    from jiceng.demo.party import load_party
    from jiceng.members.models import Member

    started = time.perf_counter()
    # On PostgreSQL the member table's plain indexes (16) and its foreign keys are dropped for the
    # COPY and made again afterwards from their own definitions, as PostgreSQL's manual advises for
    # bulk loads: maintaining 16 indexes row by row, and the deferred per-row foreign-key checks at
    # COMMIT, cost minutes at 560 k rows on a busy machine; a sorted index build and one validating
    # join per foreign key cost seconds. The primary key and the unique id_number stay in place.
    table = connection.ops.quote_name(Member._meta.db_table)
    indexes, foreign_keys = [], []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
                "AND i.tablename = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [Member._meta.db_table],
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'f'",
                [Member._meta.db_table],
            )
            foreign_keys = cursor.fetchall()
            for name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    result = load_party(seed, members, MEMBERS_TODAY)
    loaded = time.perf_counter()
    if indexes or foreign_keys:
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")
    seconds = round(time.perf_counter() - started, 1)
    log(
        f"    load_party: {result['orgs']:,} orgs, {result['members']:,} members in {seconds} s "
        f"({len(indexes)} indexes and {len(foreign_keys)} foreign keys made again in "
        f"{time.perf_counter() - loaded:.1f} s)"
    )
    return {
        "orgs": result["orgs"],
        "members": result["members"],
        "seconds": seconds,
        "indexes_rebuilt": len(indexes),
        "foreign_keys_rebuilt": len(foreign_keys),
    }

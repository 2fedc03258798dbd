"""One backend's benchmarks, in a process of its own (Django's database engine is chosen at set-up).

Started by ``bench/run.py``: ``python -m bench.worker --backend postgres --out FILE``. Builds the
small database (the demo city's areas, scale 1) and the big one (at least ``--big-rows`` areas), then measures
both, alternating between them sample by sample, and writes the raw measurements as JSON to ``FILE``.
With ``--small-members N --big-members M`` each database also gets the demo party orgs and that
many members (after the areas, before the statistics are gathered), and the member list's first
page is measured for the community, street, district and city users.
"""

import argparse
import json
import math
import os
import sys
import time

from bench import dataset, timing

API_LIST = "/api/v1/areas/"
MEMBER_PAGE = "/members/"
MEMBER_API = "/api/v1/members/"
MEMBER_LEVELS = ("community", "street", "district", "city")
# The member cases' community user: the busiest community's secretary (dataset.busiest_community).
MEMBER_COMMUNITY = "member_community"


def member_user(label: str) -> str:
    return MEMBER_COMMUNITY if label == "community" else label


CITY_TREE_PAGE = "/areas/3201/"
VIEW = "areas.view_area"
STREET_CODE = "320102002"
SIZES = ("small", "big")


def log(message: str) -> None:
    print(message, flush=True)


def build(backend: str, size: str, seed: int, scale: float, members: int = 0, member_community: str = "") -> dict:
    """Create and fill the database of ``size`` (areas, then ``members`` party members with their
    orgs when not 0); returns its facts and its logged-in users. The member-list community user
    gets ``member_community``, or (small size) the busiest community, the same code on both sizes."""
    from django.test import Client

    log(f"[{backend}] {size}: creating the database")
    started = time.perf_counter()
    dataset.recreate_database(backend, size)
    load_started = time.perf_counter()
    dataset.load_city(seed, scale, log)
    load_seconds = time.perf_counter() - load_started
    users = dataset.create_bench_users()
    party = dataset.load_members(seed, members, log) if members else None
    if members:
        member_community = member_community or dataset.busiest_community()
        users[MEMBER_COMMUNITY] = dataset.create_member_user(member_community)
    clients = {}
    for label, (user, _area) in users.items():
        clients[label] = Client()
        clients[label].force_login(user)
    dataset.settle(backend)
    levels = dataset.level_counts()
    info = {
        "database": dataset.database_name(backend, size),
        "scale": scale,
        "rows": sum(levels.values()),
        "levels": levels,
        "load_seconds": round(load_seconds, 1),
        "party": party,
        "member_community": member_community or None,
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    log(f"[{backend}] {size}: {info['rows']:,} areas (scale {scale:g}), built in {info['build_seconds']} s")
    return {"info": info, "users": users, "clients": clients}


def make_cases(users: dict, clients: dict, members: bool = False) -> list:
    """Every measured case for one database, as ``Case`` objects bound to its users."""
    from django.db.models import F, Sum

    from bench.timing import Case
    from jiceng.areas.models import Area
    from jiceng.core.scope import scope_prefixes

    def get(client, url):
        def fn():
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")

        return fn

    cases = []
    for label, _role, _code in dataset.SCOPES:
        user, _area = users[label]
        # The ORM cases time the queries alone: a request reads the user's grants once (that query
        # is part of the API and page cases); here they stay cached on the user object.
        scope_prefixes(user, VIEW)

        def counter(user=user):
            prefixes = scope_prefixes(user, VIEW)
            roots = Area.objects.visible_to(user).filter(code__in=prefixes)
            return roots.aggregate(n=Sum(F("descendant_count") + 1))["n"]

        def scan(user=user):
            return Area.objects.visible_to(user).count()

        def orm_page(user=user):
            return len(list(Area.objects.visible_to(user).order_by("code")[:50]))

        cases += [
            Case(f"count/{label}", counter),
            Case(f"count_scan/{label}", scan),
            Case(f"orm_page/{label}", orm_page),
            Case(f"api_page/{label}", get(clients[label], API_LIST)),
        ]
    superuser, _ = users["superuser"]
    cases += [
        Case("api_page/superuser_street", get(clients["superuser"], f"{API_LIST}?code={STREET_CODE}")),
        Case(
            "orm_page/superuser_street",
            lambda: len(list(Area.objects.visible_to(superuser).subtree(STREET_CODE).order_by("code")[:50])),
        ),
        Case("tree_page/city", get(clients["city"], CITY_TREE_PAGE)),
    ]
    if members:
        for label in MEMBER_LEVELS:
            cases += [
                Case(f"members_page/{label}", get(clients[member_user(label)], MEMBER_PAGE)),
                Case(f"members_api/{label}", get(clients[member_user(label)], MEMBER_API)),
            ]
    return cases


def check(cases: dict, clients: dict) -> list[str]:
    """Sanity of what was measured: counters agree with COUNT(*), pages hold the expected rows."""

    def codes(client, url):
        return [row["code"] for row in client.get(url).json()["results"]]

    problems = []
    for label, _role, _code in dataset.SCOPES:
        kept, scanned = cases[f"count/{label}"].result, cases[f"count_scan/{label}"].result
        if kept != scanned:
            problems.append(f"{label}: maintained subtree count {kept} != COUNT(*) {scanned} (roll-ups wrong?)")
        rows = len(codes(clients[label], API_LIST))
        if rows != min(50, scanned):
            problems.append(f"{label}: the API's first page has {rows} rows, expected {min(50, scanned)}")
    if codes(clients["superuser"], f"{API_LIST}?code={STREET_CODE}") != codes(clients["street"], API_LIST):
        problems.append("the superuser's ?code= page and the street user's page differ")
    return problems


def check_members(cases: dict, users: dict, clients: dict) -> tuple[dict, list[str]]:
    """Members each measured user sees (COUNT, not timed; a community may hold fewer than a page),
    and that the first pages hold min(50, that) rows."""
    from jiceng.members.models import Member

    visible, problems = {}, []
    for label in MEMBER_LEVELS:
        user, _area = users[member_user(label)]
        visible[label] = Member.objects.visible_to(user).filter(left_on__isnull=True).count()
        rows = len(clients[member_user(label)].get(MEMBER_API).json()["results"])
        if rows != min(50, visible[label]):
            problems.append(
                f"{label}: the members API's first page has {rows} rows, expected {min(50, visible[label])}"
            )
        if visible[label] < 50:
            problems.append(f"{label}: sees {visible[label]} members, less than a page: the sizes are not comparable")
        page = clients[member_user(label)].get(MEMBER_PAGE).content.decode()
        if "/members/" not in page:
            problems.append(f"{label}: the member list page does not link any member")
    return visible, problems


def groups(cases: dict) -> list[list]:
    """Cases compared with each other, sampled in alternation: each case on both sizes; the street
    user's pages together with the superuser's reading the same rows."""
    together = {"api_page/street": "api_page/superuser_street", "orm_page/street": "orm_page/superuser_street"}
    result = []
    for key in cases["small"]:
        if key in together.values():
            continue
        keys = [key, together[key]] if key in together else [key]
        result.append([(size, cases[size][k]) for k in keys for size in SIZES])
    return result


def plans(cases: dict) -> dict:
    """Query plans of the statements some cases send (PostgreSQL: EXPLAIN ANALYZE, with timings)."""
    from django.db import connection

    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    result = {}
    keys = ["count/city", "count_scan/city", "orm_page/city", "api_page/city", "tree_page/city"]
    keys += [key for key in cases if key.startswith("members_")]
    for key in keys:
        explained = []
        for sql, params in cases[key].statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute(prefix + sql, params)
                plan = "\n".join(" ".join(str(cell) for cell in row) for row in cursor.fetchall())
            explained.append({"sql": sql, "plan": plan})
        result[key] = explained
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--big-rows", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=8, help="rounds over every group of compared cases")
    parser.add_argument("--small-members", type=int, default=0, help="party members on the small database (0: none)")
    parser.add_argument("--big-members", type=int, default=0, help="party members on the big database (0: none)")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = dataset.database_url(args.backend)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    import django

    django.setup()

    started = time.perf_counter()
    members = {"small": args.small_members, "big": args.big_members}
    with_members = bool(args.small_members and args.big_members)
    built = {"small": build(args.backend, "small", args.seed, 1.0, members["small"] if with_members else 0)}
    server = dataset.server_version(args.backend)
    # The generator is about linear in scale; 10 % headroom for its rounding at scale 1.
    big_scale = float(math.ceil(args.big_rows * 1.1 / built["small"]["info"]["rows"]))
    built["big"] = build(
        args.backend,
        "big",
        args.seed,
        big_scale,
        members["big"] if with_members else 0,
        member_community=built["small"]["info"]["member_community"] or "",
    )

    cases, problems = {}, {}
    for size in SIZES:
        dataset.use_database(args.backend, size)
        made = make_cases(built[size]["users"], built[size]["clients"], with_members)
        cases[size] = {case.key: case for case in made}
        for case in cases[size].values():
            case.count_queries()
        problems[size] = check(cases[size], built[size]["clients"])
        if with_members:
            visible, member_problems = check_members(cases[size], built[size]["users"], built[size]["clients"])
            built[size]["info"]["members_visible"] = visible
            problems[size] += member_problems
    if built["big"]["info"]["rows"] < args.big_rows:
        problems["big"].append(f"the big size has fewer than {args.big_rows:,} areas")

    log(f"[{args.backend}] measuring: {args.rounds} rounds over both sizes, alternating sample by sample")
    measure_started = time.perf_counter()
    timing.measure_groups(groups(cases), lambda size: dataset.use_database(args.backend, size), rounds=args.rounds)

    dataset.use_database(args.backend, "big")
    result = {
        "backend": args.backend,
        "server": server,
        "rounds": args.rounds,
        "measure_seconds": round(time.perf_counter() - measure_started, 1),
        "sizes": {
            size: {
                **built[size]["info"],
                "cases": {key: case.summary() for key, case in cases[size].items()},
                "problems": problems[size],
            }
            for size in SIZES
        },
        "plans_big": plans(cases["big"]),
        "seconds": round(time.perf_counter() - started, 1),
    }
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())

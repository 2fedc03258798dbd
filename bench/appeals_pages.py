"""Request lists and rates at 50 k and at 5 M requests (issue 4, item 10c), in-process.

Both databases come from ``bench/appeals_data.py`` (built once, then reused while their key
matches) and stay open side by side: every case is sampled on the small and on the big database
in alternation, sample by sample, over several rounds (``bench/timing.py``), as bench/worker.py
does for the area lists. Requests go through ``django.test.Client`` (middleware, session, user,
grants, queries, template or serialiser), logged in as the street dispatcher (梅园新村街道,
``320102002``) and the city user (市委组织部, ``3201``):

* the dispatcher's request list (派单台, ``appeals:queue?tab=all``: every request of the
  user's area, newest first), first page;
* ``GET /api/v1/appeals/`` first page (keyset, newest first);
* the rates page (``appeals:rates``) for the last full month of the generated year;
* the home page (``/``), which starts with the user's 待办 list, and that list alone
  (``core.todos.todo_groups``: one bounded query per kind of waiting work);
* [info, no target] the 派单台's default tab (待处理): its first page holds the requests waiting
  now, which grow with the volume (the street has 0 waiting at 50 k and 92 at 5 M), so its ratio
  compares an empty page with a full one; ``queue_waiting/<level>`` in the facts says how many.

Target: big / small ≤ 1.5 for each of them but the [info] one. The number of SQL statements per call is
recorded too (DESIGN.md §6: bounded, independent of rows).

    .venv/bin/python -m bench.appeals_pages [--rounds 6] [--json out.json]
"""

import argparse
import copy
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.timing import emit

ROOT = Path(__file__).resolve().parent.parent
SIZES = ("small", "big")
LEVELS = ("street", "city")
RATES_MONTH = "2026-10"  # the last full month before bench.appeals_data.TODAY
TARGET = 1.5
INFO_ONLY = {"queue_todo"}  # its page size follows the work waiting now, not the history


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


_WRAPPERS: dict = {}


def use(size: str) -> None:
    """Make the database of ``size`` Django's default connection (one connection per size, kept)."""
    from django.db import connections
    from django.db.utils import load_backend

    from bench.appeals_data import NAMES

    if size not in _WRAPPERS:
        settings = copy.deepcopy(connections.settings["default"])
        settings["NAME"] = NAMES[size]
        _WRAPPERS[size] = load_backend(settings["ENGINE"]).DatabaseWrapper(settings, "default")
    connections["default"] = _WRAPPERS[size]


def cases_for(size: str) -> tuple[dict, dict]:
    """The measured cases on one database, and facts (rows each user sees on the first page)."""
    from django.test import Client
    from django.urls import reverse

    from bench.timing import Case
    from jiceng.accounts.models import User
    from jiceng.appeals.models import QUEUE_TODO, Appeal
    from jiceng.core.todos import todo_groups

    use(size)
    queue, rates = reverse("appeals:queue"), reverse("appeals:rates")
    cases, facts = {}, {"appeals": Appeal.objects.count()}
    for level in LEVELS:
        user = User.objects.get(username=f"bench_{level}")
        client = Client()
        client.force_login(user)
        urls = {
            "queue_page": f"{queue}?tab=all",
            "queue_todo": queue,
            "queue_urge": f"{queue}?tab=urge",
            "queue_supervised": f"{queue}?tab=supervised",
            "api_list": "/api/v1/appeals/",
            "rates_page": f"{rates}?month={RATES_MONTH}",
        }
        urls["home_todo"] = reverse("accounts:home")
        for kind, url in urls.items():

            def fn(client=client, url=url):
                response = client.get(url)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {url} answered {response.status_code}")
                return response

            cases[f"{kind}/{level}"] = Case(f"{kind}/{level}", fn)
        cases[f"todo_list/{level}"] = Case(f"todo_list/{level}", lambda user=user: todo_groups(user))
        facts[f"todo_items/{level}"] = {g.source.key: g.count_text for g in todo_groups(user)}
        api = client.get("/api/v1/appeals/").json()
        facts[f"api_rows/{level}"] = len(api["results"])
        facts[f"visible/{level}"] = Appeal.objects.visible_to(user).count()
        # The 派单台's default tab (待处理): the page shows min(50, this) rows, so a page of a few rows
        # on the small database is cheaper than a full one on the big one for that reason alone.
        facts[f"queue_waiting/{level}"] = Appeal.objects.visible_to(user, "dispatch").filter(QUEUE_TODO).count()
        facts[f"queue_all_rows/{level}"] = Appeal.objects.visible_to(user, "dispatch")[:50].count()
    return cases, facts


DESCRIPTIONS = {
    "queue_page": "GET /appeals/queue/?tab=all (派单台, 全部) first page, {level} user",
    "queue_todo": "GET /appeals/queue/ (派单台, 待处理 tab: what waits now) first page, {level} user [info]",
    "queue_urge": "GET /appeals/queue/?tab=urge (派单台, 催办: overdue or due within a day) first page, {level} user",
    "queue_supervised": "GET /appeals/queue/?tab=supervised (派单台, 督办) first page, {level} user",
    "api_list": "GET /api/v1/appeals/ first page, {level} user",
    "rates_page": "GET /appeals/rates/?month=" + RATES_MONTH + " (三率), {level} user",
    "home_todo": "GET / (home page, starting with the 待办 list), {level} user",
    "todo_list": "the 待办 list alone (every kind of waiting work, in-process), {level} user",
}


def run(rounds: int) -> dict:
    from bench import timing

    started = time.perf_counter()
    cases, facts = {}, {}
    for size in SIZES:
        cases[size], facts[size] = cases_for(size)
        for case in cases[size].values():
            use(size)
            case.count_queries()
    groups = [[(size, cases[size][key]) for size in SIZES] for key in cases["small"]]
    log(f"  measuring {len(groups)} cases × 2 sizes, {rounds} rounds, alternating sample by sample")
    timing.measure_groups(groups, use, rounds=rounds)
    summaries = {size: {key: case.summary() for key, case in cases[size].items()} for size in SIZES}
    rows = []
    for key in cases["small"]:
        kind, level = key.split("/")
        small, big = summaries["small"][key], summaries["big"][key]
        ratio = round(big["median_ms"] / small["median_ms"], 3) if small["median_ms"] else None
        text = DESCRIPTIONS[kind].format(level=level)
        rows.append(
            {
                "key": f"appeals_{kind}_{level}_big_vs_small",
                "name": f"postgres 5M: {text}",
                "value": big["median_ms"],
                "unit": "ms",
                "baseline_name": f"postgres 50k: {text}",
                "baseline_value": small["median_ms"],
                "ratio": ratio,
                "target": None if kind in INFO_ONLY else f"ratio <= {TARGET:g}",
                "met": None if kind in INFO_ONLY else ratio is not None and ratio <= TARGET,
                "queries": big["queries"],
                "baseline_queries": small["queries"],
                "reps": big["reps"],
                "cpu_ms": big["cpu_median_ms"],
                "baseline_cpu_ms": small["cpu_median_ms"],
                "p90_ms": [small["p90_ms"], big["p90_ms"]],
            }
        )
    problems = []
    for size in SIZES:
        for level in LEVELS:
            expected = min(50, facts[size][f"visible/{level}"])
            if facts[size][f"api_rows/{level}"] != expected:
                rows_seen = facts[size][f"api_rows/{level}"]
                problems.append(f"{size} {level}: the API's first page has {rows_seen} rows, not {expected}")
    for level in LEVELS:
        pages = [facts[size][f"queue_all_rows/{level}"] for size in SIZES]
        if len(set(pages)) != 1:
            problems.append(f"{level}: the 派单台's 全部 pages hold {pages} rows (small, big): not like for like")
    return {
        "facts": facts,
        "cases": summaries,
        "rows": rows,
        "problems": problems,
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--json")
    parser.add_argument("--no-build", action="store_true", help="use the databases as they are")
    args = parser.parse_args()
    if not args.no_build:
        for size in SIZES:
            subprocess.run([sys.executable, "-m", "bench.appeals_data", "--size", size], cwd=ROOT, check=True)
    from bench.appeals_data import NAMES, url

    os.environ["DATABASE_URL"] = url(NAMES["small"])
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    result = run(args.rounds)
    return emit(result, args.json)


if __name__ == "__main__":
    sys.exit(main())

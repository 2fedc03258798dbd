"""Benchmarks (``make bench``): scoped area lists, subtree counts and the tree page, small vs big.

Not tests. For each backend (PostgreSQL, the production database, first; then SQLite) a worker
process builds its own databases, never the developer's: "small" holds the demo city's areas as
``make demo`` generates them (~85 k), "big" the same generator at a scale with at least 1 M rows
in the areas table. Both stay open and are measured in alternation, sample by sample, over several
rounds (median of all samples, after warm-up), in-process: django.test.Client for pages and API
calls, the ORM for queries. Then the next backend, in a fresh process.

On PostgreSQL both databases also get the demo party (``load_party``: orgs over the area tree,
50,000 members on the small database, 560,000 on the big one) and the member list's first page
(the page /members/ and /api/v1/members/) is measured the same way for a community, street,
district and city user (issue 3, item 7). Then bench/members_import.py (import of a 560,000-row
member xlsx against calamine parse + raw COPY) runs in a process of its own and its rows join the
same file; a failure there is a failed row, not a crash.

Then the 民呼我应 benchmarks (issue 4, item 10; bench/appeals_run.py, in its own process, with its
own time budget since the first build of its 5 M-request database takes long, then is reused):
request creation over HTTP vs a floor (token auth + one insert), vs ``GET /healthz`` and vs
django-helpdesk 2.6, and the request lists
and rates at 50 k vs 5 M requests (docs/benchmarks-appeals.md). ``--no-appeals`` skips them.

Every row compares a value with a baseline from the same run: big vs small (target ratio <= 1.5),
a street-scoped user vs a superuser reading the same rows (target <= 1.1), and the city tree page
(target <= 50 ms at the big size). Results: bench/results/latest.json, and a table on stdout.
Exits non-zero when a backend could not be measured or a sanity check failed (e.g. a kept counter
disagrees with COUNT(*)); a missed target is reported loudly but is not a failure.

    .venv/bin/python bench/run.py [--backends postgres,sqlite] [--big-rows 1000000] [--rounds 8]
        [--member-backends postgres] [--small-members 50000] [--big-members 560000] [--no-import]
        [--no-appeals] [--appeals-budget-minutes 150] [--no-appeals-pages]
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
LEVELS = ["grid", "community", "street", "district", "city"]
STREET_CODE = "320102002"
BIG_OVER_SMALL = 1.5
SCOPED_OVER_SUPERUSER = 1.1
TREE_PAGE_MS = 50.0
MEMBER_LEVELS = ["community", "street", "district", "city"]
SMALL_MEMBERS, BIG_MEMBERS = 50_000, 560_000
# Targets of the member import (issue 3, item 7), by the row bench/members_import.py reports
# ("members_import_<rows>_<what>"); its other rows (client CPU, parse time) are information only.
IMPORT_TARGETS = {
    "rows_per_s": ("value >= 20000 rows/s", lambda b: b["value"] >= 20_000),
    "seconds": ("ratio <= 3", lambda b: b["ratio"] is not None and b["ratio"] <= 3.0),
    "peak_memory": ("value <= 1024 MB", lambda b: b["value"] <= 1024),
}

# (case key prefix, description, target on the big/small ratio or None for information only)
PER_LEVEL = [
    ("count", "subtree count (kept counter), {level} user", BIG_OVER_SMALL),
    ("count_scan", "subtree COUNT(*) scan, {level} user [info]", None),
    ("orm_page", "ORM visible_to() first 50 by code, {level} user", BIG_OVER_SMALL),
    ("api_page", "GET /api/v1/areas/ first page, {level} user", BIG_OVER_SMALL),
]
MEMBER_CASES = [
    ("members_page", "GET /members/ first page, {level} user"),
    ("members_api", "GET /api/v1/members/ first page, {level} user"),
]
NOTES = [
    "count: what pages show (descendant_count of the scope's root, kept by the services); "
    "count_scan: COUNT(*) over the scope's code range, which must grow with the subtree (information only, "
    "no target: that is why counters are kept, DESIGN.md §6).",
    "ORM rows time the queries alone (grants cached on the user, as within one request); "
    "API and page rows are whole requests (session, user, grants, query, serialisation).",
    "queries: baseline/value statements per call; cpu: this process's CPU time per call (not the database "
    "server's), shown because on a busy machine wall time also counts waiting for a CPU (see load average).",
    f"superuser baseline: the same rows, the superuser filtering to the street with ?code={STREET_CODE}.",
    f"members: the demo party (load_party: orgs from the area tree, {SMALL_MEMBERS:,} members on the small "
    f"database, {BIG_MEMBERS:,} on the big one), first page of the member list and API, keyset on (path, id); "
    "visible: members the user sees, small/big; the community user is the secretary of the community with "
    "the most members on the small database (the same code on both), so both first pages hold 50 rows.",
    "members_import: bench/members_import.py in its own process (import of a member xlsx vs calamine parse + raw "
    "COPY of the same rows, same run); rows without a cpu/queries column come from there.",
]


def row(name, case, baseline_name, baseline, *, target_kind=None, target=None, **extra) -> dict:
    value, base = case["median_ms"], baseline["median_ms"]
    ratio = round(value / base, 3) if base else None
    met = None
    if target_kind == "ratio":
        met = ratio is not None and ratio <= target
    elif target_kind == "value":
        met = value <= target
    return {
        "name": name,
        "value": round(value, 3),
        "unit": "ms",
        "baseline_name": baseline_name,
        "baseline_value": round(base, 3),
        "ratio": ratio,
        "target": None
        if target_kind is None
        else f"{target_kind} <= {target:g}{' ms' if target_kind == 'value' else ''}",
        "met": met,
        "queries": case.get("queries"),
        "baseline_queries": baseline.get("queries"),
        "reps": case.get("reps"),
        "cpu_ms": case.get("cpu_median_ms"),
        "baseline_cpu_ms": baseline.get("cpu_median_ms"),
        **extra,
    }


def benchmarks_for(result: dict) -> list[dict]:
    backend = result["backend"]
    small, big = result["sizes"]["small"]["cases"], result["sizes"]["big"]["cases"]
    rows = []
    for level in LEVELS:
        for key, description, target in PER_LEVEL:
            case = f"{key}/{level}"
            text = description.format(level=level)
            rows.append(
                row(
                    f"{backend} big: {text}",
                    big[case],
                    f"{backend} small: {text}",
                    small[case],
                    target_kind="ratio" if target else None,
                    target=target,
                    subtree_rows=[small[f"count_scan/{level}"]["result"], big[f"count_scan/{level}"]["result"]],
                )
            )
    if "members_api/city" in small:
        visible = [result["sizes"][size].get("members_visible", {}) for size in ("small", "big")]
        for level in MEMBER_LEVELS:
            for key, description in MEMBER_CASES:
                text = description.format(level=level)
                rows.append(
                    row(
                        f"{backend} big: {text}",
                        big[f"{key}/{level}"],
                        f"{backend} small: {text}",
                        small[f"{key}/{level}"],
                        target_kind="ratio",
                        target=BIG_OVER_SMALL,
                        visible_members=[v.get(level) for v in visible],
                    )
                )
    for size, cases in (("small", small), ("big", big)):
        rows.append(
            row(
                f"{backend} {size}: GET /api/v1/areas/ first page, street user",
                cases["api_page/street"],
                f"{backend} {size}: same rows, superuser (?code={STREET_CODE})",
                cases["api_page/superuser_street"],
                target_kind="ratio",
                target=SCOPED_OVER_SUPERUSER,
            )
        )
    rows.append(
        row(
            f"{backend} big: ORM visible_to() first 50 by code, street user",
            big["orm_page/street"],
            f"{backend} big: same rows, superuser (subtree('{STREET_CODE}'))",
            big["orm_page/superuser_street"],
            target_kind="ratio",
            target=SCOPED_OVER_SUPERUSER,
        )
    )
    rows.append(
        row(
            f"{backend} big: GET /areas/3201/ city tree page, city user",
            big["tree_page/city"],
            f"{backend} small: GET /areas/3201/ city tree page, city user",
            small["tree_page/city"],
            target_kind="value",
            target=TREE_PAGE_MS,
        )
    )
    return rows


def print_table(benchmarks: list[dict]) -> None:
    width = max(len(b["name"]) for b in benchmarks)
    header = (
        f"{'benchmark':<{width}}  {'value':>9}  {'baseline':>9}  {'ratio':>6}  {'queries':>7}  {'cpu':>8}  "
        f"{'target':<22} met"
    )
    print(header)
    print("-" * len(header))
    for b in benchmarks:
        met = {True: "yes", False: "MISSED", None: ""}[b.get("met")]
        queries = "" if b.get("queries") is None else f"{b['baseline_queries']}/{b['queries']}"
        ratio = "" if b.get("ratio") is None else f"{b['ratio']:.2f}"
        cpu = "" if b.get("cpu_ms") is None else f"{b['cpu_ms']:.2f}ms"
        if b.get("unit", "ms") == "ms":
            value, base = f"{b['value']:>7.2f}ms", f"{b['baseline_value']:>7.2f}ms"
        else:  # rows/s, s, MB: the unit after the baseline
            unit = b["unit"].split(" ")[0]
            value = "" if b.get("value") is None else f"{b['value']:>9g}"
            base = "" if b.get("baseline_value") is None else f"{b['baseline_value']:g} {unit}"
        print(
            f"{b['name']:<{width}}  {value:>9}  {base:>9}  {ratio:>6}  "
            f"{queries:>7}  {cpu:>8}  {b.get('target') or '':<22} {met}"
        )


def run_members_import(deadline: float) -> tuple[list[dict], dict]:
    """bench/members_import.py in a process of its own; its rows with the issue's targets, and facts.

    A failure there (or running out of time) becomes one failed row, never a crash of this run.
    """
    name = "members_import: 560,000-row member xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "members_import.json"
        command = [sys.executable, str(ROOT / "bench" / "members_import.py"), "--json", str(out)]
        timeout = max(1.0, deadline - time.monotonic())
        started = time.monotonic()
        try:
            completed = subprocess.run(
                command, cwd=ROOT, timeout=timeout, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            error = None if completed.returncode == 0 and out.exists() else f"exit code {completed.returncode}"
        except subprocess.TimeoutExpired:
            completed, error = None, f"stopped after {timeout:.0f} s (time budget)"
        seconds = round(time.monotonic() - started, 1)
        stderr = (completed.stderr or b"").decode(errors="replace") if completed else ""
        if error is None:
            try:
                rows = json.loads(out.read_text(encoding="utf-8"))
            except ValueError as exc:
                error = f"unreadable result: {exc}"
    if error is not None:
        tail = stderr.strip()[-1500:]
        failed = {
            "name": name,
            "value": None,
            "unit": "rows/s",
            "baseline_name": "calamine parse + raw COPY",
            "baseline_value": None,
            "ratio": None,
            "target": "value >= 20000 rows/s",
            "met": False,
            "error": error,
            "stderr_tail": tail,
        }
        return [failed], {"error": error, "seconds": seconds, "stderr_tail": tail}
    for b in rows:
        apply_import_target(b)
    return rows, {"seconds": seconds}


def apply_import_target(b: dict) -> None:
    """Set ``target`` and ``met`` of one row of bench/members_import.py."""
    match = re.fullmatch(r"members_import_\d+_(\w+)", b["name"])
    target = IMPORT_TARGETS.get(match.group(1)) if match else None
    b["target"], b["met"] = (target[0], bool(target[1](b))) if target else (None, None)


def run_appeals(minutes: float, pages: bool = True) -> tuple[list[dict], dict]:
    """bench/appeals_run.py in a process of its own; its rows and facts (errors listed in facts).

    Without ``pages``, only its creates over HTTP (Jiceng, the floor, /healthz, django-helpdesk):
    no 5 M database."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "appeals.json"
        command = [sys.executable, "-m", "bench.appeals_run", "--json", str(out), "--budget-minutes", str(minutes)]
        if not pages:
            command.append("--skip-pages")
        try:
            subprocess.run(command, cwd=ROOT, timeout=minutes * 60 + 120, check=False)
        except subprocess.TimeoutExpired:
            return [], {"errors": [f"stopped after {minutes:.0f} min (time budget)"]}
        if not out.exists():
            return [], {"errors": ["bench/appeals_run.py wrote no result"]}
        result = json.loads(out.read_text(encoding="utf-8"))
    return result["rows"], result["facts"]


# The apps' own benchmarks: each a module run in a process of its own with its own databases, writing
# ``{"rows": [...], "facts": {...}}`` to ``--json``. (key, module, what it measures, extra arguments
# from the parsed ones, minutes before it is stopped.)
APP_BENCHES = [
    (
        "orglife",
        "bench.orglife",
        "组织生活: the compliance page at the demo size vs N × the orgs, the sign-in burst, the roll-up rebuild",
        lambda args: ["--factor", str(args.orglife_factor)],
        180,
    ),
    (
        "dashboards",
        "bench.dashboards",
        "数据看板: community, street, district and city at the demo size vs full scale",
        lambda args: [],
        75,  # building both databases from nothing: about 40 min under load (docs/metrics.md)
    ),
    (
        "dashboards_reports",
        "bench.dashboards_reports",
        "the district PDF report, the city workbook",
        lambda args: [],
        30,
    ),
    (
        "cobuild",
        "bench.cobuild",
        "共建清单: the service board at 10 × the items, concurrent claims",
        lambda args: [],
        20,
    ),
    (
        "timebank",
        "bench.timebank",
        "时间银行: the volunteer board and a balance at N vs 10 N movements, the ledger check, concurrent spends",
        lambda args: ["--movements", str(args.timebank_movements)],
        30,
    ),
]
APP_KEYS = [key for key, *_ in APP_BENCHES]


def run_module(module: str, extra: list[str], minutes: float) -> tuple[list[dict], dict]:
    """``python -m <module> --json <file> *extra`` in a process of its own: its rows and the rest as facts."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        command = [sys.executable, "-m", module, "--json", str(out), *extra]
        try:
            subprocess.run(command, cwd=ROOT, timeout=minutes * 60, check=False, stdout=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return [], {"errors": [f"{module}: stopped after {minutes:.0f} min (time budget)"]}
        if not out.exists():
            return [], {"errors": [f"{module} wrote no result"]}
        result = json.loads(out.read_text(encoding="utf-8"))
    rows = result.pop("rows")
    errors = result.get("errors") or result.get("facts", {}).get("errors") or []
    return rows, {**result, "errors": errors}


def postgres_problem() -> str | None:
    import psycopg

    url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure to connect means "not available"
        return f"{url}: {str(exc).strip()}"
    return None


def run_backend(backend: str, args, deadline: float) -> dict:
    """Run one worker process within the time left; its JSON result, or {"error": ...}."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{backend}.json"
        command = [sys.executable, "-m", "bench.worker", "--backend", backend, "--out", str(out)]
        command += ["--seed", str(args.seed), "--big-rows", str(args.big_rows), "--rounds", str(args.rounds)]
        if backend in args.member_backends.split(","):
            command += ["--small-members", str(args.small_members), "--big-members", str(args.big_members)]
        timeout = max(1.0, deadline - time.monotonic())
        try:
            completed = subprocess.run(command, cwd=ROOT, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return {"backend": backend, "error": f"stopped after {timeout:.0f} s (time budget)"}
        if completed.returncode != 0 or not out.exists():
            return {"backend": backend, "error": f"worker failed with exit code {completed.returncode}"}
        return json.loads(out.read_text(encoding="utf-8"))


def machine() -> dict:
    memory = None
    with contextlib.suppress(ValueError, OSError, AttributeError):
        memory = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gib": memory,
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
    }


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="postgres,sqlite", help="comma-separated: postgres, sqlite")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--big-rows", type=int, default=1_000_000, help="least rows in the areas table when big")
    parser.add_argument("--rounds", type=int, default=8, help="measuring rounds over every compared pair")
    parser.add_argument(
        "--member-backends", default="postgres", help="backends that also get the party members and their lists"
    )
    parser.add_argument("--small-members", type=int, default=SMALL_MEMBERS)
    parser.add_argument("--big-members", type=int, default=BIG_MEMBERS)
    parser.add_argument(
        "--import",
        dest="members_import",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run bench/members_import.py (PostgreSQL) too",
    )
    parser.add_argument("--budget-minutes", type=float, default=25.0, help="hard stop for the whole run")
    parser.add_argument(
        "--appeals", action=argparse.BooleanOptionalAction, default=True, help="run bench/appeals_run.py too"
    )
    parser.add_argument("--appeals-budget-minutes", type=float, default=150.0, help="its own hard stop")
    parser.add_argument(
        "--appeals-pages",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the appeals step's lists and rates at 5 M (--no-appeals-pages: its creates over HTTP only)",
    )
    parser.add_argument(
        "--apps",
        default=",".join(APP_KEYS),
        help=f"the apps' own benchmarks to run, comma-separated (empty: none): {', '.join(APP_KEYS)}",
    )
    parser.add_argument("--orglife-factor", type=float, default=5.0, help="bench/orglife.py: big ÷ demo orgs")
    parser.add_argument(
        "--timebank-movements", type=int, default=100_000, help="bench/timebank.py's baseline ledger (big: 10 ×)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    return parser.parse_args()


def run_backends(args, deadline: float, metadata: dict) -> tuple[list[dict], bool]:
    """Each backend's worker (and, after PostgreSQL, the member import); their rows, and whether one failed."""
    benchmarks: list[dict] = []
    failed = False
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if backend == "postgres" and (problem := postgres_problem()):
            print(f"!!! PostgreSQL NOT AVAILABLE ({problem}); skipping it.", flush=True)
            metadata["backends"][backend] = {"error": f"not available: {problem}"}
            failed = True
            continue
        print(f"=== {backend} ===", flush=True)
        result = run_backend(backend, args, deadline)
        metadata["backends"][backend] = result
        if "error" in result:
            print(f"!!! {backend}: {result['error']}", flush=True)
            failed = True
            continue
        benchmarks += benchmarks_for(result)
        if backend == "postgres" and args.members_import:
            print("=== members_import (PostgreSQL) ===", flush=True)
            rows, facts = run_members_import(deadline)
            metadata["members_import"] = facts
            if "error" in facts:
                print(f"!!! members_import: {facts['error']}\n{facts['stderr_tail']}", flush=True)
                failed = True
            benchmarks += rows
    return benchmarks, failed


def print_sizes(backends: dict) -> bool:
    """What each backend built; True when a sanity check found a problem."""
    failed = False
    for backend, facts in backends.items():
        if "error" in facts:
            print(f"{backend}: {facts['error']}")
            continue
        for size, info in facts["sizes"].items():
            levels = ", ".join(f"{k} {v:,}" for k, v in info["levels"].items())
            party = info.get("party")
            members = f"; {party['members']:,} members in {party['orgs']:,} orgs" if party else ""
            print(
                f"{backend} {size}: {info['rows']:,} areas (scale {info['scale']:g}; {levels}){members}; "
                f"built in {info['build_seconds']} s"
            )
            for problem in info["problems"]:
                print(f"  !!! {problem}")
                failed = True
    return failed


def print_load(load: dict) -> None:
    if not load["load_average_at_start"]:
        return
    print(
        f"* load average (1/5/15 min) at start {load['load_average_at_start']}, at end "
        f"{load['load_average_at_end']}, on {load['cpus']} CPUs"
    )
    if max(load["load_average_at_start"][0], load["load_average_at_end"][0]) > (load["cpus"] or 1):
        print(
            "!!! The machine was busy (load above its CPU count): wall times include waiting for a CPU "
            "and ratios carry that noise; compare the cpu column, or run again on a quiet machine."
        )


def main() -> int:
    args = parse_args()
    started = time.monotonic()
    deadline = started + args.budget_minutes * 60
    metadata = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "notes": NOTES,
        "backends": {},
    }
    benchmarks, failed = run_backends(args, deadline, metadata)

    if args.appeals:
        print("=== appeals (PostgreSQL): creates over HTTP, django-helpdesk, lists and rates at 5 M ===", flush=True)
        rows, facts = run_appeals(args.appeals_budget_minutes, args.appeals_pages)
        metadata["appeals"] = facts
        benchmarks += rows
        for error in facts.get("errors", []):
            print(f"!!! appeals: {error}", flush=True)
            failed = True

    wanted = {key.strip() for key in args.apps.split(",") if key.strip()}
    for key, module, what, extra, minutes in APP_BENCHES:
        if key not in wanted:
            continue
        print(f"=== {key} (PostgreSQL): {what} ===", flush=True)
        rows, facts = run_module(module, extra(args), minutes)
        metadata[key] = facts
        benchmarks += rows
        for error in facts.get("errors", []):
            print(f"!!! {key}: {error}", flush=True)
            failed = True

    metadata["wall_seconds"] = round(time.monotonic() - started, 1)
    metadata["machine"]["load_average_at_end"] = (
        [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"benchmarks": benchmarks, **metadata}, ensure_ascii=False, indent=2) + "\n")

    print()
    failed = print_sizes(metadata["backends"]) or failed
    print()
    if benchmarks:
        print_table(benchmarks)
    for note in NOTES:
        print(f"* {note}")
    missed = [b["name"] for b in benchmarks if b["met"] is False]
    print_load(metadata["machine"])
    print(
        f"\n{len(benchmarks)} benchmarks, {sum(b['met'] is True for b in benchmarks)} targets met, "
        f"{len(missed)} missed; wall time {metadata['wall_seconds'] / 60:.1f} min; written to "
        f"{args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""The 民呼我应 benchmarks of issue 4, item 10, as one step of ``make bench`` (bench/run.py).

In order, each in a process of its own so one failure is one failed row, not a lost run:

1. ``bench.appeals_data --size small``: the 50 k database (reused while its key matches);
2. ``bench.appeals_http``: creates/s over HTTP vs a floor (token auth + one insert, bench/floor.py)
   and vs ``GET /healthz``, on the same gunicorn in the same run (10a);
3. ``bench.helpdesk``: django-helpdesk 2.6 on the same rig (10b); Jiceng ÷ helpdesk ≥ 2;
4. ``bench.appeals_data --size big``: the 5 M database (long the first time; then reused);
5. ``bench.appeals_pages``: list and rates pages, 5 M vs 50 k, street and city users (10c).

The HTTP measurements come before the 5 M build so that a first build does not run beside them.
Writes ``{"rows": [...], "facts": {...}}``; rows carry key, name (description), value, unit,
baseline_name, baseline_value, ratio, target, met.

    .venv/bin/python -m bench.appeals_run [--json out.json] [--seconds 8] [--rounds 3] [--page-rounds 6]
        [--skip-http] [--skip-helpdesk] [--skip-pages]
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELPDESK_TARGET = 2.0


def log(message: str) -> None:
    print(message, flush=True)


def step(name: str, module: str, *args, timeout: float) -> tuple[dict | None, str | None]:
    """Run ``python -m module *args`` (with ``--json``), return its JSON, or an error text."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        command = [sys.executable, "-m", module, *args]
        if module != "bench.appeals_data":
            command += ["--json", str(out)]
        log(f"--- {name}: {' '.join(command[2:])}")
        started = time.monotonic()
        try:
            done = subprocess.run(
                command, cwd=ROOT, timeout=max(1.0, timeout), stdout=subprocess.PIPE, stderr=None, text=True
            )
        except subprocess.TimeoutExpired:
            return None, f"{name}: stopped after {timeout:.0f} s (time budget)"
        seconds = time.monotonic() - started
        if done.returncode != 0:
            return None, f"{name}: exit code {done.returncode} after {seconds:.0f} s"
        try:
            if module == "bench.appeals_data":
                return json.loads(done.stdout.strip().splitlines()[-1]), None
            return json.loads(out.read_text(encoding="utf-8")), None
        except (ValueError, IndexError, OSError) as exc:
            return None, f"{name}: unreadable result ({exc})"


def failed_row(key: str, name: str, error: str, unit: str = "creates/s", target: str | None = None) -> dict:
    return {
        "key": key,
        "name": name,
        "value": None,
        "unit": f"{unit} (not measured)",  # not "ms": bench/run.py's table formats ms values as numbers
        "baseline_name": None,
        "baseline_value": None,
        "ratio": None,
        "target": target,
        "met": False,
        "error": error,
    }


def helpdesk_rows(jiceng: dict | None, helpdesk: dict) -> list[dict]:
    bare, creates = helpdesk["bare"]["per_s"], helpdesk["real"]["per_s"]
    rows = [
        {
            "key": "helpdesk_http_create_vs_bare",
            "name": f"{helpdesk['peer']}: POST /api/tickets/ over HTTP vs its bare endpoint [info]",
            "value": creates,
            "unit": "creates/s",
            "baseline_name": "GET /healthz (SELECT 1) on the helpdesk server, same run",
            "baseline_value": bare,
            "ratio": round(creates / bare, 3) if bare else None,
            "target": None,
            "met": None,
            **{
                f"{part}_cpu_ms_per_create": helpdesk["real"][f"{part}_cpu_ms_per_request"]
                for part in ("app", "db")
                if f"{part}_cpu_ms_per_request" in helpdesk["real"]
            },
        }
    ]
    if jiceng is not None:
        ours = jiceng["real"]["per_s"]
        ratio = round(ours / creates, 3) if creates else None
        rows.append(
            {
                "key": "appeals_http_create_vs_helpdesk",
                "name": f"jiceng POST /api/v1/appeals/ vs {helpdesk['peer']} POST /api/tickets/ (same rig)",
                "value": ours,
                "unit": "creates/s",
                "baseline_name": f"{helpdesk['peer']} creates/s",
                "baseline_value": creates,
                "ratio": ratio,
                "target": f"ratio >= {HELPDESK_TARGET:g}",
                "met": ratio is not None and ratio >= HELPDESK_TARGET and not helpdesk["problems"],
            }
        )
    return rows


def build_row(facts: dict) -> dict:
    seconds = facts.get("total_s")
    return {
        "key": "appeals_load_5m_seconds",
        "name": f"load_appeals: {facts.get('appeals', 0):,} requests (demo city, COPY, SQL rates) "
        f"{'[reused, built earlier]' if facts.get('reused') else '[built in this run]'} [info]",
        "value": seconds,
        "unit": "s",
        "baseline_name": "~25 min (the issue's bound)",
        "baseline_value": 1500,
        "ratio": round(seconds / 1500, 3) if seconds else None,
        "target": None,
        "met": None,
        "build": {k: v for k, v in facts.items() if k.endswith("_s") or k in ("events", "database_gb", "built_at")},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", required=True)
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="wrk rounds per endpoint")
    parser.add_argument("--page-rounds", type=int, default=6)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--skip-helpdesk", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--budget-minutes", type=float, default=150.0)
    args = parser.parse_args()
    deadline = time.monotonic() + args.budget_minutes * 60

    def left() -> float:
        return deadline - time.monotonic()

    rows, facts, errors = [], {}, []
    small, error = step("50 k database", "bench.appeals_data", "--size", "small", timeout=left())
    facts["small_database"] = small
    if error:
        errors.append(error)
    jiceng = None
    if not args.skip_http and small:
        wrk = ["--seconds", str(args.seconds), "--rounds", str(args.rounds)]
        result, error = step("jiceng creates over HTTP", "bench.appeals_http", *wrk, timeout=min(left(), 900))
        if error:
            errors.append(error)
            rows.append(
                failed_row(
                    "appeals_http_create_vs_floor",
                    "jiceng: POST /api/v1/appeals/ over HTTP vs the floor",
                    error,
                    target="ratio >= 0.5",
                )
            )
        else:
            jiceng = result["facts"]
            facts["http"] = jiceng
            rows += result["rows"]
            errors += [f"jiceng http: {p}" for p in jiceng["problems"]]
        if not args.skip_helpdesk:
            helpdesk, error = step(
                "django-helpdesk creates over HTTP", "bench.helpdesk", *wrk, timeout=min(left(), 1800)
            )
            if error:
                errors.append(error)
                rows.append(
                    failed_row(
                        "appeals_http_create_vs_helpdesk",
                        "jiceng vs django-helpdesk 2.6 creates/s",
                        error,
                        target=f"ratio >= {HELPDESK_TARGET:g}",
                    )
                )
            else:
                facts["helpdesk"] = helpdesk
                rows += helpdesk_rows(jiceng, helpdesk)
                errors += [f"helpdesk: {p}" for p in helpdesk["problems"]]
    if not args.skip_pages:
        big, error = step("5 M database", "bench.appeals_data", "--size", "big", timeout=left())
        facts["big_database"] = big
        if error:
            errors.append(error)
            rows.append(failed_row("appeals_load_5m_seconds", "load_appeals: 5,000,000 requests", error, unit="s"))
        else:
            rows.append(build_row(big))
            pages, error = step(
                "lists and rates, 5 M vs 50 k",
                "bench.appeals_pages",
                "--no-build",
                "--rounds",
                str(args.page_rounds),
                timeout=left(),
            )
            if error:
                errors.append(error)
                rows.append(failed_row("appeals_pages", "request lists and rates, 5 M vs 50 k", error, unit="ms"))
            else:
                facts["pages"] = {k: v for k, v in pages.items() if k != "rows"}
                rows += pages["rows"]
                errors += [f"pages: {p}" for p in pages["problems"]]
    facts["errors"] = errors
    Path(args.json).write_text(
        json.dumps({"rows": rows, "facts": facts}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

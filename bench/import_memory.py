"""Benchmark (not a test): peak memory of the web request and of the worker on hostile Excel
imports (issue 13, point 2; goal: each below 300 MB).

Builds full-size versions of the hostile workbooks of ``jiceng/core/tests/hostile_xlsx.py`` with
the member roster's header: one cell at ``CV1048576`` (the 1,988-byte file of the issue), a
200 MB shared string (compressible, as in the issue, and a 300,000-character random one that passes
the ratio check but not the cell limit), a 1 GB zip bomb by ratio, a huge declared dimension (a harmless file that must
import), a cell beyond the template's columns, and a cell far from its row. Then, on a SQLite
database of its own (migrated once, under a temporary ``JICENG_VAR_DIR``), for each file:

* **request** — a fresh process GETs the upload page once (warm-up), then POSTs the file to
  ``/excel/import/members/`` with Django's test client, as a logged-in superuser, and reports its
  peak RSS (``ru_maxrss``) and the POST's wall time;
* **worker** — a fresh process runs the queued job (``run_excel_job``, what the worker runs) and
  reports its peak RSS, wall time, the job's status and the start of its message.

A third process that only sets Django up gives the baseline RSS of an idle process. Results are
JSON on stdout (and in ``--json``)::

    .venv/bin/python bench/import_memory.py [--json bench/results/import_memory.json] [--only far_cell]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MB = 300


def _files() -> dict:
    from jiceng.core.tests import hostile_xlsx as hostile
    from jiceng.members.importer import MEMBER_SPEC

    headers = MEMBER_SPEC.headers
    good = [["张三", "男", "汉族", "", "11010519491231002X"]]
    return {
        "far_cell_CV1048576": lambda: hostile.far_cell(headers, "CV1048576"),
        "shared_string_200MB_compressible": lambda: hostile.long_shared_string(
            headers, 200 * 1024 * 1024, compressible=True
        ),
        "shared_string_300000_chars_random": lambda: hostile.long_shared_string(headers, 300_000),
        "zip_bomb_1GB": lambda: hostile.ratio_bomb(headers, 1024),
        "declared_dimension_XFD1048576": lambda: hostile.declared_dimension(headers, good),
        "column_beyond_template_ZZ2": lambda: hostile.far_cell(headers, "ZZ2"),
        "cell_far_from_its_row_A900000": lambda: hostile.cell_outside_its_row(headers, "A900000"),
    }


def _env(var_dir: str) -> dict:
    return {
        **os.environ,
        "JICENG_VAR_DIR": var_dir,
        "DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3",
        "DJANGO_SETTINGS_MODULE": "jiceng.settings",
        "PYTHONPATH": str(ROOT),
    }


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# --------------------------------------------------------------------------- steps (child processes)


def step_idle(_argument: str) -> dict:
    return {"peak_mb": _peak_mb()}


def step_build(argument: str) -> dict:
    """Writes one hostile file (in a process of its own: Linux carries a parent's peak RSS into
    the children it starts, so the measuring parent must stay small)."""
    name, path = argument.split("=", 1)
    Path(path).write_bytes(_files()[name]())
    return {"file_bytes": Path(path).stat().st_size}


def step_names(_argument: str) -> dict:
    return {"names": list(_files())}


def step_request(path: str) -> dict:
    from django.test import Client

    from jiceng.accounts.models import User
    from jiceng.core.models import ExcelJob

    user, _ = User.objects.get_or_create(username="bench", defaults={"is_superuser": True, "is_staff": True})
    client = Client()
    client.force_login(user)
    client.get("/excel/import/members/")  # warm-up: URL resolver, templates, middleware
    before = _peak_mb()
    started = time.perf_counter()
    with open(path, "rb") as fh:
        response = client.post("/excel/import/members/", {"file": fh})
    seconds = time.perf_counter() - started
    job = ExcelJob.objects.order_by("-pk").first()
    return {
        "status_code": response.status_code,
        "job": job.pk if job else None,
        "job_status": job.status if job else None,
        "seconds": round(seconds, 3),
        "peak_mb_before_request": before,
        "peak_mb": _peak_mb(),
    }


def step_worker(job_id: str) -> dict:
    from jiceng.core.models import ExcelJob
    from jiceng.core.tasks import run_excel_job

    started = time.perf_counter()
    status = run_excel_job.call(int(job_id))
    seconds = time.perf_counter() - started
    job = ExcelJob.objects.get(pk=int(job_id))
    preview = json.dumps(job.errors_preview, ensure_ascii=False)
    return {
        "job_status": status,
        "message": job.message[:120],
        "errors_preview_chars": len(preview),
        "seconds": round(seconds, 3),
        "peak_mb": _peak_mb(),
    }


STEPS = {
    "idle": step_idle,
    "build": step_build,
    "names": step_names,
    "request": step_request,
    "worker": step_worker,
}


def _in_subprocess(var_dir: str, step: str, argument: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--step", step, "--argument", argument],
        env=_env(var_dir),
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip()[-1500:], "returncode": out.returncode}
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the run


def run(only: str | None = None) -> dict:
    """Every step in a child process; this one imports nothing of Django and stays small."""
    with tempfile.TemporaryDirectory(prefix="jiceng-import-memory-") as var_dir:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], env=_env(var_dir), check=True
        )
        names = [n for n in _in_subprocess(var_dir, "names", "")["names"] if only is None or only in n]
        results: dict = {"goal_mb": GOAL_MB, "idle": _in_subprocess(var_dir, "idle", ""), "files": {}}
        for name in names:
            path = Path(var_dir) / f"{name}.xlsx"
            entry = _in_subprocess(var_dir, "build", f"{name}={path}")
            entry["request"] = _in_subprocess(var_dir, "request", str(path))
            if entry["request"].get("job"):
                entry["worker"] = _in_subprocess(var_dir, "worker", str(entry["request"]["job"]))
            steps = (entry["request"], entry.get("worker", {}))
            entry["below_goal"] = all(step.get("peak_mb", GOAL_MB + 1) < GOAL_MB for step in steps)
            results["files"][name] = entry
            print(name, json.dumps(entry, ensure_ascii=False), file=sys.stderr, flush=True)
            path.unlink()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--only", help="only the files whose name contains this")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--argument", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        print(json.dumps(STEPS[args.step](args.argument)))
        return
    results = run(args.only)
    text = json.dumps(results, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""The peer (issue 4, item 10b): django-helpdesk 2.6 ticket creation over its REST API, same rig.

Everything is made here at run time, never a dependency of Jiceng:

* its own virtualenv ``var/bench/helpdesk-venv`` (``pip install "django-helpdesk==2.6.*" gunicorn
  "psycopg[binary]"``; kept between runs, reinstalled when the requirement line changes);
* a minimal Django project written by ``bench/helpdesk_project.py`` into
  ``var/bench/helpdesk-project`` (its settings, and why each one, are documented there);
* its own database ``bench_helpdesk`` on the same PostgreSQL server, dropped, created, migrated;
* a staff user with a DRF token and four queues.

Then the same measurement as ``bench/appeals_http.py``: gunicorn with 2 sync workers on loopback,
wrk with a Lua script, ``POST /api/tickets/`` with ``Authorization: Token …`` and a JSON body of
the same kind (queue ≈ category, title, description, submitter e-mail ≈ reporter, priority),
alternated with the server's own ``GET /healthz``; every answer must be 201 and the table must
hold the tickets created.

    .venv/bin/python -m bench.helpdesk [--seconds 8] [--rounds 3] [--json out.json]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench import helpdesk_project
from bench.appeals_http import (
    CONNECTIONS,
    PG_SERVER_URL,
    THREADS,
    WORKERS,
    Gunicorn,
    ensure_wrk,
    log,
    post_script,
    wrk_version,
)
from bench.timing import emit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
VENV = BENCH_DIR / "helpdesk-venv"
PROJECT = BENCH_DIR / "helpdesk-project"
REQUIREMENTS = ["django-helpdesk==2.6.*", "gunicorn", "psycopg[binary]"]
DATABASE = "bench_helpdesk"
CREATE_PATH = "/api/tickets/"


def ensure_venv() -> Path:
    """The helpdesk virtualenv's python, created and installed when missing or outdated."""
    python = VENV / "bin" / "python"
    marker = VENV / ".bench-requirements"
    wanted = "\n".join(REQUIREMENTS)
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python
    log(f"creating {VENV.relative_to(ROOT)}: pip install {' '.join(REQUIREMENTS)}")
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS], check=True
    )
    marker.write_text(wanted)
    return python


def installed_version(python: Path) -> str:
    out = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('django-helpdesk'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def project_env() -> dict:
    host_port = PG_SERVER_URL.split("@", 1)[-1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    user = PG_SERVER_URL.split("://", 1)[-1].split("@", 1)[0].split(":", 1)[0] or "postgres"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="hdbench.settings",
        HD_DB_NAME=DATABASE,
        HD_DB_HOST=host or "127.0.0.1",
        HD_DB_PORT=port or "5432",
        HD_DB_USER=user,
        PYTHONPATH=str(PROJECT),
    )
    return env


def fresh_database(python: Path) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    subprocess.run(
        [str(python), "manage.py", "migrate", "--noinput", "-v0"],
        cwd=PROJECT,
        env=project_env(),
        check=True,
        capture_output=True,
    )


def in_project(python: Path, *args) -> dict:
    out = subprocess.run(
        [str(python), "prepare.py", *args], cwd=PROJECT, env=project_env(), check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bodies(queues: list[int], count: int = 64) -> list[str]:
    result = []
    for i in range(count):
        result.append(
            json.dumps(
                {
                    "queue": queues[i % len(queues)],
                    "title": f"小区{i % 9 + 1}栋楼道堆放杂物",
                    "description": f"小区{i % 9 + 1}栋楼道堆放杂物，存在消防隐患，请社区尽快清理。（压测 @TOKEN@）",
                    "submitter_email": f"resident{i}@example.com",
                    "priority": 3,
                },
                ensure_ascii=False,
            )
        )
    return result


def run(seconds: float, rounds: int) -> dict:
    wrk = ensure_wrk()
    python = ensure_venv()
    version = installed_version(python)
    helpdesk_project.write(PROJECT)
    started = time.perf_counter()
    fresh_database(python)
    prepared = in_project(python)
    setup_seconds = round(time.perf_counter() - started, 1)
    gunicorn = str(VENV / "bin" / "gunicorn")
    prefix = f"hd{int(time.time())}"
    headers = {"Authorization": f"Token {prepared['token']}", "Content-Type": "application/json; charset=utf-8"}
    payloads = bodies(prepared["queues"])
    with (
        tempfile.TemporaryDirectory() as tmp,
        Gunicorn(gunicorn, "hdbench.wsgi:application", project_env(), PROJECT, database=DATABASE) as server,
    ):
        runs = iter(range(1, 10_000))

        def script():
            return post_script(Path(tmp), CREATE_PATH, headers, payloads, f"{prefix}r{next(runs)}")

        request = urllib.request.Request(
            server.base + CREATE_PATH,
            data=payloads[0].replace("@TOKEN@", f"{prefix}-probe").encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, body = response.status, response.read()[:500]
        except urllib.error.HTTPError as exc:
            status, body = exc.code, exc.read()[:1000]
        if status != 201:
            raise RuntimeError(f"django-helpdesk POST {CREATE_PATH} answered {status}: {body!r}\n{server.tail()}")
        log(f"  django-helpdesk {version}: gunicorn {server.base}, {WORKERS} workers, wrk -t{THREADS} -c{CONNECTIONS}")
        summary = server.measure(wrk, CREATE_PATH, script, seconds, rounds)
    after = in_project(python, "count")
    created = after["tickets"] - prepared["tickets"]
    created_by_wrk = summary["real"]["requests"] + summary["real"]["warmup_requests"]
    problems = []
    if summary["real"]["non_2xx"] or summary["real"]["socket_errors"]:
        problems.append(
            f"create: {summary['real']['non_2xx']} non-2xx answers, {summary['real']['socket_errors']} socket errors"
        )
    if created < created_by_wrk:
        problems.append(f"{created} tickets in the table, but wrk counted {created_by_wrk} answered creates")
    return {
        "peer": f"django-helpdesk {version}",
        "server": f"gunicorn {WORKERS} sync workers, generated project {PROJECT.relative_to(ROOT)}, DEBUG off, "
        f"database {DATABASE}",
        "load_generator": f"{wrk_version(wrk)} -t{THREADS} -c{CONNECTIONS}, Lua script",
        "setup_seconds": setup_seconds,
        "tickets_created": created,
        "problems": problems,
        **summary,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    facts = run(args.seconds, args.rounds)
    return emit(facts, args.json)


if __name__ == "__main__":
    sys.exit(main())

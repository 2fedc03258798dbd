"""Run the whole suite on SQLite, then on PostgreSQL (TEST_DATABASE_URL).

Outside CI a missing PostgreSQL server is a loud skip; with CI=true it is a failure.
Extra arguments go to pytest, e.g. ``python bin/run_tests.py -k scope``.
"""

import os
import subprocess
import sys

import psycopg

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def banner(text: str) -> None:
    line = "=" * 78
    print(f"\n{line}\n{text}\n{line}", flush=True)


def run_pytest(label: str, database_url: str, args: list[str]) -> int:
    banner(f"Tests on {label}: {database_url}")
    env = dict(os.environ, DATABASE_URL=database_url)
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def postgres_reachable(url: str) -> str | None:
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # any failure to connect means "not available"
        return str(exc).strip()
    return None


def main() -> int:
    args = sys.argv[1:]
    sqlite_rc = run_pytest("SQLite", "sqlite:///var/test-runner.sqlite3", args)
    pg_url = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)
    problem = postgres_reachable(pg_url)
    if problem:
        banner(f"!!! PostgreSQL NOT AVAILABLE at {pg_url}: {problem}")
        if IN_CI:
            print("CI=true: PostgreSQL is required; failing.")
            return 1
        print("!!! SKIPPED the PostgreSQL run. Start PostgreSQL and run `make test` again.")
        return sqlite_rc
    pg_rc = run_pytest("PostgreSQL", pg_url, args)
    banner(f"SQLite: {'passed' if sqlite_rc == 0 else 'FAILED'}; PostgreSQL: {'passed' if pg_rc == 0 else 'FAILED'}")
    return sqlite_rc or pg_rc


if __name__ == "__main__":
    sys.exit(main())

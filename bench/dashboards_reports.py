"""Issue 12, point 6 (reports): the PDF report of a district and the workbook export of the city
dashboard, timed on the demo database, each beside a small baseline measured in the same run.

Builds its own PostgreSQL database ``bench_dashboards_demo_<scale>`` (``manage.py load_demo`` at
``--scale``, with a fixed "today"; reused while its key matches), never the developer's. Then,
through the real views (Django's test client, logged in as the demo accounts, DEBUG off):

- ``report.pdf?kind=minhu`` of 玄武区 (a district, WeasyPrint with its SVG charts) vs the same
  report of 北安门社区 (a community: few children); goal ≤ 5 s for the district;
- ``export.xlsx`` of the city (南京市, 11 districts, every metric) vs that of 北安门社区.

``--full-scale`` instead times them on the full-scale database of bench/dashboards.py
(``bench_dash_560000_50000``: 560,000 members, about 10,000 orgs, a year of meetings, the
statistics of 5 M requests; built by ``python -m bench.dashboards`` first), as its district, city
and community users, period 2026-10.

Each value is the median of ``--rounds`` runs after one warm-up. Writes ``{"rows": [...], "facts":
{...}}`` like bench/appeals_run.py (rows: key, name, value, unit, baseline_name, baseline_value,
ratio, target, met)::

    .venv/bin/python -m bench.dashboards_reports [--json out.json] [--scale 1.0] [--rounds 3] [--full-scale]
"""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 6, 30)
PERIOD = "2026-05"
BUILD_VERSION = 1
PDF_GOAL_SECONDS = 5.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def database(scale: float) -> tuple[str, str]:
    name = f"bench_dashboards_demo_{str(scale).replace('.', '_')}"
    key = f"jiceng-bench dashboards v{BUILD_VERSION} scale={scale} today={TODAY}"
    return name, key


def prepare(scale: float, rebuild: bool) -> dict:
    from bench.appeals_data import current_key, recreate, set_key, url

    name, key = database(scale)
    os.environ["DATABASE_URL"] = url(name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    found = current_key(name)
    built = found == key and not rebuild
    if not built:
        log(f"[{name}] building the demo at scale {scale} (today {TODAY})")
        recreate(name)
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    facts = {"database": name, "key": key, "reused": built}
    if not built:
        from jiceng.demo.generator import load_demo

        load_demo(seed=2024, scale=scale, today=TODAY)
        set_key(name, key)
        facts["build_seconds"] = round(time.perf_counter() - started, 1)
        log(f"[{name}] built in {facts['build_seconds']} s")
    return facts


# (district, community, city): (username, area code) on each database
DEMO_USERS = (("xuanwu_admin", "320102"), ("beianmen", "320102002011"), ("city_admin", "3201"))


def prepare_full_scale() -> dict:
    """Use the big database of bench/dashboards.py as it is (never built here)."""
    from bench.appeals_data import current_key, url
    from bench.dashboards import db_name

    global PERIOD
    name = db_name(560_000, 50_000)
    key = current_key(name)
    if not key or " extra=" not in key:
        raise SystemExit(f"{name} is missing or incomplete: run python -m bench.dashboards first")
    os.environ["DATABASE_URL"] = url(name)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings"
    os.environ["DJANGO_DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from jiceng.accounts.models import User

    PERIOD = "2026-10"
    community = User.objects.get(username="bench_dash_community").role_assignments.get().area.code
    users = (("bench_dash_district", "320102"), ("bench_dash_community", community), ("bench_dash_city", "3201"))
    return {"database": name, "key": key, "reused": True, "users": users}


def timed(call, rounds: int) -> float:
    call()  # warm-up: templates, fonts, caches
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run(rounds: int, users=DEMO_USERS) -> tuple[list[dict], dict]:
    from django.test import Client
    from django.urls import reverse

    from jiceng.accounts.models import User
    from jiceng.areas.models import Area
    from jiceng.members.models import Member

    def client_for(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        return client

    def pdf(username: str, code: str):
        client = client_for(username)

        def call():
            response = client.get(
                reverse("dashboards:report", args=["areas", code]), {"period": PERIOD, "kind": "minhu"}
            )
            assert response.status_code == 200 and response["Content-Type"] == "application/pdf", response.status_code
            return response

        return call

    def workbook(username: str, code: str):
        client = client_for(username)

        def call():
            response = client.get(
                reverse("dashboards:export", args=["areas", code]), {"period": PERIOD, "source": "live"}
            )
            assert response.status_code == 200, response.status_code
            return b"".join(response.streaming_content)

        return call

    district, community, city = users
    district_pdf = timed(pdf(*district), rounds)
    community_pdf = timed(pdf(*community), rounds)
    city_book = timed(workbook(*city), rounds)
    community_book = timed(workbook(*community), rounds)
    small = Area.objects.get(code=community[1]).name
    rows = [
        {
            "key": "dashboards.report_pdf_district",
            "name": "民呼我应月度报告 PDF：玄武区（区，WeasyPrint + SVG 图表）",
            "value": round(district_pdf, 3),
            "unit": "s",
            "baseline_name": f"同一报告：{small}",
            "baseline_value": round(community_pdf, 3),
            "ratio": round(district_pdf / community_pdf, 2) if community_pdf else None,
            "target": f"<= {PDF_GOAL_SECONDS} s",
            "met": district_pdf <= PDF_GOAL_SECONDS,
        },
        {
            "key": "dashboards.workbook_city",
            "name": "数据看板 Excel 工作簿：南京市（全市，每个指标一张排行表 + 趋势 + 明细）",
            "value": round(city_book, 3),
            "unit": "s",
            "baseline_name": f"同一导出：{small}",
            "baseline_value": round(community_book, 3),
            "ratio": round(city_book / community_book, 2) if community_book else None,
            "target": "time reported",
            "met": True,
        },
    ]
    facts = {
        "areas": Area.objects.count(),
        "members": Member.objects.count(),
        "period": PERIOD,
        "rounds": rounds,
    }
    return rows, facts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--full-scale", action="store_true", help="on bench/dashboards.py's big database")
    args = parser.parse_args()
    if args.full_scale:
        facts = prepare_full_scale()
        rows, more = run(args.rounds, facts.pop("users"))
    else:
        facts = prepare(args.scale, args.rebuild)
        rows, more = run(args.rounds)
    more["load_average"] = os.getloadavg()
    result = {"rows": rows, "facts": {**facts, **more}}
    text = json.dumps(result, ensure_ascii=False, indent=1)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

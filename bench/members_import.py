"""Benchmark (not a test): Excel import of a 560,000-row member file on PostgreSQL (issue 3, item 7).

Generates ``var/bench_members_<rows>.xlsx`` (valid, distinct ID numbers consistent with birth date
and gender; dates that obey the pipeline rules; most dates as date cells, some typed as text the
way offices do), creates a fresh PostgreSQL database ``jiceng_bench_import`` (dropped first),
migrates it, builds a small area and org tree, and then measures, each in its own process (so
peak memory is the step's own):

* **import** — ``jiceng.members.importer.import_members`` as the worker runs it: every row checked
  (cells, ID numbers, codes, duplicates, pipeline rules), streamed into COPY, counters and audit.
* **baseline** — the same file parsed with python-calamine and the same rows COPY'd raw into the
  member table (only the conversions COPY needs: org code → id, labels → stored values, text
  dates → dates); no checks at all. Same database, same empty table, same run.

Both steps also report ``cpu_seconds`` (this process) and ``machine_cpu_seconds`` (everything on
the machine meanwhile: this process, PostgreSQL, and any other load). On a shared 2-core machine
the wall clock depends on that other load; when ``machine_cpu_seconds`` is far above the client
CPU plus PostgreSQL's share (about 12 s for the import), the run was disturbed.

Targets: ≥ 20,000 rows/s, import ≤ 3 × baseline, peak memory ≤ 1 GB. Results are a list of
``{"name", "value", "unit", "baseline_name", "baseline_value", "ratio"}`` from :func:`run`, so
``bench/run.py`` can merge them into ``bench/results/latest.json``; run alone it prints them::

    .venv/bin/python bench/members_import.py [--rows 560000] [--json out.json]
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
# Another checkout benchmarking on the same server names its own database.
DATABASE = os.environ.get("BENCH_IMPORT_DATABASE", "jiceng_bench_import")
SERVER_URL = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
FILE_VERSION = 2  # bump when the generated rows change, so a cached file is rebuilt
BRANCHES = 400
TARGET_ROWS_PER_S = 20_000
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 1024

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建国志强文斌海燕春梅建华金凤晓东永红国华德明卫东"
ADDRESS_CODES = ["320102", "320104", "320105", "320106", "320111", "320113", "320114", "320115", "320116", "320117"]
EDUCATION = ["初中", "高中/中专", "大专", "大学本科", "大学本科", "硕士研究生"]
WORKPLACES = ["南京市玄武区人民政府", "江苏省人民医院", "南京大学", "南京地铁集团", "某某科技有限公司", "玄武湖街道"]


def _env(url: str) -> dict:
    return {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "jiceng.settings", "PYTHONPATH": str(ROOT)}


def database_url() -> str:
    return f"{SERVER_URL}/{DATABASE}"


# --------------------------------------------------------------------------- the file


def _check_char(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


STAGES = ["applicant", "activist", "candidate", "probationary"] + ["full"] * 16
LEVEL_OF_STAGE = {
    stage: level for level, stage in enumerate(["applicant", "activist", "candidate", "probationary", "full"])
}
STATUS_LABEL = {
    "applicant": "入党申请人",
    "activist": "入党积极分子",
    "candidate": "发展对象",
    "probationary": "预备党员",
    "full": "正式党员",
}


def _as_cell(rnd: random.Random, d: date | None):
    """Most dates as date cells, some typed as text the way offices do."""
    if d is None:
        return None
    roll = rnd.random()
    if roll < 0.8:
        return d
    if roll < 0.9:
        return f"{d.year}/{d.month}/{d.day}"
    return f"{d.year}年{d.month}月{d.day}日"


def _id_number(rnd: random.Random, used: set[str]) -> tuple[date, int, str]:
    """A birth date, sequence and ID number (valid check character) not used before."""
    while True:
        birth = date(1940, 1, 1) + timedelta(days=rnd.randrange(0, 60 * 365))
        sequence = rnd.randrange(0, 1000)
        first17 = f"{rnd.choice(ADDRESS_CODES)}{birth:%Y%m%d}{sequence:03d}"
        number = first17 + _check_char(first17)
        if number not in used:
            used.add(number)
            return birth, sequence, number


def _pipeline(rnd: random.Random, birth: date, today: date) -> tuple[str, dict]:
    """A stage and the dates of its steps, obeying the pipeline rules (adult applicant, intervals)."""
    from jiceng.core.dates import add_years  # the platform's own year arithmetic (29 February)

    latest_application = today - timedelta(days=4 * 366)
    stage = STAGES[rnd.randrange(len(STAGES))]
    application = add_years(birth, 18) + timedelta(days=rnd.randrange(0, 25 * 365))
    if application > latest_application:
        application = latest_application - timedelta(days=rnd.randrange(0, 400))
    if application < add_years(birth, 18):
        stage = "applicant"
        application = today - timedelta(days=rnd.randrange(0, 300))
    talk = application + timedelta(days=rnd.randrange(3, 25))
    activist = application + timedelta(days=rnd.randrange(40, 200))
    candidate = add_years(activist, 1) + timedelta(days=rnd.randrange(0, 200))
    admission = candidate + timedelta(days=rnd.randrange(20, 90))
    approval = admission + timedelta(days=rnd.randrange(10, 80))
    full = add_years(admission, 1) + timedelta(days=rnd.randrange(0, 30))
    if stage == "probationary":
        # Accepted within the last year: the chain counts back from the branch vote.
        admission = today - timedelta(days=rnd.randrange(100, 330))
        approval = admission + timedelta(days=rnd.randrange(10, 80))
        candidate = admission - timedelta(days=rnd.randrange(20, 90))
        activist = add_years(candidate, -1) - timedelta(days=rnd.randrange(0, 100))
        application = activist - timedelta(days=rnd.randrange(40, 200))
        talk = application + timedelta(days=rnd.randrange(3, 25))
        if application < add_years(birth, 18):
            stage = "applicant"
            application = today - timedelta(days=rnd.randrange(0, 300))
            talk = application + timedelta(days=rnd.randrange(3, 25))
    dates = {
        "application": application,
        "talk": None if talk > today else talk,
        "activist": activist,
        "candidate": candidate,
        "admission": admission,
        "approval": approval,
        "full": full,
    }
    return stage, dates


def member_rows(count: int, branch_codes: list[str], residence_codes: list[str], seed: int = 2024):
    """Rows for the member template, in its column order (see MEMBER_SPEC)."""
    rnd = random.Random(seed)
    today = date.today()
    used: set[str] = set()

    def cell(d: date | None, from_level: int = 0):
        return _as_cell(rnd, d) if level >= from_level else None

    for i in range(count):
        birth, sequence, number = _id_number(rnd, used)
        stage, dates = _pipeline(rnd, birth, today)
        level = LEVEL_OF_STAGE[stage]
        employed = rnd.random() < 0.6
        mobile = rnd.random() < 0.03
        base = rnd.choice([0, 2800, 4500, 6000, 9000, 12000]) if employed else 0
        yield [
            rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.7 else ""),
            "男" if sequence % 2 == 1 else "女",
            "汉族" if rnd.random() < 0.97 else "回族",
            birth if rnd.random() < 0.5 else None,
            number,
            f"1{rnd.choice('3578')}{rnd.randrange(10**9):09d}",
            rnd.choice(EDUCATION),
            STATUS_LABEL[stage],
            cell(dates["application"]),
            cell(dates["talk"]),
            cell(dates["activist"], 1),
            cell(dates["candidate"], 2),
            24 if level >= 2 else None,
            cell(dates["admission"], 3),
            cell(dates["approval"], 3),
            None,
            None,
            cell(dates["full"], 4),
            None,
            branch_codes[i % len(branch_codes)],
            residence_codes[rnd.randrange(len(residence_codes))],
            rnd.choice(WORKPLACES) if employed else None,
            "是" if employed else "否",
            "是" if rnd.random() < 0.02 else "否",
            "是" if mobile else "否",
            "广东省深圳市" if mobile else None,
            _as_cell(rnd, today - timedelta(days=rnd.randrange(30, 900))) if mobile else None,
            "在职" if employed else "离退休",
            base or None,
        ]


def ensure_file(rows: int, branch_codes: list[str], residence_codes: list[str]) -> Path:
    from jiceng.core.excel import write_rows
    from jiceng.members.importer import MEMBER_SPEC

    VAR.mkdir(exist_ok=True)
    path = VAR / f"bench_members_{rows}_v{FILE_VERSION}.xlsx"
    marker = path.with_suffix(".codes.json")
    codes = {"branches": branch_codes, "residences": residence_codes, "rows": rows, "today": date.today().isoformat()}
    if path.exists() and marker.exists() and json.loads(marker.read_text()) == codes:
        return path
    started = time.time()
    tmp = path.with_suffix(".tmp")
    write_rows(tmp, MEMBER_SPEC.title, MEMBER_SPEC.headers, member_rows(rows, branch_codes, residence_codes))
    tmp.replace(path)
    marker.write_text(json.dumps(codes))
    print(f"generated {path.name} ({path.stat().st_size / 1e6:.1f} MB) in {time.time() - started:.0f} s", flush=True)
    return path


# --------------------------------------------------------------------------- the database


def fresh_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"],
        env=_env(database_url()),
        check=True,
    )


def build_tree() -> tuple[list[str], list[str]]:
    """A district with 4 streets × 5 communities × 5 grids, and a committee tree with BRANCHES branches."""
    from jiceng.areas.models import Level
    from jiceng.areas.services import create_area
    from jiceng.orgs.services import create_org

    city = create_area(None, parent=None, level=Level.CITY, code="3201", name="南京市", kind="city")
    district = create_area(None, parent=city, level=Level.DISTRICT, code="320102", name="玄武区")
    district_committee = create_org(
        None, parent=None, name="中共南京市玄武区委员会", org_type="committee", category="district", area=district
    )
    communities, residences = [], []
    for s in range(1, 5):
        street = create_area(None, parent=district, level=Level.STREET, code=f"320102{s:03d}", name=f"第{s}街道")
        for c in range(1, 6):
            community = create_area(
                None, parent=street, level=Level.COMMUNITY, code=f"{street.code}{c:03d}", name=f"{street.name}第{c}社区"
            )
            communities.append(community)
            for g in range(1, 6):
                grid = create_area(None, parent=community, level=Level.GRID, name=f"{community.name}第{g}网格")
                residences.append(grid.code)
    per_community = BRANCHES // len(communities)
    branches = []
    for community in communities:
        committee = create_org(
            None,
            parent=district_committee,
            name=f"中共{community.name}委员会",
            org_type="committee",
            category="community",
            area=community,
        )
        for b in range(1, per_community + 1):
            branch = create_org(
                None,
                parent=committee,
                name=f"{community.name}第{b}党支部",
                org_type="branch",
                category="community",
                area=community,
            )
            branches.append(branch.code)
    return branches, residences


# --------------------------------------------------------------------------- the steps


def machine_cpu_seconds() -> float | None:
    """CPU seconds used so far by everything on the machine (Linux /proc/stat), or None.

    Compared over a step with the step's own client CPU, it shows what PostgreSQL and any other
    load took meanwhile: wall-clock results on a shared 2-core machine mean little without it.
    """
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _machine_delta(start: float | None) -> float | None:
    end = machine_cpu_seconds()
    return None if start is None or end is None else round(end - start, 2)


def _truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE members_member RESTART IDENTITY CASCADE")
        cursor.execute("VACUUM ANALYZE members_member")


def step_import(path: str) -> dict:
    from django.core.management import call_command  # noqa: F401  (django is set up)

    from jiceng.accounts.models import User
    from jiceng.core.excel import ErrorCollector
    from jiceng.core.excel_jobs import JobProgress
    from jiceng.core.models import ExcelJob
    from jiceng.members.importer import import_members
    from jiceng.members.models import Member

    _truncate()
    user = User.objects.filter(username="bench").first() or User.objects.create(username="bench", is_superuser=True)
    job = ExcelJob.objects.create(direction="import", kind="members", user=user, in_worker=True, status="running")
    errors = ErrorCollector(VAR / "bench_members_errors.xlsx", preview=20)
    progress = JobProgress(job)
    machine = machine_cpu_seconds()
    wall, cpu = time.perf_counter(), time.process_time()
    result = import_members(user, path, filename=Path(path).name, errors=errors, progress=progress, job=job)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    machine = _machine_delta(machine)
    progress.close()
    errors.close()
    if not result.ok:
        print("import refused the file:", [str(e) for e in errors.preview[:20]], file=sys.stderr)
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "rows": result.created,
        "read_rows": result.total,
        "errors": errors.count,
        "in_table": Member.objects.count(),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "machine_cpu_seconds": machine,
    }


def step_baseline(path: str) -> dict:
    """calamine parse + raw COPY of the same rows, with only the conversions COPY needs."""
    import re

    from django.db import connection, transaction
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from jiceng.core.bulk import insert_fields
    from jiceng.members.importer import MEMBER_SPEC
    from jiceng.members.models import Member
    from jiceng.orgs.models import Org

    _truncate()
    from jiceng.areas.models import Area

    orgs = {code: (pk, code, area_path) for pk, code, area_path in Org.objects.values_list("id", "code", "area_path")}
    areas = dict(Area.objects.values_list("code", "id"))
    fields = insert_fields(Member)
    columns = [c.key for c in MEMBER_SPEC.columns]
    labels = {}
    for c in MEMBER_SPEC.columns:
        if c.choices:
            labels[c.key] = {label: value for value, label in c.choices}
    text_date = re.compile(r"(\d{4})\D+(\d{1,2})\D+(\d{1,2})")
    now = timezone.now()

    def day(v):
        if v is None or v == "":
            return None
        if isinstance(v, date):
            return v
        y, m, d = text_date.match(v).groups()
        return date(int(y), int(m), int(d))

    machine = machine_cpu_seconds()
    wall, cpu = time.perf_counter(), time.process_time()
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    rows = sheet.iter_rows()
    next(rows)  # header
    table = Member._meta.db_table
    names = ", ".join(f.column for f in fields)
    count = 0
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for r in rows:
            v = dict(zip(columns, r, strict=True))
            org = orgs[v["org_code"]]
            number = v["id_number"]
            row = {
                "name": v["name"],
                "gender": labels["gender"][v["gender"]],
                "ethnicity": v["ethnicity"],
                "birth_date": date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
                "id_number": number,
                "id_last4": number[-4:],
                "phone": v["phone"],
                "education": labels["education"][v["education"]],
                "status": labels["status"][v["status"]],
                "application_date": day(v["application_date"]),
                "talk_date": day(v["talk_date"]),
                "activist_date": day(v["activist_date"]),
                "candidate_date": day(v["candidate_date"]),
                "training_hours": int(v["training_hours"] or 0),
                "admission_date": day(v["admission_date"]),
                "approval_date": day(v["approval_date"]),
                "approval_extended": False,
                "probation_extended_to": None,
                "full_member_date": day(v["full_member_date"]),
                "exit_date": None,
                "left_on": None,
                "org_id": org[0],
                "org_path": org[1],
                "area_path": org[2],
                "residence_id": areas[v["residence_code"]],
                "residence_path": v["residence_code"],
                "workplace": v["workplace"],
                "workplace_unit_id": None,
                "is_employed": v["is_employed"] == "是",
                "is_center_household": v["is_center_household"] == "是",
                "is_mobile": v["is_mobile"] == "是",
                "mobile_place": v["mobile_place"],
                "mobile_since": day(v["mobile_since"]),
                "dues_category": labels["dues_category"][v["dues_category"]],
                "dues_base": v["dues_base"] or 0,
                "dues_paid_through": None,
                "created_at": now,
                "updated_at": now,
            }
            copy.write_row([row.get(f.attname) for f in fields])
            count += 1
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "rows": count,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "machine_cpu_seconds": _machine_delta(machine),
    }


def step_parse(path: str) -> dict:
    """calamine alone (information: how much of either run is reading the file)."""
    from python_calamine import CalamineWorkbook

    wall, cpu = time.perf_counter(), time.process_time()
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0)
    count = sum(1 for _ in sheet.iter_rows()) - 1
    return {
        "seconds": time.perf_counter() - wall,
        "cpu_seconds": time.process_time() - cpu,
        "rows": count,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _in_subprocess(step: str, argument) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--step", step, "--file", str(argument)],
        env=_env(database_url()),
        capture_output=True,
        text=True,
    )
    if out.stderr.strip():
        print(out.stderr.strip()[-2000:], file=sys.stderr)
    out.check_returncode()
    return json.loads(out.stdout.strip().splitlines()[-1])


def step_prepare(rows: str) -> dict:
    """In the fresh database: the area and org tree, then the file for its branch codes."""
    branches, residences = build_tree()
    return {"file": str(ensure_file(int(rows), branches, residences))}


STEPS = {"prepare": step_prepare, "import": step_import, "baseline": step_baseline, "parse": step_parse}


def run(rows: int = 560_000) -> list[dict]:
    """Build the database and file, measure baseline and import in fresh processes, return results.

    Every step that touches Django runs in a child process with ``DATABASE_URL`` pointing at the
    benchmark database, so calling this from another benchmark (already set up on its own
    database) cannot write to the wrong one.
    """
    fresh_database()
    path = Path(_in_subprocess("prepare", str(rows))["file"])
    parse = _in_subprocess("parse", path)
    baseline = _in_subprocess("baseline", path)
    imported = _in_subprocess("import", path)
    if imported["rows"] != rows:
        raise RuntimeError(f"the import wrote {imported['rows']} rows, expected {rows}: {imported}")
    rate = rows / imported["seconds"]
    base_rate = rows / baseline["seconds"]
    details = {
        "rows": rows,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "parse": parse,
        "baseline": baseline,
        "import": imported,
        "targets": {"rows_per_s": TARGET_ROWS_PER_S, "ratio": TARGET_RATIO, "peak_mb": TARGET_PEAK_MB},
    }
    print(json.dumps(details, ensure_ascii=False, indent=1), file=sys.stderr)
    return [
        {
            "name": f"members_import_{rows}_rows_per_s",
            "value": round(rate),
            "unit": "rows/s",
            "baseline_name": "calamine parse + raw COPY, rows/s",
            "baseline_value": round(base_rate),
            "ratio": round(base_rate / rate, 3),
        },
        {
            "name": f"members_import_{rows}_seconds",
            "value": round(imported["seconds"], 2),
            "unit": "s",
            "baseline_name": "calamine parse + raw COPY, s",
            "baseline_value": round(baseline["seconds"], 2),
            "ratio": round(imported["seconds"] / baseline["seconds"], 3),
        },
        {
            "name": f"members_import_{rows}_peak_memory",
            "value": round(imported["peak_mb"]),
            "unit": "MB",
            "baseline_name": "calamine parse + raw COPY, peak MB",
            "baseline_value": round(baseline["peak_mb"]),
            "ratio": round(imported["peak_mb"] / baseline["peak_mb"], 3),
        },
        {
            "name": f"members_import_{rows}_cpu_seconds",
            "value": round(imported["cpu_seconds"], 2),
            "unit": "s (client CPU)",
            "baseline_name": "calamine parse + raw COPY, client CPU s",
            "baseline_value": round(baseline["cpu_seconds"], 2),
            "ratio": round(imported["cpu_seconds"] / baseline["cpu_seconds"], 3),
        },
        {
            "name": f"calamine_parse_{rows}_seconds",
            "value": round(parse["seconds"], 2),
            "unit": "s",
            "baseline_name": "calamine parse + raw COPY, s",
            "baseline_value": round(baseline["seconds"], 2),
            "ratio": round(parse["seconds"] / baseline["seconds"], 3),
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=560_000)
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        print(json.dumps(STEPS[args.step](args.file)))
        return
    results = run(args.rows)
    text = json.dumps(results, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

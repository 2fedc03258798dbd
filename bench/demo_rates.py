"""The demo city's 响应率 / 解决率 / 满意率 and 综合得分, read from its monthly rate tables.

Prints one row per (area, month) for the city, 鼓楼区 and 高淳区, and the district ranking's
scores of the city, so that the numbers before and after a change to the rates can be compared
(issue 13, item 8). Reads only; point it at a demo database (``manage.py load_demo``)::

    DATABASE_URL=sqlite:////path/demo.sqlite3 .venv/bin/python -m bench.demo_rates [--months 2025-06 2025-12]
"""

import argparse
import os
from datetime import date

AREAS = (("3201", "南京市"), ("320106", "鼓楼区"), ("320118", "高淳区"))


def percent(value) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def score(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--months", nargs="*", default=None, help="YYYY-MM; default: the last three months with data")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    import django

    django.setup()
    from jiceng.appeals import stats
    from jiceng.appeals.models import AreaStat

    if args.months:
        months = [date(int(m[:4]), int(m[5:7]), 1) for m in args.months]
    else:
        months = sorted(set(AreaStat.objects.filter(path="3201").values_list("month", flat=True)))[-3:]
    print("| 月份 | 单位 | 响应率 | 解决率 | 满意率 | 综合得分 | 派单 | 按时响应 | 有效回访 | 吹哨 | 被召集 | 报到 | 被评价 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for month in months:
        city_summons = sum(
            stats.department_rates(d, month).counts["summons"]
            for d in stats.DepartmentStat.objects.filter(month=month).values_list("department_id", flat=True)
        ) if hasattr(stats, "DepartmentStat") else None
        for code, name in AREAS:
            r = stats.area_rates(code, month)
            c = r.counts
            summons = c["summons"] if code != "3201" or city_summons is None else city_summons
            print(
                f"| {month:%Y-%m} | {name} | {percent(r.response_rate)} | {percent(r.resolution_rate)} | "
                f"{percent(r.satisfaction_rate)} | {score(r.composite())} | {c['dispatched']} | {c['responded']} | "
                f"{c['rated']} | {c['whistles']} | {summons} | {c['summons_reported']} | {c['summons_rated']} |"
            )
        ranking = stats.monthly_ranking("3201", month)
        top = ", ".join(f"{row.rank or '—'} {row.name} {score(row.score)}" for row in ranking)
        print(f"|  | 区排名 | {top} |")


if __name__ == "__main__":
    main()

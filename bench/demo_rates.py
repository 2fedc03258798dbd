"""The demo city's 响应率 / 解决率 / 满意率 and 综合得分, read from its monthly rate tables.

Prints, per month, the city, 鼓楼区 and 高淳区 (rates, score, and the counts behind them, with the
summons their rows carry) and the city's district ranking, so that the numbers before and after a
change to the rates can be compared (issue 13, item 8). Reads only; point it at a demo database
(``manage.py load_demo``)::

    DATABASE_URL=sqlite:////path/demo.sqlite3 .venv/bin/python -m bench.demo_rates [--months 2026-06 2026-12]
"""

import argparse
import os
from datetime import date

AREAS = (("3201", "南京市"), ("320106", "鼓楼区"), ("320118", "高淳区"))
COLUMNS = [
    *("月份", "单位", "响应率", "解决率", "满意率", "综合得分"),
    *("派单", "签收", "按时响应", "有效回访", "吹哨", "被召集", "报到", "被评价"),
]
HEADER = "| " + " | ".join(COLUMNS) + " |"


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
    print(HEADER)
    print("|" + "---|" * (HEADER.count("|") - 1))
    for month in months:
        for code, name in AREAS:
            r = stats.area_rates(code, month)
            c = r.counts
            cells = [
                f"{month:%Y-%m}",
                name,
                percent(r.response_rate),
                percent(r.resolution_rate),
                percent(r.satisfaction_rate),
                score(r.composite()),
                *(str(c[k]) for k in ("dispatched", "signed", "responded", "rated", "whistles", "summons")),
                *(str(c[k]) for k in ("summons_reported", "summons_rated")),
            ]
            print("| " + " | ".join(cells) + " |")
    for month in months:
        ranking = stats.monthly_ranking("3201", month)
        ranked = ", ".join(f"{row.rank} {row.name} {score(row.score)}" for row in ranking if row.rank is not None)
        apart = ", ".join(row.name for row in ranking if row.rank is None) or "—"
        print(f"{month:%Y-%m} 区排名: {ranked}; 不参与排名: {apart}")


if __name__ == "__main__":
    main()

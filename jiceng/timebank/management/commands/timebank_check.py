"""``manage.py timebank_check``: run the ledger check now and print its result (exit 1 on a difference)."""

import sys

from django.core.management.base import BaseCommand

from jiceng.timebank.checks import run_check


class Command(BaseCommand):
    help = "核对时间银行：各账户余额与流水合计是否一致。"

    def handle(self, *args, **options):
        check = run_check()
        seconds = (check.finished_at - check.started_at).total_seconds()
        self.stdout.write(
            f"核对流水 {check.movements} 笔，账户 {check.accounts} 个，用时 {seconds:.1f} 秒，合计 {check.total}。"
        )
        if check.ok:
            self.stdout.write("账实一致。")
            return
        for row in check.mismatches:
            self.stdout.write(
                f"不一致：{row['name']}（#{row['account']}）余额 {row['stored']}，流水合计 {row['ledger']}"
            )
        sys.exit(1)

"""``manage.py rebuild_member_stats``: recompute the party-member statistics from the roster."""

from django.core.management.base import BaseCommand

from jiceng.members import stats


class Command(BaseCommand):
    help = "从党员名册重新计算党员统计（按状态、性别、学历、出生年月、党费）。"

    def handle(self, *args, **options) -> None:
        rows = stats.rebuild()
        self.stdout.write(f"党员统计已重算：{rows} 行。")

"""``manage.py rebuild_tallies``: recompute the rolled-up counters (orgs by type, meetings, 双报到)."""

from django.core.management.base import BaseCommand

from jiceng.tallies.tasks import rebuild_all


class Command(BaseCommand):
    help = "重新计算各级节点的统计计数（党组织类型、组织生活、双报到）。"

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"统计计数已重算：{rebuild_all()} 行。")

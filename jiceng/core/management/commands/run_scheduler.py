import time

from django.core.management.base import BaseCommand

from jiceng.core.schedule import enqueue_due


class Command(BaseCommand):
    help = "定时调度：按周期把定时任务加入队列（由后台任务进程执行）。"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="检查间隔（秒）")
        parser.add_argument("--once", action="store_true", help="检查一次后退出")

    def handle(self, interval, once, **options):
        while True:
            for path in enqueue_due():
                self.stdout.write(f"已加入队列：{path}")
            if once:
                return
            time.sleep(interval)

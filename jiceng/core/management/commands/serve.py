"""Run the whole platform in one terminal: web server, background worker and scheduler."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from jiceng.core.registry import serve_banner_lines


class Command(BaseCommand):
    help = "启动 Web 服务（gunicorn）、后台任务进程和定时调度进程；Ctrl+C 全部停止。"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, host, port, workers, **options):
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        processes = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "jiceng.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                "--log-level",
                "warning",
            ],
            "worker": [python, manage, "db_worker", "--queue-name", "*", "--no-reload", "--verbosity", "1"],
            "scheduler": [python, manage, "run_scheduler"],
        }
        children = {
            name: subprocess.Popen(cmd, cwd=settings.BASE_DIR, env=os.environ.copy()) for name, cmd in processes.items()
        }
        self._banner(host, port)
        stop = False

        def request_stop(signum, frame):
            nonlocal stop
            stop = True

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        exit_code = 0
        try:
            while not stop:
                for name, proc in children.items():
                    if proc.poll() is not None:
                        self.stderr.write(f"进程 {name} 已退出（代码 {proc.returncode}），正在停止其余进程。")
                        exit_code = proc.returncode or 1
                        stop = True
                time.sleep(0.5)
        finally:
            for proc in children.values():
                if proc.poll() is None:
                    proc.terminate()
            for proc in children.values():
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        sys.exit(exit_code)

    def _banner(self, host, port):
        lines = [
            "",
            f"基层治理平台已启动：http://{host}:{port}/",
            f"API 文档：http://{host}:{port}/api/docs/",
            "后台任务进程和定时调度进程已启动。按 Ctrl+C 停止。",
            # What the installed apps add (the demo app: its accounts and password).
            *serve_banner_lines(),
            "",
        ]
        self.stdout.write("\n".join(lines))

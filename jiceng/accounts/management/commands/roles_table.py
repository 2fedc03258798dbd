"""Print the roles and permissions tables the apps' registries give, or rewrite them in a file."""

from pathlib import Path

from django.core.management.base import BaseCommand

from jiceng.accounts.roles import markdown_tables, replace_tables


class Command(BaseCommand):
    help = "输出角色与权限表（由各应用 registry.py 生成）；--write 文件 则替换该文件中的表。"

    def add_arguments(self, parser):
        parser.add_argument("--write", metavar="FILE", help="Markdown file whose generated tables are replaced")

    def handle(self, write=None, **options):
        if not write:
            self.stdout.write(markdown_tables())
            return
        path = Path(write)
        text = path.read_text(encoding="utf-8")
        updated = replace_tables(text)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            self.stdout.write(f"已更新 {path}")
        else:
            self.stdout.write(f"{path} 已是最新")

"""The roles table of docs/hierarchy-and-permissions.md is what the registries give."""

from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from jiceng.accounts.roles import ROLES, TABLE_END, TABLE_START, markdown_tables, replace_tables
from jiceng.core import registry

DOC = Path(settings.BASE_DIR) / "docs" / "hierarchy-and-permissions.md"


def test_the_documented_table_is_the_generated_one():
    text = DOC.read_text(encoding="utf-8")
    documented = text[text.index(TABLE_START) : text.index(TABLE_END) + len(TABLE_END)]
    assert documented == markdown_tables(), "run: manage.py roles_table --write docs/hierarchy-and-permissions.md"


def test_the_table_lists_every_permission_and_every_role():
    table = markdown_tables()
    for permission in registry.permissions():
        assert f"| `{permission.name}` | {permission.label} |" in table
    for role in ROLES.values():
        assert f"| `{role.key}` | {role.label} | {role.level_hint} | {len(role.permissions)} |" in table


def test_roles_table_command_prints_and_rewrites(tmp_path):
    out = StringIO()
    call_command("roles_table", stdout=out)
    assert out.getvalue().strip() == markdown_tables()

    stale = tmp_path / "doc.md"
    stale.write_text(f"前言\n\n{TABLE_START}\n| old |\n{TABLE_END}\n\n后记\n", encoding="utf-8")
    call_command("roles_table", "--write", str(stale), stdout=StringIO())
    assert stale.read_text(encoding="utf-8") == f"前言\n\n{markdown_tables()}\n\n后记\n"
    assert replace_tables(stale.read_text(encoding="utf-8")) == stale.read_text(encoding="utf-8")

"""Core imports no other Jiceng app: apps plug into core through their registry.py, never the reverse.

Every module under jiceng/core (tests excluded) is parsed, and every import in it is checked,
including imports inside functions and relative ones. ``jiceng.accounts`` is allowed: it holds
the user model, which core's scope and audit code read. ``jiceng.demo`` never is.
"""

import ast
from pathlib import Path

import jiceng.core

CORE = Path(jiceng.core.__file__).resolve().parent
ALLOWED = {"jiceng.core", "jiceng.accounts"}


def module_name(path: Path, root: Path) -> str:
    parts = ["jiceng", "core", *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, root: Path) -> list[tuple[int, str]]:
    """``(line, absolute module name)`` for every import statement in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module
            # ``from jiceng import areas`` imports the app as well.
            found += [(node.lineno, f"{name}.{alias.name}" if name == "jiceng" else name) for alias in node.names]
    return found


def offending_imports(root: Path = CORE) -> list[str]:
    offences = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.relative_to(root).parts:
            continue
        for line, name in imported_modules(path, root):
            parts = name.split(".")
            if parts[0] != "jiceng" or len(parts) < 2:
                continue
            if ".".join(parts[:2]) not in ALLOWED:
                offences.append(f"{path.relative_to(root.parent.parent)}:{line} imports {name}")
    return offences


def test_core_imports_no_other_app():
    assert offending_imports() == []


def test_the_check_reports_module_and_line(tmp_path):
    """The walk finds top-level, function-level, relative and ``from jiceng import`` imports."""
    package = tmp_path / "core"
    (package / "sub").mkdir(parents=True)
    (package / "tests").mkdir()
    (package / "ok.py").write_text("from jiceng.core.paths import subtree_q\nfrom jiceng.accounts.models import User\n")
    (package / "sub" / "bad.py").write_text(
        "import os\n\n\ndef f():\n    from jiceng.demo.generator import DEMO_ACCOUNTS\n    return DEMO_ACCOUNTS\n"
    )
    (package / "rel.py").write_text("from ..areas import models\n")
    (package / "pkg.py").write_text("from jiceng import orgs\n")
    (package / "tests" / "test_x.py").write_text("from jiceng.members.models import Member\n")

    offences = offending_imports(package)
    assert len(offences) == 3
    assert any(o.endswith("sub/bad.py:5 imports jiceng.demo.generator") for o in offences)
    assert any(o.endswith("rel.py:1 imports jiceng.areas") for o in offences)
    assert any(o.endswith("pkg.py:1 imports jiceng.orgs") for o in offences)

"""Every audit record is written by accounts.services.audit."""

import re
from pathlib import Path

import pytest

from jiceng.accounts.models import AuditLog
from jiceng.accounts.services import audit

ROOT = Path(__file__).resolve().parents[2]  # the jiceng package
# A hand-built record: the manager's create/bulk_create, or the model called as a constructor.
HAND_BUILT = re.compile(
    r"AuditLog\.objects\.(?:create|bulk_create|get_or_create|update_or_create)\b|(?<!class )AuditLog\("
)


def test_no_module_builds_audit_records_by_hand():
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in f"/{relative}" or "/migrations/" in relative or relative == "accounts/services.py":
            continue
        if HAND_BUILT.search(path.read_text(encoding="utf-8")):
            offenders.append(relative)
    assert offenders == []


@pytest.mark.django_db
def test_a_record_without_a_single_object_names_its_type_and_id():
    record = audit(None, "import_things", object_type="things.thing", object_id="excel:7", object_repr="导" * 300)
    record.refresh_from_db()
    assert (record.actor, record.object_type, record.object_id, len(record.object_repr)) == (
        None,
        "things.thing",
        "excel:7",
        200,
    )
    with pytest.raises(ValueError):
        audit(None, "import_things", object_repr="缺少对象")
    assert AuditLog.objects.count() == 1

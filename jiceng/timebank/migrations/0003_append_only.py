"""The ledger is append-only in the database too: a trigger refuses UPDATE and DELETE of movements.

PostgreSQL: a BEFORE UPDATE OR DELETE row trigger raises (TRUNCATE, used only by test flushes and
never by the application, does not fire row triggers). SQLite: a BEFORE UPDATE trigger; a BEFORE
DELETE trigger would also fire on the DELETE that Django's test flush issues there, so on SQLite
deletes are refused by the model, queryset and admin only (docs/timebank.md).
"""

from django.db import migrations

PG_CREATE = """
CREATE OR REPLACE FUNCTION timebank_movement_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = '时间银行流水不可修改或删除，更正请使用冲正 (movement ' || OLD.id || ')',
        ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER timebank_movement_append_only
    BEFORE UPDATE OR DELETE ON timebank_movement
    FOR EACH ROW EXECUTE FUNCTION timebank_movement_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS timebank_movement_append_only ON timebank_movement;
DROP FUNCTION IF EXISTS timebank_movement_append_only();
"""
SQLITE_CREATE = """
CREATE TRIGGER timebank_movement_no_update BEFORE UPDATE ON timebank_movement
BEGIN
    SELECT RAISE(ABORT, '时间银行流水不可修改，更正请使用冲正');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS timebank_movement_no_update;"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_CREATE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("timebank", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

# The request number (local date + id) is set on insert by PostgreSQL, so a create needs no
# second statement to write it; the field's db_default makes Django read it back (RETURNING).

from django.db import migrations, models

# The site's time zone (settings.TIME_ZONE); jiceng.appeals.services.appeal_number is the same
# rule in Python, and a test holds the two to the same answer around midnight.
FUNCTION = """
CREATE OR REPLACE FUNCTION appeals_appeal_set_number() RETURNS trigger AS $$
BEGIN
    IF NEW.number IS NULL THEN
        NEW.number := to_char(NEW.created_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')
                      || lpad(NEW.id::text, greatest(8, length(NEW.id::text)), '0');
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER appeals_appeal_number BEFORE INSERT ON appeals_appeal
    FOR EACH ROW EXECUTE FUNCTION appeals_appeal_set_number();
"""
DROP = """
DROP TRIGGER IF EXISTS appeals_appeal_number ON appeals_appeal;
DROP FUNCTION IF EXISTS appeals_appeal_set_number();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("appeals", "0003_queue_partial_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="appeal",
            name="number",
            field=models.CharField(
                blank=True, db_default=None, max_length=24, null=True, unique=True, verbose_name="工单编号"
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]

"""Give every existing account a home area: the highest node among its grants (an area, an
org's anchor or a department's anchor). Accounts without grants (superusers) keep none."""

from django.db import migrations


def backfill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    RoleAssignment = apps.get_model("accounts", "RoleAssignment")
    Area = apps.get_model("areas", "Area")
    best: dict[int, str] = {}
    rows = RoleAssignment.objects.values_list("user_id", "area__code", "org__area_path", "department__area_path")
    for user_id, *paths in rows.iterator():
        path = next((p for p in paths if p), "")
        if path and (user_id not in best or len(path) < len(best[user_id])):
            best[user_id] = path
    ids = {code: pk for code, pk in Area.objects.filter(code__in=set(best.values())).values_list("code", "pk")}
    for user_id, path in best.items():
        User.objects.filter(pk=user_id, area__isnull=True).update(area_id=ids.get(path), area_path=path)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_user_home_area_and_api_tokens"), ("orgs", "0001_initial")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]

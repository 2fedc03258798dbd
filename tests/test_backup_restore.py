"""bin/backup_restore_check.sh: a pg_dump of the database restores, with every table's rows (docs/deployment.md)."""

import os
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from jiceng.areas.models import Area

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def test_backup_restores_every_row(tree, make_user, tmp_path):
    make_user("beianmen", role="community", area=tree.beianmen)
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    result = subprocess.run(
        ["bash", str(settings.BASE_DIR / "bin" / "backup_restore_check.sh"), str(tmp_path)],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "backup restored and verified" in result.stdout
    (dump,) = tmp_path.glob("jiceng-*.dump")
    counts = dict(line.split() for line in (tmp_path / f"{dump.name}.counts").read_text().splitlines())
    assert int(counts["areas_area"]) == Area.objects.count() == 12
    assert int(counts["accounts_user"]) == 1

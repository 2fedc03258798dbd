"""The "add an app" walk-through of docs/development.md works: an app plugs in without editing core.

``sampleapp`` (next to this file) is built exactly as the walk-through says, and installing it is
the only change: its permission reaches the role it names, its menu entry, scheduled job, rule,
pages and API route appear, and they are gone again once it is uninstalled.
"""

import importlib
import re
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import NoReverseMatch, clear_url_caches, reverse

from jiceng.accounts.roles import ROLES, roles_holding
from jiceng.core import registry
from jiceng.core.navigation import menu_for
from jiceng.core.rules import RULES
from jiceng.core.schedule import SCHEDULE

SAMPLE = "jiceng.core.tests.sampleapp"
SAMPLE_DIR = Path(__file__).resolve().parent / "sampleapp"
DEVELOPMENT_MD = Path(settings.BASE_DIR) / "docs" / "development.md"
JOB = ("jiceng.core.tests.sampleapp.tasks.count_holders", timedelta(hours=1))


def _reload_urls():
    import jiceng.urls

    importlib.reload(jiceng.urls)
    clear_url_caches()


@contextmanager
def installed():
    """INSTALLED_APPS plus the sample app, as the walk-through's one settings line adds it."""
    apps = [app for app in settings.INSTALLED_APPS if app != "jiceng.demo"]
    apps += [SAMPLE, "jiceng.demo"]
    try:
        with override_settings(INSTALLED_APPS=apps):
            _reload_urls()
            yield
    finally:
        # Rules are registered once per process, like every app's; this one goes with the app.
        RULES.pop("sampleapp.things_per_page", None)
        _reload_urls()


@pytest.fixture
def sample_installed():
    with installed():
        yield


def _walkthrough_files() -> set[str]:
    """The files the walk-through says a minimal app has (the block after "Add an app")."""
    text = DEVELOPMENT_MD.read_text(encoding="utf-8")
    section = text[text.index("## 6. Add an app") :]
    block = re.search(r"```\n(jiceng/<app>/\n.*?)```", section, re.S).group(1)
    return {name for line in block.splitlines()[1:] for name in line.split("#")[0].split() if name.endswith(".py")}


def test_the_sample_app_has_exactly_the_files_the_walkthrough_lists():
    on_disk = {p.name for p in SAMPLE_DIR.glob("*.py")}
    assert _walkthrough_files() == on_disk


def test_the_walkthrough_says_to_add_the_app_before_the_demo():
    text = DEVELOPMENT_MD.read_text(encoding="utf-8")
    assert '"jiceng.<app>",' in text and "before `jiceng.demo`" in text


@pytest.mark.django_db
def test_an_installed_app_plugs_in_without_editing_core(sample_installed, users, client):
    # Its permission reaches the role it names, and only that role.
    assert "sampleapp.view_thing" in ROLES["community"].permissions
    assert roles_holding("sampleapp.view_thing") == ["community"]
    assert JOB in SCHEDULE
    assert "sampleapp.things_per_page" in RULES
    assert reverse("sampleapp:index") == "/sample/"
    assert reverse("api:sample-thing-list") == "/api/v1/sample-things/"

    labels = [item["label"] for item in menu_for(users.community, "/sample/")]
    assert labels[-2:] == ["样例", "操作日志"]
    assert "样例" not in [item["label"] for item in menu_for(users.grid, "/")]

    client.force_login(users.community)
    page = client.get("/sample/")
    assert page.status_code == 200 and "320102002011" in page.content.decode()
    assert client.get("/api/v1/sample-things/").json() == {"areas": ["320102002011"]}
    # The rest of the site is untouched.
    assert client.get("/areas/").status_code in (200, 302)

    client.force_login(users.grid)
    assert client.get("/sample/").status_code == 403
    assert client.get("/api/v1/sample-things/").json() == {"areas": []}


def _sample_is_absent():
    assert JOB not in SCHEDULE
    assert "sampleapp.view_thing" not in ROLES["community"].permissions
    assert not [p for p in registry.permissions() if p.name.startswith("sampleapp.")]
    with pytest.raises(NoReverseMatch):
        reverse("api:sample-thing-list")


def test_an_uninstalled_app_leaves_nothing_behind():
    _sample_is_absent()
    with installed():
        assert JOB in SCHEDULE
        assert reverse("api:sample-thing-list")
    _sample_is_absent()
    assert reverse("api:area-list") == "/api/v1/areas/"

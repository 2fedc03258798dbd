"""Two web processes on one PostgreSQL database and one Redis (CACHE_URL) agree at once.

Each process keeps the rules and the cached tables (the service catalogue, the calendar) in the
cache; with Redis that cache is shared, so a change made through one process is used by the other
on its very next request, not when a per-process copy expires. Two gunicorn processes serve the
test database here, as two machines behind the reverse proxy of docs/deployment.md would:

* a rule changed in the admin of process A: the setup checks of process B apply the new number;
* a service category added by a management command (a third process): B files a request in it;
* failed logins through A lock the account on B too (django-axes' database handler).

With the local-memory cache instead (no CACHE_URL) the first two fail: B keeps what it had for 60 s.
"""

import os
import re
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests
from django.conf import settings
from django.db import connection

from jiceng.appeals.models import ResponsibleLevel
from jiceng.appeals.services import create_category
from jiceng.orgs.rules import BRANCH_MAX_MEMBERS
from jiceng.orgs.tests.conftest import build_orgs, make_members

pytestmark = [pytest.mark.postgres_only, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "Two-Processes-2026"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def process_env():
    """The environment of every process of this deployment: the test database, Redis, a key prefix of its own."""
    prefix = f"jiceng-test-{uuid.uuid4().hex[:12]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_ENV")}
    env.update(
        DATABASE_URL=_database_url(),
        CACHE_URL=REDIS_URL,
        CACHE_KEY_PREFIX=prefix,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DB_CONN_MAX_AGE="0",
    )
    yield env
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def servers(process_env):
    """Two gunicorn processes, A and B, each with one worker: their base URLs."""
    procs, urls = [], []
    for _ in range(2):
        port = _free_port()
        cmd = [sys.executable, "-m", "gunicorn", "jiceng.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        cmd += ["--workers", "1", "--log-level", "warning"]
        procs.append(subprocess.Popen(cmd, cwd=settings.BASE_DIR, env=process_env))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for proc, url in zip(procs, urls, strict=True):
            _wait_until_up(proc, url)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_until_up(proc, url: str) -> None:
    deadline = time.monotonic() + 120  # a busy machine starts Django slowly
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the web process at {url} exited with {proc.returncode}"
        try:
            if requests.get(f"{url}/healthz", timeout=30).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or its worker still starting
            pass
        time.sleep(0.2)
    raise AssertionError(f"the web process at {url} did not answer /healthz")


def _login(session: requests.Session, base: str, username: str, password: str) -> requests.Response:
    session.get(f"{base}/accounts/login/", timeout=30)
    return session.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        timeout=60,
    )


def _csrf_post(session: requests.Session, url: str, **kwargs) -> requests.Response:
    page = session.get(url, timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(url, data={**kwargs, "csrfmiddlewaretoken": token}, headers={"Referer": url}, timeout=60)


@pytest.fixture
def world(tree, make_user, cheap_argon2):
    orgs = build_orgs(tree)
    make_members(orgs.grid1, 3)
    category = create_category(None, name="市容环境", responsible_level=ResponsibleLevel.COMMUNITY)
    make_user("root", is_superuser=True, is_staff=True, password=PASSWORD)
    make_user("resident_zhang", role="resident", area=tree.beianmen, password=PASSWORD)
    return {"tree": tree, "category": category}


def test_a_rule_changed_through_one_process_is_used_by_the_other_at_once(world, servers):
    a, b = servers
    admin = requests.Session()
    assert _login(admin, a, "root", PASSWORD).url == f"{a}/"
    too_large = "党支部有党员3名，超过一般不超过2名的规模"

    # B reads the rule (and keeps it in the cache) before the change.
    before = admin.get(f"{b}/orgs/checks/", timeout=60)
    assert before.status_code == 200 and too_large not in before.text

    saved = _csrf_post(admin, f"{a}/admin/core/rule/add/", key=BRANCH_MAX_MEMBERS, value="2", note="测试：本市从严")
    assert saved.status_code == 200 and "/admin/core/rule/" in saved.url, saved.text[:2000]

    after = admin.get(f"{b}/orgs/checks/", timeout=60)
    assert too_large in after.text


def test_a_catalogue_change_made_by_another_process_is_used_at_once(world, servers, process_env):
    resident = requests.Session()
    _login(resident, servers[0], "resident_zhang", PASSWORD)  # the session is in the database: valid on both

    def file(base: str, category_code: str) -> requests.Response:
        body = {"category": category_code, "description": "路灯不亮，夜间出行不便。", "area": world["tree"].grid1.code}
        headers = {"X-CSRFToken": resident.cookies["csrftoken"], "Referer": f"{base}/"}
        return resident.post(f"{base}/api/v1/appeals/", json=body, headers=headers, timeout=60)

    # Both have their catalogue in hand: each has just filed a request in the existing category.
    for base in servers:
        answer = file(base, world["category"].code)
        assert answer.status_code == 201, answer.text

    script = (
        "from jiceng.appeals.services import create_category;"
        "from jiceng.appeals.models import ResponsibleLevel;"
        "print(create_category(None, name='路灯照明', responsible_level=ResponsibleLevel.COMMUNITY).code)"
    )
    made = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR,
        env=process_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    new_code = made.stdout.strip().splitlines()[-1]

    for base in servers:
        answer = file(base, new_code)
        assert answer.status_code == 201, answer.text
        assert answer.json()["category"] == new_code


def test_failed_logins_through_one_process_lock_the_account_on_the_other(world, servers):
    a, b = servers
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(requests.Session(), a, "resident_zhang", "wrong-password")
    refused = _login(requests.Session(), b, "resident_zhang", PASSWORD)
    assert refused.url != f"{b}/"  # not let in
    assert "锁定" in refused.text

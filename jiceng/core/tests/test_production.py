"""The production profile (DJANGO_ENV=production), checked the way a deployment starts: in a fresh process.

Settings are read once per process, so each case runs ``manage.py`` or a short script in a child
process with the environment an operator would set (docs/deployment.md).
"""

import json
import os
import subprocess
import sys

from django.conf import settings

SECRET = "k" * 20 + "Zq8-vN3_pL0xR7tY2wE5uI9oA4sD6fG1hJ" + "m" * 10
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": SECRET,
    "DJANGO_ALLOWED_HOSTS": "jiceng.example.cn",
    "CACHE_URL": "redis://127.0.0.1:6379/0",  # not connected to by these commands
}


def run(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CACHE_"))}
    base.update(DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}", JICENG_VAR_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, *args], env={**base, **env}, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )


def manage(*args: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    return run([str(settings.BASE_DIR / "manage.py"), *args], env, tmp_path)


def test_refuses_to_start_with_the_built_in_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_refuses_to_start_with_a_short_secret_key(tmp_path):
    result = manage("check", env={**PRODUCTION, "DJANGO_SECRET_KEY": "secret"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_refuses_to_start_with_debug_on(tmp_path):
    result = manage("check", env={**PRODUCTION, "DJANGO_DEBUG": "1"}, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_deploy_check_is_clean_in_the_production_profile(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "DEBUG", env=PRODUCTION, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_deploy_check_asks_for_a_shared_cache_and_finds_the_development_profile_unfit(tmp_path):
    no_cache = {k: v for k, v in PRODUCTION.items() if k != "CACHE_URL"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=no_cache, tmp_path=tmp_path)
    assert result.returncode != 0 and "jiceng.W001" in result.stderr

    development = manage("check", "--deploy", "--fail-level", "WARNING", env={}, tmp_path=tmp_path)
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in development.stderr


def test_unknown_cache_url_is_refused(tmp_path):
    result = manage("check", env={"CACHE_URL": "memcached://127.0.0.1:11211"}, tmp_path=tmp_path)
    assert result.returncode != 0 and "CACHE_URL" in result.stderr


HEADERS_SCRIPT = """
import json, django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
client = Client(HTTP_HOST="jiceng.example.cn")
plain = client.get("/accounts/login/")
health = client.get("/healthz")
page = client.get("/accounts/login/", secure=True)
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "health": health.status_code,
    "page": page.status_code,
    "hsts": page.get("Strict-Transport-Security"),
    "csp": page.get("Content-Security-Policy"),
    "csrf_cookie_secure": bool(page.cookies["csrftoken"]["secure"]),
}))
"""


def test_production_answers_https_only_with_hsts_secure_cookies_and_the_policy(tmp_path):
    manage("migrate", "--noinput", "-v0", env=PRODUCTION, tmp_path=tmp_path).check_returncode()
    result = run(["-c", HEADERS_SCRIPT], {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "jiceng.settings"}, tmp_path)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain"] == [301, "https://jiceng.example.cn/accounts/login/"]
    assert seen["health"] == 200  # the load balancer's probe speaks plain HTTP
    assert seen["page"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in seen["csp"] and "unsafe-inline" not in seen["csp"]
    assert seen["csrf_cookie_secure"] is True

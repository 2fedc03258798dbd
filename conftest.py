"""Shared pytest fixtures: a small area tree built through the services, users with roles.

Trees are built with ``jiceng.areas.services.create_area`` (never ``Area.objects.create``), so
every test also exercises the code rules, the roll-ups and the audit trail on the way in.
Users get unusable passwords and log in with ``force_login`` unless a test needs a real
password: argon2 is deliberately slow, and most tests are not about passwords.
"""

import os
import random
from types import SimpleNamespace

import factory
import pytest
from django.conf import settings
from django.core.cache import cache

from jiceng.accounts.models import User
from jiceng.accounts.services import assign_role
from jiceng.areas.models import Level
from jiceng.areas.services import create_area
from jiceng.core.rules import drop_local_snapshots

IS_POSTGRES = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_addoption(parser):
    parser.addoption(
        "--shuffle",
        metavar="SEED",
        default=None,
        help="run the tests in a random order (a seed, or 'random' for a new one): finds tests that "
        "depend on the order or on what another test left behind",
    )


def pytest_configure(config):
    seed = config.getoption("--shuffle", None)
    if seed == "random":
        seed = str(random.SystemRandom().randrange(10**6))
    config.shuffle_seed = seed  # type: ignore[attr-defined]


def pytest_report_header(config):
    seed = getattr(config, "shuffle_seed", None)
    return [f"shuffled: --shuffle={seed} repeats this order"] if seed else []


# Before pytest-django's own ordering (database tests first, then transactional ones), which is a
# stable sort: the shuffled order is kept within each of its groups.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    seed = getattr(config, "shuffle_seed", None)
    if seed:
        random.Random(seed).shuffle(items)
    if IS_POSTGRES:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (row locks across connections); SQLite serialises writers")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


_redis_problem: list[str | None] = []


def pytest_runtest_setup(item):
    """``redis`` tests need a Redis server (TEST_REDIS_URL, default 127.0.0.1:6379): a loud skip
    without one, a failure with CI=true (.ci/run starts it)."""
    if "redis" not in item.keywords:
        return
    if not _redis_problem:
        _redis_problem.append(_redis_unreachable())
    problem = _redis_problem[0]
    if problem is None:
        return
    message = f"!!! Redis NOT AVAILABLE ({problem}): this test did NOT run. Start redis-server to run it."
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message + " CI=true: failing.", pytrace=False)
    pytest.skip(message)


def _redis_unreachable() -> str | None:
    try:
        import redis

        redis.Redis.from_url(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"), socket_timeout=3).ping()
    except Exception as exc:  # any failure to connect means "not available"
        return str(exc).strip() or type(exc).__name__
    return None


@pytest.fixture(autouse=True, scope="session")
def _scan_static_files_once():
    """Every test client builds its own middleware, and WhiteNoise (with finders) then walks
    ~1,000 vendored files: half a second per test. The files do not change during a run, so the
    first scan is shared; serving is unchanged."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    original = WhiteNoiseMiddleware.add_files_from_finders
    scanned: dict = {}

    def add_files_from_finders(self):
        if not scanned:
            original(self)
            scanned.update(self.files)
        else:
            self.files.update(scanned)

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders
    yield
    WhiteNoiseMiddleware.add_files_from_finders = original


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rules are cached, in Django's cache and in process-local snapshots (members.rules reads
    # its values once a second); a value read or stored by one test must not leak into the next.
    cache.clear()
    drop_local_snapshots()
    yield
    cache.clear()
    drop_local_snapshots()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: f"测试用户 {o.username}")
    is_active = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        if extracted:
            self.set_password(extracted)
        else:
            self.set_unusable_password()
        if create:
            self.save(update_fields=["password"])


@pytest.fixture
def cheap_argon2(monkeypatch):
    """Still argon2, at a fraction of the cost: for tests that log in many times.

    The production parameters (0.5 s a hash here) are checked in accounts/tests/test_passwords.py.
    """
    from django.contrib.auth.hashers import Argon2PasswordHasher

    monkeypatch.setattr(Argon2PasswordHasher, "time_cost", 1)
    monkeypatch.setattr(Argon2PasswordHasher, "memory_cost", 256)
    monkeypatch.setattr(Argon2PasswordHasher, "parallelism", 1)


@pytest.fixture
def make_user(db):
    """``make_user("name", role="community", area=tree.beianmen, password=None)``."""

    def make(username=None, *, role=None, area=None, password=None, **extra):
        kwargs = dict(extra)
        if username:
            kwargs["username"] = username
        user = UserFactory(password=password, **kwargs)
        if role is not None:
            assign_role(None, user, role, area)
        return user

    return make


def build_tree():
    """A small slice of Nanjing: two districts, two streets, three communities, grids, buildings.

    ::

        3201 南京市
          320102 玄武区
            320102002 梅园新村街道
              320102002011 北安门社区          (own households 10)
                320102002011001 第一网格       (own 100)
                  320102002011001001 1栋        (own 40)
                320102002011002 第二网格       (own 200)
              320102002001 梅园新村社区        (own 0)
                320102002001001 第一网格       (own 50)
          320104 秦淮区
            320104001 夫子庙街道
              320104001001 贡院社区            (own 300)
    """
    t = SimpleNamespace()
    t.city = create_area(None, parent=None, level=Level.CITY, code="3201", name="南京市", kind="city")
    t.xuanwu = create_area(None, parent=t.city, level=Level.DISTRICT, code="320102", name="玄武区")
    t.qinhuai = create_area(None, parent=t.city, level=Level.DISTRICT, code="320104", name="秦淮区")
    t.meiyuan = create_area(None, parent=t.xuanwu, level=Level.STREET, code="320102002", name="梅园新村街道")
    t.fuzimiao = create_area(None, parent=t.qinhuai, level=Level.STREET, code="320104001", name="夫子庙街道")
    t.beianmen = create_area(
        None,
        parent=t.meiyuan,
        level=Level.COMMUNITY,
        code="320102002011",
        name="北安门社区",
        households=10,
        population=25,
    )
    t.meiyuan_cm = create_area(None, parent=t.meiyuan, level=Level.COMMUNITY, code="320102002001", name="梅园新村社区")
    t.gongyuan = create_area(
        None,
        parent=t.fuzimiao,
        level=Level.COMMUNITY,
        code="320104001001",
        name="贡院社区",
        households=300,
        population=800,
    )
    t.grid1 = create_area(
        None, parent=t.beianmen, level=Level.GRID, name="北安门社区第一网格", households=100, population=260
    )
    t.grid2 = create_area(
        None, parent=t.beianmen, level=Level.GRID, name="北安门社区第二网格", households=200, population=500
    )
    t.building = create_area(None, parent=t.grid1, level=Level.BUILDING, name="1栋", households=40, population=90)
    t.meiyuan_grid = create_area(
        None, parent=t.meiyuan_cm, level=Level.GRID, name="梅园新村社区第一网格", households=50, population=120
    )
    return refresh_tree(t)


def refresh_tree(t):
    for area in vars(t).values():
        area.refresh_from_db()
    return t


@pytest.fixture
def tree(db):
    return build_tree()


@pytest.fixture
def superuser(make_user):
    return make_user("root", is_superuser=True, is_staff=True)


@pytest.fixture
def users(tree, make_user):
    """One user per level of ``tree``, named after the demo accounts."""
    return SimpleNamespace(
        city=make_user("city_admin", role="city_org", area=tree.city),
        district=make_user("xuanwu_admin", role="district_org", area=tree.xuanwu),
        street=make_user("meiyuan_street", role="street", area=tree.meiyuan),
        community=make_user("beianmen", role="community", area=tree.beianmen),
        other_community=make_user("gongyuan", role="community", area=tree.gongyuan),
        grid=make_user("beianmen_grid1", role="grid_worker", area=tree.grid1),
        nobody=make_user("nobody"),
    )


@pytest.fixture
def login(client):
    """``login(user)`` → the Django test client logged in as ``user``."""

    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()

"""One env-driven settings module (Saleor style). Tests override very little."""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JICENG_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", False)
DEVELOPMENT_SECRET_KEY = "jiceng-insecure-development-key-change-me-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "jiceng.core",
    "jiceng.accounts",
    "jiceng.areas",
    "jiceng.orgs",
    "jiceng.members",
    "jiceng.appeals",
    "jiceng.dashboards",
    "jiceng.orglife",
    "jiceng.dualreport",
    "jiceng.appraisal",
    "jiceng.tallies",
    "jiceng.cobuild",
    "jiceng.points",
    "jiceng.wishes",
    "jiceng.partners",
    "jiceng.consult",
    "jiceng.volunteers",
    "jiceng.timebank",
    "jiceng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "jiceng.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jiceng.core.middleware.RefuseControlCharacters",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must be last: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "jiceng" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jiceng.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; PostgreSQL is chosen by DATABASE_URL.
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jiceng.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # WAL lets the web server, the worker and the scheduler read while one of them writes.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    _db["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}
DATABASES = {"default": _db}
# A read replica for dashboards, reports and exports (jiceng/core/replica.py, docs/deployment.md):
# only reads inside ``replica_reads()`` go there; writes and every other read use the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
JICENG_READ_REPLICA = bool(DATABASE_REPLICA_URL)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=_db["CONN_MAX_AGE"])
if DATABASE_REPLICA_URL or "pytest" in sys.modules:
    # Tests: the replica is the test database itself (a second connection to it), so the router is
    # tested with two aliases; it is used only where a test switches JICENG_READ_REPLICA on.
    DATABASES.setdefault("replica", dict(_db))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["jiceng.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and login security ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
# Lock the account name from one address, so one user cannot lock a whole office behind one NAT.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12

# --- Language -------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# Dates in forms are YYYY-MM-DD everywhere (jiceng/formats/zh_Hans/formats.py).
FORMAT_MODULE_PATH = ["jiceng.formats"]
# Plain Chinese validation messages ("请填写此项", "最多 50 个字") over Django's zh_Hans ones.
LOCALE_PATHS = [BASE_DIR / "jiceng" / "locale"]
USE_TZ = True

# --- Static files (served locally; never a CDN) --------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "jiceng" / "static",
    ("vendor/tabler", NODE_MODULES / "@tabler" / "core" / "dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The demo and tests serve straight from the finders (no collectstatic step); production runs
# collectstatic and may set WHITENOISE_USE_FINDERS=false.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Expiring, revocable tokens, several per user (accounts.ApiToken); refused when locked out.
        "jiceng.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "jiceng.core.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "基层 Jiceng API",
    "DESCRIPTION": "党建引领城市基层治理平台 REST API v1。所有数据按调用者的权限范围过滤。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The error answers (400/401/403/404/409 in the JSON envelope) on every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "jiceng.core.openapi.document_errors",
    ],
    # Several models have a ``status``; name their enums so the schema has no ambiguous names.
    "ENUM_NAME_OVERRIDES": {
        "MemberStatusEnum": "jiceng.members.models.Status",
        "TransferStatusEnum": "jiceng.members.models.TransferStatus",
        "TransferKindEnum": "jiceng.members.models.TransferKind",
        "AreaKindEnum": "jiceng.areas.models.Kind",
        "UnitKindEnum": "jiceng.orgs.models.UnitKind",
        "AppealKindEnum": "jiceng.appeals.models.Kind",
        "AppealStatusEnum": "jiceng.appeals.models.Status",
        "AppealOutcomeEnum": "jiceng.appeals.models.Outcome",
        "AppealEventKindEnum": "jiceng.appeals.models.EventKind",
        "ExtensionStatusEnum": "jiceng.appeals.models.ExtensionStatus",
        "WhistleStatusEnum": "jiceng.appeals.models.WhistleStatus",
        "SummonsStatusEnum": "jiceng.appeals.models.SummonsStatus",
        "MeetingStatusEnum": "jiceng.orglife.models.MeetingStatus",
        "AttendanceStatusEnum": "jiceng.orglife.models.AttendanceStatus",
        "MinutesStatusEnum": "jiceng.orglife.models.MinutesStatus",
        "MeetingTypeEnum": "jiceng.orglife.models.MeetingType",
        "ExemptionKindEnum": "jiceng.orglife.models.ExemptionKind",
        "ExemptionStatusEnum": "jiceng.orglife.models.ExemptionStatus",
        "AppraisalRoundStatusEnum": "jiceng.appraisal.models.RoundStatus",
        "AppraisalGradeEnum": "jiceng.appraisal.models.Grade",
        "CobuildKindEnum": "jiceng.cobuild.models.Kind",
        "CobuildItemStatusEnum": "jiceng.cobuild.models.ItemStatus",
        "CobuildClaimStatusEnum": "jiceng.cobuild.models.ClaimStatus",
    },
}

# --- Background work ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- Domain settings (rules with numbers; DOMAIN.md) ---------------------------------------
JICENG_DEMO_PASSWORD = os.environ.get("JICENG_DEMO_PASSWORD", "jiceng-demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}


# --- Production profile (docs/deployment.md) -----------------------------------------------
# DJANGO_ENV=production: refuses to start with the built-in SECRET_KEY or with DEBUG on, and turns
# on secure cookies, HSTS and the HTTPS redirect; `manage.py check --deploy` is then clean (tested in
# jiceng/core/tests/test_production.py). The content-security policy is on in every profile, so the
# browser tests run under it too.
DJANGO_ENV = os.environ.get("DJANGO_ENV", "development").strip().lower()
PRODUCTION = DJANGO_ENV == "production"
CONTENT_SECURITY_POLICY = os.environ.get("DJANGO_CONTENT_SECURITY_POLICY") or None  # None: core.security's

# CACHE_URL=redis://host:6379/0 shares the cache (rules, cached tables, throttles) between all
# processes, so a change made through one is used by the others on their next request. Without it
# each process keeps its own local-memory cache (the demo and tests need nothing more).
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "jiceng"),
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must be redis://, rediss:// or unix://, not {CACHE_URL!r}.")

if PRODUCTION:
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_ENV=production: set DJANGO_SECRET_KEY to a random value of at least 50 characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
    if DEBUG:
        raise ImproperlyConfigured("DJANGO_ENV=production: DJANGO_DEBUG must be off.")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # The load balancer's probe speaks plain HTTP to the process (docs/deployment.md).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # The reverse proxy terminates TLS and says so (nginx: proxy_set_header X-Forwarded-Proto $scheme).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

"""Settings of the Transparency Registry.

Everything deployment-specific comes from the environment:
``DATABASE_URL`` (without it: the private cluster of :mod:`registry.devdb`),
``DJANGO_SECRET_KEY`` (without it: a key generated once into ``var/secret_key``),
``DJANGO_DEBUG``, ``DJANGO_ALLOWED_HOSTS``, ``REDIS_URL``, ``DJANGO_HSTS_SECONDS``,
``DJANGO_SECURE_PROXY_SSL_HEADER`` and the ``REGISTRY_*`` limits below.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from registry import devdb

BASE_DIR = Path(__file__).resolve().parent.parent


def _secret_key():
    if os.environ.get("DJANGO_SECRET_KEY"):
        return os.environ["DJANGO_SECRET_KEY"]
    key_file = BASE_DIR / "var" / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "graphene_django",
    "guardian",
    "procrastinate.contrib.django",
    "registry.apps.RegistryConfig",
    "registry.ratelimits.apps.RateLimitsConfig",
    "decisions.apps.DecisionsConfig",
    "enforcement.apps.EnforcementConfig",
    "fiscal.apps.FiscalConfig",
    "registry.webhooks.apps.WebhooksConfig",
    "api_docs",
    "dashboard.apps.DashboardConfig",
]

MIDDLEWARE = [
    "registry.middleware.RequestIDMiddleware",
    "registry.api.deprecation.DeprecationHeadersMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "registry.ratelimits.middleware.RateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "registry.urls"
WSGI_APPLICATION = "registry.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Connections are kept for a minute and checked before each request's first query, so that
# after PostgreSQL restarted no request fails on a connection the restart cut.
if os.environ.get("DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {**devdb.connection_settings(), "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    }
# Django's backend with a health check that sends no query (registry/db/postgresql).
DATABASES["default"]["ENGINE"] = "registry.db.postgresql"
# Django's cursors bind on the client and are never prepared; psycopg prepares only the
# statements of registry.querying.prepared_cursor (a threshold of None would turn it off).
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
# No JIT compilation: PostgreSQL compiles a statement whose *estimated* cost passes
# jit_above_cost, which the change feed's page (a correlated probe per entry for every record
# type) reaches while it runs in milliseconds — compiling it took 270 ms of every page. The
# registry's statements are short; none gains from JIT.
# Generic plans for prepared statements (registry.querying.prepared_cursor; Django's own are
# never prepared): a list page's statement binds only its cursor position, and PostgreSQL
# otherwise kept planning a deep page for every run (its generic plan looked costlier than
# the custom ones, though it is the same index scan: 0.83 against 1.13 ms a page), and
# planned the feed's page five times per connection (50 ms each) before keeping a plan.
# (Both are added to any options given in DATABASE_URL.)
DATABASES["default"]["OPTIONS"]["options"] = " ".join(
    filter(
        None,
        [
            DATABASES["default"]["OPTIONS"].get("options"),
            "-c jit=off",
            "-c plan_cache_mode=force_generic_plan",
        ],
    )
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: anonymous users get no object permissions at all

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"  # legal deadlines are computed here; datetimes are stored in UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
# Where the full snapshot archives are written (registry.exports.snapshot).
REGISTRY_EXPORT_ROOT = Path(os.environ.get("REGISTRY_EXPORT_ROOT", BASE_DIR / "var" / "exports"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "registry.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["registry.api.permissions.ReadOnlyUnlessAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "registry.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["registry.api.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "api_docs.schema.RegistryAutoSchema",
    "EXCEPTION_HANDLER": "registry.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["registry.api.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "registry.api.parsers.JSONParser",
        "registry.api.parsers.FormParser",
        "registry.api.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # Responses are JSON; ``?format=`` chooses the file format of bulk exports instead.
    "URL_FORMAT_OVERRIDE": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Transparency Registry API",
    "DESCRIPTION": (
        "Open API of a district government's transparency registry: major administrative "
        "decisions, administrative-enforcement disclosures, fiscal and debt disclosures.\n\n"
        "Rate limits: anonymous clients are counted per IP address, clients sending an API key "
        "(`X-API-Key` header) or a token per key or user, at a higher rate. Every response "
        "carries `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` "
        "(seconds); over the limit the answer is 429 with `Retry-After`. See "
        "docs/rate_limits.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RecordStatusEnum": "registry.choices.RecordStatus",
        "DepartmentKindEnum": "registry.choices.DepartmentKind",
        "CommentStatusEnum": "decisions.choices.CommentStatus",
        "DocumentKindEnum": "decisions.choices.DocumentKind",
        "EvaluationTriggerEnum": "decisions.choices.EvaluationTrigger",
        "WithdrawalTriggerEnum": "enforcement.choices.WithdrawalTrigger",
    },
}

GRAPHENE = {
    "SCHEMA": "registry.graphql.schema.schema",
}

# What one GraphQL request may ask (docs/research.md explains each figure). Pages are the
# REST page sizes; the cost of a query is the number of records it can return at most.
GRAPHQL_LIMITS = {
    "default_page_size": 50,
    "max_page_size": 500,
    "max_depth": 15,
    "max_aliases": 30,
    "max_cost": 25_000,
    "max_query_chars": 20_000,
    "statistics_cost": 100,
    "statement_timeout_ms": 15_000,
}

SECURE_CONTENT_TYPE_NOSNIFF = True
# Strict-Transport-Security on responses served over TLS (Django sends it on secure requests
# only). Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips a client's),
# set DJANGO_SECURE_PROXY_SSL_HEADER=1 so that such requests count as secure.
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
if os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy on every response (django-csp). The documentation pages (Swagger
# UI, Redoc, GraphiQL) run only scripts served by the registry itself, or inline ones that
# carry the response's nonce; their libraries set inline styles, Redoc runs a blob: worker.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Files are not counted in DATA_UPLOAD_MAX_MEMORY_SIZE (Django streams them to disk): a
# multipart body larger than this is refused before it is read (413). A bulk import of
# 100,000 enforcement decisions is about 40 MB; a decision document at most 20 MB.
REGISTRY_UPLOAD_MAX_BYTES = int(os.environ.get("REGISTRY_UPLOAD_MAX_BYTES", str(128 * 2**20)))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# Per-client limit on public comments (the one anonymous write), as DRF rate "N/period".
REGISTRY_COMMENT_RATE = os.environ.get("REGISTRY_COMMENT_RATE", "10/hour")
# Per-address limit on sign-in attempts (token login and the admin's login page together).
REGISTRY_LOGIN_RATE = os.environ.get("REGISTRY_LOGIN_RATE", "10/minute")

# Rate limits of /api/ and /graphql/ (docs/rate_limits.md), "N/second|minute|hour|day" per
# client: anonymous per IP address; keyed per API key (X-API-Key) or per user.
REGISTRY_RATE_LIMITS = {
    "anonymous": os.environ.get("REGISTRY_RATE_LIMIT_ANONYMOUS", "120/minute"),
    "keyed": os.environ.get("REGISTRY_RATE_LIMIT_KEYED", "1200/minute"),
}
# Counted in Redis when REDIS_URL is set, in PostgreSQL otherwise (and while Redis fails).
REGISTRY_RATE_LIMIT_REDIS_URL = os.environ.get("REDIS_URL", "")
REGISTRY_RATE_LIMIT_PREFIX = os.environ.get("REGISTRY_RATE_LIMIT_PREFIX", "rl:")
# Proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed.
REGISTRY_TRUSTED_PROXIES = [
    p for p in os.environ.get("REGISTRY_TRUSTED_PROXIES", "").split(",") if p.strip()
]

# Webhooks (registry/webhooks, docs/webhooks.md): request timeout in seconds, delay after the
# first failed attempt (doubling after each further failure) and attempts before giving up.
WEBHOOK_TIMEOUT = float(os.environ.get("REGISTRY_WEBHOOK_TIMEOUT", "10"))
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("REGISTRY_WEBHOOK_RETRY_BASE", "30"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("REGISTRY_WEBHOOK_MAX_ATTEMPTS", "10"))
# The procrastinate worker (started by `make run`): a few jobs at once so that one slow
# receiver does not hold up the others; finished jobs are not kept (deliveries have their log).
PROCRASTINATE_WORKER_DEFAULTS = {"concurrency": 4, "delete_jobs": "successful"}

# E-mail (the daily deadline digest, registry/compliance/digest.py): printed to the console
# unless EMAIL_BACKEND names another backend (e.g. django.core.mail.backends.smtp.EmailBackend
# with EMAIL_HOST and EMAIL_PORT).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "registry@localhost")

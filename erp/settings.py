"""Settings for the ERP, read from the environment only.

With nothing set, the embedded defaults serve: an embedded PostgreSQL under
``var/`` (started by ``erp.launcher``), SQLite-backed huey, console e-mail.
Production sets at least ``SECRET_KEY``, ``DATABASE_URL``, ``ERP_BASE_DOMAIN``,
``ERP_HTTPS=1`` and, for more than one machine, ``REDIS_URL`` (see README).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import unquote

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("ERP_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()


def _development_secret_key() -> str:
    """A random key kept under var/ so sessions survive restarts of `make run`."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
# Served over HTTPS: production. Secure cookies, HSTS and the HTTPS redirect follow from it (see Security).
ERP_HTTPS = env.bool("ERP_HTTPS", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and ERP_HTTPS:
    # Every web and worker process of a deployment must share one key, from the environment.
    raise ImproperlyConfigured("Set SECRET_KEY (a long random string) when ERP_HTTPS=1.")
SECRET_KEY = SECRET_KEY or _development_secret_key()

# --- Tenancy -----------------------------------------------------------------
ERP_BASE_DOMAIN = env.str("ERP_BASE_DOMAIN", default="localhost").lower()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[ERP_BASE_DOMAIN, f".{ERP_BASE_DOMAIN}", "127.0.0.1"])
# The port users reach the site on, for links in e-mails (empty: the scheme's default).
ERP_PUBLIC_PORT = env.str("ERP_PUBLIC_PORT", default=env.str("PORT", default=""))
ERP_DEMO_TENANT = "demo"
ERP_TEMPLATE_SCHEMA = "tenant_template"
# Spare copies of the template kept ready: a new company's schema is a rename of one (erp/tenancy/pool.py).
ERP_TENANT_POOL_SIZE = env.int("ERP_TENANT_POOL_SIZE", default=2)

SHARED_APPS = [
    "django_tenants",
    "erp.tenancy",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "erp.accounts",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tables2",
    "django_filters",
    "template_partials",
    "simple_history",
    "huey.contrib.djhuey",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "erp.accounts",
    "django.contrib.sessions",
    "guardian",
    "simple_history",
    "erp.core",
    "erp.partners",
    "erp.workflow",
    "erp.finance",
    "erp.catalog",
    "erp.inventory",
    "erp.sales",
    "erp.purchasing",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenancy.Client"
TENANT_DOMAIN_MODEL = "tenancy.Domain"
PUBLIC_SCHEMA_URLCONF = "erp.urls_public"
ROOT_URLCONF = "erp.urls"
TENANT_CREATION_FAKES_MIGRATIONS = True
TENANT_BASE_SCHEMA = ERP_TEMPLATE_SCHEMA
# Issue `SET search_path` only when the schema changes, not before every query (half the round trips);
# django-tenants resets it on close, rollback and savepoint rollback.
TENANT_LIMIT_SET_CALLS = True
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    "erp.core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "erp.tenancy.middleware.TenantMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "erp.accounts.middleware.UserPreferencesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "erp.core.middleware.HtmxMessagesMiddleware",
    "erp.core.middleware.OrganizationMiddleware",
    "csp.middleware.CSPMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "erp.core.context_processors.shell",
            ],
        },
    }
]
WSGI_APPLICATION = "erp.wsgi.application"

# --- Database ----------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default="postgres://postgres@localhost/erp")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# A Unix-socket directory arrives percent-encoded in the URL's host part.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST", ""))
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, queue ----------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
_cache_key = {
    "KEY_FUNCTION": "django_tenants.cache.make_key",
    "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
}
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, **_cache_key}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            **_cache_key,
        }
    }

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_DOMAIN = None  # host-only: a session of one tenant is worthless on another
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_DOMAIN = None

HUEY = {
    "name": "erp",
    "immediate": False,
    "consumer": {"workers": env.int("HUEY_WORKERS", default=2), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(VAR_DIR / "huey.sqlite3")})

# --- Authentication ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # django-guardian: no anonymous user row
GUARDIAN_RAISE_403 = True
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ERP_LOGIN_MAX_FAILURES = env.int("ERP_LOGIN_MAX_FAILURES", default=5)
ERP_LOGIN_LOCKOUT_SECONDS = env.int("ERP_LOGIN_LOCKOUT_SECONDS", default=15 * 60)

# --- E-mail --------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
for _key in ("EMAIL_HOST", "EMAIL_PORT", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD", "EMAIL_USE_TLS", "EMAIL_USE_SSL"):
    if _key in _email:
        globals()[_key] = _email[_key]
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"ERP <no-reply@{ERP_BASE_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation --------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- UI libraries ------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
DJANGO_TABLES2_TEMPLATE = "components/_table.html"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Security ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = ERP_HTTPS
CSRF_COOKIE_SECURE = ERP_HTTPS
SECURE_SSL_REDIRECT = ERP_HTTPS and env.bool("ERP_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if ERP_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = ERP_HTTPS
SECURE_HSTS_PRELOAD = ERP_HTTPS
# Behind a load balancer: the scheme comes from X-Forwarded-Proto, the client address from the
# last X-Forwarded-For entry (the one the balancer itself appended).
ERP_BEHIND_PROXY = env.bool("ERP_BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if ERP_BEHIND_PROXY else None
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging -------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {"huey": {"level": "INFO"}},
}

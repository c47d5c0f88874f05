"""Test settings: fast hashing, mail in memory, huey immediate, cache in memory."""

from erp.settings import *  # noqa: F403
from erp.settings import HUEY

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUEY = {**HUEY, "immediate": True}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "CRITICAL"}}
# Parallel test runs against one server need distinct throw-away databases.
DATABASES["default"]["TEST"] = {"NAME": env.str("ERP_TEST_DATABASE", default="test_erp")}  # noqa: F405
# No spare schemas unless a test asks for them (tests/integration/tenancy/test_pool.py).
ERP_TENANT_POOL_SIZE = 0

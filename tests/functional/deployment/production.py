"""The documented production configuration (README, "Configuration"), and a way
to run Django with it in a separate process: settings are read from the
environment once, at import, so only a fresh interpreter sees them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "kq8-Vt3_ZrB1xw9LmN4pQs7eYc2HdJ6uFa0GiK5oWTR-Xz8bUy1MnE3vC7lP9jSgD4hA",
    "ERP_HTTPS": "1",
    "ERP_BEHIND_PROXY": "1",
    "ALLOWED_HOSTS": "erp.example.com,.erp.example.com",
    "ERP_BASE_DOMAIN": "erp.example.com",
    "DATABASE_URL": "postgres://erp:secret@db.internal:5432/erp",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://erp:secret@smtp.example.com:587",
    "DEFAULT_FROM_EMAIL": "ERP <erp@example.com>",
}

# Settings that decide what a browser gets: cookies, HSTS, redirects, CSP.
SECURITY_SETTINGS = (
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_DOMAIN",
    "CONTENT_SECURITY_POLICY",
)

_DUMP = "import json; from django.conf import settings; print(json.dumps({n: getattr(settings, n) for n in %r}))"


def run_django(args: list[str], *, env: dict[str, str], var_dir: Path) -> subprocess.CompletedProcess:
    """Run ``python <args>`` in the project with exactly ``env`` (plus PATH and a scratch var/)."""
    process_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "erp.settings",
        "ERP_VAR_DIR": str(var_dir),
        **env,
    }
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=process_env, capture_output=True, text=True, timeout=120
    )


def production_settings(var_dir: Path) -> dict:
    """The security settings erp/settings.py derives from the production environment."""
    result = run_django(["-c", _DUMP % (SECURITY_SETTINGS,)], env=PRODUCTION_ENV, var_dir=var_dir)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    if values["SECURE_PROXY_SSL_HEADER"]:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values

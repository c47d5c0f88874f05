"""What a browser gets from a production deployment: HTTPS only, HSTS, a strict
Content-Security-Policy, secure host-only cookies.

The security settings are computed by erp/settings.py from the production
environment in a separate process, then applied to this test process."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.conftest import ADMIN_EMAIL, PASSWORD, TEST_DOMAIN
from tests.functional.deployment.production import production_settings

pytestmark = pytest.mark.django_db

HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}  # what the load balancer in front of gunicorn adds


@pytest.fixture(scope="module")
def production(tmp_path_factory) -> dict:
    return production_settings(tmp_path_factory.mktemp("var"))


@pytest.fixture
def browser(production, tenant):
    """A client of the test tenant under the production security settings."""
    values = {key: value for key, value in production.items() if key != "DEBUG"}
    with override_settings(**values):
        yield Client(HTTP_HOST=TEST_DOMAIN)


class TestProductionSettings:
    def test_turn_on_every_https_protection(self, production):
        assert production["DEBUG"] is False
        assert production["SECURE_SSL_REDIRECT"] is True
        assert production["SECURE_HSTS_SECONDS"] >= 31536000
        assert production["SESSION_COOKIE_SECURE"] is True
        assert production["CSRF_COOKIE_SECURE"] is True

    def test_keep_cookies_on_the_host_that_set_them(self, production):
        assert production["SESSION_COOKIE_DOMAIN"] is None
        assert production["CSRF_COOKIE_DOMAIN"] is None


class TestResponses:
    def test_redirect_plain_http_to_https(self, browser):
        response = browser.get(reverse("accounts:login"), HTTP_X_FORWARDED_PROTO="http")

        assert response.status_code == 301
        assert response["Location"] == f"https://{TEST_DOMAIN}{reverse('accounts:login')}"

    def test_answer_health_probes_on_plain_http(self, browser):
        response = browser.get("/healthz", HTTP_X_FORWARDED_PROTO="http")

        assert response.status_code == 200

    def test_carry_hsts_for_the_domain_and_its_tenant_subdomains(self, browser):
        response = browser.get(reverse("accounts:login"), **HTTPS)

        assert response.status_code == 200
        assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"

    def test_carry_a_content_security_policy_without_inline_code(self, browser):
        response = browser.get(reverse("accounts:login"), **HTTPS)

        policy = dict(directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";"))
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["object-src"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]

    def test_carry_the_other_protective_headers(self, browser):
        response = browser.get(reverse("accounts:login"), **HTTPS)

        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


class TestCookies:
    def test_the_session_cookie_after_sign_in_is_secure_and_host_only(self, browser):
        response = browser.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": PASSWORD}, **HTTPS)

        assert response.status_code == 302
        cookie = response.cookies["sessionid"]
        assert cookie["domain"] == ""
        assert "domain=" not in cookie.output().lower()
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"

    def test_the_csrf_cookie_is_secure_and_host_only(self, browser):
        response = browser.get(reverse("accounts:login"), **HTTPS)

        cookie = response.cookies["csrftoken"]
        assert "domain=" not in cookie.output().lower()
        assert cookie["secure"] is True

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.conftest import ADMIN_EMAIL, PASSWORD


@pytest.fixture(autouse=True)
def _empty_cache():
    """Failure counters live in the cache: start every test without any."""
    from django.core.cache import cache

    cache.clear()


class TestLogin:
    def test_signs_a_user_in_with_email_and_password(self, tenant_client, admin_user):
        response = tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": PASSWORD})

        assert response.status_code == 302
        assert response["Location"] == reverse("core:dashboard")
        assert int(tenant_client.session[SESSION_KEY]) == admin_user.pk

    def test_accepts_the_email_in_any_case(self, tenant_client):
        response = tenant_client.post(
            reverse("accounts:login"), {"username": ADMIN_EMAIL.upper(), "password": PASSWORD}
        )

        assert response.status_code == 302

    def test_follows_a_safe_next_parameter(self, tenant_client):
        response = tenant_client.post(
            reverse("accounts:login") + "?next=/organizations/", {"username": ADMIN_EMAIL, "password": PASSWORD}
        )

        assert response["Location"] == "/organizations/"

    def test_ignores_a_next_parameter_pointing_to_another_site(self, tenant_client):
        response = tenant_client.post(
            reverse("accounts:login") + "?next=https://evil.example.com/",
            {"username": ADMIN_EMAIL, "password": PASSWORD},
        )

        assert response["Location"] == reverse("core:dashboard")

    def test_refuses_a_wrong_password_with_a_clear_message(self, tenant_client):
        response = tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": "wrong"})

        assert response.status_code == 200
        assert "E-mail address or password is wrong." in response.content.decode()
        assert SESSION_KEY not in tenant_client.session

    def test_refuses_a_deactivated_user(self, tenant_client, user_with_role):
        user = user_with_role("Sales")
        user.is_active = False
        user.save()

        response = tenant_client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})

        assert response.status_code == 200
        assert SESSION_KEY not in tenant_client.session

    def test_sends_a_signed_in_user_on_to_the_dashboard(self, admin_client):
        response = admin_client.get(reverse("accounts:login"))

        assert response.status_code == 302
        assert response["Location"] == reverse("core:dashboard")


class TestLoginThrottling:
    def test_locks_the_address_after_repeated_failures(self, tenant_client, settings):
        for _attempt in range(settings.ERP_LOGIN_MAX_FAILURES):
            tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": "wrong"})

        response = tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": "wrong"})

        assert "Too many failed sign-in attempts. Please wait 15 minutes" in response.content.decode()

    def test_refuses_even_the_right_password_while_locked(self, tenant_client, settings):
        for _attempt in range(settings.ERP_LOGIN_MAX_FAILURES):
            tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": "wrong"})

        response = tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": PASSWORD})

        assert response.status_code == 200
        assert "Too many failed sign-in attempts" in response.content.decode()
        assert SESSION_KEY not in tenant_client.session

    def test_forgets_earlier_failures_after_a_successful_sign_in(self, tenant_client, settings):
        for _attempt in range(settings.ERP_LOGIN_MAX_FAILURES - 1):
            tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": "wrong"})
        tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": PASSWORD})
        tenant_client.post(reverse("accounts:logout"))

        tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": "wrong"})
        response = tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": PASSWORD})

        assert response.status_code == 302

    def test_does_not_lock_other_addresses(self, tenant_client, settings, user_with_role):
        colleague = user_with_role("Sales")
        for _attempt in range(settings.ERP_LOGIN_MAX_FAILURES):
            tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": "wrong"})

        response = tenant_client.post(reverse("accounts:login"), {"username": colleague.email, "password": PASSWORD})

        assert response.status_code == 302

    def test_does_not_lock_the_same_address_in_another_tenant(self, tenant_client, settings, other_tenant):
        from django.test import Client as HttpClient

        from tests.conftest import OTHER_ADMIN_EMAIL, OTHER_DOMAIN

        for _attempt in range(settings.ERP_LOGIN_MAX_FAILURES):
            tenant_client.post(reverse("accounts:login"), {"username": OTHER_ADMIN_EMAIL, "password": "wrong"})
        other_site = HttpClient(HTTP_HOST=OTHER_DOMAIN)

        response = other_site.post(reverse("accounts:login"), {"username": OTHER_ADMIN_EMAIL, "password": PASSWORD})

        assert response.status_code == 302


class TestLogout:
    def test_signs_out_with_post(self, admin_client):
        response = admin_client.post(reverse("accounts:logout"))

        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:login")
        assert SESSION_KEY not in admin_client.session

    def test_refuses_get(self, admin_client):
        response = admin_client.get(reverse("accounts:logout"))

        assert response.status_code == 405
        assert SESSION_KEY in admin_client.session

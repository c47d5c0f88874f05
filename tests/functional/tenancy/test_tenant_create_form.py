"""The operator's create-tenant form: the success path and every refusal."""

import pytest
from django.core import mail
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from erp.tenancy.models import Client, Domain

PUBLIC_URLS = "erp.urls_public"
CREATE_URL = reverse("operator:tenant-create", urlconf=PUBLIC_URLS)


def _form(**changes) -> dict:
    data = {
        "name": "Acme Trading",
        "subdomain": "acme",
        "currency": "EUR",
        "country": "DE",
        "admin_first_name": "Alice",
        "admin_last_name": "Admin",
        "admin_email": "alice@acme.example.com",
        "admin_password": "acme-admin-secret-1",
    }
    data.update(changes)
    return data


def _tenant_count() -> int:
    with schema_context(get_public_schema_name()):
        return Client.objects.count()


class TestTenantCreate:
    def test_shows_the_form(self, operator_logged_in):
        response = operator_logged_in.get(CREATE_URL)

        assert response.status_code == 200
        assert set(response.context["form"].fields) >= {"name", "subdomain", "currency", "country", "admin_email"}

    def test_creates_schema_domain_and_an_administrator_who_can_sign_in(
        self, operator_logged_in, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = operator_logged_in.post(CREATE_URL, _form())

        with schema_context(get_public_schema_name()):
            client = Client.objects.get(schema_name="acme")
            assert Domain.objects.get(tenant=client).domain == "acme.localhost"
        assert response["Location"] == reverse("operator:tenant-detail", urlconf=PUBLIC_URLS, args=[client.pk])
        assert schema_exists("acme")
        assert [message.to for message in mail.outbox] == [["alice@acme.example.com"]]
        site = HttpClient(HTTP_HOST="acme.localhost")
        login = site.post(
            reverse("accounts:login"), {"username": "alice@acme.example.com", "password": "acme-admin-secret-1"}
        )
        assert login.status_code == 302
        dashboard = site.get("/")
        assert dashboard.status_code == 200
        assert "Acme Trading" in dashboard.content.decode()

    @pytest.mark.parametrize(
        ("subdomain", "message"),
        [
            ("Acme Corp", "Use 2 to 40 lower-case letters"),
            ("1acme", "Use 2 to 40 lower-case letters"),
            ("acme-", "Use 2 to 40 lower-case letters"),
            ("ac--me", "Use 2 to 40 lower-case letters"),
            ("a", "Use 2 to 40 lower-case letters"),
            ("www", "“www” is reserved"),
            ("public", "“public” is reserved"),
            ("admin", "“admin” is reserved"),
            ("tenant-template", "is reserved"),
            ("testco", "The sub-domain “testco” is already taken."),
            ("TestCo", "The sub-domain “testco” is already taken."),
        ],
    )
    def test_refuses_a_bad_sub_domain_next_to_the_field(self, operator_logged_in, subdomain, message):
        before = _tenant_count()

        response = operator_logged_in.post(CREATE_URL, _form(subdomain=subdomain))

        assert response.status_code == 200
        errors = response.context["form"].errors["subdomain"]
        assert any(message in error for error in errors), errors
        assert _tenant_count() == before

    def test_refuses_a_sub_domain_whose_schema_already_exists(self, operator_logged_in):
        with connection.cursor() as cursor:
            cursor.execute("CREATE SCHEMA orphan")

        response = operator_logged_in.post(CREATE_URL, _form(subdomain="orphan"))

        assert response.context["form"].errors["subdomain"] == ["The sub-domain “orphan” is already taken."]
        with schema_context(get_public_schema_name()):
            assert not Client.objects.filter(schema_name="orphan").exists()

    def test_refuses_a_currency_not_in_circulation(self, operator_logged_in):
        before = _tenant_count()

        response = operator_logged_in.post(CREATE_URL, _form(currency="XTS"))

        assert response.status_code == 200
        assert response.context["form"].errors["currency"] == [
            "XTS cannot be a company currency: choose a currency in circulation."
        ]
        assert _tenant_count() == before
        assert not schema_exists("acme")
        with schema_context(get_public_schema_name()):
            assert not Domain.objects.filter(domain="acme.localhost").exists()

    def test_refuses_a_weak_administrator_password(self, operator_logged_in):
        response = operator_logged_in.post(CREATE_URL, _form(admin_password="123"))

        assert "admin_password" in response.context["form"].errors
        assert not schema_exists("acme")

    def test_returns_the_form_partial_to_an_invalid_htmx_post(self, operator_logged_in):
        response = operator_logged_in.post(CREATE_URL, _form(subdomain="www"), HTTP_HX_REQUEST="true")

        content = response.content.decode()
        assert response.status_code == 200
        assert content.lstrip().startswith("<form")
        assert "is reserved" in content

    def test_answers_a_valid_htmx_post_with_hx_redirect(self, operator_logged_in):
        response = operator_logged_in.post(CREATE_URL, _form(), HTTP_HX_REQUEST="true")

        with schema_context(get_public_schema_name()):
            client = Client.objects.get(schema_name="acme")
        assert response["HX-Redirect"] == reverse("operator:tenant-detail", urlconf=PUBLIC_URLS, args=[client.pk])

    def test_refuses_an_operator_account_without_the_permission(self, operator_client):
        from erp.accounts.models import User

        with schema_context(get_public_schema_name()):
            clerk = User.objects.create_user(email="clerk@example.com", password="clerk-password-1")
            operator_client.force_login(clerk)

        response = operator_client.post(CREATE_URL, _form())

        assert response.status_code == 403
        assert not schema_exists("acme")

"""The operator's site on the bare base domain: login, tenant list, detail, suspend and reactivate."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.urls import reverse
from django_tenants.utils import get_public_schema_name, schema_context

from erp.tenancy.models import Client
from tests.conftest import ADMIN_EMAIL, OPERATOR_DOMAIN, PASSWORD, TEST_DOMAIN, TEST_SCHEMA
from tests.factories.tenancy import ClientFactory

PUBLIC_URLS = "erp.urls_public"


def operator_url(name: str, *args) -> str:
    return reverse(name, urlconf=PUBLIC_URLS, args=args)


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    cache.clear()


class TestOperatorLogin:
    def test_signs_the_operator_in_and_opens_the_tenant_list(self, operator_client):
        response = operator_client.post(
            operator_url("accounts:login"), {"username": "operator@example.com", "password": PASSWORD}
        )

        assert response.status_code == 302
        assert response["Location"] == operator_url("operator:tenant-list")

    def test_refuses_a_tenant_administrators_credentials(self, operator_client):
        response = operator_client.post(operator_url("accounts:login"), {"username": ADMIN_EMAIL, "password": PASSWORD})

        assert response.status_code == 200
        assert "E-mail address or password is wrong." in response.content.decode()

    def test_locks_after_repeated_failures(self, operator_client, settings):
        for _attempt in range(settings.ERP_LOGIN_MAX_FAILURES):
            operator_client.post(operator_url("accounts:login"), {"username": "operator@example.com", "password": "x"})

        response = operator_client.post(
            operator_url("accounts:login"), {"username": "operator@example.com", "password": PASSWORD}
        )

        assert "Too many failed sign-in attempts" in response.content.decode()

    def test_the_home_page_leads_to_the_tenant_list(self, operator_logged_in):
        response = operator_logged_in.get("/")

        assert response["Location"] == operator_url("operator:tenant-list")

    def test_signs_the_operator_out(self, operator_logged_in):
        response = operator_logged_in.post(operator_url("accounts:logout"))

        assert response["Location"] == operator_url("accounts:login")
        with schema_context(get_public_schema_name()):
            assert SESSION_KEY not in operator_logged_in.session


class TestTenantList:
    def test_lists_client_companies_but_not_the_template_or_public_schema(self, operator_logged_in):
        response = operator_logged_in.get(operator_url("operator:tenant-list"))

        assert response.status_code == 200
        schemas = [row.record.schema_name for row in response.context["table"].rows]
        assert TEST_SCHEMA in schemas
        assert "public" not in schemas
        assert "tenant_template" not in schemas

    def test_searches_by_name_schema_and_domain(self, operator_logged_in):
        with schema_context(get_public_schema_name()):
            ClientFactory(schema_name="acme", name="Acme Corp")
            ClientFactory(schema_name="globex", name="Globex")

        by_name = operator_logged_in.get(operator_url("operator:tenant-list"), {"q": "acme c"})
        by_domain = operator_logged_in.get(operator_url("operator:tenant-list"), {"q": "globex.localhost"})

        assert [row.record.name for row in by_name.context["table"].rows] == ["Acme Corp"]
        assert [row.record.name for row in by_domain.context["table"].rows] == ["Globex"]

    def test_filters_by_status(self, operator_logged_in):
        with schema_context(get_public_schema_name()):
            ClientFactory(schema_name="paused", name="Paused Ltd", status=Client.Status.SUSPENDED)

        response = operator_logged_in.get(operator_url("operator:tenant-list"), {"status": "suspended"})

        assert [row.record.name for row in response.context["table"].rows] == ["Paused Ltd"]

    def test_returns_only_the_table_to_htmx(self, operator_logged_in):
        response = operator_logged_in.get(operator_url("operator:tenant-list"), HTTP_HX_REQUEST="true")

        content = response.content.decode()
        assert content.lstrip().startswith('<div id="list-table"')
        assert "Test Company" in content

    def test_exports_the_list_as_csv(self, operator_logged_in):
        response = operator_logged_in.get(operator_url("operator:tenant-list"), {"_export": "csv", "q": "testco"})

        lines = response.content.decode().splitlines()
        assert lines[0] == "Company,Address,Schema,Status,Currency,Created"
        assert lines[1].startswith(f"Test Company,{TEST_DOMAIN},{TEST_SCHEMA},Active,EUR,")

    def test_refuses_a_signed_in_user_without_the_permission(self, operator_client):
        from erp.accounts.models import User

        with schema_context(get_public_schema_name()):
            clerk = User.objects.create_user(email="clerk@example.com", password=PASSWORD)
            operator_client.force_login(clerk)

        response = operator_client.get(operator_url("operator:tenant-list"))

        assert response.status_code == 403


class TestTenantDetail:
    def test_shows_users_schema_and_creation_time(self, operator_logged_in, tenant):
        response = operator_logged_in.get(operator_url("operator:tenant-detail", tenant.pk))

        assert response.status_code == 200
        content = response.content.decode()
        assert f'<code id="tenant-schema">{TEST_SCHEMA}</code>' in content
        assert ADMIN_EMAIL in content
        assert [user.email for user in response.context["users"]] == [ADMIN_EMAIL]
        assert response.context["tenant_url"] == f"http://{TEST_DOMAIN}/"

    def test_answers_404_for_the_template_schema(self, operator_logged_in):
        with schema_context(get_public_schema_name()):
            template = Client.objects.get(is_template=True)

        response = operator_logged_in.get(operator_url("operator:tenant-detail", template.pk))

        assert response.status_code == 404


class TestTenantSuspension:
    def test_suspends_a_tenant_whose_site_then_shows_the_suspended_page(self, operator_logged_in, tenant):
        response = operator_logged_in.post(
            operator_url("operator:tenant-set-status", tenant.pk), {"status": "suspended"}
        )

        assert response.status_code == 302
        site = HttpClient(HTTP_HOST=TEST_DOMAIN).get("/")
        assert site.status_code == 503
        assert 'id="tenant-suspended"' in site.content.decode()

    def test_refuses_logins_while_suspended(self, operator_logged_in, tenant):
        operator_logged_in.post(operator_url("operator:tenant-set-status", tenant.pk), {"status": "suspended"})
        site = HttpClient(HTTP_HOST=TEST_DOMAIN)

        response = site.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": PASSWORD})

        assert response.status_code == 503
        assert "sessionid" not in response.cookies

    def test_ends_the_sessions_of_the_tenants_users(self, operator_logged_in, admin_client, tenant):
        operator_logged_in.post(operator_url("operator:tenant-set-status", tenant.pk), {"status": "suspended"})

        with schema_context(TEST_SCHEMA):
            assert Session.objects.count() == 0
        assert admin_client.get("/").status_code == 503

    def test_reactivation_opens_the_site_again(self, operator_logged_in, tenant):
        url = operator_url("operator:tenant-set-status", tenant.pk)
        operator_logged_in.post(url, {"status": "suspended"})

        operator_logged_in.post(url, {"status": "active"})

        site = HttpClient(HTTP_HOST=TEST_DOMAIN)
        response = site.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": PASSWORD})
        assert response.status_code == 302
        with schema_context(get_public_schema_name()):
            assert Client.objects.get(pk=tenant.pk).status == Client.Status.ACTIVE

    def test_ignores_an_unknown_status(self, operator_logged_in, tenant):
        response = operator_logged_in.post(
            operator_url("operator:tenant-set-status", tenant.pk), {"status": "deleted"}, follow=True
        )

        assert "Unknown status." in response.content.decode()
        with schema_context(get_public_schema_name()):
            assert Client.objects.get(pk=tenant.pk).status == Client.Status.ACTIVE

    def test_answers_htmx_with_hx_redirect(self, operator_logged_in, tenant):
        response = operator_logged_in.post(
            operator_url("operator:tenant-set-status", tenant.pk), {"status": "suspended"}, HTTP_HX_REQUEST="true"
        )

        assert response["HX-Redirect"] == operator_url("operator:tenant-detail", tenant.pk)


def test_an_unknown_sub_domain_gets_a_clear_404_page(db):
    response = HttpClient(HTTP_HOST="nosuchcompany.localhost").get("/")

    assert response.status_code == 404
    assert 'id="unknown-tenant"' in response.content.decode()


def test_the_template_schema_is_not_reachable_as_a_site(db):
    with schema_context(get_public_schema_name()):
        from erp.tenancy.models import Domain

        template = Client.objects.get(is_template=True)
        Domain.objects.create(domain="tenant-template.localhost", tenant=template, is_primary=True)

    response = HttpClient(HTTP_HOST="tenant-template.localhost").get("/accounts/login/")

    assert response.status_code == 404


def test_the_operator_site_answers_on_the_base_domain(db):
    response = HttpClient(HTTP_HOST=OPERATOR_DOMAIN).get(operator_url("accounts:login"))

    assert response.status_code == 200
    assert "Operator sign-in" in response.content.decode()

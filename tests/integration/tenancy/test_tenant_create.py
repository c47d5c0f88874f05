"""Provisioning a tenant: one transaction, nothing left behind on failure."""

import pytest
from django.db import connection
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from erp.core.exceptions import DomainError
from erp.tenancy import services
from erp.tenancy.models import Client, Domain


def _new(**changes) -> services.NewTenant:
    values = {
        "name": "Initech",
        "subdomain": "initech",
        "currency": "CHF",
        "country": "CH",
        "admin_email": "bill@initech.example.com",
        "admin_password": "initech-secret-1",
        "admin_first_name": "Bill",
    }
    values.update(changes)
    return services.NewTenant(**values)


def _nothing_left(schema: str) -> bool:
    with schema_context(get_public_schema_name()):
        rows = (
            Client.objects.filter(schema_name=schema).exists()
            or Domain.objects.filter(domain__startswith=f"{schema}.").exists()
        )
    return not rows and not schema_exists(schema)


@pytest.fixture
def public(db):
    connection.set_schema_to_public()


class TestTenantCreate:
    def test_clones_the_template_and_seeds_company_organization_admin_and_welcome(
        self, public, django_capture_on_commit_callbacks
    ):
        from django.core import mail

        with django_capture_on_commit_callbacks(execute=True):
            client = services.tenant_create(new=_new())

        with schema_context(client.schema_name):
            from erp.accounts.models import User
            from erp.core.models import BusinessEvent, Company, Organization

            company = Company.objects.get()
            admin = User.objects.get()
            assert (company.name, company.currency_id, company.country) == ("Initech", "CHF", "CH")
            assert list(Organization.objects.values_list("code", "name")) == [("HQ", "Initech")]
            assert admin.email == "bill@initech.example.com"
            assert list(admin.groups.values_list("name", flat=True)) == ["Administrator"]
            assert admin.check_password("initech-secret-1")
            assert BusinessEvent.objects.filter(verb="tenancy.company.created").exists()
        assert client.primary_domain == "initech.localhost"
        assert [message.to for message in mail.outbox] == [["bill@initech.example.com"]]
        assert "http://initech.localhost" in mail.outbox[0].body

    def test_an_unknown_currency_leaves_no_schema_no_client_no_domain(self, public):
        with pytest.raises(DomainError) as refused:
            services.tenant_create(new=_new(currency="ZZZ"))

        assert refused.value.field == "currency"
        assert _nothing_left("initech")

    def test_a_failure_while_seeding_leaves_nothing(self, public):
        with pytest.raises(ValueError), schema_context(get_public_schema_name()):
            services.tenant_create(new=_new(admin_email=""))

        assert _nothing_left("initech")

    def test_a_taken_sub_domain_is_refused_before_anything_is_created(self, public):
        before = Client.objects.count()

        with pytest.raises(services.TenantError, match="already taken"):
            services.tenant_create(new=_new(subdomain="testco"))

        assert Client.objects.count() == before

    def test_a_sub_domain_taken_in_the_meantime_is_refused_with_the_same_message(self, public, monkeypatch):
        before = Client.objects.count()
        monkeypatch.setattr(services, "subdomain_validate", lambda subdomain: subdomain)

        with pytest.raises(services.TenantError, match="already taken") as refused:
            services.tenant_create(new=_new(subdomain="testco"))

        assert refused.value.field == "subdomain"
        assert Client.objects.count() == before


class TestSubdomainValidate:
    @pytest.mark.parametrize("subdomain", ["acme", "acme-2", "a1", "x" * 40])
    def test_accepts_well_formed_names(self, public, subdomain):
        assert services.subdomain_validate(subdomain) == subdomain

    def test_normalises_case_and_spaces(self, public):
        assert services.subdomain_validate("  ACME ") == "acme"

    @pytest.mark.parametrize(
        "subdomain", ["", "x" * 41, "-acme", "acme_1", "acme.com", "pg_acme", "pg-acme", "ab--c", "tenant-template"]
    )
    def test_refuses_malformed_or_system_names(self, public, subdomain):
        with pytest.raises(services.TenantError):
            services.subdomain_validate(subdomain)


class TestTenantStatus:
    def test_refuses_to_suspend_the_template(self, public):
        template = Client.objects.get(is_template=True)

        with pytest.raises(services.TenantError):
            services.tenant_set_status(client=template, status=Client.Status.SUSPENDED)

"""The chart of accounts template is chosen when a tenant is created, and creation stays fast."""

import time

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from erp.core.exceptions import DomainError
from erp.finance.models import Account, TaxCode
from erp.tenancy import services
from erp.tenancy.models import Client


def new_tenant(subdomain: str, **options) -> services.NewTenant:
    return services.NewTenant(
        name=f"Company {subdomain}",
        subdomain=subdomain,
        currency="EUR",
        country="DE",
        admin_email=f"admin@{subdomain}.example.com",
        admin_password="a-long-secret-1",
        **options,
    )


@pytest.mark.usefixtures("public_schema")
class TestTenantCreateWithChart:
    def test_loads_the_skr03_template_into_the_new_schema(self):
        client = services.tenant_create(new=new_tenant("chartde", chart="skr03"))

        with schema_context(client.schema_name):
            assert Account.objects.get(code="1400").name == "Forderungen aus Lieferungen und Leistungen"
            assert TaxCode.objects.filter(code="VSt19").exists()
            assert not Account.objects.filter(code="1310").exists()

    def test_loads_the_ifrs_template_by_default(self):
        client = services.tenant_create(new=new_tenant("chartifrs"))

        with schema_context(client.schema_name):
            assert Account.objects.get(code="1310").name == "Trade receivables"
            assert not TaxCode.objects.exists()

    def test_can_start_with_an_empty_chart(self):
        client = services.tenant_create(new=new_tenant("chartnone", chart="empty"))

        with schema_context(client.schema_name):
            assert not Account.objects.exists()

    def test_an_unknown_template_leaves_nothing_behind(self):
        with pytest.raises(DomainError), transaction.atomic():
            services.tenant_create(new=new_tenant("chartbad", chart="nope"))

        connection.set_schema_to_public()
        assert not Client.objects.filter(schema_name="chartbad").exists()


@pytest.mark.django_db
class TestChartLoadSpeed:
    def test_loading_the_largest_template_adds_a_fraction_of_a_second_to_tenant_creation(self):
        from erp.finance.charts import chart_load

        Account.all_objects.update(parent=None)
        Account.all_objects.all().delete()
        started = time.perf_counter()

        chart_load(template="skr03")

        assert time.perf_counter() - started < 0.5

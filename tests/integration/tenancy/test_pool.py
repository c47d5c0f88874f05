"""Spare copies of the template: a new company gets one by a rename, stale ones are never used."""

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django_tenants.utils import schema_context, schema_exists
from psycopg import sql

from erp.core.exceptions import DomainError
from erp.tenancy import pool, services


def _new(**changes) -> services.NewTenant:
    values = {
        "name": "Pooled Ltd",
        "subdomain": "pooled",
        "currency": "EUR",
        "country": "DE",
        "admin_email": "ada@pooled.example.com",
        "admin_password": "pooled-secret-1",
        "admin_first_name": "Ada",
    }
    values.update(changes)
    return services.NewTenant(**values)


def _spare_names() -> list[str]:
    return [name for name, _fingerprint in pool._spares()]


def _mark_stale(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("COMMENT ON SCHEMA {} IS 'from-an-older-release'").format(sql.Identifier(schema)))


@pytest.fixture
def spares(public_schema):
    pool.pool_fill(size=2)
    return _spare_names()


class TestPoolFill:
    def test_makes_the_requested_number_of_current_spares(self, spares):
        assert len(spares) == 2 and all(name.startswith("spare_") for name in spares)
        assert pool.spare_count() == 2

    def test_is_idempotent(self, spares):
        assert pool.pool_fill(size=2) == 0
        assert _spare_names() == spares

    def test_drops_stale_and_surplus_spares_and_replaces_stale_ones(self, spares):
        _mark_stale(spares[0])

        made = pool.pool_fill(size=1)

        assert made == 0  # the current one is kept, the stale one dropped
        assert _spare_names() == [spares[1]]
        assert not schema_exists(spares[0])


class TestClaim:
    def test_a_new_company_takes_a_spare_by_rename(self, spares, django_capture_on_commit_callbacks):
        client = services.tenant_create(new=_new())

        assert client.schema_name == "pooled"
        assert len(_spare_names()) == 1
        with schema_context("pooled"):
            from erp.accounts.models import User
            from erp.core.models import Company

            assert Company.objects.get().name == "Pooled Ltd"
            assert User.objects.get().email == "ada@pooled.example.com"
        with connection.cursor() as cursor:
            cursor.execute("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = 'pooled'")
            assert cursor.fetchone()[0] is None  # no longer looks like a spare

    def test_a_stale_spare_is_never_taken(self, spares):
        for name in spares:
            _mark_stale(name)

        with transaction.atomic():
            assert pool.claim("pooled") is False
        services.tenant_create(new=_new())  # falls back to copying the template

        assert sorted(_spare_names()) == sorted(spares)

    def test_a_failed_creation_gives_the_spare_back(self, spares):
        with pytest.raises(DomainError):
            services.tenant_create(new=_new(currency="ZZZ"))

        assert sorted(_spare_names()) == sorted(spares)
        assert not schema_exists("pooled")

    def test_the_refill_is_queued_after_the_commit(self, spares, django_capture_on_commit_callbacks):
        with override_settings(ERP_TENANT_POOL_SIZE=2), django_capture_on_commit_callbacks(execute=True):
            services.tenant_create(new=_new())

        assert pool.spare_count() == 2  # the taken spare was replaced


class TestReservedNames:
    @pytest.mark.parametrize("subdomain", ["spare-abc", "pg-temp"])
    def test_spare_like_names_are_refused(self, public_schema, subdomain):
        with pytest.raises(DomainError, match="reserved"):
            services.subdomain_validate(subdomain)

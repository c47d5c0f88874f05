"""Tenants are isolated, tested rather than assumed: logins, sessions, ids in URLs, cache and tasks."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django_tenants.utils import get_public_schema_name, schema_context
from huey.exceptions import TaskException

from erp.core.exceptions import TenantRequired
from erp.core.tasks import current_schema, tenant_task
from tests.conftest import (
    ADMIN_EMAIL,
    OPERATOR_DOMAIN,
    OTHER_ADMIN_EMAIL,
    OTHER_DOMAIN,
    PASSWORD,
    TEST_DOMAIN,
    TEST_SCHEMA,
)
from tests.factories.core import OrganizationFactory

task_runs: list[tuple[str, str]] = []


@tenant_task()
def company_of_schema(*, marker: str) -> str:
    """A task that reports where it ran: the schema and the company profile it sees."""
    from erp.core.models import Company

    task_runs.append((marker, connection.schema_name))
    return Company.objects.get().name


@pytest.fixture(autouse=True)
def _fresh_state():
    cache.clear()
    task_runs.clear()


class TestLogin:
    def test_a_user_of_one_tenant_cannot_sign_in_at_another(self, db, other_tenant):
        other_site = HttpClient(HTTP_HOST=OTHER_DOMAIN)

        response = other_site.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": PASSWORD})

        assert response.status_code == 200
        assert "E-mail address or password is wrong." in response.content.decode()

    def test_the_same_address_in_two_tenants_is_two_accounts(self, tenant_client, other_tenant, user_with_role):
        user_with_role("Sales", email=OTHER_ADMIN_EMAIL, password="testco-only-password")

        at_home = tenant_client.post(
            reverse("accounts:login"), {"username": OTHER_ADMIN_EMAIL, "password": "testco-only-password"}
        )
        elsewhere = HttpClient(HTTP_HOST=OTHER_DOMAIN).post(
            reverse("accounts:login"), {"username": OTHER_ADMIN_EMAIL, "password": "testco-only-password"}
        )

        assert at_home.status_code == 302
        assert elsewhere.status_code == 200

    def test_a_tenant_user_cannot_sign_in_to_the_operator_site(self, operator_client):
        response = operator_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": PASSWORD})

        assert response.status_code == 200

    def test_the_session_cookie_is_host_only(self, tenant_client, admin_user):
        response = tenant_client.post(reverse("accounts:login"), {"username": ADMIN_EMAIL, "password": PASSWORD})

        cookie = response.cookies["sessionid"]
        assert cookie["domain"] == ""
        assert cookie["httponly"] is True


class TestSessions:
    def test_a_session_cookie_of_one_tenant_is_refused_by_another(self, admin_client):
        stolen = admin_client.cookies["sessionid"].value
        elsewhere = HttpClient(HTTP_HOST=OTHER_DOMAIN)
        elsewhere.cookies["sessionid"] = stolen

        response = elsewhere.get(reverse("core:dashboard"))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_a_tenant_session_is_refused_by_the_operator_site(self, admin_client):
        operator_site = HttpClient(HTTP_HOST=OPERATOR_DOMAIN)
        operator_site.cookies["sessionid"] = admin_client.cookies["sessionid"].value

        response = operator_site.get("/tenants/")

        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_an_operator_session_is_refused_by_a_tenant_site(self, operator_logged_in):
        tenant_site = HttpClient(HTTP_HOST=TEST_DOMAIN)
        tenant_site.cookies["sessionid"] = operator_logged_in.cookies["sessionid"].value

        response = tenant_site.get(reverse("core:dashboard"))

        assert response.status_code == 302

    def test_the_session_is_stored_in_the_tenants_own_schema(self, admin_client, other_tenant):
        from django.contrib.sessions.models import Session

        key = admin_client.cookies["sessionid"].value

        with schema_context(TEST_SCHEMA):
            assert Session.objects.filter(session_key=key).exists()
        with schema_context(other_tenant.schema_name):
            assert not Session.objects.filter(session_key=key).exists()
        with schema_context(get_public_schema_name()):
            assert not Session.objects.filter(session_key=key).exists()


class TestIdsInUrls:
    def test_an_organization_id_of_one_tenant_shows_nothing_of_it_at_another(self, other_admin_client):
        secret = OrganizationFactory(code="SECRET", name="Secret Unit")

        response = other_admin_client.get(reverse("core:organization-detail", args=[secret.pk]))

        assert response.status_code == 404
        assert "Secret Unit" not in response.content.decode()

    def test_the_same_id_in_two_tenants_shows_each_its_own_row(
        self, other_admin_client, other_tenant, root_organization
    ):
        from erp.core.models import Organization

        with schema_context(other_tenant.schema_name):
            their_root = Organization.objects.get(code="HQ")
        assert their_root.pk == root_organization.pk  # both schemas are clones of one template

        response = other_admin_client.get(reverse("core:organization-detail", args=[root_organization.pk]))

        content = response.content.decode()
        assert response.status_code == 200
        assert "Other Company" in content
        assert "Test Company" not in content

    def test_a_user_id_of_one_tenant_reveals_nothing_at_another(self, other_admin_client, user_with_role):
        colleague = user_with_role("Sales", email="only.at.testco@testco.example.com")

        detail = other_admin_client.get(reverse("accounts:user-detail", args=[colleague.pk]))
        edit = other_admin_client.get(reverse("accounts:user-update", args=[colleague.pk]))
        deactivate = other_admin_client.post(
            reverse("accounts:user-set-active", args=[colleague.pk]), {"is_active": "0"}
        )

        assert (detail.status_code, edit.status_code, deactivate.status_code) == (404, 404, 404)
        assert "only.at.testco" not in detail.content.decode()
        with schema_context(TEST_SCHEMA):
            colleague.refresh_from_db()
        assert colleague.is_active

    def test_lists_and_search_show_only_the_own_tenants_rows(self, other_admin_client, user_with_role):
        user_with_role("Sales", email="only.at.testco@testco.example.com")
        OrganizationFactory(code="SECRET", name="Secret Unit")

        users = other_admin_client.get(reverse("accounts:user-list"))
        organizations = other_admin_client.get(reverse("core:organization-list"))
        found = other_admin_client.get(reverse("core:search"), {"q": "secret"})

        assert [row.record.email for row in users.context["table"].rows] == [OTHER_ADMIN_EMAIL]
        assert [row.record.code for row in organizations.context["table"].rows] == ["HQ"]
        assert found.context["groups"] == []


class TestCache:
    def test_an_entry_set_in_one_schema_is_invisible_in_another(self, tenant, other_tenant):
        with schema_context(TEST_SCHEMA):
            cache.set("shared-key", "testco's value")

        with schema_context(other_tenant.schema_name):
            seen_by_other = cache.get("shared-key")
            cache.set("shared-key", "other's value")
        with schema_context(get_public_schema_name()):
            seen_by_public = cache.get("shared-key")
        with schema_context(TEST_SCHEMA):
            still_mine = cache.get("shared-key")

        assert seen_by_other is None
        assert seen_by_public is None
        assert still_mine == "testco's value"

    def test_deleting_in_one_schema_leaves_the_other_alone(self, tenant, other_tenant):
        with schema_context(TEST_SCHEMA):
            cache.set("key", 1)
        with schema_context(other_tenant.schema_name):
            cache.set("key", 2)

        with schema_context(other_tenant.schema_name):
            cache.delete("key")

        with schema_context(TEST_SCHEMA):
            assert cache.get("key") == 1


class TestTenantTask:
    def test_runs_in_the_schema_it_was_given(self, db, other_tenant):
        here = company_of_schema(marker="testco", schema_name=TEST_SCHEMA)
        there = company_of_schema(marker="other", schema_name=other_tenant.schema_name)

        assert (here.get(), there.get()) == ("Test Company", "Other Company")
        assert task_runs == [("testco", TEST_SCHEMA), ("other", other_tenant.schema_name)]

    def test_restores_the_callers_schema_afterwards(self, db, other_tenant):
        before = connection.schema_name

        company_of_schema(marker="x", schema_name=other_tenant.schema_name).get()

        assert connection.schema_name == before

    @pytest.mark.parametrize("schema_name", [None, "", "public", "tenant_template", "no_such_tenant"])
    def test_fails_instead_of_running_without_a_tenant(self, db, schema_name):
        kwargs = {} if schema_name is None else {"schema_name": schema_name}

        result = company_of_schema(marker="refused", **kwargs)

        with pytest.raises(TaskException) as failed:
            result.get()
        assert "TenantRequired" in failed.value.metadata["error"]
        assert task_runs == []

    def test_the_body_refuses_to_run_without_a_tenant_when_called_directly(self, db):
        with pytest.raises(TenantRequired):
            company_of_schema.call_local(marker="direct")

        assert task_runs == []

    def test_the_schema_to_hand_over_is_refused_in_public(self, public_schema):
        with pytest.raises(TenantRequired):
            current_schema()

    def test_the_schema_to_hand_over_is_the_tenants(self, db):
        assert current_schema() == TEST_SCHEMA

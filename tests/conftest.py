"""Test fixtures shared by every tier.

One tenant (``testco``) is created for the whole session by cloning the
template schema, like django-tenants' FastTenantTestCase. Database tests run
inside that schema in a transaction that is rolled back afterwards.

Tests that need committed data (concurrency, the live server of the browser
tests) take ``committed_tenant``: a tenant of their own, created and dropped
around the test."""

from __future__ import annotations

import itertools
import os

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client as HttpClient
from django_tenants.utils import get_public_schema_name, schema_context

TEST_SCHEMA = "testco"
TEST_DOMAIN = "testco.localhost"
OPERATOR_DOMAIN = "localhost"
ADMIN_EMAIL = "admin@testco.example.com"
PASSWORD = "correct-horse-battery"

_committed_counter = itertools.count(1)


def create_tenant(
    *, subdomain: str, name: str, admin_email: str = ADMIN_EMAIL, currency: str = "EUR", country: str = "DE"
):
    """A tenant with committed data, its administrator ``admin_email`` / ``PASSWORD`` (call with the DB unblocked)."""
    from erp.tenancy import services

    client = services.tenant_create(
        new=services.NewTenant(
            name=name,
            subdomain=subdomain,
            currency=currency,
            country=country,
            admin_email=admin_email,
            admin_password=PASSWORD,
            admin_first_name="Ada",
            admin_language="en",
        )
    )
    connection.set_schema_to_public()
    return client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """After pytest-django's test database exists: template schema, operator, session tenant."""
    from erp.accounts.models import User
    from erp.tenancy import services

    # pytest-django creates the test database only if a collected test takes `db` (or is marked
    # django_db); without one, everything below would be written to the development database.
    if connection.settings_dict["NAME"] != connection.settings_dict["TEST"]["NAME"]:
        raise RuntimeError(
            f"No test database was set up (still on {connection.settings_dict['NAME']!r}): "
            "a test that needs the database must take the `db` fixture or the django_db marker."
        )
    with django_db_blocker.unblock():
        services.public_tenant_ensure()
        services.template_ensure()
        with schema_context(get_public_schema_name()):
            from erp.tenancy.models import Client

            if Client.objects.filter(schema_name=TEST_SCHEMA).exists():  # pytest --reuse-db
                yield
                return
            User.objects.create_superuser(email="operator@example.com", password=PASSWORD)
        create_tenant(subdomain=TEST_SCHEMA, name="Test Company")
    yield


@pytest.fixture(scope="session")
def tenant(django_db_setup, django_db_blocker):
    from erp.tenancy.models import Client

    with django_db_blocker.unblock(), schema_context(get_public_schema_name()):
        return Client.objects.get(schema_name=TEST_SCHEMA)


@pytest.fixture(autouse=True)
def _tenant_schema(request):
    """Database tests run inside the test tenant's schema unless they ask for `public_schema`."""
    wants_db = "db" in request.fixturenames or request.node.get_closest_marker("django_db") is not None
    if not wants_db or "committed_tenant" in request.fixturenames:
        yield
        return
    request.getfixturevalue("db")
    if "public_schema" in request.fixturenames:
        connection.set_schema_to_public()
    else:
        connection.set_tenant(request.getfixturevalue("tenant"))
    yield
    connection.set_schema_to_public()


@pytest.fixture
def public_schema(db):
    """Run the test against the public (operator) schema."""
    connection.set_schema_to_public()


@pytest.fixture
def tenant_client(db, tenant) -> HttpClient:
    """An HTTP client addressing the test tenant's sub-domain."""
    return HttpClient(HTTP_HOST=TEST_DOMAIN)


@pytest.fixture
def operator_client(db) -> HttpClient:
    return HttpClient(HTTP_HOST=OPERATOR_DOMAIN)


def login(client: HttpClient, user, *, tenant=None) -> HttpClient:
    """force_login, storing the session in the schema the client will be routed to."""
    if tenant is None:
        with schema_context(get_public_schema_name()):
            client.force_login(user)
    else:
        with schema_context(tenant.schema_name):
            client.force_login(user)
    return client


@pytest.fixture
def operator(db):
    from erp.accounts.models import User

    with schema_context(get_public_schema_name()):
        return User.objects.get(email="operator@example.com")


@pytest.fixture
def operator_logged_in(operator_client, operator) -> HttpClient:
    return login(operator_client, operator)


@pytest.fixture
def admin_user(db, tenant):
    from erp.accounts.models import User

    return User.objects.get(email=ADMIN_EMAIL)


@pytest.fixture
def root_organization(db, tenant):
    from erp.core.models import Organization

    return Organization.objects.get(code="HQ")


_user_counter = itertools.count(1)


@pytest.fixture
def user_with_role(db, tenant, root_organization):
    """Factory: ``user_with_role("Sales", organizations=[...])`` → a user of the test tenant."""
    from erp.accounts.services import user_create

    def make(*roles: str, organizations=None, email: str | None = None, password: str = PASSWORD):
        number = next(_user_counter)
        return user_create(
            email=email or f"user{number}@testco.example.com",
            first_name=f"User{number}",
            password=password,
            roles=[Group.objects.get(name=role) for role in roles],
            organizations=[root_organization] if organizations is None else organizations,
        )

    return make


@pytest.fixture
def client_for(tenant_client, tenant):
    """Factory: an HTTP client of the test tenant logged in as ``user``."""

    def make(user) -> HttpClient:
        client = HttpClient(HTTP_HOST=TEST_DOMAIN)
        return login(client, user, tenant=tenant)

    return make


@pytest.fixture
def admin_client(client_for, admin_user) -> HttpClient:
    return client_for(admin_user)


OTHER_SCHEMA = "otherco"
OTHER_DOMAIN = "otherco.localhost"
OTHER_ADMIN_EMAIL = "admin@otherco.example.com"


@pytest.fixture(scope="session")
def other_tenant(django_db_setup, django_db_blocker):
    """A second tenant (committed once per session, never changed) for isolation tests."""
    from erp.tenancy.models import Client

    with django_db_blocker.unblock():
        with schema_context(get_public_schema_name()):
            existing = Client.objects.filter(schema_name=OTHER_SCHEMA).first()  # pytest --reuse-db
        if existing is not None:
            return existing
        return create_tenant(
            subdomain=OTHER_SCHEMA, name="Other Company", admin_email=OTHER_ADMIN_EMAIL, currency="USD", country="US"
        )


@pytest.fixture
def other_admin(db, other_tenant):
    """The administrator of ``other_tenant`` (read inside its schema)."""
    from erp.accounts.models import User

    with schema_context(other_tenant.schema_name):
        return User.objects.get(email=OTHER_ADMIN_EMAIL)


@pytest.fixture
def other_admin_client(other_tenant, other_admin) -> HttpClient:
    """A client of ``other_tenant``'s sub-domain, logged in as its administrator."""
    return login(HttpClient(HTTP_HOST=OTHER_DOMAIN), other_admin, tenant=other_tenant)


@pytest.fixture
def committed_tenant(django_db_setup, django_db_blocker):
    """A tenant of the test's own with committed data; dropped afterwards."""
    from erp.tenancy import services

    number = next(_committed_counter)
    subdomain = f"committed{os.getpid()}x{number}"
    with django_db_blocker.unblock():
        client = create_tenant(subdomain=subdomain, name=f"Committed {number}")
    try:
        with django_db_blocker.unblock():
            yield client
    finally:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            services.tenant_delete(client=client)


@pytest.fixture
def no_seeded_rules(db):
    """The tenant without the rules migrations seed (the sales credit-limit check), for tests
    that count or look up rules by their own names."""
    from erp.workflow.models import BusinessRule

    BusinessRule.all_objects.all().delete()

"""Query counts do not grow with the data: list pages at most 15 queries, detail pages at most 25.

Each page is measured with 30+ rows of what it shows (users, organizations, events,
notifications, tenants), so an N+1 shows up as a blown budget."""

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client as HttpClient
from django.urls import reverse
from django_tenants.utils import get_public_schema_name, schema_context
from guardian.models import UserObjectPermission

from erp.accounts.models import User
from erp.core.models import BusinessEvent, Organization
from tests.conftest import OPERATOR_DOMAIN, PASSWORD, login
from tests.factories.accounts import UserFactory
from tests.factories.core import BusinessEventFactory, NotificationFactory, OrganizationFactory
from tests.factories.tenancy import ClientFactory

LIST_BUDGET = 15
DETAIL_BUDGET = 25
ROWS = 35


@pytest.fixture
def many_organizations(root_organization, admin_user):
    """A three-level tree of 35 organizations, each with an event (bulk-created: the pages are measured)."""
    regions = OrganizationFactory.create_batch(5, parent=root_organization, created_by=admin_user)
    leaves = Organization.objects.bulk_create(
        OrganizationFactory.build(parent=regions[n % 5], created_by=admin_user, updated_by=admin_user)
        for n in range(ROWS - 5)
    )
    BusinessEvent.objects.bulk_create(
        BusinessEventFactory.build(
            verb="core.organization.updated", aggregate_id=str(o.pk), organization=o, actor=admin_user
        )
        for o in [root_organization, *regions, *leaves]
    )
    return regions, leaves


@pytest.fixture
def many_users(root_organization, many_organizations):
    """35 users with two roles each, granted HQ and a region."""
    regions, _leaves = many_organizations
    roles = list(Group.objects.order_by("name"))
    users = User.objects.bulk_create(UserFactory.build(password=make_password(PASSWORD)) for _n in range(ROWS))
    User.groups.through.objects.bulk_create(
        User.groups.through(user=user, group=roles[(n + k) % len(roles)])
        for n, user in enumerate(users)
        for k in (0, 1)
    )
    access = Permission.objects.get(codename="access_organization")
    content_type = ContentType.objects.get_for_model(Organization)
    UserObjectPermission.objects.bulk_create(
        UserObjectPermission(user=user, permission=access, content_type=content_type, object_pk=str(organization.pk))
        for n, user in enumerate(users)
        for organization in (root_organization, regions[n % 5])
    )
    return users


@pytest.fixture
def many_events(root_organization, many_users):
    BusinessEvent.objects.bulk_create(
        BusinessEventFactory.build(organization=root_organization, actor=many_users[n % 5]) for n in range(ROWS)
    )


class TestTenantListPages:
    @pytest.mark.parametrize(
        ("url_name", "params"),
        [
            ("core:organization-list", {}),
            ("core:organization-list", {"q": "organization", "sort": "parent"}),
            ("accounts:user-list", {}),
            ("accounts:user-list", {"q": "example", "sort": "-last_login"}),
            ("accounts:role-list", {}),
            ("core:event-list", {}),
            ("core:event-list", {"sort": "actor"}),
        ],
    )
    def test_stays_within_the_list_budget(
        self, admin_client, many_events, url_name, params, django_assert_max_num_queries
    ):
        admin_client.get(reverse(url_name))  # warm the per-process caches (content types, permissions)

        with django_assert_max_num_queries(LIST_BUDGET):
            response = admin_client.get(reverse(url_name), params)

        assert response.status_code == 200

    @pytest.mark.parametrize("url_name", ["core:organization-list", "accounts:user-list", "core:event-list"])
    def test_the_htmx_table_and_the_exports_stay_within_the_budget(
        self, admin_client, many_events, url_name, django_assert_max_num_queries
    ):
        admin_client.get(reverse(url_name))

        for params, headers in [({}, {"HTTP_HX_REQUEST": "true"}), ({"_export": "csv"}, {}), ({"_export": "xlsx"}, {})]:
            with django_assert_max_num_queries(LIST_BUDGET):
                response = admin_client.get(reverse(url_name), params, **headers)
            assert response.status_code == 200

    def test_a_restricted_users_organization_list_stays_within_the_budget(
        self, client_for, user_with_role, many_organizations, django_assert_max_num_queries
    ):
        regions, _leaves = many_organizations
        client = client_for(user_with_role("Sales", organizations=regions[:3]))
        client.get(reverse("core:organization-list"))

        with django_assert_max_num_queries(LIST_BUDGET):
            response = client.get(reverse("core:organization-list"))

        assert len(response.context["table"].rows) > 10

    @pytest.mark.parametrize("url_name", ["core:dashboard", "core:notification-list"])
    def test_the_self_service_pages_stay_within_the_list_budget(
        self, admin_client, admin_user, many_events, url_name, django_assert_max_num_queries
    ):
        NotificationFactory.create_batch(ROWS, recipient=admin_user)
        admin_client.get(reverse(url_name))

        with django_assert_max_num_queries(LIST_BUDGET):
            response = admin_client.get(reverse(url_name))

        assert response.status_code == 200

    def test_the_search_costs_one_query_per_kind_of_record(
        self, admin_client, admin_user, many_events, django_assert_max_num_queries
    ):
        from erp.core import search

        NotificationFactory.create_batch(ROWS, recipient=admin_user)
        admin_client.get(reverse("core:search"), {"q": "example"})

        with django_assert_max_num_queries(LIST_BUDGET + len(search._PROVIDERS)):
            response = admin_client.get(reverse("core:search"), {"q": "example"})

        assert response.status_code == 200 and response.context["groups"]


class TestTenantDetailPages:
    def test_organization_detail(self, admin_client, root_organization, many_users, django_assert_max_num_queries):
        url = reverse("core:organization-detail", args=[root_organization.pk])
        admin_client.get(url)

        with django_assert_max_num_queries(DETAIL_BUDGET):
            response = admin_client.get(url)

        assert len(response.context["users"]) > ROWS

    def test_user_detail(self, admin_client, many_users, django_assert_max_num_queries):
        url = reverse("accounts:user-detail", args=[many_users[0].pk])
        admin_client.get(url)

        with django_assert_max_num_queries(DETAIL_BUDGET):
            response = admin_client.get(url)

        assert response.status_code == 200

    def test_role_detail(self, admin_client, many_users, django_assert_max_num_queries):
        url = reverse("accounts:role-detail", args=[Group.objects.get(name="Sales").pk])
        admin_client.get(url)

        with django_assert_max_num_queries(DETAIL_BUDGET):
            response = admin_client.get(url)

        assert len(response.context["members"]) >= 5

    @pytest.mark.parametrize(
        "url_name", ["core:organization-update", "accounts:user-update", "accounts:profile", "core:organization-create"]
    )
    def test_forms(self, admin_client, root_organization, many_users, url_name, django_assert_max_num_queries):
        args = {
            "core:organization-update": [root_organization.pk],
            "accounts:user-update": [many_users[0].pk],
        }.get(url_name, [])
        admin_client.get(reverse(url_name, args=args))

        with django_assert_max_num_queries(DETAIL_BUDGET):
            response = admin_client.get(reverse(url_name, args=args))

        assert response.status_code == 200


class TestOperatorPages:
    @pytest.fixture
    def operator_site(self, operator):
        return login(HttpClient(HTTP_HOST=OPERATOR_DOMAIN), operator)

    @pytest.fixture
    def many_tenants(self, db):
        with schema_context(get_public_schema_name()):
            ClientFactory.create_batch(ROWS)

    def test_tenant_list(self, operator_site, many_tenants, django_assert_max_num_queries):
        operator_site.get("/tenants/")

        with django_assert_max_num_queries(LIST_BUDGET):
            response = operator_site.get("/tenants/", {"q": "company"})

        assert len(response.context["table"].rows) > 25

    def test_tenant_detail(self, operator_site, tenant, many_users, django_assert_max_num_queries):
        url = f"/tenants/{tenant.pk}/"
        operator_site.get(url)

        with django_assert_max_num_queries(DETAIL_BUDGET):
            response = operator_site.get(url)

        assert len(response.context["users"]) > ROWS

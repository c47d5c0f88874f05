"""A company never loses its last administrator, and nobody demotes themselves."""

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory, override_settings

from erp.accounts import services, throttle
from erp.core.exceptions import DomainError


@pytest.fixture
def administrator_role(db):
    return Group.objects.get(name="Administrator")


class TestKeepingAnAdministrator:
    def test_refuses_to_remove_the_administrator_role_from_yourself(self, admin_user, root_organization):
        with pytest.raises(DomainError, match="from yourself"):
            services.user_update(
                user=admin_user,
                first_name="Ada",
                last_name="",
                email=admin_user.email,
                roles=[],
                organizations=[root_organization],
                is_active=True,
                by=admin_user,
            )

    def test_refuses_to_demote_the_last_other_administrator(self, user_with_role, root_organization, admin_user):
        manager = user_with_role("Manager", "Administrator")
        services.user_set_active(user=admin_user, is_active=False, by=manager)

        with pytest.raises(DomainError, match="at least one active administrator"):
            services.user_update(
                user=manager,
                first_name="M",
                last_name="",
                email=manager.email,
                roles=[],
                organizations=[root_organization],
                is_active=True,
                by=admin_user,
            )

    def test_refuses_to_deactivate_the_last_active_administrator(self, user_with_role, admin_user):
        clerk = user_with_role("Sales")

        with pytest.raises(DomainError, match="at least one active administrator"):
            services.user_set_active(user=admin_user, is_active=False, by=clerk)

    def test_allows_demoting_an_administrator_while_another_remains(
        self, user_with_role, root_organization, admin_user, administrator_role
    ):
        second = user_with_role("Administrator")

        services.user_update(
            user=second,
            first_name="S",
            last_name="",
            email=second.email,
            roles=[],
            organizations=[root_organization],
            is_active=True,
            by=admin_user,
        )

        assert not second.groups.filter(pk=administrator_role.pk).exists()


class TestClientAddress:
    def test_uses_the_connection_address_by_default(self):
        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")

        assert throttle.client_address(request) == "10.0.0.5"

    @override_settings(ERP_BEHIND_PROXY=True)
    def test_behind_a_proxy_uses_the_entry_the_proxy_appended(self):
        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")

        assert throttle.client_address(request) == "203.0.113.9"

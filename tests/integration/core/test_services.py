"""Optimistic locking, soft delete and the organization tree services."""

import pytest
from django.db import transaction

from erp.core import services
from erp.core.exceptions import ConcurrentModification, DomainError
from erp.core.models import BusinessEvent, Organization
from tests.factories.core import OrganizationFactory


class TestVersionedUpdate:
    def test_saves_and_bumps_the_version(self, root_organization, admin_user):
        with transaction.atomic():
            saved = services.versioned_update(
                instance=root_organization, expected_version=1, by=admin_user, fields={"name": "Renamed"}
            )

        stored = Organization.objects.get(pk=root_organization.pk)
        assert (stored.name, stored.version, stored.updated_by) == ("Renamed", 2, admin_user)
        assert saved.history.first().history_user == admin_user

    def test_raises_on_a_stale_version_and_changes_nothing(self, root_organization, admin_user):
        Organization.objects.filter(pk=root_organization.pk).update(version=2, name="Changed by someone")

        with pytest.raises(ConcurrentModification), transaction.atomic():
            services.versioned_update(
                instance=root_organization, expected_version=1, by=admin_user, fields={"name": "Mine"}
            )

        stored = Organization.objects.get(pk=root_organization.pk)
        assert (stored.name, stored.version) == ("Changed by someone", 2)

    def test_insists_on_running_inside_a_transaction(self, root_organization, admin_user):
        from unittest import mock

        with mock.patch("erp.core.services.transaction.get_connection") as get_connection:
            get_connection.return_value.in_atomic_block = False
            with pytest.raises(RuntimeError):
                services.versioned_update(instance=root_organization, expected_version=1, by=admin_user, fields={})


class TestSoftDelete:
    def test_hides_the_row_from_the_default_manager_and_keeps_it(self, admin_user):
        organization = OrganizationFactory(code="GONE", name="Gone")

        services.soft_delete(instance=organization, by=admin_user, reason="  merged into HQ ")

        assert not Organization.objects.filter(pk=organization.pk).exists()
        stored = Organization.all_objects.get(pk=organization.pk)
        assert stored.deleted_at is not None
        assert (stored.deleted_by, stored.deletion_reason, stored.is_active) == (admin_user, "merged into HQ", False)
        event = BusinessEvent.objects.get(verb="core.organization.deleted", aggregate_id=str(organization.pk))
        assert event.data == {"reason": "merged into HQ"}

    def test_requires_a_reason(self, admin_user):
        organization = OrganizationFactory(code="KEEP", name="Keep")

        with pytest.raises(DomainError) as refused:
            services.soft_delete(instance=organization, by=admin_user, reason="   ")

        assert refused.value.field == "reason"
        assert Organization.objects.filter(pk=organization.pk).exists()

    def test_frees_the_code_for_a_new_organization(self, admin_user):
        old = OrganizationFactory(code="REUSE", name="Old")
        services.soft_delete(instance=old, by=admin_user, reason="closed")

        new = services.organization_create(code="reuse", name="New", parent=None, by=admin_user)

        assert new.code == "REUSE"

    def test_records_the_reason_in_the_history(self, admin_user):
        organization = OrganizationFactory(code="HIST", name="History")

        services.soft_delete(instance=organization, by=admin_user, reason="duplicate")

        assert organization.history.first().history_change_reason == "duplicate"


class TestOrganizationServices:
    def test_create_normalises_the_code_and_records_an_event(self, admin_user, root_organization):
        created = services.organization_create(code=" north ", name=" North ", parent=root_organization, by=admin_user)

        assert (created.code, created.name, created.parent) == ("NORTH", "North", root_organization)
        assert BusinessEvent.objects.filter(verb="core.organization.created", aggregate_id=str(created.pk)).exists()

    def test_create_refuses_a_deactivated_parent(self, admin_user):
        parent = OrganizationFactory(code="OFF", name="Off", is_active=False)

        with pytest.raises(DomainError) as refused:
            services.organization_create(code="CHILD", name="Child", parent=parent, by=admin_user)

        assert refused.value.field == "parent"

    def test_update_refuses_to_make_an_organization_its_own_parent(self, admin_user, root_organization):
        with pytest.raises(DomainError) as refused:
            services.organization_update(
                organization=root_organization,
                code="HQ",
                name="HQ",
                parent=root_organization,
                expected_version=root_organization.version,
                by=admin_user,
            )

        assert refused.value.field == "parent"

    def test_update_refuses_a_cycle_through_a_grandchild(self, admin_user, root_organization):
        child = OrganizationFactory(code="C", name="Child", parent=root_organization)
        grandchild = OrganizationFactory(code="G", name="Grandchild", parent=child)

        with pytest.raises(DomainError, match="below itself"):
            services.organization_update(
                organization=root_organization,
                code="HQ",
                name="HQ",
                parent=grandchild,
                expected_version=root_organization.version,
                by=admin_user,
            )

    def test_set_active_refuses_while_active_children_exist(self, admin_user, root_organization):
        OrganizationFactory(code="C", name="Child", parent=root_organization)

        with pytest.raises(DomainError, match="sub-organizations"):
            services.organization_set_active(organization=root_organization, is_active=False, by=admin_user)

    def test_set_active_deactivates_once_the_children_are_inactive(self, admin_user, root_organization):
        OrganizationFactory(code="C", name="Child", parent=root_organization, is_active=False)

        services.organization_set_active(organization=root_organization, is_active=False, by=admin_user)

        assert Organization.objects.get(pk=root_organization.pk).is_active is False

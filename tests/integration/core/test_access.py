"""Which organizations a user may work in (erp.core.access)."""

from django.contrib.auth.models import Permission

from erp.core.access import forget, organization_ids_for
from erp.core.models import Organization
from tests.factories.core import OrganizationFactory


def _tree(root):
    north = OrganizationFactory(code="N", name="North", parent=root)
    north_shop = OrganizationFactory(code="N-SHOP", name="North Shop", parent=north)
    north_depot = OrganizationFactory(code="N-DEPOT", name="North Depot", parent=north_shop)
    south = OrganizationFactory(code="S", name="South", parent=root)
    return north, north_shop, north_depot, south


class TestOrganizationAccess:
    def test_a_grant_includes_every_descendant(self, user_with_role, root_organization):
        north, shop, depot, _south = _tree(root_organization)
        user = user_with_role("Sales", organizations=[north])

        assert organization_ids_for(user) == {north.pk, shop.pk, depot.pk}

    def test_grants_on_two_branches_add_up(self, user_with_role, root_organization):
        _north, shop, depot, south = _tree(root_organization)
        user = user_with_role("Sales", organizations=[shop, south])

        assert organization_ids_for(user) == {shop.pk, depot.pk, south.pk}

    def test_a_grant_to_one_of_the_users_groups_counts_too(self, user_with_role, root_organization):
        from django.contrib.auth.models import Group
        from guardian.shortcuts import assign_perm

        north, shop, depot, _south = _tree(root_organization)
        team = Group.objects.create(name="North team")
        assign_perm("core.access_organization", team, north)
        user = user_with_role("Sales", organizations=[])
        user.groups.add(team)

        assert organization_ids_for(user) == {north.pk, shop.pk, depot.pk}

    def test_a_grant_to_another_user_does_not_count(self, user_with_role, root_organization):
        north, *_rest = _tree(root_organization)
        user_with_role("Sales", organizations=[north])
        user = user_with_role("Sales", organizations=[])

        assert organization_ids_for(user) == frozenset()

    def test_a_role_with_every_organization_sees_all(self, user_with_role, root_organization):
        _tree(root_organization)
        user = user_with_role("Manager", organizations=[])

        assert organization_ids_for(user) == set(Organization.objects.values_list("pk", flat=True))

    def test_a_global_access_organization_permission_is_not_a_grant_of_everything(
        self, user_with_role, root_organization
    ):
        north, *_rest = _tree(root_organization)
        user = user_with_role("Sales", organizations=[north])
        user.user_permissions.add(Permission.objects.get(codename="access_organization"))

        assert root_organization.pk not in organization_ids_for(type(user).objects.get(pk=user.pk))

    def test_an_inactive_user_sees_nothing(self, user_with_role):
        user = user_with_role("Manager")
        user.is_active = False

        assert organization_ids_for(user) == frozenset()

    def test_soft_deleted_organizations_are_not_visible(self, user_with_role, root_organization, admin_user):
        from erp.core.services import soft_delete

        north, shop, depot, _south = _tree(root_organization)
        soft_delete(instance=depot, by=admin_user, reason="closed")
        user = user_with_role("Sales", organizations=[north])

        assert organization_ids_for(user) == {north.pk, shop.pk}

    def test_the_answer_is_cached_until_forgotten(self, user_with_role, root_organization, admin_user):
        user = user_with_role("Sales", organizations=[root_organization])
        before = organization_ids_for(user)
        new = OrganizationFactory(code="NEW", name="New", parent=root_organization)

        cached = organization_ids_for(user)
        forget(user)

        assert cached == before
        assert new.pk in organization_ids_for(user)

    def test_for_user_scopes_a_queryset(self, user_with_role, root_organization):
        *_others, south = _tree(root_organization)
        user = user_with_role("Sales", organizations=[south])

        assert list(Organization.objects.for_user(user)) == [south]

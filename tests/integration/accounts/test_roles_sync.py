"""Seeding the default roles: idempotent, and respectful of an administrator's edits."""

from django.contrib.auth.models import Group, Permission

from erp.accounts import roles
from erp.accounts.models import SeededRolePermission
from erp.accounts.services import roles_sync


def _keys(group: Group) -> set[str]:
    return {
        f"{app}.{codename}" for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


class TestRolesSync:
    def test_every_default_role_exists(self, db):
        assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLE_PERMISSIONS)

    def test_gives_each_role_what_its_spec_says(self, db):
        sales = _keys(Group.objects.get(name=roles.SALES))
        manager = _keys(Group.objects.get(name=roles.MANAGER))

        assert "core.view_organization" in sales
        assert "core.add_organization" not in sales
        assert "accounts.view_user" not in sales
        assert {"core.access_all_organizations", "accounts.view_user"} <= manager
        assert "accounts.add_user" not in manager

    def test_the_administrator_gets_every_grantable_permission_and_no_operator_one(self, db):
        administrator = _keys(Group.objects.get(name=roles.ADMINISTRATOR))

        assert {"accounts.add_user", "auth.change_group", "core.access_all_organizations"} <= administrator
        assert not any(key.startswith(("tenancy.", "sessions.", "contenttypes.")) for key in administrator)

    def test_running_again_changes_nothing(self, db):
        before = {group.name: _keys(group) for group in Group.objects.all()}
        seeded = SeededRolePermission.objects.count()

        roles_sync()
        roles_sync()

        assert {group.name: _keys(group) for group in Group.objects.all()} == before
        assert SeededRolePermission.objects.count() == seeded

    def test_does_not_give_back_a_permission_an_administrator_removed(self, db):
        sales = Group.objects.get(name=roles.SALES)
        view = Permission.objects.get(content_type__app_label="core", codename="view_organization")
        sales.permissions.remove(view)

        roles_sync()

        assert "core.view_organization" not in _keys(sales)

    def test_recreates_a_deleted_default_role_without_its_old_permissions(self, db):
        Group.objects.filter(name=roles.HR).delete()

        roles_sync()

        assert Group.objects.filter(name=roles.HR).exists()

    def test_grants_a_new_modules_permission_once(self, db):
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get(app_label="core", model="organization")
        new = Permission.objects.create(codename="view_organization_report", name="x", content_type=content_type)

        roles_sync()
        Group.objects.get(name=roles.SALES).permissions.remove(new)
        roles_sync()

        assert new in Group.objects.get(name=roles.MANAGER).permissions.all()
        assert new not in Group.objects.get(name=roles.SALES).permissions.all()
        assert SeededRolePermission.objects.filter(
            role=roles.MANAGER, permission="core.view_organization_report"
        ).exists()

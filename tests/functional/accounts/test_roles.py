from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from erp.core.models import BusinessEvent


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _checked_ids(matrix: list[dict]) -> set[int]:
    cells = [cell for row in matrix for cell in row["cells"] if cell] + [o for row in matrix for o in row["other"]]
    return {cell["id"] for cell in cells if cell["checked"]}


class TestRoleList:
    def test_lists_the_seeded_roles_with_counts(self, admin_client):
        response = admin_client.get(reverse("accounts:role-list"))

        assert response.status_code == 200
        rows = {row.record.name: row.record for row in response.context["table"].rows}
        assert set(rows) == {"Administrator", "Manager", "Accountant", "Sales", "Purchasing", "Warehouse", "HR"}
        assert rows["Administrator"].user_count == 1
        assert rows["Sales"].permission_count > 0

    def test_filters_by_name(self, admin_client):
        response = admin_client.get(reverse("accounts:role-list"), {"q": "sal"})

        assert [row.record.name for row in response.context["table"].rows] == ["Sales"]

    def test_refuses_a_sales_user(self, client_for, user_with_role):
        response = client_for(user_with_role("Sales")).get(reverse("accounts:role-list"))

        assert response.status_code == 403


class TestRoleMatrix:
    def test_shows_the_roles_permissions_checked(self, admin_client):
        sales = Group.objects.get(name="Sales")

        response = admin_client.get(reverse("accounts:role-detail", args=[sales.pk]))

        assert response.status_code == 200
        assert response.context["editable"] is True
        checked = _checked_ids(response.context["matrix"])
        assert _permission("core", "view_organization").pk in checked
        assert _permission("core", "add_organization").pk not in checked

    def test_lists_no_operator_or_plumbing_permissions(self, admin_client):
        sales = Group.objects.get(name="Sales")

        response = admin_client.get(reverse("accounts:role-detail", args=[sales.pk]))

        models = {str(row["model"]) for row in response.context["matrix"]}
        assert "organizations" in models
        assert not {"tenants", "sessions", "content types", "permissions"} & models
        assert not any(name.startswith("historical") for name in models)

    def test_saves_the_checked_permissions(self, admin_client):
        sales = Group.objects.get(name="Sales")
        view = _permission("core", "view_organization")
        add = _permission("core", "add_organization")

        response = admin_client.post(
            reverse("accounts:role-detail", args=[sales.pk]), {"permissions": [view.pk, add.pk]}
        )

        assert response.status_code == 302
        assert set(sales.permissions.filter(content_type__app_label="core", codename__endswith="_organization")) >= {
            view,
            add,
        }
        assert BusinessEvent.objects.filter(
            verb="accounts.role.permissions_changed", aggregate_id=str(sales.pk)
        ).exists()

    def test_saving_unchanged_keeps_permissions_the_matrix_does_not_show(self, admin_client):
        manager = Group.objects.get(name="Manager")
        before = set(manager.permissions.values_list("pk", flat=True))
        shown = admin_client.get(reverse("accounts:role-detail", args=[manager.pk])).context["matrix"]

        admin_client.post(
            reverse("accounts:role-detail", args=[manager.pk]), {"permissions": sorted(_checked_ids(shown))}
        )

        assert set(manager.permissions.values_list("pk", flat=True)) == before

    def test_cannot_grant_a_permission_the_matrix_does_not_offer(self, admin_client):
        sales = Group.objects.get(name="Sales")
        hidden = Permission.objects.get(codename="manage_tenants")

        admin_client.post(reverse("accounts:role-detail", args=[sales.pk]), {"permissions": [hidden.pk]})

        assert not sales.permissions.filter(pk=hidden.pk).exists()

    def test_shows_the_administrator_role_read_only(self, admin_client):
        administrator = Group.objects.get(name="Administrator")

        response = admin_client.get(reverse("accounts:role-detail", args=[administrator.pk]))

        assert response.context["editable"] is False
        content = response.content.decode()
        assert "The Administrator role always has every permission." in content
        assert "Save permissions" not in content
        assert " disabled" in content

    def test_refuses_to_change_the_administrator_role(self, admin_client):
        administrator = Group.objects.get(name="Administrator")
        before = administrator.permissions.count()

        response = admin_client.post(reverse("accounts:role-detail", args=[administrator.pk]), {"permissions": []})

        assert response.status_code == 302
        assert administrator.permissions.count() == before

    def test_shows_a_user_who_may_only_view_roles_the_matrix_without_letting_them_save(
        self, client_for, user_with_role
    ):
        sales = Group.objects.get(name="Sales")
        viewer = user_with_role("Manager")
        viewer.user_permissions.add(_permission("auth", "view_group"))
        client = client_for(viewer)
        before = sales.permissions.count()

        page = client.get(reverse("accounts:role-detail", args=[sales.pk]))
        client.post(reverse("accounts:role-detail", args=[sales.pk]), {"permissions": []})

        assert page.status_code == 200
        assert page.context["editable"] is False
        assert sales.permissions.count() == before

    def test_lists_the_roles_members(self, admin_client, user_with_role):
        member = user_with_role("Sales")

        response = admin_client.get(reverse("accounts:role-detail", args=[Group.objects.get(name="Sales").pk]))

        assert member in response.context["members"]


class TestRoleCreate:
    def test_creates_a_role_and_opens_its_matrix(self, admin_client):
        response = admin_client.post(reverse("accounts:role-create"), {"name": "Auditor"})

        auditor = Group.objects.get(name="Auditor")
        assert response["Location"] == reverse("accounts:role-detail", args=[auditor.pk])
        assert auditor.permissions.count() == 0

    def test_refuses_a_name_that_exists_in_any_case(self, admin_client):
        response = admin_client.post(reverse("accounts:role-create"), {"name": "sales"})

        assert response.status_code == 200
        assert response.context["form"].errors["name"] == ["A role with this name already exists."]
        assert Group.objects.filter(name__iexact="sales").count() == 1

    def test_refuses_a_manager(self, client_for, user_with_role):
        response = client_for(user_with_role("Manager")).post(reverse("accounts:role-create"), {"name": "Auditor"})

        assert response.status_code == 403
        assert not Group.objects.filter(name="Auditor").exists()

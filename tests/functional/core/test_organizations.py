import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from erp.core.middleware import SESSION_ORGANIZATION_KEY
from erp.core.models import BusinessEvent, Organization
from tests.factories.core import OrganizationFactory


def _org_form(organization: Organization | None = None, **changes) -> dict:
    data = {"code": "", "name": "", "parent": "", "version": ""}
    if organization is not None:
        data.update(
            code=organization.code,
            name=organization.name,
            parent=organization.parent_id or "",
            version=organization.version,
        )
    data.update(changes)
    return data


class TestOrganizationList:
    def test_shows_the_tree_and_the_table(self, admin_client, root_organization):
        OrganizationFactory(code="SALES", name="Sales Department", parent=root_organization)

        response = admin_client.get(reverse("core:organization-list"))

        assert response.status_code == 200
        tree = response.context["tree"]
        assert [item["node"].code for item in tree] == ["HQ"]
        assert [item["node"].code for item in tree[0]["children"]] == ["SALES"]
        assert 'id="organization-tree"' in response.content.decode()

    def test_shows_a_user_only_their_subtree(self, client_for, user_with_role, root_organization):
        branch = OrganizationFactory(code="BR", name="Branch", parent=root_organization)
        OrganizationFactory(code="BR-WH", name="Branch Warehouse", parent=branch)
        user = user_with_role("Sales", organizations=[branch])

        response = client_for(user).get(reverse("core:organization-list"))

        codes = [row.record.code for row in response.context["table"].rows]
        assert sorted(codes) == ["BR", "BR-WH"]
        assert response.context["create_url"] is None

    def test_filters_by_text_and_status(self, admin_client, root_organization):
        OrganizationFactory(code="NORTH", name="Branch North", parent=root_organization)
        OrganizationFactory(code="SOUTH", name="Branch South", parent=root_organization, is_active=False)

        response = admin_client.get(reverse("core:organization-list"), {"q": "branch", "is_active": "false"})

        codes = [row.record.code for row in response.context["table"].rows]
        assert codes == ["SOUTH"]
        assert response.context["tree"] is None

    def test_returns_only_the_table_partial_to_htmx(self, admin_client):
        response = admin_client.get(reverse("core:organization-list"), {"q": "HQ"}, HTTP_HX_REQUEST="true")

        content = response.content.decode()
        assert content.lstrip().startswith('<div id="list-table"')
        assert "<html" not in content
        assert "organization-tree" not in content

    def test_returns_the_full_page_to_a_boosted_htmx_navigation(self, admin_client):
        response = admin_client.get(reverse("core:organization-list"), HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true")

        assert "<html" in response.content.decode()

    def test_exports_the_filtered_list_as_csv(self, admin_client, root_organization):
        OrganizationFactory(code="NORTH", name="Branch North", parent=root_organization)
        OrganizationFactory(code="SOUTH", name="Branch South", parent=root_organization)

        response = admin_client.get(reverse("core:organization-list"), {"q": "north", "_export": "csv"})

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["Code", "Name", "Parent", "Active", "Updated"]
        assert [row[:4] for row in rows[1:]] == [["NORTH", "Branch North", "Test Company", "True"]]

    def test_exports_the_list_as_excel(self, admin_client, root_organization):
        OrganizationFactory(code="NORTH", name="Branch North", parent=root_organization)

        response = admin_client.get(reverse("core:organization-list"), {"_export": "xlsx"})

        assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        assert rows[0][:3] == ["Code", "Name", "Parent"]
        assert sorted(row[0] for row in rows[1:]) == ["HQ", "NORTH"]

    def test_exports_only_organizations_the_user_may_see(self, client_for, user_with_role, root_organization):
        branch = OrganizationFactory(code="BR", name="Branch", parent=root_organization)
        user = user_with_role("Sales", organizations=[branch])

        response = client_for(user).get(reverse("core:organization-list"), {"_export": "csv"})

        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert [row[0] for row in rows[1:]] == ["BR"]


class TestOrganizationDetail:
    def test_shows_parent_children_users_and_timeline(self, admin_client, admin_user, root_organization):
        child = OrganizationFactory(code="CH", name="Child Unit", parent=root_organization)

        response = admin_client.get(reverse("core:organization-detail", args=[root_organization.pk]))

        assert response.status_code == 200
        assert list(response.context["children"]) == [child]
        assert admin_user in response.context["users"]
        content = response.content.decode()
        assert "Child Unit" in content
        assert "core.organization.created" in content

    def test_hides_an_organization_outside_the_users_access(self, client_for, user_with_role, root_organization):
        branch = OrganizationFactory(code="BR", name="Branch", parent=root_organization)
        user = user_with_role("Sales", organizations=[branch])

        response = client_for(user).get(reverse("core:organization-detail", args=[root_organization.pk]))

        assert response.status_code == 404

    def test_offers_no_edit_buttons_to_a_read_only_role(self, client_for, user_with_role, root_organization):
        response = client_for(user_with_role("Sales")).get(
            reverse("core:organization-detail", args=[root_organization.pk])
        )

        assert response.status_code == 200
        assert reverse("core:organization-update", args=[root_organization.pk]) not in response.content.decode()


class TestOrganizationCreate:
    def test_creates_a_sub_organization_and_records_the_event(self, admin_client, root_organization):
        response = admin_client.post(
            reverse("core:organization-create"), _org_form(code="sales", name="Sales", parent=root_organization.pk)
        )

        created = Organization.objects.get(code="SALES")
        assert response.status_code == 302
        assert response["Location"] == created.get_absolute_url()
        assert created.parent == root_organization
        assert BusinessEvent.objects.filter(verb="core.organization.created", aggregate_id=str(created.pk)).exists()

    def test_preselects_the_parent_from_the_query_string(self, admin_client, root_organization):
        response = admin_client.get(reverse("core:organization-create"), {"parent": root_organization.pk})

        assert response.context["form"].initial["parent"] == str(root_organization.pk)

    def test_refuses_a_duplicate_code_next_to_the_field(self, admin_client):
        response = admin_client.post(reverse("core:organization-create"), _org_form(code="hq", name="Second HQ"))

        assert response.status_code == 200
        assert response.context["form"].errors["code"] == ["An organization with the code HQ already exists."]
        assert Organization.objects.filter(code="HQ").count() == 1

    def test_refuses_a_parent_outside_the_users_access(self, client_for, user_with_role, root_organization):
        from django.contrib.auth.models import Permission

        branch = OrganizationFactory(code="BR", name="Branch", parent=root_organization)
        elsewhere = OrganizationFactory(code="ELSE", name="Elsewhere")
        user = user_with_role("Sales", organizations=[branch])
        user.user_permissions.add(Permission.objects.get(codename="add_organization"))

        response = client_for(user).post(
            reverse("core:organization-create"), _org_form(code="NEW", name="New", parent=elsewhere.pk)
        )

        assert response.status_code == 200
        assert "parent" in response.context["form"].errors
        assert not Organization.objects.filter(code="NEW").exists()

    def test_returns_the_form_partial_to_an_invalid_htmx_post(self, admin_client):
        response = admin_client.post(reverse("core:organization-create"), _org_form(), HTTP_HX_REQUEST="true")

        content = response.content.decode()
        assert response.status_code == 200
        assert content.lstrip().startswith("<form")
        assert "<html" not in content
        assert "This field is required." in content

    def test_answers_a_valid_htmx_post_with_hx_redirect(self, admin_client):
        response = admin_client.post(
            reverse("core:organization-create"), _org_form(code="NEW", name="New"), HTTP_HX_REQUEST="true"
        )

        assert response.status_code == 200
        assert response["HX-Redirect"] == Organization.objects.get(code="NEW").get_absolute_url()

    def test_refuses_a_role_without_the_permission(self, client_for, user_with_role):
        response = client_for(user_with_role("Sales")).post(
            reverse("core:organization-create"), _org_form(code="NEW", name="New")
        )

        assert response.status_code == 403
        assert not Organization.objects.filter(code="NEW").exists()


class TestOrganizationUpdate:
    def test_renames_and_moves_an_organization(self, admin_client, root_organization):
        north = OrganizationFactory(code="NORTH", name="North", parent=root_organization)
        shop = OrganizationFactory(code="SHOP", name="Shop", parent=root_organization)

        response = admin_client.post(
            reverse("core:organization-update", args=[shop.pk]),
            _org_form(shop, code="SHOP-N", name="Shop North", parent=north.pk),
        )

        assert response.status_code == 302
        shop.refresh_from_db()
        assert (shop.code, shop.name, shop.parent, shop.version) == ("SHOP-N", "Shop North", north, 2)
        assert BusinessEvent.objects.filter(verb="core.organization.moved", aggregate_id=str(shop.pk)).exists()

    def test_refuses_to_move_an_organization_below_its_own_child(self, admin_client, root_organization):
        parent = OrganizationFactory(code="P", name="Parent", parent=root_organization)
        child = OrganizationFactory(code="C", name="Child", parent=parent)

        response = admin_client.post(
            reverse("core:organization-update", args=[parent.pk]), _org_form(parent, parent=child.pk)
        )

        assert response.status_code == 200
        assert response.context["form"].errors["parent"] == [
            "An organization cannot be moved below itself or one of its children."
        ]
        parent.refresh_from_db()
        assert parent.parent == root_organization

    def test_refuses_a_code_another_organization_has(self, admin_client, root_organization):
        shop = OrganizationFactory(code="SHOP", name="Shop", parent=root_organization)

        response = admin_client.post(reverse("core:organization-update", args=[shop.pk]), _org_form(shop, code="hq"))

        assert response.context["form"].errors["code"] == ["An organization with the code HQ already exists."]
        shop.refresh_from_db()
        assert shop.code == "SHOP"

    def test_refuses_a_stale_form_with_a_clear_message(self, admin_client, root_organization):
        shop = OrganizationFactory(code="SHOP", name="Shop", parent=root_organization)
        stale = _org_form(shop, name="Mine")
        Organization.objects.filter(pk=shop.pk).update(version=2, name="Theirs")

        response = admin_client.post(reverse("core:organization-update", args=[shop.pk]), stale)

        assert response.status_code == 200
        assert "Someone else changed this record" in response.content.decode()
        shop.refresh_from_db()
        assert shop.name == "Theirs"

    def test_offers_neither_itself_nor_inactive_organizations_as_parent(self, admin_client, root_organization):
        shop = OrganizationFactory(code="SHOP", name="Shop", parent=root_organization)
        OrganizationFactory(code="OLD", name="Old", parent=root_organization, is_active=False)

        response = admin_client.get(reverse("core:organization-update", args=[shop.pk]))

        choices = set(response.context["form"].fields["parent"].queryset.values_list("code", flat=True))
        assert choices == {"HQ"}


class TestOrganizationSetActive:
    def test_deactivates_and_reactivates_a_leaf(self, admin_client, root_organization):
        shop = OrganizationFactory(code="SHOP", name="Shop", parent=root_organization)
        url = reverse("core:organization-set-active", args=[shop.pk])

        admin_client.post(url, {"is_active": "0"})
        shop.refresh_from_db()
        deactivated = shop.is_active
        admin_client.post(url, {"is_active": "1"})
        shop.refresh_from_db()

        assert deactivated is False
        assert shop.is_active is True
        verbs = set(BusinessEvent.objects.filter(aggregate_id=str(shop.pk)).values_list("verb", flat=True))
        assert {"core.organization.deactivated", "core.organization.reactivated"} <= verbs

    def test_refuses_to_deactivate_while_active_children_exist(self, admin_client, root_organization):
        OrganizationFactory(code="CH", name="Child", parent=root_organization)

        response = admin_client.post(
            reverse("core:organization-set-active", args=[root_organization.pk]), {"is_active": "0"}, follow=True
        )

        root_organization.refresh_from_db()
        assert root_organization.is_active is True
        assert "Deactivate its active sub-organizations first." in response.content.decode()

    def test_refuses_to_reactivate_below_a_deactivated_parent(self, admin_client, root_organization):
        parent = OrganizationFactory(code="P", name="Parent", parent=root_organization, is_active=False)
        child = OrganizationFactory(code="C", name="Child", parent=parent, is_active=False)

        response = admin_client.post(
            reverse("core:organization-set-active", args=[child.pk]), {"is_active": "1"}, follow=True
        )

        child.refresh_from_db()
        assert child.is_active is False
        assert "Reactivate the parent organization first." in response.content.decode()

    def test_refuses_get(self, admin_client, root_organization):
        response = admin_client.get(reverse("core:organization-set-active", args=[root_organization.pk]))

        assert response.status_code == 405


class TestOrganizationSwitch:
    def test_remembers_the_chosen_organization_in_the_session(self, admin_client, root_organization):
        branch = OrganizationFactory(code="BR", name="Branch", parent=root_organization)

        response = admin_client.post(
            reverse("core:organization-switch"), {"organization": branch.pk, "next": "/organizations/"}
        )

        assert response["Location"] == "/organizations/"
        assert admin_client.session[SESSION_ORGANIZATION_KEY] == branch.pk
        dashboard = admin_client.get(reverse("core:dashboard"))
        assert dashboard.context["current_organization"] == branch

    def test_refuses_an_organization_outside_the_users_access(self, client_for, user_with_role, root_organization):
        branch = OrganizationFactory(code="BR", name="Branch", parent=root_organization)
        elsewhere = OrganizationFactory(code="ELSE", name="Elsewhere")
        client = client_for(user_with_role("Sales", organizations=[branch]))

        response = client.post(reverse("core:organization-switch"), {"organization": elsewhere.pk}, follow=True)

        assert SESSION_ORGANIZATION_KEY not in client.session
        assert "You cannot work in that organization." in response.content.decode()

    def test_treats_garbage_as_a_refusal_not_an_error(self, admin_client):
        response = admin_client.post(reverse("core:organization-switch"), {"organization": "abc"})

        assert response.status_code == 302
        assert SESSION_ORGANIZATION_KEY not in admin_client.session

    def test_does_not_redirect_to_another_site(self, admin_client, root_organization):
        response = admin_client.post(
            reverse("core:organization-switch"),
            {"organization": root_organization.pk, "next": "https://evil.example.com/"},
        )

        assert response["Location"] == reverse("core:dashboard")

import csv
import io
import re

from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from erp.accounts.models import User
from erp.core.access import organization_ids_for
from erp.core.models import BusinessEvent
from tests.conftest import PASSWORD, TEST_DOMAIN
from tests.factories.accounts import UserFactory
from tests.factories.core import OrganizationFactory


def _role(name: str) -> Group:
    return Group.objects.get(name=name)


def _user_form(**values) -> dict:
    data = {"email": "", "first_name": "", "last_name": "", "roles": [], "organizations": []}
    data.update(values)
    return data


class TestUserList:
    def test_lists_users_with_their_roles(self, admin_client, user_with_role):
        user_with_role("Sales", "Warehouse", email="sam@testco.example.com")

        response = admin_client.get(reverse("accounts:user-list"))

        assert response.status_code == 200
        rows = {row.record.email: row for row in response.context["table"].rows}
        assert rows["sam@testco.example.com"].get_cell("roles") == "Sales, Warehouse"
        assert "admin@testco.example.com" in rows

    def test_filters_by_role_and_status(self, admin_client):
        UserFactory(email="active.sales@testco.example.com", roles=[_role("Sales")])
        UserFactory(email="gone.sales@testco.example.com", roles=[_role("Sales")], is_active=False)
        UserFactory(email="hr@testco.example.com", roles=[_role("HR")])

        response = admin_client.get(
            reverse("accounts:user-list"), {"role": _role("Sales").pk, "is_active": "true", "q": "testco"}
        )

        emails = [row.record.email for row in response.context["table"].rows]
        assert emails == ["active.sales@testco.example.com"]

    def test_exports_the_filtered_users_as_csv(self, admin_client):
        UserFactory(email="sam@testco.example.com", first_name="Sam", last_name="Seller", roles=[_role("Sales")])

        response = admin_client.get(reverse("accounts:user-list"), {"q": "sam@", "_export": "csv"})

        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["E-mail", "Name", "Roles", "Active", "Last sign-in"]
        assert rows[1][:4] == ["sam@testco.example.com", "Sam Seller", "Sales", "True"]
        assert len(rows) == 2

    def test_exports_the_users_as_excel(self, admin_client):
        response = admin_client.get(reverse("accounts:user-list"), {"_export": "xlsx"})

        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][0] == "E-mail"
        assert rows[1][:3] == ("admin@testco.example.com", "Ada", "Administrator")

    def test_returns_only_the_table_to_htmx(self, admin_client):
        response = admin_client.get(reverse("accounts:user-list"), {"q": "admin"}, HTTP_HX_REQUEST="true")

        content = response.content.decode()
        assert content.lstrip().startswith('<div id="list-table"')
        assert "<html" not in content

    def test_offers_no_create_button_to_a_manager(self, client_for, user_with_role):
        response = client_for(user_with_role("Manager")).get(reverse("accounts:user-list"))

        assert response.status_code == 200
        assert response.context["create_url"] is None

    def test_refuses_a_sales_user(self, client_for, user_with_role):
        response = client_for(user_with_role("Sales")).get(reverse("accounts:user-list"))

        assert response.status_code == 403


class TestUserCreate:
    def test_creates_a_user_with_a_password_role_and_organization(self, admin_client, tenant_client, root_organization):
        branch = OrganizationFactory(code="BR", name="Branch", parent=root_organization)

        response = admin_client.post(
            reverse("accounts:user-create"),
            _user_form(
                email="Sam@TestCo.example.com",
                first_name="Sam",
                roles=[_role("Sales").pk],
                organizations=[branch.pk],
                password="a-long-initial-password",
            ),
        )

        sam = User.objects.get(email="sam@testco.example.com")
        assert response["Location"] == reverse("accounts:user-detail", args=[sam.pk])
        assert list(sam.groups.values_list("name", flat=True)) == ["Sales"]
        assert organization_ids_for(sam) == {branch.pk}
        assert mail.outbox == []
        login = tenant_client.post(
            reverse("accounts:login"), {"username": "sam@testco.example.com", "password": "a-long-initial-password"}
        )
        assert login.status_code == 302

    def test_invites_a_user_by_email_to_choose_a_password(
        self, admin_client, tenant_client, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(reverse("accounts:user-create"), _user_form(email="new@testco.example.com"))

        invited = User.objects.get(email="new@testco.example.com")
        assert not invited.has_usable_password()
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["new@testco.example.com"]
        assert message.subject == "You have been invited to the ERP"
        link = re.search(rf"http://{re.escape(TEST_DOMAIN)}(/\S+)", message.body).group(1)
        set_url = tenant_client.get(link, follow=True).redirect_chain[-1][0]
        tenant_client.post(set_url, {"new_password1": "my-own-secret-99", "new_password2": "my-own-secret-99"})
        invited.refresh_from_db()
        assert invited.check_password("my-own-secret-99")

    def test_keeps_the_new_user_when_the_mail_server_fails(self, admin_client, django_capture_on_commit_callbacks):
        from smtplib import SMTPException
        from unittest import mock

        with (
            mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages", side_effect=SMTPException),
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = admin_client.post(reverse("accounts:user-create"), _user_form(email="new@testco.example.com"))

        assert response.status_code == 302
        assert User.objects.filter(email="new@testco.example.com").exists()

    def test_sends_no_invitation_when_a_password_is_given(self, admin_client, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            admin_client.post(
                reverse("accounts:user-create"),
                _user_form(email="direct@testco.example.com", password="a-long-initial-password"),
            )

        assert mail.outbox == []

    def test_refuses_an_email_that_exists_next_to_the_field(self, admin_client):
        response = admin_client.post(
            reverse("accounts:user-create"), _user_form(email="ADMIN@testco.example.com", password=PASSWORD)
        )

        assert response.status_code == 200
        assert response.context["form"].errors["email"] == ["A user with this e-mail address already exists."]

    def test_refuses_a_weak_password(self, admin_client):
        response = admin_client.post(
            reverse("accounts:user-create"), _user_form(email="weak@testco.example.com", password="12345")
        )

        assert "password" in response.context["form"].errors
        assert not User.objects.filter(email="weak@testco.example.com").exists()

    def test_returns_the_form_partial_to_an_invalid_htmx_post(self, admin_client):
        response = admin_client.post(
            reverse("accounts:user-create"), _user_form(email="not-an-email"), HTTP_HX_REQUEST="true"
        )

        assert response.status_code == 200
        content = response.content.decode()
        assert content.lstrip().startswith("<form")
        assert "Enter a valid email address." in content

    def test_answers_a_valid_htmx_post_with_hx_redirect(self, admin_client):
        response = admin_client.post(
            reverse("accounts:user-create"),
            _user_form(email="hx@testco.example.com", password="a-long-initial-password"),
            HTTP_HX_REQUEST="true",
        )

        created = User.objects.get(email="hx@testco.example.com")
        assert response["HX-Redirect"] == reverse("accounts:user-detail", args=[created.pk])

    def test_refuses_a_manager(self, client_for, user_with_role):
        response = client_for(user_with_role("Manager")).post(
            reverse("accounts:user-create"), _user_form(email="x@testco.example.com", password=PASSWORD)
        )

        assert response.status_code == 403
        assert not User.objects.filter(email="x@testco.example.com").exists()


class TestUserDetail:
    def test_shows_roles_organizations_and_timeline(self, admin_client, user_with_role, root_organization):
        user = user_with_role("Sales", organizations=[root_organization])

        response = admin_client.get(reverse("accounts:user-detail", args=[user.pk]))

        assert response.status_code == 200
        assert response.context["roles"] == ["Sales"]
        assert list(response.context["organizations"]) == [root_organization]
        assert response.context["events"][0].verb == "accounts.user.created"
        assert reverse("accounts:user-set-active", args=[user.pk]) in response.content.decode()

    def test_offers_no_deactivate_button_on_the_own_page(self, admin_client, admin_user):
        response = admin_client.get(reverse("accounts:user-detail", args=[admin_user.pk]))

        assert reverse("accounts:user-set-active", args=[admin_user.pk]) not in response.content.decode()

    def test_answers_404_for_an_unknown_user(self, admin_client):
        response = admin_client.get(reverse("accounts:user-detail", args=[987654]))

        assert response.status_code == 404
        assert 'id="error-404"' in response.content.decode()


class TestUserUpdate:
    def test_changes_roles_and_organizations(self, admin_client, user_with_role, root_organization):
        user = user_with_role("Sales", organizations=[root_organization])
        branch = OrganizationFactory(code="BR", name="Branch", parent=root_organization)

        response = admin_client.post(
            reverse("accounts:user-update", args=[user.pk]),
            _user_form(
                email=user.email,
                first_name="Renamed",
                roles=[_role("Warehouse").pk, _role("HR").pk],
                organizations=[branch.pk],
                is_active="on",
            ),
        )

        assert response.status_code == 302
        user.refresh_from_db()
        assert user.first_name == "Renamed"
        assert sorted(user.groups.values_list("name", flat=True)) == ["HR", "Warehouse"]
        assert organization_ids_for(User.objects.get(pk=user.pk)) == {branch.pk}
        event = BusinessEvent.objects.filter(verb="accounts.user.updated", aggregate_id=str(user.pk)).get()
        assert event.data["roles_added"] == ["HR", "Warehouse"]
        assert event.data["roles_removed"] == ["Sales"]

    def test_keeps_grants_the_form_does_not_offer(self, admin_client, user_with_role, root_organization):
        closed = OrganizationFactory(code="CLOSED", name="Closed Branch", parent=root_organization, is_active=False)
        user = user_with_role("Sales", organizations=[root_organization, closed])

        admin_client.post(
            reverse("accounts:user-update", args=[user.pk]),
            _user_form(email=user.email, first_name="Renamed", organizations=[root_organization.pk], is_active="on"),
        )

        assert organization_ids_for(User.objects.get(pk=user.pk)) >= {root_organization.pk, closed.pk}

    def test_an_editor_with_narrower_access_cannot_take_away_grants_they_do_not_see(
        self, client_for, user_with_role, root_organization
    ):
        from django.contrib.auth.models import Permission

        branch = OrganizationFactory(code="BR", name="Branch", parent=root_organization)
        editor = user_with_role("Sales", organizations=[branch])
        editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_user", "change_user"]))
        user = user_with_role("Sales", organizations=[root_organization])

        client_for(editor).post(
            reverse("accounts:user-update", args=[user.pk]),
            _user_form(email=user.email, roles=[_role("Sales").pk], organizations=[branch.pk], is_active="on"),
        )

        granted = set(User.objects.get(pk=user.pk).userobjectpermission_set.values_list("object_pk", flat=True))
        assert granted == {str(root_organization.pk), str(branch.pk)}

    def test_shows_the_current_values(self, admin_client, user_with_role, root_organization):
        user = user_with_role("Sales", organizations=[root_organization])

        response = admin_client.get(reverse("accounts:user-update", args=[user.pk]))

        initial = response.context["form"].initial
        assert [g.name for g in initial["roles"]] == ["Sales"]
        assert list(initial["organizations"]) == [root_organization]

    def test_refuses_to_deactivate_the_own_account(self, admin_client, admin_user, root_organization):
        response = admin_client.post(
            reverse("accounts:user-update", args=[admin_user.pk]),
            _user_form(email=admin_user.email, roles=[_role("Administrator").pk], organizations=[root_organization.pk]),
        )

        assert response.status_code == 200
        assert response.context["form"].errors["is_active"] == ["You cannot deactivate your own account."]
        admin_user.refresh_from_db()
        assert admin_user.is_active

    def test_refuses_an_email_another_user_has(self, admin_client, user_with_role):
        user = user_with_role("Sales")

        response = admin_client.post(
            reverse("accounts:user-update", args=[user.pk]),
            _user_form(email="admin@testco.example.com", is_active="on"),
        )

        assert response.context["form"].errors["email"] == ["A user with this e-mail address already exists."]


class TestUserSetActive:
    def test_deactivates_a_user_who_then_cannot_sign_in(self, admin_client, tenant_client, user_with_role):
        user = user_with_role("Sales")

        response = admin_client.post(reverse("accounts:user-set-active", args=[user.pk]), {"is_active": "0"})

        assert response.status_code == 302
        user.refresh_from_db()
        assert user.is_active is False
        login = tenant_client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
        assert login.status_code == 200

    def test_ends_the_deactivated_users_session(self, admin_client, client_for, user_with_role):
        user = user_with_role("Sales")
        their_client = client_for(user)

        admin_client.post(reverse("accounts:user-set-active", args=[user.pk]), {"is_active": "0"})

        response = their_client.get(reverse("core:dashboard"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))

    def test_reactivates_a_user(self, admin_client, user_with_role):
        user = user_with_role("Sales")
        user.is_active = False
        user.save()

        admin_client.post(reverse("accounts:user-set-active", args=[user.pk]), {"is_active": "1"})

        user.refresh_from_db()
        assert user.is_active is True

    def test_refuses_to_deactivate_yourself(self, admin_client, admin_user):
        response = admin_client.post(
            reverse("accounts:user-set-active", args=[admin_user.pk]), {"is_active": "0"}, follow=True
        )

        admin_user.refresh_from_db()
        assert admin_user.is_active is True
        assert "You cannot deactivate your own account." in response.content.decode()

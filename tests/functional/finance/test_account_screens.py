"""The chart of accounts screens: tree and list, detail, create/edit, (de)activate, delete, import, export."""

import pytest
from django.urls import reverse

from erp.finance.models import Account, AccountType
from tests.factories.finance import account, tax_code
from tests.factories.isolation import record_of_other_tenant

LIST_BUDGET, DETAIL_BUDGET = 15, 25


@pytest.fixture
def accountant_client(client_for, user_with_role):
    return client_for(user_with_role("Accountant"))


@pytest.fixture
def manager_client(client_for, user_with_role):
    return client_for(user_with_role("Manager"))


@pytest.fixture
def sales_client(client_for, user_with_role):
    return client_for(user_with_role("Sales"))


def form(target: Account | None = None, **changes) -> dict:
    data = {"code": "T4711", "name": "Consulting revenue", "account_type": "income", "role": "", "parent": ""}
    if target is not None:
        data = {
            "code": target.code,
            "name": target.name,
            "account_type": target.account_type,
            "role": target.role,
            "parent": target.parent_id or "",
            "is_group": "on" if target.is_group else "",
            "version": target.version,
        }
    data.update(changes)
    return {key: value for key, value in data.items() if value not in ("", None) or key in ("role", "parent")}


class TestAccountList:
    def test_shows_the_tree_of_the_chart(self, accountant_client, django_assert_max_num_queries):
        with django_assert_max_num_queries(LIST_BUDGET):
            response = accountant_client.get(reverse("finance:account-list"))

        content = response.content.decode()
        assert response.status_code == 200
        assert 'id="account-tree"' in content
        assert "Trade receivables" in content and "Receivable" in content

    def test_filters_by_type_and_text_and_shows_only_the_table_to_htmx(self, accountant_client):
        response = accountant_client.get(
            reverse("finance:account-list"), {"q": "bank", "account_type": "asset"}, HTTP_HX_REQUEST="true"
        )

        content = response.content.decode()
        assert response.status_code == 200
        assert "<html" not in content
        assert "Bank – current account" in content
        assert "Trade payables" not in content

    def test_offers_a_template_when_the_chart_is_empty(self, accountant_client):
        Account.all_objects.update(parent=None)
        Account.all_objects.all().delete()

        response = accountant_client.get(reverse("finance:account-list"))

        assert 'id="chart-load"' in response.content.decode()

    def test_a_manager_sees_the_chart_but_no_create_button(self, manager_client):
        response = manager_client.get(reverse("finance:account-list"))

        assert response.status_code == 200
        assert reverse("finance:account-create") not in response.content.decode()

    def test_is_refused_to_a_user_without_finance_rights(self, sales_client):
        assert sales_client.get(reverse("finance:account-list")).status_code == 403


class TestAccountDetail:
    def test_shows_the_account_its_use_and_its_timeline(self, accountant_client, django_assert_max_num_queries):
        target = account(account_type=AccountType.LIABILITY, description="Output VAT of the shop")
        tax_code(account=target, code="VATX")

        with django_assert_max_num_queries(DETAIL_BUDGET):
            response = accountant_client.get(target.get_absolute_url())

        content = response.content.decode()
        assert response.status_code == 200
        assert target.name in content and "VATX" in content
        assert "1 tax code" in content
        assert 'id="account-delete-refusal"' in content

    def test_offers_deletion_of_an_unused_account(self, accountant_client):
        response = accountant_client.get(account().get_absolute_url())

        assert reverse("finance:account-delete", args=[Account.objects.latest("pk").pk]) in response.content.decode()

    def test_does_not_show_another_tenants_account(self, accountant_client, other_tenant):
        foreign = record_of_other_tenant(other_tenant, lambda: account(code="T-OTHER"))

        assert accountant_client.get(reverse("finance:account-detail", args=[foreign.pk])).status_code == 404

    def test_is_refused_to_a_user_without_finance_rights(self, sales_client):
        assert sales_client.get(account().get_absolute_url()).status_code == 403


class TestAccountCreateAndUpdate:
    def test_creates_an_account_below_a_summary_account(self, accountant_client):
        parent = Account.objects.get(code="4")

        response = accountant_client.post(reverse("finance:account-create"), form(parent=parent.pk))

        created = Account.objects.get(code="T4711")
        assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
        assert created.parent == parent

    def test_preselects_the_parent_of_a_sub_account(self, accountant_client):
        parent = Account.objects.get(code="4")

        response = accountant_client.get(reverse("finance:account-create"), {"parent": parent.pk})

        assert response.context["form"].initial == {"parent": parent.pk, "account_type": "income"}

    def test_shows_a_refused_role_next_to_the_field(self, accountant_client):
        response = accountant_client.post(reverse("finance:account-create"), form(role="receivable"))

        assert response.status_code == 200
        assert "must be of type Asset" in str(response.context["form"].errors["role"])
        assert not Account.objects.filter(code="T4711").exists()

    def test_an_htmx_post_with_errors_gets_the_form_back(self, accountant_client):
        response = accountant_client.post(reverse("finance:account-create"), form(code="1310"), HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert "already exists" in response.content.decode()
        assert "<html" not in response.content.decode()

    def test_renames_an_account(self, accountant_client):
        target = account()

        response = accountant_client.post(
            reverse("finance:account-update", args=[target.pk]), form(target, name="Renamed")
        )

        assert response.status_code == 302
        target.refresh_from_db()
        assert target.name == "Renamed"

    def test_a_manager_may_not_create_or_edit(self, manager_client):
        assert manager_client.get(reverse("finance:account-create")).status_code == 403
        assert manager_client.get(reverse("finance:account-update", args=[account().pk])).status_code == 403

    def test_cannot_edit_another_tenants_account(self, accountant_client, other_tenant):
        foreign = record_of_other_tenant(other_tenant, lambda: account(code="T-OTHER"))

        assert accountant_client.get(reverse("finance:account-update", args=[foreign.pk])).status_code == 404


class TestAccountActivationAndDeletion:
    def test_deactivates_and_reactivates(self, accountant_client):
        target = account()
        url = reverse("finance:account-set-active", args=[target.pk])

        accountant_client.post(url, {"is_active": "0"})
        target.refresh_from_db()
        assert not target.is_active
        accountant_client.post(url, {"is_active": "1"})

        target.refresh_from_db()
        assert target.is_active

    def test_explains_why_a_summary_account_with_active_sub_accounts_stays_active(self, accountant_client):
        top = Account.objects.get(code="13")

        response = accountant_client.post(
            reverse("finance:account-set-active", args=[top.pk]), {"is_active": "0"}, follow=True
        )

        assert "Deactivate its active sub-accounts first." in response.content.decode()
        top.refresh_from_db()
        assert top.is_active

    def test_only_posts_change_state(self, accountant_client):
        assert accountant_client.get(reverse("finance:account-set-active", args=[account().pk])).status_code == 405

    def test_deletes_an_unused_account_with_a_reason(self, accountant_client):
        target = account()

        response = accountant_client.post(reverse("finance:account-delete", args=[target.pk]), {"reason": "Typo"})

        assert response["Location"] == reverse("finance:account-list")
        assert not Account.objects.filter(pk=target.pk).exists()

    def test_keeps_an_account_in_use(self, accountant_client):
        target = account(account_type=AccountType.LIABILITY)
        tax_code(account=target)

        response = accountant_client.post(
            reverse("finance:account-delete", args=[target.pk]), {"reason": "Typo"}, follow=True
        )

        assert "deactivate it instead" in response.content.decode()
        assert Account.objects.filter(pk=target.pk).exists()

    def test_a_manager_may_not_deactivate_or_delete(self, manager_client):
        target = account()

        assert manager_client.post(reverse("finance:account-set-active", args=[target.pk])).status_code == 403
        assert manager_client.post(reverse("finance:account-delete", args=[target.pk])).status_code == 403

    def test_cannot_deactivate_another_tenants_account(self, accountant_client, other_tenant):
        foreign = record_of_other_tenant(other_tenant, lambda: account(code="T-OTHER"))

        response = accountant_client.post(reverse("finance:account-set-active", args=[foreign.pk]), {"is_active": "0"})

        assert response.status_code == 404


IMPORT_FILE = (
    "code;name;parent;type;role;is_group;reconcilable\n"
    "T71;Grants;7;income;;1;0\n"
    "T7110;Research grants;T71;income;;0;0\n"
)


class TestAccountImportAndExport:
    def test_previews_without_saving(self, accountant_client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("chart.csv", IMPORT_FILE.encode(), content_type="text/csv")

        response = accountant_client.post(reverse("finance:account-import"), {"file": upload})

        content = response.content.decode()
        assert response.status_code == 200
        assert 'id="import-confirm"' in content and "Research grants" in content
        assert not Account.objects.filter(code="T7110").exists()

    def test_shows_every_row_error_and_offers_no_import(self, accountant_client):
        from django.core.files.uploadedfile import SimpleUploadedFile

        text = IMPORT_FILE + "T7120;Bad;T99;income;;0;0\n"
        upload = SimpleUploadedFile("chart.csv", text.encode(), content_type="text/csv")

        response = accountant_client.post(reverse("finance:account-import"), {"file": upload})

        content = response.content.decode()
        assert "The parent account T99 does not exist." in content
        assert 'id="import-confirm"' not in content

    def test_imports_the_confirmed_file(self, accountant_client):
        response = accountant_client.post(reverse("finance:account-import"), {"payload": IMPORT_FILE, "confirm": "1"})

        assert response["Location"] == reverse("finance:account-list")
        assert Account.objects.get(code="T7110").parent.code == "T71"

    def test_asks_for_a_file(self, accountant_client):
        response = accountant_client.post(reverse("finance:account-import"), {})

        assert "Choose a CSV or Excel file" in response.content.decode()

    def test_exports_the_chart_in_the_import_format(self, accountant_client):
        response = accountant_client.get(reverse("finance:account-export"))

        lines = response.content.decode().splitlines()
        assert response["Content-Type"].startswith("text/csv")
        assert lines[0] == "code,name,parent,type,role,is_group,reconcilable,currency,description"
        assert "1310,Trade receivables,13,asset,receivable,0,1,," in lines

    def test_exports_the_filtered_list_to_excel(self, accountant_client):
        response = accountant_client.get(reverse("finance:account-list"), {"account_type": "equity", "_export": "xlsx"})

        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")

    def test_import_and_export_are_refused_without_rights(self, manager_client, sales_client):
        assert manager_client.get(reverse("finance:account-import")).status_code == 403
        assert sales_client.get(reverse("finance:account-export")).status_code == 403


class TestChartLoad:
    def test_loads_a_template_into_an_empty_chart(self, accountant_client):
        Account.all_objects.update(parent=None)
        Account.all_objects.all().delete()

        response = accountant_client.post(reverse("finance:chart-load"), {"chart": "skr03"}, follow=True)

        assert "accounts loaded" in response.content.decode()
        assert Account.objects.filter(code="1400").exists()

    def test_refuses_to_load_over_an_existing_chart(self, accountant_client):
        response = accountant_client.post(reverse("finance:chart-load"), {"chart": "skr03"}, follow=True)

        assert "not empty" in response.content.decode()
        assert not Account.objects.filter(code="1400").exists()


def test_the_global_search_finds_accounts(accountant_client):
    response = accountant_client.get(reverse("core:search"), {"q": "1310"})

    assert "Trade receivables" in response.content.decode()

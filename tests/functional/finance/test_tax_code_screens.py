"""Tax code screens: list, create, edit, (de)activate."""

from decimal import Decimal

import pytest
from django.urls import reverse

from erp.finance.models import Account, TaxCode
from tests.factories.finance import tax_code
from tests.factories.isolation import record_of_other_tenant

LIST_BUDGET, DETAIL_BUDGET = 15, 25


@pytest.fixture
def accountant_client(client_for, user_with_role):
    return client_for(user_with_role("Accountant"))


@pytest.fixture
def manager_client(client_for, user_with_role):
    return client_for(user_with_role("Manager"))


def form(**changes) -> dict:
    data = {
        "code": "VAT19",
        "name": "VAT 19 %",
        "tax_type": "sales",
        "rate": "19",
        "account": Account.objects.get(code="2240").pk,
    }
    data.update(changes)
    return data


class TestTaxCodeList:
    def test_lists_the_codes_with_rate_and_account(self, accountant_client, django_assert_max_num_queries):
        for _n in range(20):
            tax_code()
        tax_code(code="VAT7", rate=Decimal("7.0000"))

        with django_assert_max_num_queries(LIST_BUDGET):
            response = accountant_client.get(reverse("finance:taxcode-list"), {"q": "VAT7"})

        content = response.content.decode()
        assert response.status_code == 200
        assert "VAT7" in content and ">7<" in content

    def test_is_refused_without_finance_rights(self, client_for, user_with_role):
        assert client_for(user_with_role("Warehouse")).get(reverse("finance:taxcode-list")).status_code == 403


class TestTaxCodeCreateAndEdit:
    def test_creates_a_tax_code(self, accountant_client):
        response = accountant_client.post(reverse("finance:taxcode-create"), form(price_included="on"))

        assert response["Location"] == reverse("finance:taxcode-list")
        created = TaxCode.objects.get(code="VAT19")
        assert (created.rate, created.price_included) == (Decimal("19"), True)

    def test_offers_only_postable_accounts(self, accountant_client):
        response = accountant_client.get(reverse("finance:taxcode-create"))

        choices = response.context["form"].fields["account"].queryset
        assert not choices.filter(is_group=True).exists()

    def test_shows_a_duplicate_code_next_to_the_field(self, accountant_client):
        tax_code(code="VAT19")

        response = accountant_client.post(reverse("finance:taxcode-create"), form())

        assert "already exists" in str(response.context["form"].errors["code"])

    def test_edits_the_rate(self, accountant_client, django_assert_max_num_queries):
        target = tax_code()
        url = reverse("finance:taxcode-update", args=[target.pk])
        with django_assert_max_num_queries(DETAIL_BUDGET):
            assert accountant_client.get(url).status_code == 200

        accountant_client.post(url, form(code=target.code, rate="7", account=target.account_id, version=1))

        target.refresh_from_db()
        assert target.rate == Decimal("7")

    def test_deactivates_a_tax_code(self, accountant_client):
        target = tax_code()

        accountant_client.post(reverse("finance:taxcode-set-active", args=[target.pk]), {"is_active": "0"})

        target.refresh_from_db()
        assert not target.is_active

    def test_a_manager_may_only_look(self, manager_client):
        target = tax_code()

        assert manager_client.get(reverse("finance:taxcode-list")).status_code == 200
        assert manager_client.get(reverse("finance:taxcode-create")).status_code == 403
        assert manager_client.get(reverse("finance:taxcode-update", args=[target.pk])).status_code == 403
        assert manager_client.post(reverse("finance:taxcode-set-active", args=[target.pk])).status_code == 403

    def test_cannot_open_another_tenants_tax_code(self, accountant_client, other_tenant):
        foreign = record_of_other_tenant(other_tenant, lambda: tax_code(code="OTHER"))

        assert accountant_client.get(reverse("finance:taxcode-update", args=[foreign.pk])).status_code == 404

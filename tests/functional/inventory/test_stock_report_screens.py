"""The stock reports through HTTP: on hand with value, movement history with running balances,
valuation at a past date (and its agreement with the ledger), slow-moving items, replenishment;
their exports, query budgets and access."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from erp.catalog.models import Tracking
from erp.core.documents.services import document_complete
from erp.inventory.models import ReorderRule
from tests.factories import inventory as factory
from tests.factories.inventory import money

pytestmark = pytest.mark.django_db


@pytest.fixture
def stocked(admin_user):
    """Product A: 10 @ 4.00 on 2025-01-10, 4 issued on 2025-02-01; B (by lot): 5 @ 2.00 never issued."""
    factory.books(by=admin_user)
    warehouse = factory.warehouse(by=admin_user, code="MAIN")
    apples = factory.product(sku="APPLE", name="Apples")
    beans = factory.product(sku="BEANS", name="Beans", tracking=Tracking.LOT)
    factory.receive(apples, warehouse, 10, "4.00", on=date(2025, 1, 10))
    factory.issue(apples, warehouse, 4, on=date(2025, 2, 1))
    factory.receive(beans, warehouse, 5, "2.00", on=date(2025, 1, 12), lot=factory.lot(beans, "B-1"))
    return warehouse, apples, beans


@pytest.fixture
def client(client_for, user_with_role):
    return client_for(user_with_role("Warehouse"))


@pytest.fixture
def outsider(client_for, user_with_role):
    return client_for(user_with_role("HR"))


class TestStockOnHand:
    def test_lists_quantities_and_values_with_a_total(self, client, stocked, django_assert_max_num_queries):
        with django_assert_max_num_queries(15):
            response = client.get(reverse("inventory:stock-on-hand"))

        rows = {row.record.product.sku: row.record for row in response.context["table"].rows}
        assert (rows["APPLE"].quantity, rows["APPLE"].stock_value) == (6, money(24))
        assert (rows["BEANS"].lot.name, rows["BEANS"].stock_value) == ("B-1", money(10))
        assert response.context["list_totals"][0][1] == money(34)

    def test_filters_by_warehouse_and_text_and_exports_excel(self, client, stocked, admin_user):
        warehouse, _apples, _beans = stocked
        other = factory.warehouse(by=admin_user)
        factory.receive(factory.product(sku="CORN"), other, 1, "1.00", on=date(2025, 1, 5))

        response = client.get(reverse("inventory:stock-on-hand"), {"warehouse": warehouse.code, "q": "app"})
        export = client.get(
            reverse("inventory:stock-on-hand"), {"warehouse": warehouse.code.lower(), "_export": "xlsx"}
        )

        assert [row.record.product.sku for row in response.context["table"].rows] == ["APPLE"]
        sheet = load_workbook(io.BytesIO(export.content)).active
        values = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert values[0][0] == "SKU" and {row[0] for row in values[1:]} == {"APPLE", "BEANS"}


class TestMovementHistory:
    def test_shows_running_quantity_and_value_of_one_product(self, client, stocked, django_assert_max_num_queries):
        with django_assert_max_num_queries(15):
            response = client.get(reverse("inventory:movement-history"), {"product": "apple"})

        rows = [row.record for row in response.context["table"].rows]
        assert [(row.signed_quantity, row.balance_quantity, row.balance_value) for row in rows] == [
            (10, 10, money(40)),
            (-4, 6, money(24)),
        ]

    def test_a_date_range_starts_from_the_opening_balance(self, client, stocked):
        response = client.get(reverse("inventory:movement-history"), {"product": "APPLE", "date_from": "2025-01-20"})

        rows = [row.record for row in response.context["table"].rows]
        assert [(row.balance_quantity, row.balance_value) for row in rows] == [(6, money(24))]
        assert "Opening balance" in response.content.decode()

    def test_an_unknown_sku_says_so(self, client, stocked):
        response = client.get(reverse("inventory:movement-history"), {"product": "NOPE"})

        assert response.status_code == 200 and "No product has this SKU" in response.content.decode()

    def test_exports_csv(self, client, stocked):
        response = client.get(reverse("inventory:movement-history"), {"product": "APPLE", "_export": "csv"})

        lines = response.content.decode().splitlines()
        assert lines[0].startswith("Date,Document") and len(lines) == 3


class TestValuation:
    def test_the_value_at_a_past_date_agrees_with_the_ledger(self, client, stocked, django_assert_max_num_queries):
        with django_assert_max_num_queries(15):
            response = client.get(reverse("inventory:valuation"), {"on": "2025-01-31"})

        rows = {row.record["product__sku"]: row.record for row in response.context["table"].rows}
        assert (rows["APPLE"]["quantity"], rows["APPLE"]["value"]) == (10, money(40))
        content = response.content.decode()
        assert response.context["list_totals"][0][1] == money(50)
        assert response.context["ledger_balance"] == money(50) and "agree" in content

    def test_later_the_issue_is_out(self, client, stocked):
        response = client.get(reverse("inventory:valuation"), {"on": "2025-03-01"})

        assert response.context["list_totals"][0][1] == money(34) == response.context["ledger_balance"]

    def test_a_bad_date_is_shown_on_its_field(self, client, stocked):
        response = client.get(reverse("inventory:valuation"), {"on": "31.31.2025"})

        assert response.status_code == 200 and response.context["filter"].form.errors["on"]


class TestSlowMovingAndReplenishment:
    def test_lists_what_has_not_been_issued_for_a_while(self, client, stocked, django_assert_max_num_queries):
        with django_assert_max_num_queries(15):
            response = client.get(reverse("inventory:slow-moving"), {"days": "30"})

        skus = [row.record.product.sku for row in response.context["table"].rows]
        assert "BEANS" in skus

    def test_suggests_what_to_order_below_the_minimum(self, client, stocked, admin_user, django_assert_max_num_queries):
        warehouse, apples, beans = stocked
        ReorderRule.objects.create(product=apples, warehouse=warehouse, min_quantity=money(8), max_quantity=money(20))
        ReorderRule.objects.create(product=beans, warehouse=warehouse, min_quantity=money(2), max_quantity=money(9))
        document_complete(
            document=factory.issue_draft(warehouse, [{"product": apples, "quantity": money(1)}], on=date(2025, 3, 1)),
            by=admin_user,
        )
        factory.receipt_draft(
            warehouse, [{"product": apples, "quantity": money(2), "unit_cost": money(4)}], on=date(2025, 3, 2)
        )

        with django_assert_max_num_queries(15):
            response = client.get(reverse("inventory:replenishment"))

        [row] = [row.record for row in response.context["table"].rows]
        assert (row.product_id, row.on_hand, row.incoming, row.forecast) == (apples.pk, 5, 2, 7)
        assert "<strong>13</strong>" in response.content.decode()


class TestAccess:
    @pytest.mark.parametrize(
        "name", ["stock-on-hand", "movement-history", "valuation", "slow-moving", "replenishment", "lot-list"]
    )
    def test_a_user_without_inventory_rights_is_refused(self, outsider, name):
        assert outsider.get(reverse(f"inventory:{name}")).status_code == 403

    def test_another_tenant_sees_none_of_our_stock(self, other_admin_client, stocked):
        response = other_admin_client.get(reverse("inventory:stock-on-hand"))

        assert response.status_code == 200 and "APPLE" not in response.content.decode()

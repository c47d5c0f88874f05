"""Warehouses, locations, lots (traceability) and reorder rules through HTTP."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from erp.catalog.models import Tracking
from erp.core.documents.services import document_complete
from erp.finance.models import Account
from erp.inventory.models import Location, LocationType, Lot, ReorderRule, Warehouse
from tests.factories import inventory as factory
from tests.factories.inventory import money

pytestmark = pytest.mark.django_db

DAY = date(2025, 6, 2)


@pytest.fixture
def warehouse(admin_user):
    factory.books(by=admin_user)
    return factory.warehouse(by=admin_user, code="MAIN", name="Main warehouse")


@pytest.fixture
def clerk(user_with_role):
    return user_with_role("Warehouse")


@pytest.fixture
def client(client_for, clerk):
    return client_for(clerk)


@pytest.fixture
def outsider(client_for, user_with_role):
    return client_for(user_with_role("HR"))


class TestWarehouses:
    def test_list_and_detail_show_the_location_tree(self, client, warehouse, django_assert_max_num_queries):
        with django_assert_max_num_queries(15):
            listing = client.get(reverse("inventory:warehouse-list"))
        with django_assert_max_num_queries(25):
            detail = client.get(warehouse.get_absolute_url())

        assert listing.status_code == 200 and "Main warehouse" in listing.content.decode()
        content = detail.content.decode()
        assert detail.status_code == 200
        assert "MAIN/Receiving" in content and "MAIN/Stock" in content and "MAIN/Output" in content

    def test_create_makes_the_standard_locations(self, client, warehouse, root_organization):
        response = client.post(
            reverse("inventory:warehouse-create"),
            {"code": "north", "name": "North", "organization": root_organization.pk, "address": ""},
        )

        created = Warehouse.objects.get(code="NORTH")
        assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
        assert created.stock_location.full_name == "NORTH/Stock"

    def test_a_duplicate_code_is_shown_on_its_field(self, client, warehouse, root_organization):
        response = client.post(
            reverse("inventory:warehouse-create"),
            {"code": "main", "name": "Again", "organization": root_organization.pk},
        )

        assert response.status_code == 200
        assert "already exists" in str(response.context["form"].errors["code"])

    def test_negative_stock_cannot_be_switched_off_while_below_zero(self, client, admin_user):
        factory.books(by=admin_user)
        loose = factory.warehouse(by=admin_user, allow_negative_stock=True)
        product = factory.product()
        factory.issue(product, loose, 2, on=DAY)

        response = client.post(
            reverse("inventory:warehouse-update", args=[loose.pk]),
            {"name": loose.name, "allow_negative_stock": "", "address": "", "version": loose.version},
        )

        assert response.status_code == 200
        assert "below zero" in str(response.context["form"].errors["allow_negative_stock"])
        loose.refresh_from_db()
        assert loose.allow_negative_stock

    def test_edit_saves(self, client, warehouse):
        response = client.post(
            reverse("inventory:warehouse-update", args=[warehouse.pk]),
            {"name": "Main hall", "allow_negative_stock": "on", "address": "Dock 4", "version": warehouse.version},
        )

        warehouse.refresh_from_db()
        assert response.status_code == 302 and (warehouse.name, warehouse.allow_negative_stock) == ("Main hall", True)

    def test_refused_without_permission_and_invisible_to_another_tenant(self, outsider, other_admin_client, warehouse):
        for path in (reverse("inventory:warehouse-list"), warehouse.get_absolute_url()):
            assert outsider.get(path).status_code == 403
        assert other_admin_client.get(warehouse.get_absolute_url()).status_code == 404


class TestLocations:
    def test_add_a_shelf_below_stock_and_see_it(self, client, warehouse, django_assert_max_num_queries):
        response = client.post(
            reverse("inventory:location-create"),
            {
                "code": "a-01",
                "name": "Shelf A-01",
                "warehouse": warehouse.pk,
                "parent": warehouse.stock_location_id,
                "location_type": LocationType.INTERNAL,
            },
        )

        shelf = Location.objects.get(warehouse=warehouse, code="A-01")
        assert response.status_code == 302 and shelf.full_name == "MAIN/Stock/Shelf A-01"
        with django_assert_max_num_queries(25):
            assert client.get(shelf.get_absolute_url()).status_code == 200
        with django_assert_max_num_queries(15):
            listing = client.get(reverse("inventory:location-list"), {"warehouse": warehouse.code})
        assert "MAIN/Stock/Shelf A-01" in listing.content.decode()

    def test_a_parent_from_another_warehouse_is_refused_on_its_field(self, client, warehouse, admin_user):
        other = factory.warehouse(by=admin_user)

        response = client.post(
            reverse("inventory:location-create"),
            {
                "code": "x",
                "name": "X",
                "warehouse": warehouse.pk,
                "parent": other.stock_location_id,
                "location_type": LocationType.INTERNAL,
            },
        )

        assert response.status_code == 200 and response.context["form"].errors["parent"]

    def test_the_inventory_loss_account_is_set_on_its_location(self, client, warehouse):
        loss = factory.virtual(LocationType.INVENTORY_LOSS)
        account = Account.objects.get(code="5300")

        response = client.post(
            reverse("inventory:location-update", args=[loss.pk]),
            {"code": loss.code, "name": loss.name, "account": account.pk, "version": loss.version},
        )

        loss.refresh_from_db()
        assert response.status_code == 302 and loss.account_id == account.pk

    def test_renaming_renames_the_locations_below(self, client, warehouse):
        shelf = factory.shelf(warehouse, code="B1")
        stock = warehouse.stock_location

        client.post(
            reverse("inventory:location-update", args=[stock.pk]),
            {"code": stock.code, "name": "Bulk", "parent": stock.parent_id, "version": stock.version},
        )

        shelf.refresh_from_db()
        assert shelf.full_name.startswith("MAIN/Bulk/")

    def test_a_location_holding_stock_cannot_be_deactivated(self, client, warehouse):
        shelf = factory.shelf(warehouse)
        factory.receive(factory.product(), warehouse, 1, "1.00", on=DAY, location=shelf)

        response = client.post(
            reverse("inventory:location-set-active", args=[shelf.pk]), {"is_active": "0"}, follow=True
        )

        assert "still holds stock" in response.content.decode()
        shelf.refresh_from_db()
        assert shelf.is_active

    def test_refused_without_permission_and_invisible_to_another_tenant(self, outsider, other_admin_client, warehouse):
        stock = warehouse.stock_location
        assert outsider.get(reverse("inventory:location-list")).status_code == 403
        assert outsider.get(stock.get_absolute_url()).status_code == 403
        assert other_admin_client.get(stock.get_absolute_url()).status_code == 404


class TestLotTraceability:
    def test_a_serial_number_shows_where_it_came_from_and_where_it_went(
        self, client, warehouse, admin_user, django_assert_max_num_queries
    ):
        product = factory.product(tracking=Tracking.SERIAL)
        receipt = document_complete(
            document=factory.receipt_draft(
                warehouse,
                [{"product": product, "quantity": money(1), "unit_cost": money(80), "lot_number": "SN-777"}],
                on=DAY,
            ),
            by=admin_user,
        )
        issue = document_complete(
            document=factory.issue_draft(
                warehouse,
                [
                    {
                        "product": product,
                        "quantity": money(1),
                        "lot_number": "SN-777",
                        "location": warehouse.receiving_location,
                    }
                ],
                on=date(2025, 6, 9),
            ),
            by=admin_user,
        )
        serial = Lot.objects.get(name="SN-777")

        with django_assert_max_num_queries(25):
            response = client.get(serial.get_absolute_url())

        content = response.content.decode()
        assert response.status_code == 200
        origins = content.split('id="lot-origins"')[1].split("</section>")[0]
        destinations = content.split('id="lot-destinations"')[1].split("</section>")[0]
        assert receipt.number in origins and "Vendors" in origins
        assert issue.number in destinations and "Customers" in destinations
        assert "Not in stock" in content

    def test_the_lot_list_finds_a_lot_by_number(self, client, warehouse, django_assert_max_num_queries):
        product = factory.product(tracking=Tracking.LOT)
        factory.receive(product, warehouse, 4, "1.00", on=DAY, lot=factory.lot(product, "BATCH-9"))

        with django_assert_max_num_queries(15):
            response = client.get(reverse("inventory:lot-list"), {"q": "batch-9"})

        assert response.status_code == 200 and "BATCH-9" in response.content.decode()

    def test_refused_without_permission_and_unknown_to_another_tenant(self, outsider, other_admin_client, warehouse):
        lot = factory.lot(factory.product(tracking=Tracking.LOT), "L-1")

        assert outsider.get(lot.get_absolute_url()).status_code == 403
        assert other_admin_client.get(lot.get_absolute_url()).status_code == 404


class TestReorderRules:
    def test_create_list_edit_and_remove(self, client, warehouse, django_assert_max_num_queries):
        product = factory.product()

        response = client.post(
            reverse("inventory:reorderrule-create"),
            {
                "product": product.sku,
                "warehouse": warehouse.pk,
                "min_quantity": "5",
                "max_quantity": "20",
                "multiple": "1",
            },
        )
        rule = ReorderRule.objects.get(product=product)
        assert response.status_code == 302
        with django_assert_max_num_queries(15):
            assert product.sku in client.get(reverse("inventory:reorderrule-list")).content.decode()

        client.post(
            rule.get_absolute_url(),
            {"min_quantity": "8", "max_quantity": "30", "multiple": "6", "version": rule.version},
        )
        rule.refresh_from_db()
        assert (rule.min_quantity, rule.max_quantity, rule.multiple) == (8, 30, 6)

        client.post(reverse("inventory:reorderrule-delete", args=[rule.pk]))
        assert not ReorderRule.objects.filter(product=product).exists()

    def test_a_maximum_below_the_minimum_is_refused_on_its_field(self, client, warehouse):
        response = client.post(
            reverse("inventory:reorderrule-create"),
            {
                "product": factory.product().sku,
                "warehouse": warehouse.pk,
                "min_quantity": "10",
                "max_quantity": "2",
                "multiple": "1",
            },
        )

        assert response.status_code == 200 and response.context["form"].errors["max_quantity"]

    def test_refused_without_permission_and_invisible_to_another_tenant(self, outsider, other_admin_client, warehouse):
        rule = ReorderRule.objects.create(
            product=factory.product(), warehouse=warehouse, min_quantity=money(1), max_quantity=money(2)
        )

        assert outsider.get(reverse("inventory:reorderrule-list")).status_code == 403
        assert other_admin_client.get(rule.get_absolute_url()).status_code == 404

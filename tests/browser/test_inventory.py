"""A warehouse clerk in the browser receives goods with a lot number, moves them to a shelf,
counts the shelf and finds two missing; the accountant then finds the adjustment in the
ledger: inventory credited, the inventory adjustments account debited."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from erp.accounts.services import user_create
from erp.catalog.models import Tracking
from erp.core.models import Organization
from erp.finance.journal.models import JournalEntry
from erp.finance.models import Account
from erp.inventory.models import LocationType, PhysicalCount, Quant
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.factories import inventory as factory

pytestmark = pytest.mark.browser

CLERK_EMAIL = "wendy.store@example.com"
ACCOUNTANT_EMAIL = "alex.ledger@example.com"
DAY = date(2025, 5, 12)


@pytest.fixture
def store(committed_tenant, django_db_blocker):
    """Fiscal years, a warehouse with a shelf, a lot-tracked product, a clerk and an accountant;
    inventory losses go to the chart's inventory adjustments account (5300)."""
    with django_db_blocker.unblock(), schema_context(committed_tenant.schema_name):
        factory.books()
        warehouse = factory.warehouse(code="MAIN", name="Main warehouse")
        shelf = factory.shelf(warehouse, code="A-01")
        product = factory.product(sku="OIL-5L", name="Olive oil 5 l", tracking=Tracking.LOT)
        loss = factory.virtual(LocationType.INVENTORY_LOSS)
        loss.account = Account.objects.get(code="5300")
        loss.save()
        headquarters = Organization.objects.get(code="HQ")
        for email, role in ((CLERK_EMAIL, "Warehouse"), (ACCOUNTANT_EMAIL, "Accountant")):
            user_create(
                email=email,
                first_name=role,
                password=PASSWORD,
                roles=[Group.objects.get(name=role)],
                organizations=[headquarters],
            )
    return warehouse, shelf, product


def _confirm(page) -> None:
    page.locator("#erp-confirm").get_by_role("button", name="Confirm").click()


def _header(page, warehouse) -> None:
    page.locator("#id_warehouse").select_option(str(warehouse.pk))
    page.locator("#id_accounting_date").fill(DAY.isoformat())


def _complete(page) -> None:
    page.locator("#action-button-complete").click()
    _confirm(page)
    expect(page.locator("#document-header")).to_contain_text("Completed")


class TestReceiveTransferCountInTheBrowser:
    def test_the_count_difference_reaches_the_ledger(self, new_page, tenant_site, store, committed_tenant):
        warehouse, shelf, product = store
        page = new_page()
        sign_in(page, tenant_site, email=CLERK_EMAIL, password=PASSWORD)

        # Receive 10 cans of lot L-0512 at 6.00
        page.goto(tenant_site.url("/inventory/receipts/new/"))
        _header(page, warehouse)
        page.locator("#id_lines-0-product").fill(product.sku)
        page.locator("#id_lines-0-quantity").fill("10")
        page.locator("#id_lines-0-unit_cost").fill("6.00")
        page.locator("#id_lines-0-unit_cost").dispatch_event("change")
        expect(page.locator("#stock-value")).to_have_text("60.00")
        page.locator("#id_lines-0-lot_number").fill("L-0512")
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator("#document-header")).to_contain_text("Draft")
        _complete(page)
        expect(page.locator("#stock-moves")).to_contain_text("L-0512")

        # Move them from receiving to shelf A-01
        page.goto(tenant_site.url("/inventory/transfers/new/"))
        _header(page, warehouse)
        page.locator("#id_destination_warehouse").select_option(str(warehouse.pk))
        page.locator("#id_lines-0-product").fill(product.sku)
        page.locator("#id_lines-0-quantity").fill("10")
        page.locator("#id_lines-0-lot_number").fill("L-0512")
        page.locator("#id_lines-0-from_location").select_option(str(warehouse.receiving_location_id))
        page.locator("#id_lines-0-to_location").select_option(str(shelf.pk))
        page.get_by_role("button", name="Save draft").click()
        _complete(page)
        expect(page.locator("#stock-moves")).to_contain_text("MAIN/Stock/")

        # Count the shelf: 8 found
        page.goto(tenant_site.url("/inventory/counts/new/"))
        _header(page, warehouse)
        page.locator("#id_description").fill("Shelf count May")
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator("#document-header")).to_contain_text("Draft")
        page.locator("#fill-count-sheet").click()
        _confirm(page)
        expect(page.locator("#stock-lines")).to_contain_text("L-0512")
        page.get_by_role("link", name="Edit").click()
        page.locator("#id_lines-0-counted_quantity").fill("8")
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator("#stock-lines")).to_contain_text("8")
        _complete(page)
        expect(page.locator("#stock-moves")).to_contain_text("Inventory loss")

        with schema_context(committed_tenant.schema_name):
            count = PhysicalCount.objects.get(description="Shelf count May")
            assert Quant.objects.get(product=product, location=shelf).quantity == 8
            entry = JournalEntry.objects.get(source_id=str(count.pk), description__startswith="physical count")

        # The accountant finds the adjustment among the journal entries
        books = new_page()
        sign_in(books, tenant_site, email=ACCOUNTANT_EMAIL, password=PASSWORD)
        books.goto(tenant_site.url(f"/finance/journal-entries/?q={count.number}"))
        books.get_by_role("link", name=entry.number).click()
        lines = books.locator("#entry-lines")
        expect(lines).to_contain_text("5300")
        expect(lines).to_contain_text("1210")
        expect(lines).to_contain_text("12.00")
        expect(books.locator("#document-fields")).to_contain_text(count.number)

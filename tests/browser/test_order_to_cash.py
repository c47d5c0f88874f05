"""Issue 6 in the browser, order to cash: a salesperson quotes 12 chairs, converts the quotation
into an order and confirms it (the chairs are reserved), delivers 5, invoices them, delivers the
other 7 and invoices those; the accountant posts both invoices and records one payment covering
both, with the early-payment discount. At the end the order is delivered and invoiced in full,
the receivable is settled and the bank holds the total less the discount."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from erp.accounts.services import user_create
from erp.core.documents.models import Status
from erp.core.models import Organization
from erp.finance.invoicing.models import CustomerInvoice
from erp.finance.openitems.models import OpenItem, Side
from erp.inventory.models import Quant
from erp.sales.models import Progress, Quotation, QuotationOutcome, SalesOrder
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.factories import invoicing as finance
from tests.factories import sales as make

pytestmark = pytest.mark.browser

SELLER_EMAIL = "sam.seller@example.com"
ACCOUNTANT_EMAIL = "alex.books@example.com"
money = make.money


@pytest.fixture
def shop(committed_tenant, django_db_blocker):
    """20 chairs in stock at 50.00 each (19 % tax), a customer on 2 % within 10 days, a salesperson
    and an accountant."""
    with django_db_blocker.unblock(), schema_context(committed_tenant.schema_name):
        headquarters = Organization.objects.get(code="HQ")
        for email, role in ((SELLER_EMAIL, "Sales"), (ACCOUNTANT_EMAIL, "Accountant")):
            user_create(
                email=email,
                first_name=role,
                password=PASSWORD,
                roles=[Group.objects.get(name=role)],
                organizations=[headquarters],
            )
        return make.shop(organization=headquarters, by=None)


def _confirm(page) -> None:
    page.locator("#erp-confirm").get_by_role("button", name="Confirm").click()


def _status(page, text: str) -> None:
    expect(page.locator("#document-header")).to_contain_text(text)


def _deliver(page, site, order_pk: int, quantity: str | None = None) -> None:
    """From the order: prepare a delivery (of ``quantity`` chairs, else all that is open) and complete it."""
    page.goto(site.url(f"/sales/orders/{order_pk}/"))
    page.locator("#deliver-button").click()
    field = page.locator("#deliver-lines input[type=number]")
    if quantity is not None:
        field.fill(quantity)
    page.locator("#create-delivery").click()
    _status(page, "Draft")
    expect(page.locator("#delivery-lines")).to_contain_text("CHAIR")
    page.locator("#action-button-complete").click()
    _confirm(page)
    _status(page, "Completed")


def _invoice(page, site, order_pk: int) -> None:
    page.goto(site.url(f"/sales/orders/{order_pk}/"))
    page.locator("#invoice-button").click()
    _status(page, "Draft")
    expect(page.locator("body")).to_contain_text("Chair")


class TestOrderToCashInTheBrowser:
    def test_quotation_to_payment_of_two_partial_invoices(self, new_page, tenant_site, shop, committed_tenant):
        site = tenant_site
        seller = new_page()
        sign_in(seller, site, email=SELLER_EMAIL, password=PASSWORD)

        # The quotation: 12 chairs, priced from the product
        seller.goto(site.url("/sales/quotations/new/"))
        seller.locator("#id_partner").select_option(str(shop.customer.pk))
        seller.locator("#id_lines-0-product").select_option(str(shop.product.pk))
        seller.locator("#id_lines-0-quantity").fill("12")
        seller.locator("#id_lines-0-quantity").dispatch_event("change")
        expect(seller.locator("#total-gross")).to_contain_text("714.00")
        seller.get_by_role("button", name="Save draft").click()
        _status(seller, "Draft")
        expect(seller.locator("#document-lines")).to_contain_text("600.00")
        seller.locator("#action-button-submit").click()
        _status(seller, "Approved")

        # Accepted: convert into an order and confirm it
        seller.locator("#convert-button").click()
        _status(seller, "Draft")
        seller.locator("#action-button-submit").click()
        _status(seller, "Approved")
        expect(seller.locator("#order-lines")).to_contain_text("12 reserved here")
        with schema_context(committed_tenant.schema_name):
            order = SalesOrder.objects.get()

        # Deliver 5, invoice them; deliver the other 7, invoice those
        _deliver(seller, site, order.pk, "5")
        _invoice(seller, site, order.pk)
        _deliver(seller, site, order.pk)
        _invoice(seller, site, order.pk)
        seller.goto(site.url(f"/sales/orders/{order.pk}/"))
        expect(seller.locator("#order-progress")).to_contain_text("Delivered: Fully")
        expect(seller.locator("#order-documents")).to_contain_text("Draft")

        # The accountant posts both invoices …
        books = new_page()
        sign_in(books, site, email=ACCOUNTANT_EMAIL, password=PASSWORD)
        with schema_context(committed_tenant.schema_name):
            first, second = CustomerInvoice.objects.order_by("id")
        for invoice in (first, second):
            books.goto(site.url(f"/finance/customer-invoices/{invoice.pk}/"))
            books.locator("#action-button-complete").click()
            _confirm(books)
            _status(books, "Completed")
        with schema_context(committed_tenant.schema_name):
            first, second = CustomerInvoice.objects.order_by("id")
        assert (first.total_gross, second.total_gross) == (money("297.50"), money("416.50"))

        # … and one payment covering both, within the discount days
        books.goto(site.url("/finance/customer-payments/new/"))
        books.locator("#id_partner").select_option(str(shop.customer.pk))
        books.locator("#id_bank_account").select_option(str(shop.books.bank.pk))
        books.locator("#id_lines-0-document").fill(first.number)
        books.locator("#add-line").click()
        books.locator("#id_lines-1-document").fill(second.number)
        books.get_by_role("button", name="Save draft").click()
        _status(books, "Draft")
        books.locator("#action-button-complete").click()
        _confirm(books)
        _status(books, "Completed")

        # The order is done, the receivable settled, the bank has 714.00 less 2 %
        seller.goto(site.url(f"/sales/orders/{order.pk}/"))
        _status(seller, "Completed")
        expect(seller.locator("#order-progress")).to_contain_text("Invoiced: Fully")
        with schema_context(committed_tenant.schema_name):
            order.refresh_from_db()
            quotation = Quotation.objects.get()
            chairs = order.lines.get()
            quant = Quant.objects.get(product=shop.product, location=shop.warehouse.stock_location)
            assert (quotation.status, quotation.outcome) == (Status.COMPLETED, QuotationOutcome.ACCEPTED)
            assert (order.status, order.delivery_status, order.invoice_status) == (
                Status.COMPLETED,
                Progress.DONE,
                Progress.DONE,
            )
            assert (chairs.quantity_delivered, chairs.quantity_invoiced) == (money(12), money(12))
            assert (quant.quantity, quant.reserved) == (money(8), money(0))
            assert finance.balance(shop.books.receivable) == 0
            assert not OpenItem.objects.filter(side=Side.RECEIVABLE).open().exists()
            assert finance.balance(shop.books.bank) == money("699.72")  # 714.00 less 5.95 and 8.33
            assert finance.balance(shop.books.revenue) == money("-600.00")

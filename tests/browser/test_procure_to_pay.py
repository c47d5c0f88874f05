"""Issue 7 in the browser, procure to pay: the purchaser asks for 200 sheets of paper, the manager
approves the requisition; the purchaser turns it into an order (833.00, over the 500.00 threshold)
and the manager approves that from the approvals queue. The storekeeper receives 120, the
accountant enters the vendor's bill at 3.55 (inside the 2 % tolerance) and posts it; the
storekeeper receives the other 80, the accountant enters the bill at 4.00 (a number already
entered is refused next to the field): posting holds it for the manager, who sees the
differences on the bill and approves them; the accountant posts it and pays both bills in a
payment run with the early-payment discount. At the end GRNI and the payable are zero, the
stock holds the 200 sheets at 746.00, and tax and bank are right to the cent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from erp.accounts.services import user_create
from erp.core.documents.models import Status
from erp.core.models import Organization
from erp.finance import selectors as ledger
from erp.finance.invoicing.models import VendorBill
from erp.finance.models import AccountRole
from erp.finance.openitems.models import OpenItem, Side
from erp.finance.payments.models import PaymentRun
from erp.inventory.checks import valuation_drift
from erp.inventory.models import GoodsReceipt, ProductValuation
from erp.purchasing.models import PurchaseOrder, PurchaseRequisition
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.factories import inventory
from tests.factories import invoicing as finance
from tests.factories import purchasing as make
from tests.factories import workflow as flows
from tests.factories.ledger import fiscal_years

pytestmark = pytest.mark.browser

PURCHASER = "pia.purchaser@example.com"
MANAGER = "max.manager@example.com"
STOREKEEPER = "sven.store@example.com"
ACCOUNTANT = "alex.books@example.com"
money = make.money


@pytest.fixture
def company(committed_tenant, django_db_blocker):
    """Paper from Office Supplies (3.50 from 100, 19 % input tax, 2 % within 10 days), a warehouse,
    approvals (every requisition; orders over 500.00), and the four people. The accountant and
    the storekeeper may see purchase orders: bills and receipts are entered from them."""
    with django_db_blocker.unblock(), schema_context(committed_tenant.schema_name):
        headquarters = Organization.objects.get(code="HQ")
        buyer = make.buyer(organization=headquarters, by=None)
        fiscal_years(3)
        buyer.office.vendor_payment_term = finance.term(net_days=30, discount_percent="2", discount_days=10)
        buyer.office.save()
        make.approval_above("0", subject="purchasing.purchaserequisition", by=None)
        make.approval_above("500", subject="purchasing.purchaseorder", by=None)
        flows.grant("Accountant", "purchasing.view_purchaseorder")
        flows.grant("Warehouse", "purchasing.view_purchaseorder")
        warehouse = inventory.warehouse(organization=headquarters, by=None)
        for email, role in (
            (PURCHASER, "Purchasing"),
            (MANAGER, "Manager"),
            (STOREKEEPER, "Warehouse"),
            (ACCOUNTANT, "Accountant"),
        ):
            user_create(
                email=email,
                first_name=role,
                password=PASSWORD,
                roles=[Group.objects.get(name=role)],
                organizations=[headquarters],
            )
        return buyer, warehouse


def _confirm(page) -> None:
    page.locator("#erp-confirm").get_by_role("button", name="Confirm").click()


def _status(page, text: str) -> None:
    expect(page.locator("#document-header")).to_contain_text(text)


def _receive(page, site, order_pk: int, warehouse, quantity: str | None = None) -> None:
    """From the order: a receipt of ``quantity`` (else what is still open) into ``warehouse``, completed."""
    page.goto(site.url(f"/purchasing/orders/{order_pk}/"))
    page.locator("#receive-button").click()
    page.locator("#id_warehouse").select_option(str(warehouse.pk))
    if quantity is not None:
        page.locator("#receive-lines input[type=number]").fill(quantity)
    page.locator("#create-receipt").click()
    _status(page, "Draft")
    page.locator("#action-button-complete").click()
    _confirm(page)
    _status(page, "Completed")


def _enter_bill(page, site, order_pk: int, number: str, price: str) -> None:
    page.goto(site.url(f"/purchasing/orders/{order_pk}/"))
    page.locator("#bill-button").click()
    page.locator("#id_vendor_invoice_number").fill(number)
    page.locator("#bill-lines input[type=number]").fill(price)
    page.locator("#create-bill").click()


class TestProcureToPayInTheBrowser:
    def test_requisition_to_payment_run_with_a_held_bill(self, new_page, tenant_site, company, committed_tenant):
        site, (buyer, warehouse) = tenant_site, company
        schema = committed_tenant.schema_name
        purchaser, manager = new_page(), new_page()
        sign_in(purchaser, site, email=PURCHASER, password=PASSWORD)
        sign_in(manager, site, email=MANAGER, password=PASSWORD)

        # The purchaser asks for 200 sheets from Office Supplies; the manager approves
        purchaser.goto(site.url("/purchasing/requisitions/new/"))
        purchaser.locator("#id_description").fill("Paper for the year")
        purchaser.locator("#id_lines-0-product").select_option(str(buyer.paper.pk))
        purchaser.locator("#id_lines-0-quantity").fill("200")
        purchaser.locator("#id_lines-0-unit_price").fill("3.60")
        purchaser.locator("#id_lines-0-vendor").select_option(str(buyer.office.pk))
        purchaser.get_by_role("button", name="Save draft").click()
        _status(purchaser, "Draft")
        purchaser.locator("#action-button-submit").click()
        _status(purchaser, "In review")
        with schema_context(schema):
            requisition = PurchaseRequisition.objects.get()
        manager.goto(site.url(f"/purchasing/requisitions/{requisition.pk}/"))
        manager.locator("#action-button-approve").click()
        _status(manager, "Approved")

        # The order: 700.00 net, 833.00 gross, over the threshold: the manager approves it in the queue
        purchaser.reload()
        purchaser.locator("#order-button").click()
        _status(purchaser, "Draft")
        expect(purchaser.locator("#total-gross")).to_contain_text("833.00")
        purchaser.locator("#action-button-submit").click()
        _status(purchaser, "In review")
        expect(purchaser.locator("#action-button-approve")).to_have_count(0)
        with schema_context(schema):
            order = PurchaseOrder.objects.get()
        manager.locator("#erp-sidebar").get_by_role("link", name="Approvals").click()
        card = manager.locator(".erp-approval").filter(has_text=order.number)
        expect(card).to_contain_text("833.00")
        card.get_by_role("button", name="Approve").click()
        expect(manager.locator("#queue-empty")).to_be_visible()
        purchaser.reload()
        _status(purchaser, "Approved")

        # 120 arrive; the accountant enters the bill at 3.55 (inside the tolerance) and posts it
        storekeeper, books = new_page(), new_page()
        sign_in(storekeeper, site, email=STOREKEEPER, password=PASSWORD)
        sign_in(books, site, email=ACCOUNTANT, password=PASSWORD)
        _receive(storekeeper, site, order.pk, warehouse, "120")
        _enter_bill(books, site, order.pk, "OS-2026-118", "3.55")
        _status(books, "Draft")
        expect(books.locator("#bill-match-verdict")).to_have_text("All lines are within the tolerances.")
        expect(books.locator("#bill-match-lines")).to_contain_text("within tolerance")
        books.locator("#action-button-complete").click()
        _confirm(books)
        _status(books, "Completed")
        with schema_context(schema):
            first = VendorBill.objects.get(vendor_invoice_number="OS-2026-118")
            assert (first.status, first.total_gross) == (Status.COMPLETED, money("506.94"))

        # The other 80 arrive; the same invoice number again is refused next to the field
        _receive(storekeeper, site, order.pk, warehouse)
        _enter_bill(books, site, order.pk, "os-2026-118", "4.00")
        expect(books.locator("#error_1_id_vendor_invoice_number")).to_contain_text(
            f"The invoice number OS-2026-118 of Office Supplies GmbH has been entered already, as {first.number}."
        )
        books.locator("#id_vendor_invoice_number").fill("OS-2026-131")
        books.locator("#create-bill").click()
        _status(books, "Draft")
        expect(books.locator("#bill-match-verdict")).to_contain_text("posting sends the bill to Manager for approval")

        # Posting holds it for the manager, with the differences shown
        books.locator("#action-button-complete").click()
        _confirm(books)
        _status(books, "In review")
        expect(books.locator("#bill-match-verdict")).to_have_text(
            "Held for approval by Manager: lines are outside the tolerances."
        )
        expect(books.locator("#bill-match-lines")).to_contain_text("the price differs by 14.29 % (tolerance 2 %)")
        expect(books.locator("#action-button-approve")).to_have_count(0)
        with schema_context(schema):
            second = VendorBill.objects.get(vendor_invoice_number="OS-2026-131")
        manager.goto(site.url(f"/finance/vendor-bills/{second.pk}/"))
        row = manager.locator("#bill-match-lines tbody tr")
        for text in ("200", "3.5000", "4.0000", "40.00", "outside tolerance"):
            expect(row).to_contain_text(text)
        manager.locator("#action-button-approve").click()
        _status(manager, "Approved")
        expect(manager.locator("#bill-match-verdict")).to_have_text(
            "The differences have been approved: the bill can be posted."
        )
        books.reload()
        books.locator("#action-button-complete").click()
        _confirm(books)
        _status(books, "Completed")
        expect(books.locator("#bill-match-verdict")).to_have_text("Posted with the differences approved.")

        # The payment run: both bills are paid now, with the early-payment discount
        today = timezone.localdate()
        books.goto(site.url("/finance/payment-runs/new/"))
        books.locator("#id_payment_date").fill(today.isoformat())
        books.locator("#id_due_by").fill(today.isoformat())
        books.locator("#id_next_run").fill((today + timedelta(days=14)).isoformat())
        books.locator("#id_bank_account").select_option(str(buyer.books.bank.pk))
        books.get_by_role("button", name="Propose payments").click()
        vendor = books.locator(f"#vendor-{buyer.office.pk}")
        expect(vendor).to_contain_text("869.98")
        expect(vendor).to_contain_text("10.14")
        expect(vendor).to_contain_text("7.62")
        books.locator("#execute-button").click()
        _confirm(books)
        expect(books.locator("#run-payments")).to_contain_text("869.98")
        expect(books.locator("#remittance-pdf")).to_be_visible()

        with schema_context(schema):
            order.refresh_from_db()
            line = order.lines.get()
            assert order.status == Status.COMPLETED
            assert (line.quantity_received, line.quantity_billed) == (money(200), money(200))
            assert GoodsReceipt.objects.filter(status=Status.COMPLETED).count() == 2
            assert PaymentRun.objects.get().payments.get().amount == money("869.98")
            valuation = ProductValuation.objects.get(product=buyer.paper, warehouse=warehouse)
            assert (valuation.quantity, valuation.value) == (money(200), money("746.00"))
            assert finance.balance(inventory.inventory_account()) == money("746.00")
            assert valuation_drift() == []
            assert finance.balance(inventory.account(AccountRole.GOODS_RECEIVED_NOT_INVOICED)) == 0
            assert finance.balance(inventory.account(AccountRole.PRICE_DIFFERENCE)) == 0
            assert finance.balance(buyer.books.payable) == 0
            assert not OpenItem.objects.filter(side=Side.PAYABLE).open().exists()
            assert finance.balance(buyer.books.input_tax.account) == money("138.90")
            assert finance.balance(buyer.books.discount_received) == money("-14.92")
            assert finance.balance(buyer.books.bank) == money("-869.98")
            trial = ledger.trial_balance(
                date_from=today.replace(month=1, day=1), date_to=today.replace(month=12, day=31)
            )
            assert trial.balances

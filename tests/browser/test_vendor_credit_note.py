"""Issue 7 in the browser, the vendor's credit note for returned goods: 100 sheets of paper were
received and billed at 3.50 (350.00 + 66.50 tax), 30 went back to the vendor. The accountant
opens the purchase order, enters the vendor's credit note number, checks the draft (30 × 3.50 =
105.00 + 19.95 tax) and posts it: goods received not invoiced is back to zero, the payable is
124.95 lower and the order has 70 billed."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from erp.accounts.services import user_create
from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.core.models import Organization
from erp.finance.invoicing import services as invoicing
from erp.finance.invoicing.models import InvoiceKind, VendorBill
from erp.finance.models import AccountRole
from erp.purchasing import billing, returns, services
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.factories import inventory
from tests.factories import invoicing as finance
from tests.factories import purchasing as make

pytestmark = pytest.mark.browser

ACCOUNTANT = "abe.accountant@example.com"
money = make.money


@pytest.fixture
def company(committed_tenant, django_db_blocker):
    with django_db_blocker.unblock(), schema_context(committed_tenant.schema_name):
        headquarters = Organization.objects.get(code="HQ")
        admin = user_create(
            email="ada.admin@example.com",
            first_name="Ada",
            password=PASSWORD,
            roles=[Group.objects.get(name="Administrator")],
            organizations=[headquarters],
        )
        user_create(
            email=ACCOUNTANT,
            first_name="Abe",
            password=PASSWORD,
            roles=[Group.objects.get(name="Accountant")],
            organizations=[headquarters],
        )
        buyer = make.buyer(organization=headquarters, by=admin)
        warehouse = inventory.warehouse(organization=headquarters, by=admin)
        order = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 100, price="3.50")])
        receipt = services.purchase_order_receive(order=order, warehouse=warehouse, by=admin, on=date(2026, 3, 6))
        receipt = documents.document_complete(document=receipt, by=admin)
        bill = billing.purchase_order_bill(order=order, vendor_invoice_number="OS-77", by=admin, on=date(2026, 3, 6))
        invoicing.invoice_post(invoice=bill, by=admin)
        (vendor_return,) = returns.purchase_return_create(
            order=order, quantities={receipt.lines.get().pk: money(30)}, by=admin, on=date(2026, 3, 10)
        )
        return order, vendor_return


def test_the_accountant_credits_the_returned_goods(new_page, tenant_site, company, committed_tenant):
    site, (order, vendor_return) = tenant_site, company
    with schema_context(committed_tenant.schema_name):
        payable_before = finance.balance(inventory.account(AccountRole.PAYABLE))
    page = new_page()
    sign_in(page, site, email=ACCOUNTANT, password=PASSWORD)

    page.goto(site.url(f"/purchasing/orders/{order.pk}/"))
    page.locator(f"#credit-number-{vendor_return.pk}").fill("CN-OS-12")
    page.locator(f"#credit-date-{vendor_return.pk}").fill("2026-03-12")
    page.locator(f"#return-credit-button-{vendor_return.pk}").click()

    expect(page.locator("#document-header")).to_contain_text("Draft")
    expect(page.locator("body")).to_contain_text("Credit note for")
    expect(page.locator("#document-totals")).to_contain_text("124.95")
    page.locator("#action-button-complete").click()
    page.locator("#erp-confirm").get_by_role("button", name="Confirm").click()
    expect(page.locator("#document-header")).to_contain_text("Completed")

    page.goto(site.url(f"/purchasing/orders/{order.pk}/"))
    expect(page.locator(f"#return-credit-button-{vendor_return.pk}")).to_have_count(0)
    expect(page.get_by_text("CN-OS-12")).to_be_visible()
    with schema_context(committed_tenant.schema_name):
        note = VendorBill.objects.get(kind=InvoiceKind.CREDIT_NOTE)
        assert (note.status, note.total_net, note.total_gross) == (Status.COMPLETED, money("105.00"), money("124.95"))
        assert finance.balance(inventory.account(AccountRole.GOODS_RECEIVED_NOT_INVOICED)) == 0
        assert finance.balance(inventory.account(AccountRole.PAYABLE)) - payable_before == money("124.95")
        assert order.lines.get().quantity_billed == money(70)

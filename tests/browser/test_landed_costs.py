"""Issue 7 in the browser, landed costs: the purchaser enters the 90.00 freight of a receipt of
paper (300.00) and toner (600.00), sees the allocation by value (30.00 and 60.00, the new unit
costs 3.30 and 66.00) before completing it, and after completing it the stock is worth 990.00."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from erp.accounts.services import user_create
from erp.core.documents import services as documents
from erp.core.models import Organization
from erp.inventory.models import ProductValuation
from erp.purchasing import services
from erp.purchasing.models import LandedCost
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.factories import inventory
from tests.factories import purchasing as make

pytestmark = pytest.mark.browser

PURCHASER = "pia.purchaser@example.com"
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
            email=PURCHASER,
            first_name="Pia",
            password=PASSWORD,
            roles=[Group.objects.get(name="Purchasing")],
            organizations=[headquarters],
        )
        buyer = make.buyer(organization=headquarters, by=admin)
        warehouse = inventory.warehouse(organization=headquarters, by=admin)
        order = make.order(
            buyer,
            buyer.office,
            [make.order_line(buyer.paper, 100, price="3.00"), make.order_line(buyer.toner, 10, price="60.00")],
        )
        receipt = services.purchase_order_receive(order=order, warehouse=warehouse, by=admin, on=date(2026, 3, 6))
        receipt = documents.document_complete(document=receipt, by=admin)
        return buyer, warehouse, receipt


def test_freight_is_allocated_by_value_onto_the_received_goods(new_page, tenant_site, company, committed_tenant):
    site, (buyer, warehouse, receipt) = tenant_site, company
    page = new_page()
    sign_in(page, site, email=PURCHASER, password=PASSWORD)

    page.goto(site.url("/purchasing/landed-costs/"))
    page.get_by_role("link", name="New landed cost").click()
    page.locator("#id_description").fill("Sea freight March")
    page.locator("#id_receipts").select_option(str(receipt.pk))
    page.locator("#id_lines-0-description").fill("Freight")
    page.locator("#id_lines-0-account").select_option(str(buyer.books.expense.pk))
    page.locator("#id_lines-0-amount").fill("90.00")
    page.locator("#id_lines-0-amount").dispatch_event("change")  # what leaving the field does
    expect(page.locator("#total-costs")).to_contain_text("90.00")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator("#document-header")).to_contain_text("Draft")
    preview = page.locator("#allocation")
    expect(preview).to_contain_text("Allocation preview")
    expect(preview).to_contain_text("30.00")
    expect(preview).to_contain_text("60.00")
    expect(preview).to_contain_text("3.3")
    expect(preview).to_contain_text("66")
    expect(page.locator("#allocation-total")).to_contain_text("90.00")

    page.locator("#action-button-complete").click()
    page.locator("#erp-confirm").get_by_role("button", name="Confirm").click()

    expect(page.locator("#document-header")).to_contain_text("Completed")
    expect(page.locator("#allocation")).to_contain_text("Allocated onto the goods received")
    with schema_context(committed_tenant.schema_name):
        landed_cost = LandedCost.objects.get()
        assert landed_cost.number.startswith("LC-")
        values = dict(ProductValuation.objects.filter(warehouse=warehouse).values_list("product__sku", "value"))
    assert values == {"PAPER-A4": money("330.00"), "TONER": money("660.00")}

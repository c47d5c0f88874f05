"""Entering the vendor's bill from the purchase order screen: the button once something arrived,
the form with what is not billed yet at the order's price, the draft bill, a duplicate number
refused next to the field; refused without the permission."""

from __future__ import annotations

import pytest
from django.urls import reverse

from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.finance.invoicing.models import VendorBill
from erp.purchasing import billing, services
from tests.factories import inventory
from tests.factories import invoicing as finance
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


@pytest.fixture
def order(buyer):
    return make.order(buyer, buyer.office, [make.order_line(buyer.paper, 150)])


@pytest.fixture
def received(buyer, order):
    warehouse = inventory.warehouse(organization=buyer.organization, by=buyer.by)
    line = order.lines.get()
    receipt = services.purchase_order_receive(
        order=order, warehouse=warehouse, by=buyer.by, quantities={line.pk: money(100)}
    )
    documents.document_complete(document=receipt, by=buyer.by)
    return order


@pytest.fixture
def clerk(client_for, user_with_role):
    return client_for(user_with_role("Purchasing", "Accountant"))


def _url(view: str, *args) -> str:
    return reverse(f"purchasing:purchaseorder-{view}", args=args)


def test_the_order_offers_the_bill_once_something_arrived(clerk, order):
    assert 'id="bill-button"' not in clerk.get(_url("detail", order.pk)).text


def test_the_form_offers_what_arrived_at_the_order_price(clerk, received):
    assert 'id="bill-button"' in clerk.get(_url("detail", received.pk)).text

    response = clerk.get(_url("bill", received.pk))

    assert response.status_code == 200
    assert "Paper A4" in response.text
    assert 'value="3.50' in response.text


def test_prepares_the_draft_bill_at_the_vendors_price(clerk, received):
    line = received.lines.get()

    response = clerk.post(
        _url("bill", received.pk),
        {"vendor_invoice_number": "OS-77", "document_date": "2026-03-06", f"price-{line.pk}": "3.52"},
    )

    bill = VendorBill.objects.get()
    assert response.status_code == 302 and response.url == bill.get_absolute_url()
    assert (bill.status, bill.vendor_invoice_number) == (Status.DRAFT, "OS-77")
    assert [(row.quantity, row.unit_price) for row in bill.lines.all()] == [(money(100), money("3.52"))]
    assert "OS-77" in clerk.get(_url("detail", received.pk)).text


def test_a_duplicate_vendor_invoice_number_is_refused_next_to_the_field(clerk, buyer, received):
    first = finance.vendor_bill(
        organization=buyer.organization,
        partner=buyer.office,
        lines=[finance.line("1", "10.00")],
        by=buyer.by,
        on=make.DAY,
        number="OS-77",
    )
    line = received.lines.get()

    response = clerk.post(
        _url("bill", received.pk),
        {"vendor_invoice_number": "OS-77", "document_date": "2026-03-06", f"price-{line.pk}": "3.50"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["vendor_invoice_number"] == [
        f"The invoice number OS-77 of Office Supplies GmbH has been entered already, as {first.number}."
    ]
    feedback = response.text[response.text.index('id="error_1_id_vendor_invoice_number"') :]
    assert (
        "The invoice number OS-77 of Office Supplies GmbH has been entered already"
        in feedback[: feedback.index("</strong>")]
    )
    assert VendorBill.objects.count() == 1
    assert billing.unbilled_links(received)


def test_the_same_number_of_another_vendor_is_accepted(clerk, buyer, received):
    finance.vendor_bill(
        organization=buyer.organization,
        partner=buyer.mill,
        lines=[finance.line("1", "10.00")],
        by=buyer.by,
        on=make.DAY,
        number="OS-77",
    )
    line = received.lines.get()

    response = clerk.post(
        _url("bill", received.pk),
        {"vendor_invoice_number": "OS-77", "document_date": "2026-03-06", f"price-{line.pk}": "3.50"},
    )

    assert response.status_code == 302
    assert VendorBill.objects.filter(vendor_invoice_number="OS-77").count() == 2


def test_a_missing_price_is_refused_next_to_the_line(clerk, received):
    response = clerk.post(_url("bill", received.pk), {"vendor_invoice_number": "OS-78", "document_date": "2026-03-06"})

    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not VendorBill.objects.exists()


def test_purchasing_alone_may_not_enter_bills(client_for, user_with_role, received):
    assert client_for(user_with_role("Purchasing")).get(_url("bill", received.pk)).status_code == 403

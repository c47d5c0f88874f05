"""The vendor's credit note for goods returned after billing, from the purchase order page and
from the return's page: the form only while something returned is billed and not credited (and
for who may enter bills), the draft credit note, refusals next to the field; POST only."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.finance.invoicing import services as invoicing
from erp.finance.invoicing.models import InvoiceKind, VendorBill
from erp.purchasing import billing, returns, services
from tests.factories import inventory
from tests.factories import invoicing as finance
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money
ON = date(2026, 3, 6)
LATER = date(2026, 3, 10)


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


@pytest.fixture
def order(buyer):
    return make.order(buyer, buyer.office, [make.order_line(buyer.paper, 150, price="3.50")])


@pytest.fixture
def received(buyer, order):
    warehouse = inventory.warehouse(organization=buyer.organization, by=buyer.by)
    receipt = services.purchase_order_receive(
        order=order, warehouse=warehouse, by=buyer.by, quantities={order.lines.get().pk: money(100)}, on=ON
    )
    return documents.document_complete(document=receipt, by=buyer.by)


@pytest.fixture
def bill(buyer, order, received):
    bill = billing.purchase_order_bill(order=order, vendor_invoice_number="OS-77", by=buyer.by, on=ON)
    return invoicing.invoice_post(invoice=bill, by=buyer.by)


def _return(buyer, order, received, quantity=30):
    (document,) = returns.purchase_return_create(
        order=order, quantities={received.lines.get().pk: money(quantity)}, by=buyer.by, on=LATER
    )
    return document


@pytest.fixture
def returned(buyer, order, received, bill):
    """30 sheets went back after the bill of 100."""
    return _return(buyer, order, received)


@pytest.fixture
def clerk(client_for, user_with_role):
    return client_for(user_with_role("Purchasing", "Accountant"))


def _url(order, document) -> str:
    return reverse("purchasing:purchaseorder-return-credit", args=[order.pk, document.pk])


def _notes():
    return VendorBill.objects.filter(kind=InvoiceKind.CREDIT_NOTE)


class TestOffered:
    def test_the_order_and_the_return_offer_the_credit_note(self, clerk, order, returned, bill):
        page = clerk.get(order.get_absolute_url())
        assert page.status_code == 200
        assert f'id="return-credit-{returned.pk}"' in page.text
        assert _url(order, returned) in page.text

        page = clerk.get(returned.get_absolute_url())
        assert page.status_code == 200
        assert 'id="return-credit"' in page.text
        assert _url(order, returned) in page.text
        assert str(bill) in page.text

    def test_a_return_before_billing_offers_no_credit_note(self, buyer, clerk, order, received):
        document = _return(buyer, order, received)

        assert f'id="return-credit-{document.pk}"' not in clerk.get(order.get_absolute_url()).text
        assert 'id="return-credit"' not in clerk.get(document.get_absolute_url()).text

    def test_without_the_permission_to_enter_bills_nothing_is_offered_and_the_post_is_refused(
        self, client_for, user_with_role, order, returned
    ):
        purchaser = client_for(user_with_role("Purchasing"))

        assert f'id="return-credit-{returned.pk}"' not in purchaser.get(order.get_absolute_url()).text
        assert _url(order, returned) not in purchaser.get(returned.get_absolute_url()).text
        response = purchaser.post(_url(order, returned), {"vendor_invoice_number": "CN-1", "on": "2026-03-10"})
        assert response.status_code == 403
        assert not _notes().exists()


class TestCreate:
    def test_prepares_the_draft_credit_note_and_shows_it_on_the_order(self, clerk, order, returned, bill):
        response = clerk.post(_url(order, returned), {"vendor_invoice_number": "CN-5", "on": "2026-03-10"})

        note = _notes().get()
        assert response.status_code == 302 and response.url == note.get_absolute_url()
        assert (note.status, note.original, note.vendor_invoice_number, note.document_date) == (
            Status.DRAFT,
            bill,
            "CN-5",
            LATER,
        )
        assert [(line.quantity, line.unit_price) for line in note.lines.all()] == [(money(30), money("3.50"))]
        page = clerk.get(order.get_absolute_url()).text
        assert "CN-5" in page
        assert f'id="return-credit-{returned.pk}"' not in page
        panel = clerk.get(returned.get_absolute_url()).text
        assert "CN-5" in panel
        assert _url(order, returned) not in panel

    def test_an_empty_number_is_refused_next_to_the_field(self, clerk, order, returned):
        response = clerk.post(_url(order, returned), {"vendor_invoice_number": " ", "on": "2026-03-10"})

        assert response.status_code == 200
        assert "invalid-feedback" in response.text
        assert "This field is required." in response.text
        assert 'name="vendor_invoice_number"' in response.text
        assert not _notes().exists()

    def test_a_duplicate_number_is_refused_next_to_the_field(self, buyer, clerk, order, returned):
        finance.vendor_bill(
            organization=buyer.organization,
            partner=buyer.office,
            lines=[finance.line()],
            by=buyer.by,
            on=LATER,
            number="CN-9",
            kind=InvoiceKind.CREDIT_NOTE,
            post=False,
        )

        response = clerk.post(_url(order, returned), {"vendor_invoice_number": "CN-9", "on": "2026-03-10"})

        assert response.status_code == 200
        assert "has been entered already" in response.text
        assert "invalid-feedback" in response.text
        assert _notes().count() == 1

    def test_a_refusal_of_the_service_shows_above_the_form(self, buyer, clerk, order, received):
        document = _return(buyer, order, received)

        response = clerk.post(_url(order, document), {"vendor_invoice_number": "CN-1", "on": "2026-03-10"})

        assert response.status_code == 200
        assert "no credit note is needed" in response.text
        assert not _notes().exists()

    def test_post_only(self, clerk, order, returned):
        assert clerk.get(_url(order, returned)).status_code == 405
        assert not _notes().exists()

    def test_a_return_of_another_order_is_not_found(self, buyer, clerk, order, returned):
        other = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 5)])

        response = clerk.post(_url(other, returned), {"vendor_invoice_number": "CN-1", "on": "2026-03-10"})

        assert response.status_code == 404

    def test_another_tenant_gets_404(self, other_admin_client, order, returned):
        response = other_admin_client.post(_url(order, returned), {"vendor_invoice_number": "CN-1", "on": "2026-03-10"})

        assert response.status_code == 404

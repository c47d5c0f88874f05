"""Customer invoice and credit note screens: numbers too large or out of range are form errors
(never a 500, nothing saved); credit notes from an invoice, in full or in part, never more."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from erp.finance.invoicing.models import CustomerInvoice, CustomerInvoiceLine
from erp.finance.openitems.models import OpenItem
from tests.factories import invoicing as make
from tests.factories import partners

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 10)


@pytest.fixture
def books(admin_user):
    return make.books(by=admin_user)


@pytest.fixture
def accountant(user_with_role):
    return user_with_role("Accountant")


@pytest.fixture
def client(client_for, accountant):
    return client_for(accountant)


@pytest.fixture
def customer():
    return partners.partner(name="Müller Maschinenbau GmbH", country="DE", email="ap@mueller.example")


@pytest.fixture
def invoice(books, customer, root_organization, accountant):
    """357.00 EUR: 2 × 150.00 with 19 % tax."""
    return make.customer_invoice(
        organization=root_organization,
        partner=customer,
        lines=[make.line(2, "150.00", tax=books.output_tax, description="Wartung")],
        by=accountant,
        on=DAY,
    )


def _url(name: str, *args) -> str:
    return reverse(f"finance:{name}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _header(organization, partner, **fields) -> dict:
    return {
        "organization": organization.pk,
        "partner": partner.pk,
        "kind": "invoice",
        "document_date": DAY.isoformat(),
        "accounting_date": "",
        "currency": "EUR",
        "exchange_rate": "",
        "payment_term": "",
        "language": "",
        "external_reference": "",
        "notes": "",
        **fields,
    }


def _lines(rows, *, initial: int = 0) -> dict:
    data = {
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        values = {
            "id": "",
            "product": "",
            "description": "Beratung",
            "quantity": "1",
            "unit": "",
            "unit_price": "100.00",
            "discount_percent": "",
            "tax_code": "",
            "account": "",
            **row,
        }
        data.update({f"lines-{index}-{name}": value for name, value in values.items()})
    return data


def _errors(response) -> str:
    formset = response.context["formset"]
    return " ".join(
        [str(response.context["form"].errors), str(formset.non_form_errors()), *(str(f.errors) for f in formset)]
    )


BAD_LINES = [
    ({"quantity": "1e15"}, "Ensure that there are no more than"),
    ({"quantity": "999999999999", "unit_price": "999999"}, "The line's amount is too large."),
    ({"unit_price": "1e15"}, "Ensure that there are no more than"),
    ({"quantity": "10", "unit_price": "999999999999"}, "The line's amount is too large."),
    ({"quantity": "1000", "unit_price": "999999999999"}, "The line's amount is too large."),
    ({"discount_percent": "-5"}, "Enter a discount between 0 and 100 %."),
    ({"discount_percent": "150"}, "Enter a discount between 0 and 100 %."),
    ({"discount_percent": "1e15"}, "Ensure that there are no more than"),
    ({"quantity": "abc"}, "Enter a number."),
    ({"unit_price": "NaN"}, "Enter a number."),
    ({"quantity": "0"}, "The quantity must not be zero."),
]


class TestOversizedNumbers:
    @pytest.mark.parametrize(("row", "message"), BAD_LINES)
    def test_a_bad_number_on_a_new_invoice_is_a_form_error_and_nothing_is_saved(
        self, client, books, customer, root_organization, row, message
    ):
        data = {**_header(root_organization, customer), **_lines([row])}

        response = client.post(_url("customerinvoice-create"), data)

        assert response.status_code == 200
        assert message in _errors(response).replace("&#x27;", "'")
        assert not CustomerInvoice.objects.exists() and not CustomerInvoiceLine.objects.exists()

    def test_lines_that_together_exceed_what_a_total_can_hold_are_refused(
        self, client, books, customer, root_organization
    ):
        rows = [{"quantity": "1", "unit_price": "600000000000"}, {"quantity": "1", "unit_price": "600000000000"}]
        data = {**_header(root_organization, customer), **_lines(rows)}

        response = client.post(_url("customerinvoice-create"), data)

        assert response.status_code == 200 and "The document's total is too large." in _errors(response).replace(
            "&#x27;", "'"
        )
        assert not CustomerInvoice.objects.exists()

    @pytest.mark.parametrize(("row", "message"), BAD_LINES[:6])
    def test_a_bad_number_when_editing_a_draft_keeps_the_draft_as_it_was(
        self, client, books, customer, root_organization, accountant, row, message
    ):
        draft = make.customer_invoice(
            organization=root_organization,
            partner=customer,
            lines=[make.line(1, "100.00")],
            by=accountant,
            on=DAY,
            post=False,
        )
        line = draft.lines.get()
        data = {**_header(root_organization, customer), **_lines([{"id": line.pk, **row}], initial=1)}
        data["version"] = draft.version

        response = client.post(_url("customerinvoice-update", draft.pk), data)

        assert response.status_code == 200 and message in _errors(response).replace("&#x27;", "'")
        line.refresh_from_db()
        draft.refresh_from_db()
        assert line.unit_price == Decimal("100.00") and draft.total_gross == Decimal("100.00")

    @pytest.mark.parametrize(
        "row",
        [
            {"quantity": "1e30", "unit_price": "1e30"},
            {"quantity": "99999999999999999999", "unit_price": "99999999999999999999"},
            {"discount_percent": "1e40"},
            {"quantity": "Infinity"},
        ],
    )
    def test_the_live_totals_of_absurd_numbers_do_not_fail(self, client, books, customer, root_organization, row):
        data = {**_header(root_organization, customer), **_lines([row])}

        response = client.post(_url("customerinvoice-totals"), data)

        assert response.status_code == 200

    @pytest.mark.parametrize("rate", ["-1", "0", "1e20", "abc"])
    def test_a_bad_exchange_rate_is_a_form_error(self, client, books, customer, root_organization, rate):
        data = {**_header(root_organization, customer, currency="USD", exchange_rate=rate), **_lines([{}])}

        response = client.post(_url("customerinvoice-create"), data)

        assert response.status_code == 200 and "exchange_rate" in response.context["form"].errors
        assert not CustomerInvoice.objects.exists()

    def test_a_vendor_bill_refuses_oversized_numbers_too(self, client, books, root_organization):
        vendor = partners.vendor(name="Bürobedarf AG")
        data = {
            **_header(root_organization, vendor, vendor_invoice_number="R-1"),
            **_lines([{"quantity": "1000", "unit_price": "999999999999"}]),
        }
        data.pop("language")

        response = client.post(_url("vendorbill-create"), data)

        assert response.status_code == 200 and "The line's amount is too large." in _errors(response).replace(
            "&#x27;", "'"
        )


class TestCreditNotes:
    def test_a_full_credit_note_settles_the_invoice(self, client, invoice):
        client.post(_url("customerinvoice-credit-note", invoice.pk))
        note = CustomerInvoice.objects.get(original=invoice)

        response = client.post(_url("customerinvoice-action", note.pk, "complete"))

        note.refresh_from_db()
        assert response.status_code == 302 and note.posted and note.total_gross == Decimal("357.00")
        assert sum(item.open_amount for item in OpenItem.objects.filter(customer_invoice=invoice)) == 0
        detail = client.get(_url("customerinvoice-detail", invoice.pk))
        assert not detail.context["can_credit"] and note in detail.context["credit_notes"]

    def test_a_partial_credit_note_edited_on_the_screen_leaves_the_rest_open(
        self, client, books, invoice, customer, root_organization
    ):
        client.post(_url("customerinvoice-credit-note", invoice.pk))
        note = CustomerInvoice.objects.get(original=invoice)
        line = note.lines.get()
        data = {
            **_header(root_organization, customer, kind="credit_note"),
            **_lines(
                [{"id": line.pk, "quantity": "1", "unit_price": "150.00", "tax_code": books.output_tax.pk}], initial=1
            ),
            "version": note.version,
        }

        edited = client.post(_url("customerinvoice-update", note.pk), data)
        client.post(_url("customerinvoice-action", note.pk, "complete"))

        note.refresh_from_db()
        assert edited.status_code == 302 and note.posted and note.total_gross == Decimal("178.50")
        assert sum(item.open_amount for item in OpenItem.objects.filter(customer_invoice=invoice)) == Decimal("178.50")
        assert client.get(_url("customerinvoice-detail", invoice.pk)).context["can_credit"]

    def test_crediting_more_than_the_invoice_is_refused_with_a_clear_message(
        self, client, books, invoice, customer, root_organization
    ):
        client.post(_url("customerinvoice-credit-note", invoice.pk))
        note = CustomerInvoice.objects.get(original=invoice)
        line = note.lines.get()
        data = {
            **_header(root_organization, customer, kind="credit_note"),
            **_lines(
                [{"id": line.pk, "quantity": "3", "unit_price": "150.00", "tax_code": books.output_tax.pk}], initial=1
            ),
            "version": note.version,
        }
        client.post(_url("customerinvoice-update", note.pk), data)

        response = client.post(_url("customerinvoice-action", note.pk, "complete"))

        note.refresh_from_db()
        assert not note.posted and note.status == "draft"
        assert f"{invoice.number} can only be credited by 357.00 EUR more." in _messages(response)
        assert sum(item.open_amount for item in OpenItem.objects.filter(customer_invoice=invoice)) == Decimal("357.00")

    def test_a_second_credit_note_may_only_credit_what_is_left(
        self, client, invoice, books, customer, root_organization, accountant
    ):
        from erp.finance.invoicing import services

        first = services.credit_note_create(
            invoice=invoice, by=accountant, lines=[make.line(1, "150.00", tax=books.output_tax)]
        )
        services.invoice_post(invoice=first, by=accountant)
        client.post(_url("customerinvoice-credit-note", invoice.pk))
        second = CustomerInvoice.objects.filter(original=invoice, posted=False).get()

        response = client.post(_url("customerinvoice-action", second.pk, "complete"))

        second.refresh_from_db()
        assert not second.posted
        assert f"{invoice.number} can only be credited by 178.50 EUR more." in _messages(response)

    def test_an_invoice_credited_in_full_offers_no_more_credit_notes(self, client, invoice):
        client.post(_url("customerinvoice-credit-note", invoice.pk))
        note = CustomerInvoice.objects.get(original=invoice)
        client.post(_url("customerinvoice-action", note.pk, "complete"))

        response = client.post(_url("customerinvoice-credit-note", invoice.pk))

        assert response.status_code == 302 and response["Location"] == _url("customerinvoice-detail", invoice.pk)
        assert f"{invoice.number} has been credited in full already." in _messages(response)
        assert CustomerInvoice.objects.filter(original=invoice).count() == 1

    def test_a_draft_invoice_cannot_be_credited(self, client, books, customer, root_organization, accountant):
        draft = make.customer_invoice(
            organization=root_organization, partner=customer, lines=[make.line()], by=accountant, on=DAY, post=False
        )

        response = client.post(_url("customerinvoice-credit-note", draft.pk))

        assert "Only posted invoices can be credited." in _messages(response)
        assert not CustomerInvoice.objects.filter(original=draft).exists()

    def test_a_user_without_the_permission_cannot_credit(self, client_for, user_with_role, invoice):
        response = client_for(user_with_role("Sales")).post(_url("customerinvoice-credit-note", invoice.pk))

        assert response.status_code == 403
        assert not CustomerInvoice.objects.filter(original=invoice).exists()

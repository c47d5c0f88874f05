"""Customer invoice and vendor bill screens: list, create/edit, detail, actions, PDF, e-mail."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from erp.finance.invoicing.models import CustomerInvoice, VendorBill
from erp.finance.openitems.models import OpenItem
from erp.partners.models import Address
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
    customer = partners.partner(
        name="Müller Maschinenbau GmbH", tax_id="DE136695976", country="DE", email="ap@mueller.example"
    )
    Address.objects.create(
        partner=customer, is_default=True, street="Hauptstraße 5", postal_code="80331", city="München", country="DE"
    )
    return customer


@pytest.fixture
def vendor():
    return partners.vendor(name="Bürobedarf AG")


@pytest.fixture
def invoice(books, customer, root_organization, accountant):
    return make.customer_invoice(
        organization=root_organization,
        partner=customer,
        lines=[
            make.line(2, "150.00", tax=books.output_tax, description="Wartung Spindel"),
            make.line(1, "80.00", description="Anfahrt"),
        ],
        by=accountant,
        on=DAY,
    )


def _url(name: str, *args) -> str:
    return reverse(f"finance:{name}", args=args)


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _form(organization, partner, lines, **header) -> dict:
    data = {
        "organization": organization.pk,
        "partner": partner.pk if partner else "",
        "kind": "invoice",
        "document_date": DAY.isoformat(),
        "accounting_date": "",
        "currency": "EUR",
        "exchange_rate": "",
        "payment_term": "",
        "language": "",
        "external_reference": "",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        **header,
    }
    for index, (description, quantity, price, tax) in enumerate(lines):
        data.update(
            {
                f"lines-{index}-product": "",
                f"lines-{index}-description": description,
                f"lines-{index}-quantity": quantity,
                f"lines-{index}-unit": "",
                f"lines-{index}-unit_price": price,
                f"lines-{index}-discount_percent": "",
                f"lines-{index}-tax_code": tax.pk if tax else "",
                f"lines-{index}-account": "",
            }
        )
    return data


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class TestList:
    def test_lists_invoices_with_their_open_amount_within_the_query_budget(
        self, client, invoice, books, customer, root_organization, accountant, django_assert_max_num_queries
    ):
        for _number in range(3):
            make.customer_invoice(
                organization=root_organization, partner=customer, lines=[make.line()], by=accountant, on=DAY
            )

        with django_assert_max_num_queries(15):
            response = client.get(_url("customerinvoice-list"))

        assert response.status_code == 200
        assert len(response.context["table"].rows) == 4
        content = response.content.decode()
        assert invoice.number in content and "Müller Maschinenbau GmbH" in content and "437.00" in content

    def test_filters_open_invoices(self, client, invoice, books, customer, root_organization, accountant):
        make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=accountant, on=DAY, pays=[invoice]
        )
        other = make.customer_invoice(
            organization=root_organization, partner=customer, lines=[make.line()], by=accountant, on=DAY
        )

        response = client.get(_url("customerinvoice-list"), {"open": "true"})

        numbers = [row.record.number for row in response.context["table"].rows]
        assert numbers == [other.number]

    def test_a_user_without_the_permission_gets_403(self, client_for, user_with_role):
        response = client_for(user_with_role("Warehouse")).get(_url("customerinvoice-list"))

        assert response.status_code == 403

    def test_sales_see_customer_invoices_but_not_vendor_bills(self, client_for, user_with_role):
        sales = client_for(user_with_role("Sales"))

        assert sales.get(_url("customerinvoice-list")).status_code == 200
        assert sales.get(_url("vendorbill-list")).status_code == 403

    def test_purchasing_see_vendor_bills_but_not_customer_invoices(self, client_for, user_with_role):
        purchasing = client_for(user_with_role("Purchasing"))

        assert purchasing.get(_url("vendorbill-list")).status_code == 200
        assert purchasing.get(_url("customerinvoice-list")).status_code == 403


class TestCreate:
    def test_saves_a_draft_with_its_lines_and_totals(self, client, books, customer, root_organization):
        data = _form(
            root_organization, customer, [("Beratung", "3", "33.33", books.output_tax), ("Spesen", "1", "0.01", None)]
        )

        response = client.post(_url("customerinvoice-create"), data)

        invoice = CustomerInvoice.objects.get()
        assert response.status_code == 302 and response["Location"] == _url("customerinvoice-detail", invoice.pk)
        assert invoice.status == "draft" and invoice.accounting_date == DAY
        assert (invoice.total_net, invoice.total_tax, invoice.total_gross) == (
            make.money("100.00"),
            make.money("19.00"),
            make.money("119.00"),
        )
        lines = list(invoice.lines.order_by("position"))
        assert [(line.position, line.account_id) for line in lines] == [(1, books.revenue.pk), (2, books.revenue.pk)]

    def test_bad_input_shows_field_errors_and_saves_nothing(self, client, books, customer, root_organization):
        data = _form(root_organization, None, [("Beratung", "abc", "10", None)])

        response = client.post(_url("customerinvoice-create"), data)

        assert response.status_code == 200
        assert response.context["form"].errors["partner"]
        assert response.context["formset"].forms[0].errors["quantity"]
        assert not CustomerInvoice.objects.exists()

    def test_a_line_needs_a_description_or_a_product(self, client, books, customer, root_organization):
        response = client.post(
            _url("customerinvoice-create"), _form(root_organization, customer, [("", "1", "10", None)])
        )

        assert response.status_code == 200
        assert "Enter a description or choose a product." in response.context["formset"].forms[0].errors["description"]
        assert not CustomerInvoice.objects.exists()

    def test_the_totals_follow_the_lines_as_typed(self, client, books, customer, root_organization):
        data = _form(root_organization, customer, [("A", "2", "10.00", books.output_tax), ("B", "1", "5", None)])

        response = client.post(_url("customerinvoice-totals"), data, HTTP_HX_REQUEST="true")

        assert response.status_code == 200
        assert (response.context["totals_net"], response.context["totals_tax"], response.context["totals_gross"]) == (
            make.money("25.00"),
            make.money("3.80"),
            make.money("28.80"),
        )
        assert 'id="total-gross"' in response.content.decode()


class TestVendorBillNumber:
    def test_a_duplicate_vendor_invoice_number_is_refused_next_to_the_field(
        self, client, books, vendor, root_organization, accountant
    ):
        first = make.vendor_bill(
            organization=root_organization, partner=vendor, lines=[make.line()], by=accountant, on=DAY, number="RE-77"
        )
        data = _form(root_organization, vendor, [("Papier", "1", "10", None)], vendor_invoice_number="re-77")
        data.pop("language")

        response = client.post(_url("vendorbill-create"), data)

        assert response.status_code == 200
        assert response.context["form"].errors["vendor_invoice_number"] == [
            f"The invoice number RE-77 of Bürobedarf AG has been entered already, as {first.number}."
        ]
        assert VendorBill.objects.count() == 1

    def test_the_message_is_shown_under_the_number_field(self, client, books, vendor, root_organization, accountant):
        make.vendor_bill(
            organization=root_organization, partner=vendor, lines=[make.line()], by=accountant, on=DAY, number="RE-77"
        )
        data = _form(root_organization, vendor, [("Papier", "1", "10", None)], vendor_invoice_number="RE-77")
        data.pop("language")

        html = client.post(_url("vendorbill-create"), data).content.decode()

        feedback = html[html.index('id="error_1_id_vendor_invoice_number"') :]
        assert feedback[: feedback.index("</strong>")].endswith(
            f"The invoice number RE-77 of Bürobedarf AG has been entered already, as {VendorBill.objects.get().number}."
        )

    def test_editing_a_draft_to_another_bills_number_is_refused(
        self, client, books, vendor, root_organization, accountant
    ):
        first = make.vendor_bill(
            organization=root_organization, partner=vendor, lines=[make.line()], by=accountant, on=DAY, number="RE-77"
        )
        draft = make.vendor_bill(
            organization=root_organization,
            partner=vendor,
            lines=[make.line()],
            by=accountant,
            on=DAY,
            number="RE-78",
            post=False,
        )
        data = _form(root_organization, vendor, [("Papier", "1", "10", None)], vendor_invoice_number="RE-77")
        data.pop("language")

        response = client.post(_url("vendorbill-update", draft.pk), data)

        assert response.status_code == 200
        assert response.context["form"].errors["vendor_invoice_number"] == [
            f"The invoice number RE-77 of Bürobedarf AG has been entered already, as {first.number}."
        ]
        draft.refresh_from_db()
        assert draft.vendor_invoice_number == "RE-78"

    def test_another_vendors_bill_may_have_the_same_number(self, client, books, vendor, root_organization, accountant):
        make.vendor_bill(
            organization=root_organization, partner=vendor, lines=[make.line()], by=accountant, on=DAY, number="RE-77"
        )
        other = partners.vendor(name="Papierhaus KG")
        data = _form(root_organization, other, [("Papier", "1", "10", books.input_tax)], vendor_invoice_number="RE-77")
        data.pop("language")

        response = client.post(_url("vendorbill-create"), data)

        assert response.status_code == 302
        assert VendorBill.objects.filter(vendor_invoice_number="RE-77").count() == 2

    def test_a_new_number_is_saved(self, client, books, vendor, root_organization):
        data = _form(root_organization, vendor, [("Papier", "1", "10", books.input_tax)], vendor_invoice_number="RE-78")
        data.pop("language")

        response = client.post(_url("vendorbill-create"), data)

        assert response.status_code == 302
        assert VendorBill.objects.get().vendor_invoice_number == "RE-78"


class TestDetailAndActions:
    def test_shows_the_invoice_its_open_items_and_actions_within_the_query_budget(
        self, client, invoice, django_assert_max_num_queries
    ):
        with django_assert_max_num_queries(25):
            response = client.get(_url("customerinvoice-detail", invoice.pk))

        assert response.status_code == 200
        content = response.content.decode()
        assert invoice.number in content and 'id="open-items"' in content
        assert "Wartung Spindel" in content and "437.00" in content
        assert 'id="credit-note-button"' in content and 'id="send-button"' in content and 'id="pay-button"' in content

    def test_completing_a_draft_posts_it(self, client, books, customer, root_organization, accountant):
        draft = make.customer_invoice(
            organization=root_organization, partner=customer, lines=[make.line()], by=accountant, on=DAY, post=False
        )

        response = client.post(_url("customerinvoice-action", draft.pk, "complete"))

        draft.refresh_from_db()
        assert response.status_code == 302
        assert draft.posted and draft.number.startswith("INV-")
        assert OpenItem.objects.filter(customer_invoice=draft).exists()

    def test_the_credit_note_button_creates_a_draft_credit_note(self, client, invoice):
        response = client.post(_url("customerinvoice-credit-note", invoice.pk))

        note = CustomerInvoice.objects.get(original=invoice)
        assert response.status_code == 302 and response["Location"] == _url("customerinvoice-update", note.pk)
        assert note.kind == "credit_note" and note.total_gross == invoice.total_gross

    def test_register_payment_creates_a_draft_payment_of_the_open_amount(self, client, invoice, books):
        response = client.post(_url("customerpayment-for-invoice", invoice.pk))

        assert response.status_code == 302
        payment = invoice.__class__.objects.get(pk=invoice.pk).open_items.get().open_amount
        assert payment == make.money("437.00")
        from erp.finance.payments.models import Payment

        created = Payment.objects.get()
        assert (created.status, created.amount, created.kind) == ("draft", make.money("437.00"), "customer_receipt")

    def test_another_tenant_gets_404(self, other_admin_client, invoice):
        response = other_admin_client.get(_url("customerinvoice-detail", invoice.pk))

        assert response.status_code == 404


class TestPdfAndEmail:
    def test_the_pdf_names_both_parties_the_lines_the_tax_per_rate_and_the_total_in_the_customers_language(
        self, client, invoice
    ):
        response = client.get(_url("customerinvoice-pdf", invoice.pk))

        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = _pdf_text(response.content)
        assert "Rechnung" in text and invoice.number in text
        assert "Müller Maschinenbau GmbH" in text and "DE136695976" in text and "Test Company" in text
        assert "Wartung Spindel" in text and "Anfahrt" in text
        assert "57,00" in text  # 19 % on 300.00
        assert "437,00 EUR" in text

    def test_sending_mails_the_pdf_and_records_it(self, client, invoice, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url("customerinvoice-send", invoice.pk), {"to": "billing@mueller.example"})

        assert response.status_code == 302
        [message] = mail.outbox
        assert message.to == ["billing@mueller.example"] and invoice.number in message.subject
        [(name, content, kind)] = message.attachments
        assert name == f"{invoice.number}.pdf" and kind == "application/pdf"
        assert "Wartung Spindel" in _pdf_text(content)
        invoice.refresh_from_db()
        assert invoice.send_status == "sent" and invoice.sent_to == "billing@mueller.example" and invoice.sent_at

    def test_a_bad_address_is_refused(self, client, invoice):
        response = client.post(_url("customerinvoice-send", invoice.pk), {"to": "not an address"})

        assert "Enter a valid e-mail address." in _messages(response)
        assert not mail.outbox

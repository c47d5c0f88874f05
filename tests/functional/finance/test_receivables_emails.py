"""Receivables e-mails: the customer statement and the payment reminder from the dunning list, sent
with the statement PDF in the customer's language and recorded in the event log."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from erp.core.models import BusinessEvent
from tests.factories import invoicing as make
from tests.factories import partners

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 10)
LATER = date(2025, 5, 20)  # the 30-day invoices of DAY are overdue by then


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
def english_customer():
    return partners.partner(name="Smith Engineering Ltd", country="GB", email="accounts@smith.example")


def _invoice(partner, root_organization, accountant, price="100.00"):
    return make.customer_invoice(
        organization=root_organization,
        partner=partner,
        lines=[make.line(1, price)],
        by=accountant,
        on=DAY,
        payment_term=make.term(net_days=30),
    )


@pytest.fixture
def invoice(books, customer, root_organization, accountant):
    return _invoice(customer, root_organization, accountant, "437.00")


def _url(name: str) -> str:
    return reverse(f"finance:{name}")


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _statement(partner, **extra) -> dict:
    return {"partner": partner.pk, "date_from": "2025-01-01", "on": LATER.isoformat(), **extra}


class TestStatementEmail:
    def test_mails_the_statement_pdf_in_german_to_a_german_customer_and_records_it(
        self, client, invoice, customer, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url("receivable-statement-send"), _statement(customer))

        assert response.status_code == 302
        assert "The statement is being sent to ap@mueller.example." in _messages(response)
        [message] = mail.outbox
        assert message.to == ["ap@mueller.example"]
        assert message.subject.startswith("Kontoauszug von Test Company")
        assert "Mit freundlichen Grüßen" in message.body
        [(name, content, kind)] = message.attachments
        assert name == f"statement-{customer.code}-{LATER.isoformat()}.pdf" and kind == "application/pdf"
        text = _pdf_text(content)
        assert "Kontoauszug" in text and invoice.number in text and "437,00" in text
        event = BusinessEvent.objects.get(verb="finance.statement.sent")
        assert event.aggregate_id == str(customer.pk) and event.data["to"] == "ap@mueller.example"

    def test_an_english_customer_gets_it_in_english(
        self, client, books, english_customer, root_organization, accountant, django_capture_on_commit_callbacks
    ):
        _invoice(english_customer, root_organization, accountant)

        with django_capture_on_commit_callbacks(execute=True):
            client.post(_url("receivable-statement-send"), _statement(english_customer))

        [message] = mail.outbox
        assert message.subject.startswith("Statement of account from Test Company")
        assert "Statement of account" in _pdf_text(message.attachments[0][1])

    def test_goes_to_the_address_typed(self, client, invoice, customer, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(_url("receivable-statement-send"), _statement(customer, to="buchhaltung@mueller.example"))

        assert [message.to for message in mail.outbox] == [["buchhaltung@mueller.example"]]

    def test_a_bad_address_is_refused_and_nothing_recorded(
        self, client, invoice, customer, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url("receivable-statement-send"), _statement(customer, to="not an address"))

        assert response.status_code == 302 and "Enter a valid e-mail address." in _messages(response)
        assert not mail.outbox and not BusinessEvent.objects.filter(verb="finance.statement.sent").exists()

    def test_a_customer_without_an_address_needs_one_typed(
        self, client, books, root_organization, accountant, django_capture_on_commit_callbacks
    ):
        silent = partners.partner(name="Ohne Mail GmbH", country="DE", email="")
        _invoice(silent, root_organization, accountant)

        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url("receivable-statement-send"), _statement(silent))

        assert "Ohne Mail GmbH has no e-mail address: enter the recipient." in _messages(response)
        assert not mail.outbox

    def test_a_user_who_may_not_send_gets_403(self, client_for, user_with_role, invoice, customer):
        response = client_for(user_with_role("Sales")).post(_url("receivable-statement-send"), _statement(customer))

        assert response.status_code == 403 and not mail.outbox

    def test_the_statement_can_only_be_sent_by_post(self, client, invoice, customer):
        assert client.get(_url("receivable-statement-send"), _statement(customer)).status_code == 405


class TestDunningReminder:
    def test_the_dunning_list_shows_the_overdue_invoices_with_a_send_button(self, client, invoice, customer):
        response = client.get(_url("receivable-dunning"), {"on": LATER.isoformat()})

        assert response.status_code == 200
        [group] = response.context["groups"]
        assert group.partner == customer and [item.customer_invoice_id for item in group.items] == [invoice.pk]
        content = response.content.decode()
        assert invoice.number in content and f'id="reminder-{customer.pk}"' in content

    def test_mails_a_reminder_in_the_customers_language_with_the_statement_and_records_it(
        self, client, invoice, customer, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                _url("receivable-dunning-send"), {"partner": customer.pk, "on": LATER.isoformat(), "min_days": "1"}
            )

        assert response.status_code == 302
        assert response["Location"] == _url("receivable-dunning") + f"?on={LATER.isoformat()}&min_days=1"
        [message] = mail.outbox
        assert message.to == ["ap@mueller.example"] and "Test Company" in message.subject
        assert invoice.number in message.body and "Mit freundlichen Grüßen" in message.body
        [(name, content, kind)] = message.attachments
        assert kind == "application/pdf" and name.endswith(".pdf")
        text = _pdf_text(content)
        assert "Kontoauszug" in text and invoice.number in text
        event = BusinessEvent.objects.get(verb="finance.dunning.sent")
        assert event.aggregate_id == str(customer.pk)
        assert event.data["documents"] == [invoice.number] and event.data["total"] == "437.0000"
        listed = client.get(_url("receivable-dunning"), {"on": LATER.isoformat()})
        assert f'id="last-reminder-{customer.pk}"' in listed.content.decode()

    def test_an_english_customer_gets_an_english_reminder(
        self, client, books, english_customer, root_organization, accountant, django_capture_on_commit_callbacks
    ):
        _invoice(english_customer, root_organization, accountant)

        with django_capture_on_commit_callbacks(execute=True):
            client.post(_url("receivable-dunning-send"), {"partner": english_customer.pk, "on": LATER.isoformat()})

        [message] = mail.outbox
        assert message.subject == "Payment reminder from Test Company"
        assert "Kind regards" in message.body

    def test_a_customer_with_nothing_overdue_gets_no_reminder(
        self, client, invoice, customer, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(_url("receivable-dunning-send"), {"partner": customer.pk, "on": DAY.isoformat()})

        assert "Müller Maschinenbau GmbH has no overdue invoices." in _messages(response)
        assert not mail.outbox and not BusinessEvent.objects.filter(verb="finance.dunning.sent").exists()

    def test_a_bad_address_is_refused(self, client, invoice, customer, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                _url("receivable-dunning-send"), {"partner": customer.pk, "on": LATER.isoformat(), "to": "nope"}
            )

        assert "Enter a valid e-mail address." in _messages(response) and not mail.outbox

    def test_an_unknown_customer_is_refused(self, client, invoice):
        response = client.post(_url("receivable-dunning-send"), {"partner": "Nobody", "on": LATER.isoformat()})

        assert "Choose the customer of the reminder." in _messages(response) and not mail.outbox

    def test_a_user_who_may_not_send_gets_403(self, client_for, user_with_role, invoice, customer):
        sales = client_for(user_with_role("Sales"))

        response = sales.post(_url("receivable-dunning-send"), {"partner": customer.pk, "on": LATER.isoformat()})

        assert response.status_code == 403 and not mail.outbox
        listed = sales.get(_url("receivable-dunning"), {"on": LATER.isoformat()})
        assert listed.status_code == 200 and f'id="reminder-{customer.pk}"' not in listed.content.decode()

"""Payment reminders (``statements.reminder_send`` and its e-mail task)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from erp.core.exceptions import DomainError
from erp.core.models import BusinessEvent
from erp.finance.openitems import statements
from tests.factories import invoicing as make
from tests.factories import partners

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 10)
LATER = date(2025, 5, 20)


@pytest.fixture
def books(admin_user):
    return make.books(by=admin_user)


@pytest.fixture
def customer():
    return partners.partner(name="Müller Maschinenbau GmbH", country="DE", email="ap@mueller.example")


@pytest.fixture
def invoice(books, customer, root_organization, admin_user):
    return make.customer_invoice(
        organization=root_organization,
        partner=customer,
        lines=[make.line(1, "250.00")],
        by=admin_user,
        on=DAY,
        payment_term=make.term(net_days=30),
    )


class TestReminderSend:
    def test_records_the_reminder_and_mails_it_after_commit(
        self, invoice, customer, admin_user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            recipient = statements.reminder_send(partner=customer, on=LATER, by=admin_user)

        assert recipient == "ap@mueller.example" and len(callbacks) == 1
        [message] = mail.outbox
        assert invoice.number in message.body and message.attachments
        event = BusinessEvent.objects.get(verb=statements.REMINDER_SENT)
        assert event.data["documents"] == [invoice.number] and event.data["on"] == LATER.isoformat()
        assert statements.reminders_sent([customer.pk]) == {customer.pk: timezone.localdate(event.occurred_at)}

    def test_only_invoices_overdue_for_the_minimum_days_count(self, invoice, customer, admin_user):
        due = invoice.open_items.get().due_date

        with pytest.raises(DomainError, match="has no overdue invoices"):
            statements.reminder_send(partner=customer, on=due, by=admin_user, min_days=1)

        assert not BusinessEvent.objects.filter(verb=statements.REMINDER_SENT).exists()

    def test_an_invoice_paid_before_the_task_runs_sends_nothing(
        self, invoice, customer, books, root_organization, admin_user, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            statements.reminder_send(partner=customer, on=LATER, by=admin_user)
        make.payment(
            organization=root_organization, partner=customer, bank=books.bank, by=admin_user, on=DAY, pays=[invoice]
        )

        for callback in callbacks:
            callback()

        assert not mail.outbox

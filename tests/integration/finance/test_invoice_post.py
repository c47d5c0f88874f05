"""Posting customer invoices and vendor bills: the entry, the totals, the open items, numbering."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from erp.core.documents import services as documents
from erp.core.exceptions import DomainError
from erp.finance.invoicing import services as invoicing
from erp.finance.openitems.models import OpenItem, Side
from tests.factories import invoicing as make
from tests.factories import partners
from tests.factories.ledger import money, run_commit_checks

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 10)


@pytest.fixture
def books(admin_user):
    return make.books(by=admin_user)


@pytest.fixture
def customer():
    return partners.partner(name="Kunde GmbH", tax_id="DE136695976")


@pytest.fixture
def vendor():
    return partners.vendor(name="Lieferant AG")


def _entry_lines(invoice):
    return [
        (line.account_id, line.debit, line.credit, line.debit_company, line.credit_company)
        for line in invoice.journal_entry.lines.order_by("position")
    ]


class TestCustomerInvoicePost:
    def test_posts_receivable_revenue_and_tax_and_numbers_it_per_kind(
        self, books, customer, root_organization, admin_user
    ):
        invoice = make.customer_invoice(
            organization=root_organization,
            partner=customer,
            lines=[make.line(3, "33.33", tax=books.output_tax), make.line(1, "0.01", tax=books.output_tax)],
            by=admin_user,
            on=DAY,
        )
        run_commit_checks()

        invoice.refresh_from_db()
        assert invoice.number == "INV-HQ-2025-00001"
        assert invoice.status == "completed" and invoice.posted
        assert (invoice.total_net, invoice.total_tax, invoice.total_gross) == (
            money("100.00"),
            money("19.00"),
            money("119.00"),
        )
        assert _entry_lines(invoice) == [
            (books.receivable.pk, money("119.00"), 0, money("119.00"), 0),
            (books.revenue.pk, 0, money("100.00"), 0, money("100.00")),
            (books.output_tax.account_id, 0, money("19.00"), 0, money("19.00")),
        ]
        [item] = OpenItem.objects.filter(customer_invoice=invoice)
        assert (item.side, item.amount, item.open_amount, item.due_date) == (
            Side.RECEIVABLE,
            money("119.00"),
            money("119.00"),
            DAY,
        )
        assert invoice.partner_name == "Kunde GmbH" and invoice.partner_tax_id == "DE136695976"

    def test_a_second_invoice_and_a_credit_note_take_the_next_numbers_of_their_series(
        self, books, customer, root_organization, admin_user
    ):
        first = make.customer_invoice(
            organization=root_organization, partner=customer, lines=[make.line()], by=admin_user, on=DAY
        )
        second = make.customer_invoice(
            organization=root_organization, partner=customer, lines=[make.line()], by=admin_user, on=DAY
        )
        note = invoicing.credit_note_create(invoice=first, by=admin_user, document_date=DAY)
        invoicing.invoice_post(invoice=note, by=admin_user)

        note.refresh_from_db()
        assert (first.number, second.number, note.number) == (
            "INV-HQ-2025-00001",
            "INV-HQ-2025-00002",
            "CN-HQ-2025-00001",
        )

    def test_an_installment_term_creates_one_open_item_per_installment(
        self, books, customer, root_organization, admin_user
    ):
        customer.payment_term = make.term(installments=[("50", 30), ("50", 60)])
        customer.save()

        invoice = make.customer_invoice(
            organization=root_organization,
            partner=customer,
            lines=[make.line(1, "100.01", tax=books.output_tax)],
            by=admin_user,
            on=DAY,
        )

        assert invoice.total_gross == money("119.01")
        items = list(OpenItem.objects.filter(customer_invoice=invoice).order_by("installment"))
        assert [(i.installment, i.installments, i.due_date, i.amount, i.amount_company) for i in items] == [
            (1, 2, date(2025, 4, 9), money("59.51"), money("59.51")),
            (2, 2, date(2025, 5, 9), money("59.50"), money("59.50")),
        ]
        invoice.refresh_from_db()
        assert invoice.due_date == date(2025, 5, 9)
        assert invoice.payment_term == customer.payment_term

    def test_a_foreign_currency_invoice_posts_at_the_rate_of_its_date(
        self, books, customer, root_organization, admin_user
    ):
        make.rate("USD", date(2025, 3, 1), "0.90")
        make.rate("USD", date(2025, 3, 20), "0.95")

        invoice = make.customer_invoice(
            organization=root_organization,
            partner=customer,
            lines=[make.line(10, "100.00", tax=books.output_tax)],
            by=admin_user,
            on=DAY,
            currency="USD",
        )

        assert invoice.exchange_rate == Decimal("0.90")
        assert _entry_lines(invoice) == [
            (books.receivable.pk, money("1190.00"), 0, money("1071.00"), 0),
            (books.revenue.pk, 0, money("1000.00"), 0, money("900.00")),
            (books.output_tax.account_id, 0, money("190.00"), 0, money("171.00")),
        ]
        item = OpenItem.objects.get(customer_invoice=invoice)
        assert (item.currency_id, item.amount, item.amount_company) == ("USD", money("1190.00"), money("1071.00"))
        assert invoice.total_gross_company == money("1071.00")

    def test_an_invoice_without_lines_is_refused(self, books, customer, root_organization, admin_user):
        invoice = make.customer_invoice(
            organization=root_organization, partner=customer, lines=[], by=admin_user, on=DAY, post=False
        )

        with pytest.raises(DomainError, match="at least one line"):
            invoicing.invoice_post(invoice=invoice, by=admin_user)

        invoice.refresh_from_db()
        assert invoice.status == "draft" and not invoice.number


class TestVendorBillPost:
    def test_posts_expense_and_input_tax_against_the_payable(self, books, vendor, root_organization, admin_user):
        bill = make.vendor_bill(
            organization=root_organization,
            partner=vendor,
            lines=[make.line(2, "50.00", tax=books.input_tax)],
            by=admin_user,
            on=DAY,
            number="R-4711",
        )
        run_commit_checks()

        assert bill.number == "BILL-HQ-2025-00001"
        assert _entry_lines(bill) == [
            (books.payable.pk, 0, money("119.00"), 0, money("119.00")),
            (books.expense.pk, money("100.00"), 0, money("100.00"), 0),
            (books.input_tax.account_id, money("19.00"), 0, money("19.00"), 0),
        ]
        item = OpenItem.objects.get(vendor_bill=bill)
        assert (item.side, item.amount) == (Side.PAYABLE, money("119.00"))

    def test_the_same_vendor_invoice_number_is_refused_for_the_same_vendor(
        self, books, vendor, root_organization, admin_user
    ):
        make.vendor_bill(
            organization=root_organization, partner=vendor, lines=[make.line()], by=admin_user, on=DAY, number="R-1"
        )

        with pytest.raises(invoicing.DuplicateVendorInvoice, match="R-1 of Lieferant AG has been entered already"):
            make.vendor_bill(
                organization=root_organization,
                partner=vendor,
                lines=[make.line()],
                by=admin_user,
                on=DAY,
                number=" r-1 ",
            )

    def test_another_vendor_may_use_the_same_number(self, books, vendor, root_organization, admin_user):
        other = partners.vendor(name="Anderer Lieferant")
        make.vendor_bill(
            organization=root_organization, partner=vendor, lines=[make.line()], by=admin_user, on=DAY, number="R-1"
        )

        bill = make.vendor_bill(
            organization=root_organization, partner=other, lines=[make.line()], by=admin_user, on=DAY, number="R-1"
        )

        assert bill.posted


class TestInvoiceVoid:
    def test_voiding_an_unpaid_invoice_voids_its_entry_and_removes_its_open_items(
        self, books, customer, root_organization, admin_user
    ):
        invoice = make.customer_invoice(
            organization=root_organization, partner=customer, lines=[make.line()], by=admin_user, on=DAY
        )

        documents.document_void(document=invoice, by=admin_user, reason="wrong customer")
        run_commit_checks()

        invoice.refresh_from_db()
        assert invoice.status == "voided"
        assert not OpenItem.objects.filter(customer_invoice=invoice).exists()
        assert make.balance(books.receivable) == 0
        assert invoice.journal_entry.status == "voided"

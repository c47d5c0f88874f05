"""Payments and their allocations, to the cent: exchange differences, early-payment discounts,
credit notes, overpayments kept as credit, refunds; the ledger keeps equalling the open items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from erp.core.documents import services as documents
from erp.core.exceptions import DomainError
from erp.finance import selectors
from erp.finance.invoicing import services as invoicing
from erp.finance.openitems import services as openitems
from erp.finance.openitems.models import Allocation, OpenItem, Side
from erp.finance.payments import services as payments
from erp.finance.payments.models import PaymentKind
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
    return partners.partner(name="Kunde GmbH")


@pytest.fixture
def vendor():
    return partners.vendor(name="Lieferant AG")


@pytest.fixture
def context(books, root_organization, admin_user):
    return {"organization": root_organization, "by": admin_user}


def _assert_books_agree(books) -> None:
    """Trial balance balances; receivable and payable accounts equal their open items."""
    run_commit_checks()
    trial = selectors.trial_balance(date_from=date(2025, 1, 1), date_to=date(2026, 12, 31))
    assert trial.balances
    assert make.balance(books.receivable) == make.open_items_total(side=Side.RECEIVABLE, account=books.receivable)
    assert -make.balance(books.payable) == make.open_items_total(side=Side.PAYABLE, account=books.payable)


class TestExchangeDifference:
    def test_a_usd_invoice_paid_at_a_higher_rate_posts_the_gain(self, books, customer, context):
        make.rate("USD", date(2025, 3, 1), "0.90")
        make.rate("USD", date(2025, 3, 20), "0.95")
        invoice = make.customer_invoice(
            partner=customer, lines=[make.line(10, "100.00", tax=books.output_tax)], on=DAY, currency="USD", **context
        )

        payment = make.payment(
            partner=customer, bank=books.bank, on=date(2025, 3, 25), currency="USD", pays=[invoice], **context
        )

        assert payment.exchange_rate == Decimal("0.95")
        allocation = Allocation.objects.get()
        assert (allocation.charge_company, allocation.credit_company, allocation.exchange_difference) == (
            money("1071.00"),
            money("1130.50"),
            money("59.50"),
        )
        assert make.balance(books.bank) == money("1130.50")
        assert make.balance(books.exchange_gain) == money("-59.50")
        assert make.balance(books.receivable) == 0
        assert make.balance(books.revenue) == money("-900.00")
        assert make.balance(books.output_tax.account) == money("-171.00")
        assert OpenItem.objects.open().count() == 0
        _assert_books_agree(books)

    def test_a_usd_bill_paid_at_a_higher_rate_posts_a_loss(self, books, vendor, context):
        make.rate("USD", date(2025, 3, 1), "0.90")
        make.rate("USD", date(2025, 3, 20), "0.95")
        bill = make.vendor_bill(
            partner=vendor, lines=[make.line(1, "500.00")], on=DAY, currency="USD", number="US-1", **context
        )

        make.payment(
            kind=PaymentKind.VENDOR_PAYMENT,
            partner=vendor,
            bank=books.bank,
            on=date(2025, 3, 25),
            currency="USD",
            pays=[bill],
            **context,
        )

        assert make.balance(books.payable) == 0
        assert make.balance(books.bank) == money("-475.00")
        assert make.balance(books.exchange_loss) == money("25.00")
        _assert_books_agree(books)


class TestEarlyPaymentDiscount:
    def test_paying_within_the_discount_days_takes_the_discount_with_its_tax_correction(self, books, customer, context):
        customer.payment_term = make.term(net_days=30, discount_percent="2", discount_days=10)
        customer.save()
        invoice = make.customer_invoice(
            partner=customer, lines=[make.line(10, "100.00", tax=books.output_tax)], on=DAY, **context
        )
        item = OpenItem.objects.get(customer_invoice=invoice)
        assert (item.discount_date, item.discount_amount) == (date(2025, 3, 20), money("23.80"))

        payment = make.payment(partner=customer, bank=books.bank, on=date(2025, 3, 18), pays=[invoice], **context)

        assert payment.amount == money("1166.20")
        allocation = Allocation.objects.get()
        assert (allocation.amount, allocation.discount, allocation.exchange_difference) == (
            money("1166.20"),
            money("23.80"),
            0,
        )
        discount_lines = [
            (line.account_id, line.debit, line.credit) for line in allocation.discount_entry.lines.order_by("position")
        ]
        assert discount_lines == [
            (books.receivable.pk, 0, money("23.80")),
            (books.discount_granted.pk, money("20.00"), 0),
            (books.output_tax.account_id, money("3.80"), 0),
        ]
        assert make.balance(books.receivable) == 0
        assert make.balance(books.output_tax.account) == money("-186.20")
        assert make.balance(books.discount_granted) == money("20.00")
        _assert_books_agree(books)

    def test_no_discount_after_the_discount_date(self, books, customer, context):
        customer.payment_term = make.term(net_days=30, discount_percent="2", discount_days=10)
        customer.save()
        invoice = make.customer_invoice(
            partner=customer, lines=[make.line(10, "100.00", tax=books.output_tax)], on=DAY, **context
        )

        payment = make.payment(partner=customer, bank=books.bank, on=date(2025, 3, 21), pays=[invoice], **context)

        assert payment.amount == money("1190.00")
        assert Allocation.objects.get().discount == 0

    def test_a_vendor_discount_reduces_expense_and_input_tax(self, books, vendor, context):
        vendor.vendor_payment_term = make.term(net_days=30, discount_percent="3", discount_days=14)
        vendor.save()
        bill = make.vendor_bill(
            partner=vendor, lines=[make.line(1, "1000.00", tax=books.input_tax)], on=DAY, number="V-9", **context
        )

        make.payment(
            kind=PaymentKind.VENDOR_PAYMENT,
            partner=vendor,
            bank=books.bank,
            on=date(2025, 3, 20),
            pays=[bill],
            **context,
        )

        assert make.balance(books.bank) == money("-1154.30")
        assert make.balance(books.discount_received) == money("-30.00")
        assert make.balance(books.input_tax.account) == money("184.30")
        assert make.balance(books.payable) == 0
        _assert_books_agree(books)


class TestCreditNotes:
    def test_a_partial_credit_note_reduces_the_open_amount_of_its_invoice(self, books, customer, context):
        invoice = make.customer_invoice(
            partner=customer, lines=[make.line(4, "250.00", tax=books.output_tax)], on=DAY, **context
        )

        note = invoicing.credit_note_create(
            invoice=invoice,
            by=context["by"],
            lines=[make.line(1, "250.00", tax=books.output_tax)],
            document_date=date(2025, 3, 15),
        )
        invoicing.invoice_post(invoice=note, by=context["by"])

        note.refresh_from_db()
        assert note.total_gross == money("297.50")
        assert [
            (line.account_id, line.debit, line.credit) for line in note.journal_entry.lines.order_by("position")
        ] == [
            (books.receivable.pk, 0, money("297.50")),
            (books.revenue.pk, money("250.00"), 0),
            (books.output_tax.account_id, money("47.50"), 0),
        ]
        assert OpenItem.objects.get(customer_invoice=invoice).open_amount == money("892.50")
        assert OpenItem.objects.get(customer_invoice=note).open_amount == 0
        assert make.balance(books.receivable) == money("892.50")
        _assert_books_agree(books)

    def test_more_than_the_invoice_cannot_be_credited(self, books, customer, context):
        invoice = make.customer_invoice(partner=customer, lines=[make.line(1, "100.00")], on=DAY, **context)
        first = invoicing.credit_note_create(invoice=invoice, by=context["by"], lines=[make.line(1, "60.00")])
        invoicing.invoice_post(invoice=first, by=context["by"])
        second = invoicing.credit_note_create(invoice=invoice, by=context["by"], lines=[make.line(1, "50.00")])

        with pytest.raises(DomainError, match=r"can only be credited by 40\.00 EUR more"):
            invoicing.invoice_post(invoice=second, by=context["by"])

    def test_a_full_credit_note_copies_the_invoice_and_settles_it(self, books, customer, context):
        invoice = make.customer_invoice(
            partner=customer,
            lines=[make.line(2, "10.00", tax=books.output_tax), make.line(1, "5.00")],
            on=DAY,
            **context,
        )

        note = invoicing.credit_note_create(invoice=invoice, by=context["by"])
        invoicing.invoice_post(invoice=note, by=context["by"])

        note.refresh_from_db()
        assert note.total_gross == invoice.total_gross == money("28.80")
        assert OpenItem.objects.open().count() == 0
        _assert_books_agree(books)


class TestOverpayment:
    def test_an_overpayment_stays_as_credit_and_settles_a_later_invoice(self, books, customer, context):
        first = make.customer_invoice(
            partner=customer, lines=[make.line(10, "100.00", tax=books.output_tax)], on=DAY, **context
        )
        payment = make.payment(
            partner=customer, bank=books.bank, on=date(2025, 3, 12), amount="1500.00", pays=[first], **context
        )
        credit = OpenItem.objects.get(payment=payment)
        assert credit.open_amount == money("-310.00")
        assert make.balance(books.receivable) == money("-310.00")

        later = make.customer_invoice(
            partner=customer, lines=[make.line(2, "100.00", tax=books.output_tax)], on=date(2025, 4, 2), **context
        )
        [allocation] = payments.payment_allocate(payment=payment, document=later, by=context["by"], on=date(2025, 4, 3))

        assert allocation.amount == money("238.00")
        credit.refresh_from_db()
        assert credit.open_amount == money("-72.00")
        assert OpenItem.objects.get(customer_invoice=later).open_amount == 0
        assert make.balance(books.receivable) == money("-72.00")
        _assert_books_agree(books)

    def test_the_credit_can_be_refunded(self, books, customer, context):
        invoice = make.customer_invoice(partner=customer, lines=[make.line(1, "100.00")], on=DAY, **context)
        payment = make.payment(partner=customer, bank=books.bank, on=DAY, amount="150.00", pays=[invoice], **context)

        refund = make.payment(
            kind=PaymentKind.CUSTOMER_REFUND,
            partner=customer,
            bank=books.bank,
            on=date(2025, 3, 31),
            pays=[payment],
            **context,
        )

        assert refund.amount == money("50.00")
        assert refund.number == "RFD-HQ-2025-00001"
        assert OpenItem.objects.open().count() == 0
        assert make.balance(books.bank) == money("100.00")
        assert make.balance(books.receivable) == 0
        _assert_books_agree(books)


class TestMatching:
    def test_a_partial_payment_and_a_later_match_settle_an_installment_invoice(self, books, customer, context):
        customer.payment_term = make.term(installments=[("50", 30), ("50", 60)])
        customer.save()
        invoice = make.customer_invoice(partner=customer, lines=[make.line(1, "1000.00")], on=DAY, **context)
        payment = make.payment(partner=customer, bank=books.bank, on=date(2025, 4, 1), amount="700.00", **context)
        first, second = OpenItem.objects.filter(customer_invoice=invoice).order_by("installment")
        credit = OpenItem.objects.get(payment=payment)

        openitems.match(charge=first, credit=credit, amount=money("500.00"), on=date(2025, 4, 1), by=context["by"])
        openitems.match(charge=second, credit=credit, amount=money("200.00"), on=date(2025, 4, 2), by=context["by"])

        first.refresh_from_db(), second.refresh_from_db(), credit.refresh_from_db()
        assert (first.open_amount, first.settled_on) == (0, date(2025, 4, 1))
        assert (second.open_amount, second.settled_on) == (money("300.00"), None)
        assert (credit.open_amount, credit.settled_on) == (0, date(2025, 4, 2))
        _assert_books_agree(books)

    def test_more_than_is_open_cannot_be_matched(self, books, customer, context):
        invoice = make.customer_invoice(partner=customer, lines=[make.line(1, "100.00")], on=DAY, **context)
        payment = make.payment(partner=customer, bank=books.bank, on=DAY, amount="500.00", **context)

        with pytest.raises(DomainError, match=r"has only 100\.00 EUR open"):
            openitems.match(
                charge=OpenItem.objects.get(customer_invoice=invoice),
                credit=OpenItem.objects.get(payment=payment),
                amount=money("150.00"),
                on=DAY,
                by=context["by"],
            )

    def test_removing_an_allocation_reopens_both_items_and_voids_its_entries(self, books, customer, context):
        make.rate("USD", date(2025, 3, 1), "0.90")
        make.rate("USD", date(2025, 3, 20), "0.95")
        invoice = make.customer_invoice(
            partner=customer, lines=[make.line(1, "100.00")], on=DAY, currency="USD", **context
        )
        make.payment(partner=customer, bank=books.bank, on=date(2025, 3, 25), currency="USD", pays=[invoice], **context)
        allocation = Allocation.objects.get()

        openitems.allocation_remove(allocation=allocation, by=context["by"])

        assert OpenItem.objects.get(customer_invoice=invoice).open_amount == money("100.00")
        assert make.balance(books.exchange_gain) == 0
        assert allocation.exchange_entry.__class__.objects.get(pk=allocation.exchange_entry_id).status == "voided"
        _assert_books_agree(books)

    def test_a_matched_invoice_cannot_be_voided(self, books, customer, context):
        invoice = make.customer_invoice(partner=customer, lines=[make.line(1, "100.00")], on=DAY, **context)
        payment = make.payment(partner=customer, bank=books.bank, on=DAY, pays=[invoice], **context)

        with pytest.raises(DomainError, match=f"matched with .*{payment.number}"):
            documents.document_void(document=invoice, by=context["by"])


class TestEverythingTogether:
    def test_after_all_kinds_of_postings_the_books_agree(self, books, customer, vendor, context):
        make.rate("USD", date(2025, 3, 1), "0.90")
        make.rate("USD", date(2025, 3, 20), "0.95")
        customer.payment_term = make.term(net_days=30, discount_percent="2", discount_days=10)
        customer.save()
        usd = make.customer_invoice(
            partner=customer, lines=[make.line(3, "33.33", tax=books.output_tax)], on=DAY, currency="USD", **context
        )
        eur = make.customer_invoice(
            partner=customer, lines=[make.line(7, "13.13", tax=books.output_tax)], on=DAY, **context
        )
        bill = make.vendor_bill(
            partner=vendor, lines=[make.line(1, "77.77", tax=books.input_tax)], on=DAY, number="X", **context
        )
        note = invoicing.credit_note_create(
            invoice=eur, by=context["by"], lines=[make.line(1, "13.13", tax=books.output_tax)]
        )
        invoicing.invoice_post(invoice=note, by=context["by"])
        make.payment(
            partner=customer,
            bank=books.bank,
            on=date(2025, 3, 26),
            currency="USD",
            pays=[(usd, "50.00", "0")],
            **context,
        )
        make.payment(partner=customer, bank=books.bank, on=date(2025, 3, 15), amount="100.00", pays=[eur], **context)
        make.payment(
            kind=PaymentKind.VENDOR_PAYMENT,
            partner=vendor,
            bank=books.bank,
            on=date(2025, 3, 30),
            amount="40.00",
            pays=[(bill, "40.00", "0")],
            **context,
        )

        _assert_books_agree(books)
        assert make.open_items_total(side=Side.RECEIVABLE) == make.balance(books.receivable)

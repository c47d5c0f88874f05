"""Vendor payment runs: which bills a run proposes (due, early-payment discounts ending before the
next run, credits set off, per organization and currency) and executing it (one posted payment
per vendor, a line per bill, the open items settled, refused twice)."""

from __future__ import annotations

from datetime import date

import pytest

from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.core.models import Currency
from erp.finance.invoicing import services as invoicing
from erp.finance.models import Account, AccountRole
from erp.finance.openitems.models import Allocation, OpenItem
from erp.finance.payments import runs
from erp.finance.payments.models import Payment, PaymentKind, PaymentRun, PaymentRunStatus
from tests.factories import invoicing as make
from tests.factories import partners
from tests.factories.core import OrganizationFactory
from tests.factories.ledger import money, run_commit_checks

pytestmark = pytest.mark.django_db

DAY = date(2025, 3, 10)
PAY_DAY = date(2025, 3, 20)


@pytest.fixture
def books(admin_user):
    return make.books(by=admin_user)


@pytest.fixture
def context(books, root_organization, admin_user):
    return {"organization": root_organization, "by": admin_user}


def _vendor(name: str, **term):
    vendor = partners.vendor(name=name)
    vendor.vendor_payment_term = make.term(**({"net_days": 10} | term))
    vendor.save()
    return vendor


def _bill(vendor, amount: str, *, number: str, on: date = DAY, tax=None, context, **options):
    return make.vendor_bill(
        partner=vendor, lines=[make.line(1, amount, tax=tax)], on=on, number=number, **context, **options
    )


def _item(bill) -> OpenItem:
    return OpenItem.objects.get(vendor_bill=bill)


def _proposed(vendors) -> list[tuple[str, list[tuple[str, object, object]]]]:
    return [
        (
            vendor.partner.name,
            [(bill.item.vendor_bill.vendor_invoice_number, bill.discount, bill.pay) for bill in vendor.bills],
        )
        for vendor in vendors
    ]


def _propose(**options):
    values = {"payment_date": PAY_DAY, "due_by": PAY_DAY, "next_run": None, "currency": "EUR"} | options
    return runs.proposal(**values)


def _run(books, context, **options) -> PaymentRun:
    values = {
        "payment_date": PAY_DAY,
        "due_by": PAY_DAY,
        "next_run": None,
        "bank_account": books.bank,
        "currency": Currency.objects.get(code="EUR"),
    } | options
    return runs.payment_run_create(**context, **values)


def _credit_note(vendor, amount: str, *, context, number: str):
    """An open credit of the vendor: a note on a bill that has been paid in full already."""
    paid = _bill(vendor, amount, number=f"{number}-BILL", context=context)
    bank = Account.objects.for_role(AccountRole.BANK).order_by("code").first()
    make.payment(kind=PaymentKind.VENDOR_PAYMENT, partner=vendor, bank=bank, on=DAY, pays=[paid], **context)
    note = invoicing.credit_note_create(
        invoice=paid, by=context["by"], document_date=date(2025, 3, 11), vendor_invoice_number=number
    )
    note = invoicing.invoice_post(invoice=note, by=context["by"])
    assert OpenItem.objects.get(vendor_bill=note).open_amount == money(f"-{amount}")
    return note


class TestProposal:
    def test_proposes_the_bills_due_by_the_due_date(self, books, context):
        vendor = _vendor("Alpha Papier")
        due = _bill(vendor, "100.00", number="A-1", on=date(2025, 3, 1), context=context)
        on_the_day = _bill(vendor, "200.00", number="A-2", on=DAY, context=context)
        later = _bill(vendor, "300.00", number="A-3", on=date(2025, 3, 15), context=context)
        assert (_item(due).due_date, _item(on_the_day).due_date, _item(later).due_date) == (
            date(2025, 3, 11),
            PAY_DAY,
            date(2025, 3, 25),
        )

        (proposed,) = _propose()

        assert _proposed([proposed]) == [("Alpha Papier", [("A-1", 0, money("100.00")), ("A-2", 0, money("200.00"))])]
        assert proposed.amount == money("300.00")
        assert _proposed(_propose(due_by=date(2025, 3, 12))) == [("Alpha Papier", [("A-1", 0, money("100.00"))])]

    def test_a_discount_ending_before_the_next_run_is_taken_now(self, books, context):
        vendor = _vendor("Beta Büro", net_days=30, discount_percent="3", discount_days=14)
        bill = _bill(vendor, "1000.00", number="B-1", tax=books.input_tax, context=context)
        item = _item(bill)
        assert (item.due_date, item.discount_date, item.discount_amount) == (
            date(2025, 4, 9),
            date(2025, 3, 24),
            money("35.70"),
        )

        (proposed,) = _propose(next_run=date(2025, 3, 25))

        assert _proposed([proposed]) == [("Beta Büro", [("B-1", money("35.70"), money("1154.30"))])]
        assert proposed.bills[0].takes_discount
        assert proposed.amount == money("1154.30")

    def test_a_discount_still_open_on_the_next_run_waits_for_it(self, books, context):
        vendor = _vendor("Beta Büro", net_days=30, discount_percent="3", discount_days=14)
        _bill(vendor, "1000.00", number="B-1", tax=books.input_tax, context=context)

        assert _propose(next_run=date(2025, 3, 24)) == []
        assert _propose(next_run=None) == []

    def test_a_discount_that_ended_before_the_payment_date_is_not_a_reason_to_pay(self, books, context):
        vendor = _vendor("Beta Büro", net_days=30, discount_percent="3", discount_days=5)
        _bill(vendor, "1000.00", number="B-1", tax=books.input_tax, context=context)  # discount until 15 March

        assert _propose(next_run=date(2025, 3, 31)) == []

    def test_a_vendors_open_credit_note_is_set_off(self, books, context):
        vendor = _vendor("Gamma Druck")
        note = _credit_note(vendor, "50.00", context=context, number="G-CN")
        _bill(vendor, "300.00", number="G-1", context=context)

        (proposed,) = _propose()

        assert _proposed([proposed]) == [("Gamma Druck", [("G-1", 0, money("300.00"))])]
        assert [credit.vendor_bill for credit in proposed.credits] == [note]
        assert (proposed.bills_total, proposed.credits_total, proposed.amount) == (
            money("300.00"),
            money("50.00"),
            money("250.00"),
        )

    def test_a_vendor_whose_credits_cover_the_bills_is_left_out(self, books, context):
        covered = _vendor("Delta Bau")
        _credit_note(covered, "80.00", context=context, number="D-CN")
        _bill(covered, "80.00", number="D-1", context=context)
        other = _vendor("Epsilon IT")
        _bill(other, "10.00", number="E-1", context=context)

        assert _proposed(_propose()) == [("Epsilon IT", [("E-1", 0, money("10.00"))])]

    def test_only_the_organizations_asked_for(self, books, context):
        branch = OrganizationFactory(name="Branch", parent=context["organization"])
        vendor = _vendor("Zeta Logistik")
        _bill(vendor, "100.00", number="Z-HQ", context=context)
        _bill(vendor, "70.00", number="Z-BR", context=context | {"organization": branch})

        assert _proposed(_propose(organization_ids=[branch.pk])) == [("Zeta Logistik", [("Z-BR", 0, money("70.00"))])]
        assert _proposed(_propose(organization_ids=[context["organization"].pk])) == [
            ("Zeta Logistik", [("Z-HQ", 0, money("100.00"))])
        ]
        assert len(_propose()[0].bills) == 2

    def test_only_the_runs_currency(self, books, context):
        make.rate("USD", date(2025, 3, 1), "0.90")
        vendor = _vendor("Eta Trading")
        _bill(vendor, "100.00", number="H-EUR", context=context)
        _bill(vendor, "40.00", number="H-USD", currency="USD", context=context)

        assert _proposed(_propose(currency="USD")) == [("Eta Trading", [("H-USD", 0, money("40.00"))])]
        assert _proposed(_propose(currency=Currency.objects.get(code="EUR"))) == [
            ("Eta Trading", [("H-EUR", 0, money("100.00"))])
        ]

    def test_customer_invoices_and_paid_bills_are_not_proposed(self, books, context):
        vendor = _vendor("Theta Service")
        paid = _bill(vendor, "100.00", number="T-1", context=context)
        make.payment(kind=PaymentKind.VENDOR_PAYMENT, partner=vendor, bank=books.bank, on=DAY, pays=[paid], **context)
        make.customer_invoice(partner=partners.partner(name="Kunde"), lines=[make.line(1, "50.00")], on=DAY, **context)

        assert _propose() == []


class TestCreate:
    def test_creates_a_numbered_draft(self, books, context):
        run = _run(books, context, next_run=date(2025, 4, 1))

        assert run.status == PaymentRunStatus.DRAFT
        assert run.number == "RUN-HQ-2025-0001"
        assert (run.payment_date, run.due_by, run.next_run) == (PAY_DAY, PAY_DAY, date(2025, 4, 1))

    @pytest.mark.parametrize("next_run", [PAY_DAY, date(2025, 3, 19)])
    def test_the_next_run_must_be_after_the_payment_date(self, books, context, next_run):
        with pytest.raises(DomainError, match=r"The next run must be after the payment date\.") as refused:
            _run(books, context, next_run=next_run)

        assert refused.value.field == "next_run"
        assert not PaymentRun.objects.exists()

    def test_the_account_must_be_a_bank_account(self, books, context):
        with pytest.raises(DomainError) as refused:
            _run(books, context, bank_account=books.expense)

        assert refused.value.field == "bank_account"
        assert not PaymentRun.objects.exists()


class TestExecute:
    def test_one_posted_payment_per_vendor_with_a_line_per_bill(self, books, context):
        first = _vendor("Alpha Papier")
        one = _bill(first, "100.00", number="A-1", on=date(2025, 3, 1), context=context)
        two = _bill(first, "200.00", number="A-2", context=context)
        second = _vendor("Beta Büro", net_days=30, discount_percent="3", discount_days=14)
        discounted = _bill(second, "1000.00", number="B-1", tax=books.input_tax, context=context)
        run = _run(books, context, next_run=date(2025, 3, 25))

        created = runs.payment_run_execute(run=run, by=context["by"])
        run_commit_checks()

        assert [(payment.partner, payment.kind, payment.status, payment.amount) for payment in created] == [
            (first, PaymentKind.VENDOR_PAYMENT, Status.COMPLETED, money("300.00")),
            (second, PaymentKind.VENDOR_PAYMENT, Status.COMPLETED, money("1154.30")),
        ]
        assert {payment.payment_run_id for payment in created} == {run.pk}
        assert [(line.vendor_bill, line.amount, line.discount) for line in created[0].lines.order_by("position")] == [
            (one, money("100.00"), 0),
            (two, money("200.00"), 0),
        ]
        assert [(line.vendor_bill, line.amount, line.discount) for line in created[1].lines.all()] == [
            (discounted, money("1154.30"), money("35.70"))
        ]
        assert not OpenItem.objects.open().filter(vendor_bill__in=[one, two, discounted]).exists()
        assert Allocation.objects.get(charge__vendor_bill=discounted).discount == money("35.70")
        assert make.balance(books.discount_received) == money("-30.00")
        assert make.balance(books.bank) == money("-1454.30")
        assert make.balance(books.payable) == 0
        run.refresh_from_db()
        assert (run.status, run.executed_by) == (PaymentRunStatus.EXECUTED, context["by"])
        assert list(runs.run_payments(run)) == created

    def test_only_the_chosen_bills_are_paid(self, books, context):
        first = _vendor("Alpha Papier")
        chosen = _bill(first, "100.00", number="A-1", context=context)
        left = _bill(first, "200.00", number="A-2", context=context)
        second = _vendor("Beta Büro")
        _bill(second, "50.00", number="B-1", context=context)
        run = _run(books, context)

        (payment,) = runs.payment_run_execute(run=run, by=context["by"], item_ids=[_item(chosen).pk])

        assert (payment.partner, payment.amount) == (first, money("100.00"))
        assert [line.vendor_bill for line in payment.lines.all()] == [chosen]
        assert _item(chosen).open_amount == 0
        assert _item(left).open_amount == money("200.00")
        assert Payment.objects.count() == 1

    def test_credits_are_set_off_and_the_rest_paid(self, books, context):
        vendor = _vendor("Gamma Druck")
        note = _credit_note(vendor, "50.00", context=context, number="G-CN")
        bill = _bill(vendor, "300.00", number="G-1", context=context)
        run = _run(books, context)

        (payment,) = runs.payment_run_execute(run=run, by=context["by"])
        run_commit_checks()

        assert payment.amount == money("250.00")
        assert [(line.vendor_bill, line.amount) for line in payment.lines.all()] == [(bill, money("250.00"))]
        assert _item(bill).open_amount == 0
        assert OpenItem.objects.get(vendor_bill=note).open_amount == 0
        assert make.balance(books.payable) == 0

    def test_executing_twice_is_refused(self, books, context):
        vendor = _vendor("Alpha Papier")
        _bill(vendor, "100.00", number="A-1", context=context)
        run = _run(books, context)
        runs.payment_run_execute(run=run, by=context["by"])
        _bill(vendor, "20.00", number="A-2", context=context)

        with pytest.raises(DomainError, match="has been executed already"):
            runs.payment_run_execute(run=run, by=context["by"])

        assert Payment.objects.filter(kind=PaymentKind.VENDOR_PAYMENT).count() == 1

    def test_an_executed_run_loaded_before_is_refused_too(self, books, context):
        vendor = _vendor("Alpha Papier")
        _bill(vendor, "100.00", number="A-1", context=context)
        run = _run(books, context)
        stale = PaymentRun.objects.get(pk=run.pk)
        runs.payment_run_execute(run=run, by=context["by"])
        assert stale.status == PaymentRunStatus.DRAFT

        with pytest.raises(DomainError, match="has been executed already"):
            runs.payment_run_execute(run=stale, by=context["by"])

        assert Payment.objects.count() == 1

    def test_nothing_to_pay_is_refused_and_the_run_stays_a_draft(self, books, context):
        vendor = _vendor("Alpha Papier")
        bill = _bill(vendor, "100.00", number="A-1", on=date(2025, 3, 15), context=context)  # due 25 March
        run = _run(books, context)

        with pytest.raises(DomainError, match="Nothing to pay"):
            runs.payment_run_execute(run=run, by=context["by"])
        with pytest.raises(DomainError, match="Nothing to pay"):
            runs.payment_run_execute(run=run, by=context["by"], item_ids=[_item(bill).pk])

        run.refresh_from_db()
        assert run.status == PaymentRunStatus.DRAFT
        assert not Payment.objects.exists()

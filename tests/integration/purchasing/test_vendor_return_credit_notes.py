"""The vendor's credit note for goods returned after they were billed: a draft credit note of the
bill, one line per returned line that was billed at the bill's price; posting it clears what the
return left on goods received not invoiced, reduces the payable and the input tax, takes back the
price difference, and counts less billed on the order; voiding it undoes all of that."""

from __future__ import annotations

import re
from datetime import date

import pytest

from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.finance.invoicing import services as invoicing
from erp.finance.invoicing.models import InvoiceKind, VendorBill
from erp.finance.models import AccountRole
from erp.finance.openitems import services as openitems
from erp.finance.openitems.models import Allocation
from erp.purchasing import billing, credits, returns, services
from erp.purchasing.models import PurchaseReceiptLine
from erp.purchasing.selectors import purchasing_settings
from tests.factories import inventory
from tests.factories import invoicing as finance
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money
ON = date(2026, 3, 6)
BILLED = date(2026, 3, 9)
LATER = date(2026, 3, 12)


@pytest.fixture
def buyer(root_organization, admin_user):
    buyer = make.buyer(organization=root_organization, by=admin_user)
    settings = purchasing_settings()
    settings.price_tolerance_percent = money(10)
    settings.save()
    return buyer


@pytest.fixture
def warehouse(buyer):
    return inventory.warehouse(organization=buyer.organization, by=buyer.by)


@pytest.fixture
def order(buyer):
    """20 sheets of paper at 3.00, 2 toners at 60.00."""
    return make.order(
        buyer,
        buyer.office,
        [make.order_line(buyer.paper, 20, price="3.00"), make.order_line(buyer.toner, 2, price="60.00")],
    )


@pytest.fixture
def received(buyer, warehouse, order):
    receipt = services.purchase_order_receive(order=order, warehouse=warehouse, by=buyer.by, on=ON)
    return documents.document_complete(document=receipt, by=buyer.by)


def _bill(buyer, order, *, paper_price="3.10", number="OS-500", post=True):
    """The vendor bills the paper at ``paper_price`` (the order says 3.00) and the toner at 60.00."""
    paper = order.lines.get(position=1)
    bill = billing.purchase_order_bill(
        order=order, vendor_invoice_number=number, by=buyer.by, on=BILLED, prices={paper.pk: money(paper_price)}
    )
    return invoicing.invoice_post(invoice=bill, by=buyer.by) if post else bill


@pytest.fixture
def billed(buyer, order, received):
    """Paper 20 × 3.10 = 62.00, toner 2 × 60.00 = 120.00; 182.00 + 34.58 tax = 216.58."""
    return _bill(buyer, order)


def _return(buyer, order, receipt, quantities, on=LATER):
    wanted = {receipt.lines.get(product=product).pk: money(quantity) for product, quantity in quantities.items()}
    (document,) = returns.purchase_return_create(order=order, quantities=wanted, by=buyer.by, on=on)
    return document


def _balance(role):
    return finance.balance(inventory.account(role))


def _payable(buyer):
    return finance.balance(buyer.books.payable)


def _input_tax(buyer):
    return finance.balance(buyer.books.input_tax.account)


def _paper(order):
    return order.lines.get(position=1)


class TestCreditNote:
    def test_the_draft_credits_the_returned_billed_goods_at_the_bills_price(self, buyer, order, received, billed):
        document = _return(buyer, order, received, {buyer.paper: 10})

        note = credits.purchase_return_credit(document=document, vendor_invoice_number="CN-77", by=buyer.by, on=LATER)

        assert (note.kind, note.status, note.original, note.partner) == (
            InvoiceKind.CREDIT_NOTE,
            Status.DRAFT,
            billed,
            buyer.office,
        )
        assert (note.vendor_invoice_number, note.document_date, note.currency_id) == (
            "CN-77",
            LATER,
            billed.currency_id,
        )
        (line,) = note.lines.all()
        link = PurchaseReceiptLine.objects.get(receipt_line=received.lines.get(product=buyer.paper))
        assert (line.product, line.quantity, line.unit_price, line.tax_code) == (
            buyer.paper,
            money(10),
            money("3.10"),
            buyer.books.input_tax,
        )
        assert (line.source_type.model_class(), line.source_id) == (PurchaseReceiptLine, link.pk)
        assert (note.total_net, note.total_tax, note.total_gross) == (money("31.00"), money("5.89"), money("36.89"))
        assert credits.credit_notes_of_return(document) == [note]

    def test_posting_it_clears_grni_the_price_difference_the_payable_and_the_tax(self, buyer, order, received, billed):
        assert (_balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED), _payable(buyer)) == (
            money("0.00"),
            money("-216.58"),
        )
        assert _input_tax(buyer) == money("34.58")
        assert _balance(AccountRole.PRICE_DIFFERENCE) == money("0.00")  # moved onto the goods
        document = _return(buyer, order, received, {buyer.paper: 10})
        # The goods left at 3.10: 30.00 wait on GRNI, 1.00 on the price difference.
        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == money("30.00")
        assert _balance(AccountRole.PRICE_DIFFERENCE) == money("1.00")
        assert (_paper(order).quantity_received, _paper(order).quantity_billed) == (money(10), money(20))

        note = credits.purchase_return_credit(document=document, vendor_invoice_number="CN-77", by=buyer.by, on=LATER)
        invoicing.invoice_post(invoice=note, by=buyer.by)

        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == money("0.00")
        assert _balance(AccountRole.PRICE_DIFFERENCE) == money("0.00")
        assert _payable(buyer) == money("-179.69")  # 216.58 - 36.89
        assert _input_tax(buyer) == money("28.69")  # 34.58 - 5.89
        assert (_paper(order).quantity_received, _paper(order).quantity_billed) == (money(10), money(10))
        assert _paper(order).quantity_to_bill == money(0)
        billed.refresh_from_db()
        assert billed.open_items.get().open_amount == money("179.69")

    def test_voiding_the_credit_note_restores_what_it_cleared(self, buyer, order, received, billed):
        document = _return(buyer, order, received, {buyer.paper: 10})
        note = credits.purchase_return_credit(document=document, vendor_invoice_number="CN-77", by=buyer.by, on=LATER)
        invoicing.invoice_post(invoice=note, by=buyer.by)

        for allocation in Allocation.objects.filter(credit__vendor_bill=note):
            openitems.allocation_remove(allocation=allocation, by=buyer.by)
        documents.document_void(document=note, by=buyer.by, reason="wrong credit note")

        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == money("30.00")
        assert _balance(AccountRole.PRICE_DIFFERENCE) == money("1.00")
        assert _payable(buyer) == money("-216.58")
        assert _paper(order).quantity_billed == money(20)
        assert credits.can_credit(document)
        # The number is free again: the credit note is entered anew.
        again = credits.purchase_return_credit(document=document, vendor_invoice_number="CN-77", by=buyer.by, on=LATER)
        assert again.lines.get().quantity == money(10)

    def test_without_a_price_difference_the_credit_note_only_clears_grni(self, buyer, order, received):
        bill = _bill(buyer, order, paper_price="3.00")
        document = _return(buyer, order, received, {buyer.paper: 5, buyer.toner: 1})

        note = credits.purchase_return_credit(document=document, vendor_invoice_number="CN-78", by=buyer.by, on=LATER)
        assert sorted((line.product.sku, line.quantity, line.unit_price) for line in note.lines.all()) == [
            ("PAPER-A4", money(5), money("3.00")),
            ("TONER", money(1), money("60.00")),
        ]
        invoicing.invoice_post(invoice=note, by=buyer.by)

        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == money("0.00")
        assert _balance(AccountRole.PRICE_DIFFERENCE) == money("0.00")
        assert _payable(buyer) == -(bill.total_gross - money("89.25"))  # 75.00 + 14.25 tax
        assert order.lines.get(position=2).quantity_billed == money(1)

    def test_only_the_part_returned_after_billing_is_credited(self, buyer, order, received):
        # 4 go back before the bill: it bills 16; 6 more after it: those are credited.
        _return(buyer, order, received, {buyer.paper: 4}, on=ON)
        bill = _bill(buyer, order)
        assert bill.lines.get(product=buyer.paper).quantity == money(16)
        after = _return(buyer, order, received, {buyer.paper: 6})

        note = credits.purchase_return_credit(document=after, vendor_invoice_number="CN-79", by=buyer.by, on=LATER)
        invoicing.invoice_post(invoice=note, by=buyer.by)

        assert note.lines.get().quantity == money(6)
        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == money("0.00")
        assert _paper(order).quantity_billed == money(10)
        assert _paper(order).quantity_received == money(10)

    def test_the_credit_note_is_not_matched_and_leaves_the_order_unbilled_lines_alone(
        self, buyer, order, received, billed
    ):
        document = _return(buyer, order, received, {buyer.paper: 10})
        note = credits.purchase_return_credit(document=document, vendor_invoice_number="CN-80", by=buyer.by, on=LATER)
        invoicing.invoice_post(invoice=note, by=buyer.by)

        assert billing.unbilled_links(order) == []
        assert not billing._is_order_bill(note)
        # The bill's match counts its credit note with it: 10 billed of the 10 still received.
        row = next(row for row in billing.bill_match(billed) if row.order_line == _paper(order))
        assert (row.billed_before, row.billed, row.received, row.within) == (money(0), money(10), money(10), True)
        assert billing.billed_quantities([_paper(order)]) == {_paper(order).pk: money(10)}

    def test_a_later_bill_of_the_line_counts_what_was_credited_before_it(self, buyer, warehouse):
        order = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 30, price="3.00")])
        line = order.lines.get()

        def receive(quantity):
            receipt = services.purchase_order_receive(
                order=order, warehouse=warehouse, by=buyer.by, on=ON, quantities={line.pk: money(quantity)}
            )
            return documents.document_complete(document=receipt, by=buyer.by)

        first = receive(20)
        _bill(buyer, order, paper_price="3.00", number="OS-1")
        document = _return(buyer, order, first, {buyer.paper: 10})
        note = credits.purchase_return_credit(document=document, vendor_invoice_number="CN-1", by=buyer.by, on=LATER)
        invoicing.invoice_post(invoice=note, by=buyer.by)
        receive(10)

        second = _bill(buyer, order, paper_price="3.00", number="OS-2", post=False)
        (row,) = billing.bill_match(second)
        assert (row.billed_before, row.billed, row.received, row.within) == (money(10), money(20), money(20), True)
        invoicing.invoice_post(invoice=second, by=buyer.by)
        line.refresh_from_db()
        assert (line.quantity_received, line.quantity_billed, line.quantity_to_bill) == (money(20), money(20), 0)
        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == money("0.00")

    def test_a_draft_credit_note_does_not_keep_the_lines_of_a_voided_bill_from_being_billed_again(
        self, buyer, order, received, billed
    ):
        document = _return(buyer, order, received, {buyer.paper: 10})
        credits.purchase_return_credit(document=document, vendor_invoice_number="CN-81", by=buyer.by, on=LATER)

        documents.document_void(document=billed, by=buyer.by, reason="wrong prices")

        assert sorted((link.receipt_line.product.sku, link.billable) for link in billing.unbilled_links(order)) == [
            ("PAPER-A4", money(10)),
            ("TONER", money(2)),
        ]
        assert _paper(order).quantity_billed == money(0)


class TestRefusals:
    def test_a_return_of_goods_not_billed_needs_no_credit_note(self, buyer, order, received):
        document = _return(buyer, order, received, {buyer.paper: 10})

        with pytest.raises(DomainError, match="no credit note is needed"):
            credits.purchase_return_credit(document=document, vendor_invoice_number="CN-1", by=buyer.by)
        assert not credits.can_credit(document)

    def test_a_receipt_that_is_no_return_is_refused(self, buyer, order, received, billed):
        with pytest.raises(DomainError, match="is not a return to vendor"):
            credits.purchase_return_credit(document=received, vendor_invoice_number="CN-1", by=buyer.by)

    def test_a_bill_not_posted_yet_is_refused(self, buyer, order, received):
        bill = _bill(buyer, order, post=False)
        document = _return(buyer, order, received, {buyer.paper: 10})

        with pytest.raises(
            DomainError,
            match=re.escape(f"{bill}, which billed the returned goods, has the status “Draft”: post it first"),
        ):
            credits.purchase_return_credit(document=document, vendor_invoice_number="CN-1", by=buyer.by)
        assert not credits.can_credit(document)

    def test_everything_credited_already_is_refused(self, buyer, order, received, billed):
        document = _return(buyer, order, received, {buyer.paper: 10})
        note = credits.purchase_return_credit(document=document, vendor_invoice_number="CN-1", by=buyer.by, on=LATER)

        with pytest.raises(DomainError, match=re.escape(f"credited already ({note})")):
            credits.purchase_return_credit(document=document, vendor_invoice_number="CN-2", by=buyer.by, on=LATER)
        assert not credits.can_credit(document)

    def test_a_second_return_of_the_same_line_gets_its_own_credit_note(self, buyer, order, received, billed):
        first = _return(buyer, order, received, {buyer.paper: 10})
        second = _return(buyer, order, received, {buyer.paper: 4})
        credits.purchase_return_credit(document=first, vendor_invoice_number="CN-1", by=buyer.by, on=LATER)

        note = credits.purchase_return_credit(document=second, vendor_invoice_number="CN-2", by=buyer.by, on=LATER)

        assert note.lines.get().quantity == money(4)

    def test_without_the_permission_it_is_refused(self, buyer, order, received, billed, user_with_role):
        document = _return(buyer, order, received, {buyer.paper: 10})

        with pytest.raises(DomainError, match="not allowed to enter vendor bills"):
            credits.purchase_return_credit(
                document=document, vendor_invoice_number="CN-1", by=user_with_role("Purchasing", "Warehouse")
            )
        assert not VendorBill.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()

    def test_an_empty_or_duplicate_number_is_refused_next_to_the_field(self, buyer, order, received, billed):
        document = _return(buyer, order, received, {buyer.paper: 10})
        with pytest.raises(DomainError, match="Enter the vendor's invoice number") as empty:
            credits.purchase_return_credit(document=document, vendor_invoice_number="  ", by=buyer.by, on=LATER)
        assert empty.value.field == "vendor_invoice_number"
        finance.vendor_bill(
            organization=buyer.organization,
            partner=buyer.office,
            lines=[finance.line()],
            by=buyer.by,
            on=LATER,
            number="CN-9",
            post=False,
            kind=InvoiceKind.CREDIT_NOTE,
        )

        with pytest.raises(invoicing.DuplicateVendorInvoice) as duplicate:
            credits.purchase_return_credit(document=document, vendor_invoice_number="cn-9", by=buyer.by, on=LATER)
        assert duplicate.value.field == "vendor_invoice_number"
        assert VendorBill.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1

    def test_a_date_before_the_bill_is_refused(self, buyer, order, received, billed):
        document = _return(buyer, order, received, {buyer.paper: 10})

        with pytest.raises(DomainError, match="before the bill it credits") as refused:
            credits.purchase_return_credit(
                document=document, vendor_invoice_number="CN-1", by=buyer.by, on=date(2026, 3, 7)
            )
        assert refused.value.field == "on"

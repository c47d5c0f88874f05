"""Vendor bills from a purchase order: what was received and not billed, GRNI cleared on
posting with the price difference booked apart, and the three-way match with the tenant's
tolerances (inside: posts; outside: blocked or held for an approval)."""

from __future__ import annotations

from datetime import date

import pytest

from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.finance.invoicing import services as invoicing
from erp.finance.invoicing.models import VendorBill
from erp.finance.models import AccountRole
from erp.purchasing import billing, services
from erp.purchasing.models.settings import MismatchAction
from erp.purchasing.selectors import purchasing_settings
from tests.factories import inventory
from tests.factories import invoicing as finance
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money
ON = date(2026, 3, 6)


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


@pytest.fixture
def warehouse(buyer):
    return inventory.warehouse(organization=buyer.organization, by=buyer.by)


@pytest.fixture
def order(buyer):
    """150 sheets of paper at 3.50 with 10 % off: 3.15 net each."""
    return make.order(buyer, buyer.office, [make.order_line(buyer.paper, 150, discount_percent=money(10))])


def _receive(buyer, warehouse, order, quantity):
    line = order.lines.get(position=1)
    receipt = services.purchase_order_receive(
        order=order, warehouse=warehouse, by=buyer.by, quantities={line.pk: money(quantity)}, on=ON
    )
    return documents.document_complete(document=receipt, by=buyer.by)


def _bill(buyer, order, number, price=None):
    line = order.lines.get(position=1)
    prices = None if price is None else {line.pk: money(price)}
    return billing.purchase_order_bill(order=order, vendor_invoice_number=number, by=buyer.by, on=ON, prices=prices)


def _grni():
    return finance.balance(inventory.account(AccountRole.GOODS_RECEIVED_NOT_INVOICED))


def _settings(action):
    settings = purchasing_settings()
    settings.mismatch_action = action
    settings.save()


class TestBillFromOrder:
    def test_the_draft_bills_what_was_received_at_the_order_price(self, buyer, warehouse, order):
        _receive(buyer, warehouse, order, 100)

        bill = _bill(buyer, order, "OS-1001")

        assert bill.status == Status.DRAFT
        assert (bill.partner, bill.vendor_invoice_number, bill.currency_id) == (
            buyer.office,
            "OS-1001",
            order.currency_id,
        )
        (line,) = bill.lines.all()
        assert (line.product, line.quantity, line.unit_price, line.discount_percent, line.tax_code) == (
            buyer.paper,
            money(100),
            money("3.50"),
            money(10),
            buyer.books.input_tax,
        )
        assert line.line_net == money("315.00")

    def test_at_the_order_price_posting_clears_grni_and_books_input_tax_against_the_payable(
        self, buyer, warehouse, order
    ):
        _receive(buyer, warehouse, order, 100)
        assert _grni() == money("-315.00")

        bill = invoicing.invoice_post(invoice=_bill(buyer, order, "OS-1001"), by=buyer.by)

        assert bill.status == Status.COMPLETED
        assert _grni() == 0
        assert bill.total_tax == money("59.85")
        assert finance.balance(buyer.books.input_tax.account) == money("59.85")
        assert finance.balance(buyer.books.payable) == money("-374.85")
        line = order.lines.get(position=1)
        assert (line.quantity_billed, line.quantity_to_bill) == (money(100), 0)

    def test_the_vendors_invoice_number_is_required_and_entered_once(self, buyer, warehouse, order):
        _receive(buyer, warehouse, order, 100)
        with pytest.raises(DomainError, match="Enter the vendor's invoice number"):
            _bill(buyer, order, "  ")
        finance.vendor_bill(
            organization=buyer.organization,
            partner=buyer.office,
            lines=[finance.line("1", "10.00")],
            by=buyer.by,
            on=ON,
            number="OS-1001",
        )

        with pytest.raises(invoicing.DuplicateVendorInvoice, match="OS-1001 of Office Supplies GmbH has been entered"):
            _bill(buyer, order, "os-1001")

        assert not VendorBill.objects.filter(vendor_invoice_number__iexact="os-1001", lines__source_id__isnull=False)
        assert order.lines.get(position=1).quantity_billed == 0
        assert len(billing.unbilled_links(order)) == 1

    def test_what_a_bill_claims_is_not_billed_again(self, buyer, warehouse, order):
        _receive(buyer, warehouse, order, 100)
        _bill(buyer, order, "OS-1001")

        with pytest.raises(DomainError, match="Nothing received of"):
            _bill(buyer, order, "OS-1002")

    def test_a_cancelled_bill_frees_what_it_claimed(self, buyer, warehouse, order):
        _receive(buyer, warehouse, order, 100)
        documents.document_cancel(document=_bill(buyer, order, "OS-1001"), by=buyer.by, reason="Wrong")

        again = _bill(buyer, order, "OS-1001")

        assert again.lines.get().quantity == money(100)

    def test_nothing_received_nothing_to_bill(self, buyer, order):
        with pytest.raises(DomainError, match="Nothing received of"):
            _bill(buyer, order, "OS-1001")

    def test_a_draft_order_is_not_billed(self, buyer):
        draft = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 10)], submit=False)

        with pytest.raises(DomainError, match="only confirmed orders are billed"):
            _bill(buyer, draft, "OS-1001")


class TestThreeWayMatch:
    def test_partial_receipts_billed_inside_and_outside_the_tolerance_clear_grni(
        self, buyer, warehouse, order, user_with_role
    ):
        """Bill 1: 100 received, billed at 3.55 less 10 % = 3.195 (1.43 % over 3.15, tolerance 2 %):
        posts, the 4.50 above the received value go onto the paper still in stock. Bill 2: the other
        50 at 4.00 less 10 % = 3.60 (14.29 % over): held for an approval, approved, posted; its
        22.50 go onto the stock too (``test_price_difference`` has the cases with goods issued)."""
        difference_account = inventory.account(AccountRole.PRICE_DIFFERENCE)
        manager = user_with_role("Manager")  # approves the differences (the purchasing settings' default)
        _receive(buyer, warehouse, order, 100)

        first = invoicing.invoice_post(invoice=_bill(buyer, order, "OS-1001", "3.55"), by=buyer.by)

        assert first.status == Status.COMPLETED
        assert first.total_net == money("319.50")
        assert _grni() == 0
        assert finance.balance(difference_account) == 0
        assert finance.balance(inventory.inventory_account()) == money("319.50")

        _receive(buyer, warehouse, order, 50)
        assert _grni() == money("-157.50")
        second = _bill(buyer, order, "OS-1002", "4.00")
        (mismatch,) = billing.bill_mismatches(second)
        assert mismatch.message == (
            "Line 1 (Paper A4): ordered 150 at 3.15, received 150, billed 150 at 3.6: "
            "the price differs by 14.29 % (tolerance 2 %)."
        )

        second = invoicing.invoice_post(invoice=second, by=buyer.by)

        assert second.status == Status.IN_REVIEW
        assert _grni() == money("-157.50")
        documents.perform(document=second, action="approve", by=manager, reason="Price rise agreed")
        second.refresh_from_db()
        second = invoicing.invoice_post(invoice=second, by=buyer.by)
        assert second.status == Status.COMPLETED
        assert _grni() == 0
        assert finance.balance(difference_account) == 0
        assert finance.balance(buyer.books.payable) == -(first.total_gross + second.total_gross)
        assert finance.balance(inventory.inventory_account()) == money("472.50") + money("4.50") + money("22.50")
        order.refresh_from_db()
        line = order.lines.get(position=1)
        assert (line.quantity_received, line.quantity_billed) == (money(150), money(150))
        assert order.status == Status.COMPLETED

    def test_outside_the_tolerance_a_blocking_tenant_refuses_to_post(self, buyer, warehouse, order):
        _settings(MismatchAction.BLOCK)
        _receive(buyer, warehouse, order, 100)
        bill = _bill(buyer, order, "OS-1001", "4.00")

        with pytest.raises(DomainError) as refused:
            invoicing.invoice_post(invoice=bill, by=buyer.by)

        assert str(refused.value.message) == (
            "The bill differs from the order beyond the tolerances: Line 1 (Paper A4): ordered 150 at 3.15, "
            "received 100, billed 100 at 3.6: the price differs by 14.29 % (tolerance 2 %)."
        )
        bill.refresh_from_db()
        assert bill.status == Status.DRAFT
        assert _grni() == money("-315.00")
        assert order.lines.get(position=1).quantity_billed == 0

    def test_more_billed_than_received_is_a_mismatch(self, buyer, warehouse, order):
        _settings(MismatchAction.BLOCK)
        _receive(buyer, warehouse, order, 100)
        bill = _bill(buyer, order, "OS-1001")
        bill.lines.update(quantity=money(110))

        with pytest.raises(DomainError, match=r"received 100, billed 110 at 3.15: more is billed than was received"):
            invoicing.invoice_post(invoice=bill, by=buyer.by)

    def test_a_quantity_tolerance_lets_a_little_more_through(self, buyer, warehouse, order):
        settings = purchasing_settings()
        settings.quantity_tolerance_percent = money(10)
        settings.mismatch_action = MismatchAction.BLOCK
        settings.save()
        _receive(buyer, warehouse, order, 100)
        bill = _bill(buyer, order, "OS-1001")
        bill.lines.update(quantity=money(110))

        bill = invoicing.invoice_post(invoice=bill, by=buyer.by)

        assert bill.status == Status.COMPLETED
        assert _grni() == 0
        assert finance.balance(inventory.account(AccountRole.PRICE_DIFFERENCE)) == money("31.50")

    def test_voiding_the_bill_takes_the_billed_quantity_back(self, buyer, warehouse, order):
        _receive(buyer, warehouse, order, 100)
        bill = invoicing.invoice_post(invoice=_bill(buyer, order, "OS-1001"), by=buyer.by)

        documents.document_void(document=bill, by=buyer.by, reason="Entered twice")

        assert order.lines.get(position=1).quantity_billed == 0
        assert _grni() == money("-315.00")
        assert len(billing.unbilled_links(order)) == 1

"""Returns to vendor: goods received against a purchase order go back line by line and in part,
leaving stock at what they were received for against goods received not invoiced; the order
counts them as no longer received (received again or billed less), and after billing GRNI waits
for the vendor's credit note."""

from __future__ import annotations

from datetime import date

import pytest

from erp.catalog.models import Tracking
from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.finance.invoicing import services as invoicing
from erp.finance.models import AccountRole
from erp.inventory.models import MoveKind, Quant, StockMove
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
def warehouse(buyer):
    return inventory.warehouse(organization=buyer.organization, by=buyer.by)


@pytest.fixture
def order(buyer):
    """150 sheets of paper at 3.15 net, 2 toners at 60.00."""
    return make.order(
        buyer,
        buyer.office,
        [
            make.order_line(buyer.paper, 150, discount_percent=money(10)),
            make.order_line(buyer.toner, 2),
        ],
    )


def _receive(buyer, warehouse, order, quantities, **fields):
    receipt = services.purchase_order_receive(
        order=order, warehouse=warehouse, by=buyer.by, quantities=quantities, on=ON
    )
    if fields:
        receipt.lines.update(**fields)
    return documents.document_complete(document=receipt, by=buyer.by)


def _on_hand(product, warehouse):
    return sum((quant.quantity for quant in Quant.objects.filter(product=product, location__warehouse=warehouse)), 0)


def _grni():
    return finance.balance(inventory.account(AccountRole.GOODS_RECEIVED_NOT_INVOICED))


def _stock_value():
    return finance.balance(inventory.inventory_account())


@pytest.fixture
def received(buyer, warehouse, order):
    """100 sheets and both toners arrived: 315.00 + 120.00."""
    paper, toner = order.lines.order_by("position")
    return _receive(buyer, warehouse, order, {paper.pk: money(100), toner.pk: money(2)})


def _line(receipt, product):
    return receipt.lines.get(product=product)


class TestReturn:
    def test_a_partial_return_of_one_line_takes_the_goods_out_at_the_received_cost(
        self, buyer, warehouse, order, received
    ):
        assert (_stock_value(), _grni()) == (money("435.00"), money("-435.00"))

        (document,) = returns.purchase_return_create(
            order=order, quantities={_line(received, buyer.paper).pk: money(30)}, by=buyer.by, on=LATER
        )

        assert document.status == Status.COMPLETED
        assert document.reversal_of == received
        (line,) = document.lines.all()
        assert (line.product, line.quantity, line.unit_cost) == (buyer.paper, money(30), money("3.15"))
        assert _on_hand(buyer.paper, warehouse) == money(70)
        assert _on_hand(buyer.toner, warehouse) == money(2)
        assert _stock_value() == money("340.50")
        assert _grni() == money("-340.50")
        assert document.total_net == money("94.50")
        (move,) = StockMove.objects.filter(source_id=document.pk, kind=MoveKind.RETURN)
        assert (move.quantity, move.to_location.location_type) == (money(30), "vendor")
        paper = order.lines.get(position=1)
        assert (paper.quantity_received, paper.quantity_open, paper.quantity_to_bill) == (
            money(70),
            money(80),
            money(70),
        )

    def test_the_returned_part_is_billed_less_and_grni_ends_at_zero(self, buyer, warehouse, order, received):
        returns.purchase_return_create(
            order=order, quantities={_line(received, buyer.paper).pk: money(30)}, by=buyer.by, on=LATER
        )

        bill = billing.purchase_order_bill(order=order, vendor_invoice_number="OS-77", by=buyer.by, on=LATER)
        assert sorted((line.product.sku, line.quantity) for line in bill.lines.all()) == [
            ("PAPER-A4", money(70)),
            ("TONER", money(2)),
        ]
        invoicing.invoice_post(invoice=bill, by=buyer.by)
        assert _grni() == money("0.00")
        assert _stock_value() == money("340.50")

    def test_a_second_return_takes_only_what_is_left_and_more_is_refused(self, buyer, order, received):
        line = _line(received, buyer.paper)
        returns.purchase_return_create(order=order, quantities={line.pk: money(60)}, by=buyer.by, on=LATER)

        with pytest.raises(DomainError, match="only 40 can still go back") as refused:
            returns.purchase_return_create(order=order, quantities={line.pk: money(41)}, by=buyer.by, on=LATER)
        assert refused.value.field == f"line-{line.pk}"

        returns.purchase_return_create(order=order, quantities={line.pk: money(40)}, by=buyer.by, on=LATER)
        assert order.lines.get(position=1).quantity_received == money(0)
        assert _grni() == money("-120.00")

    def test_nothing_chosen_or_negative_is_refused_and_nothing_is_saved(self, buyer, order, received):
        line = _line(received, buyer.paper)

        with pytest.raises(DomainError, match="at least one line"):
            returns.purchase_return_create(order=order, quantities={line.pk: money(0)}, by=buyer.by, on=LATER)
        with pytest.raises(DomainError, match="cannot be negative"):
            returns.purchase_return_create(order=order, quantities={line.pk: money(-1)}, by=buyer.by, on=LATER)
        assert not received.reversals.exists()
        assert _grni() == money("-435.00")

    def test_a_line_of_another_order_is_refused(self, buyer, warehouse, order, received):
        other = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 5)])

        with pytest.raises(DomainError, match="Only lines of completed receipts"):
            returns.purchase_return_create(
                order=other, quantities={_line(received, buyer.paper).pk: money(1)}, by=buyer.by, on=LATER
            )

    def test_a_return_before_the_receipt_is_refused(self, buyer, order, received):
        with pytest.raises(DomainError, match="before they arrived"):
            returns.purchase_return_create(
                order=order, quantities={_line(received, buyer.paper).pk: money(1)}, by=buyer.by, on=date(2026, 3, 1)
            )

    def test_after_billing_grni_keeps_the_value_for_the_vendors_credit_note(self, buyer, warehouse, order, received):
        bill = billing.purchase_order_bill(order=order, vendor_invoice_number="OS-78", by=buyer.by, on=ON)
        invoicing.invoice_post(invoice=bill, by=buyer.by)
        assert _grni() == money("0.00")

        returns.purchase_return_create(
            order=order, quantities={_line(received, buyer.toner).pk: money(1)}, by=buyer.by, on=LATER
        )

        assert _grni() == money("60.00")
        assert _stock_value() == money("375.00")
        toner = order.lines.get(position=2)
        assert (toner.quantity_received, toner.quantity_billed, toner.quantity_to_bill) == (
            money(1),
            money(2),
            money(0),
        )
        assert _on_hand(buyer.toner, warehouse) == money(1)

    def test_the_receipt_can_no_longer_be_voided_nor_its_return(self, buyer, order, received):
        (document,) = returns.purchase_return_create(
            order=order, quantities={_line(received, buyer.paper).pk: money(10)}, by=buyer.by, on=LATER
        )

        with pytest.raises(DomainError):
            documents.document_void(document=document, by=buyer.by, reason="mistake")
        with pytest.raises(DomainError):
            documents.document_reverse(document=received, by=buyer.by, accrual=True, on_date=LATER, reason="mistake")
        received.refresh_from_db()
        assert received.status == Status.COMPLETED
        # Where negative stock would let the reversal through, the transition listener refuses it.
        with pytest.raises(DomainError, match=f"returned to the vendor \\({document.number}\\)"):
            returns.receipt_return_refusal(received, verb="reversed", by=buyer.by, data={})
        returns.receipt_return_refusal(received, verb="completed", by=buyer.by, data={})

    def test_serial_numbers_named_go_back_and_others_are_refused(self, buyer, warehouse):
        camera = inventory.product(sku="CAM", name="Camera", tracking=Tracking.SERIAL)
        order = make.order(buyer, buyer.office, [make.order_line(camera, 3, price="100.00")])
        line = order.lines.get()
        receipt = _receive(buyer, warehouse, order, {line.pk: money(3)}, lot_number="S1, S2, S3")
        received_line = receipt.lines.get()

        with pytest.raises(DomainError, match="S9"):
            returns.purchase_return_create(
                order=order,
                quantities={received_line.pk: money(1)},
                lots={received_line.pk: "S9"},
                by=buyer.by,
                on=LATER,
            )
        (document,) = returns.purchase_return_create(
            order=order, quantities={received_line.pk: money(1)}, lots={received_line.pk: "S2"}, by=buyer.by, on=LATER
        )

        assert document.lines.get().lot_number == "S2"
        left = sorted(
            quant.lot.name for quant in Quant.objects.filter(product=camera, quantity__gt=0).select_related("lot")
        )
        assert left == ["S1", "S3"]
        assert order.lines.get().quantity_received == money(2)

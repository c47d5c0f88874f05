"""Landed costs: freight and duty allocated onto the goods of completed receipts by value or by
quantity, rounded to the cent with the remainder on the largest line; completing raises the
unit costs (later issues cost that, what was issued already is re-costed), voiding takes it back."""

from __future__ import annotations

from datetime import date

import pytest

from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.finance.models import AccountRole
from erp.inventory import checks
from erp.inventory.models import ProductValuation
from erp.purchasing import landed_costs, services
from erp.purchasing.landed_costs import CostLineData
from erp.purchasing.models import AllocationMethod, CostAdjustment
from tests.factories import inventory
from tests.factories import invoicing as finance
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money
ON = date(2026, 3, 6)
FREIGHT_DAY = date(2026, 3, 7)
LATER = date(2026, 3, 10)


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


@pytest.fixture
def warehouse(buyer):
    return inventory.warehouse(organization=buyer.organization, by=buyer.by)


def _receipt(buyer, warehouse, lines, *, complete=True):
    """A receipt of an order of ``lines`` (product, quantity, price)."""
    order = make.order(
        buyer, buyer.office, [make.order_line(product, qty, price=price) for product, qty, price in lines]
    )
    receipt = services.purchase_order_receive(order=order, warehouse=warehouse, by=buyer.by, on=ON)
    if complete:
        receipt = documents.document_complete(document=receipt, by=buyer.by)
    return receipt


@pytest.fixture
def receipt(buyer, warehouse):
    """100 paper at 3.00 (300.00) and 10 toner at 60.00 (600.00)."""
    return _receipt(buyer, warehouse, [(buyer.paper, 100, "3.00"), (buyer.toner, 10, "60.00")])


def _landed_cost(buyer, receipts, amounts, *, method=AllocationMethod.VALUE, account=None):
    account = account or buyer.books.expense
    return landed_costs.landed_cost_create(
        organization=buyer.organization,
        receipts=receipts,
        lines=[CostLineData(amount=money(amount), account=account, description="Freight") for amount in amounts],
        by=buyer.by,
        allocation_method=method,
        document_date=FREIGHT_DAY,
    )


def _issue(product, warehouse, quantity, *, on=LATER):
    return inventory.issue(product, warehouse, quantity, on=on, location=warehouse.receiving_location)


def _unit_cost(product, warehouse):
    scope = ProductValuation.objects.get(product=product, warehouse=warehouse)
    return (scope.value / scope.quantity).quantize(money("0.0001"))


def _shares(landed_cost):
    return [(row.receipt_line.product.sku, row.amount) for row in landed_costs.allocation(landed_cost).rows]


def _balance(role):
    return finance.balance(inventory.account(role))


def _books_agree():
    assert checks.valuation_drift() == []
    assert checks.layer_differences() == []


class TestAllocation:
    def test_freight_by_value_raises_the_unit_costs_and_later_issues_use_them(self, buyer, warehouse, receipt):
        """The carrier's bill of 90.00 freight (posted to expense) becomes a landed cost by value:
        paper gets 30.00 (3.00 → 3.30 a sheet), toner 60.00 (60.00 → 66.00 a cartridge)."""
        carrier = finance.vendor_bill(
            organization=buyer.organization,
            partner=buyer.mill,
            lines=[finance.line("1", "90.00", description="Freight March")],
            by=buyer.by,
            on=FREIGHT_DAY,
            number="FR-77",
        )
        bill_line = carrier.lines.get()
        assert _balance(AccountRole.PURCHASES) == money("90.00")
        landed_cost = landed_costs.landed_cost_create(
            organization=buyer.organization,
            receipts=[receipt],
            lines=[CostLineData(bill_line=bill_line)],
            by=buyer.by,
            document_date=FREIGHT_DAY,
        )
        (line,) = landed_cost.lines.all()
        assert (line.amount, line.account, line.description) == (money("90.00"), bill_line.account, "Freight March")
        assert _shares(landed_cost) == [("PAPER-A4", money("30.00")), ("TONER", money("60.00"))]

        landed_cost = documents.document_complete(document=landed_cost, by=buyer.by)

        assert landed_cost.status == Status.COMPLETED
        assert landed_cost.number.startswith("LC-")
        assert landed_cost.total_gross == money("90.00")
        assert _unit_cost(buyer.paper, warehouse) == money("3.30")
        assert _unit_cost(buyer.toner, warehouse) == money("66.00")
        assert _balance(AccountRole.INVENTORY) == money("990.00")
        assert _balance(AccountRole.PURCHASES) == 0  # the freight moved from expense into the goods
        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == money("-900.00")
        _books_agree()

        paper = _issue(buyer.paper, warehouse, 40)
        toner = _issue(buyer.toner, warehouse, 5)

        assert (paper.value, toner.value) == (money("132.00"), money("330.00"))
        assert _balance(AccountRole.COST_OF_GOODS_SOLD) == money("462.00")
        assert _balance(AccountRole.INVENTORY) == money("528.00")

    def test_by_quantity(self, buyer, warehouse, receipt):
        landed_cost = _landed_cost(buyer, [receipt], ["55.00"], method=AllocationMethod.QUANTITY)
        assert _shares(landed_cost) == [("PAPER-A4", money("50.00")), ("TONER", money("5.00"))]

        documents.document_complete(document=landed_cost, by=buyer.by)

        assert _unit_cost(buyer.paper, warehouse) == money("3.50")
        assert _unit_cost(buyer.toner, warehouse) == money("60.50")
        assert _balance(AccountRole.INVENTORY) == money("955.00")
        _books_agree()

    def test_shares_are_rounded_to_the_cent_and_the_remainder_goes_to_the_largest_line(self, buyer, warehouse):
        """100.00 over 300 + 600 + 30 = 930: 32.258 → 32.26, 64.516 → 64.52, 3.226 → 3.23 make
        100.01; the largest line (toner) gives the cent back."""
        receipt = _receipt(
            buyer, warehouse, [(buyer.paper, 100, "3.00"), (buyer.toner, 10, "60.00"), (buyer.pens, 30, "1.00")]
        )
        landed_cost = _landed_cost(buyer, [receipt], ["100.00"])

        assert _shares(landed_cost) == [
            ("PAPER-A4", money("32.26")),
            ("TONER", money("64.51")),
            ("PENS", money("3.23")),
        ]
        documents.document_complete(document=landed_cost, by=buyer.by)
        assert sum(change.amount for change in CostAdjustment.objects.all()) == money("100.00")
        assert _balance(AccountRole.INVENTORY) == money("1030.00")

    def test_two_receipts_and_two_costs_each_allocated_exactly(self, buyer, warehouse, receipt):
        second = _receipt(buyer, warehouse, [(buyer.paper, 50, "3.00")])
        landed_cost = _landed_cost(buyer, [receipt, second], ["10.00", "20.00"], method=AllocationMethod.QUANTITY)

        rows = landed_costs.allocation(landed_cost).rows

        assert [(row.receipt_line.document_id, row.amount) for row in rows] == [
            (receipt.pk, money("18.74")),  # 100 of 160: 6.25 − 0.01 (the cent 10.00 rounds up) + 12.50
            (receipt.pk, money("1.88")),  # 10 of 160: 0.625 → 0.63 + 1.25
            (second.pk, money("9.38")),  # 50 of 160: 3.125 → 3.13 + 6.25
        ]
        assert sum(row.amount for row in rows) == money("30.00")

    def test_goods_issued_already_take_their_share_to_the_cost_of_the_issue(self, buyer, warehouse, receipt):
        _issue(buyer.paper, warehouse, 50, on=ON)
        landed_cost = _landed_cost(buyer, [receipt], ["90.00"])

        documents.document_complete(document=landed_cost, by=buyer.by)

        assert _balance(AccountRole.COST_OF_GOODS_SOLD) == money("165.00")  # 150.00 + 15.00
        assert _balance(AccountRole.INVENTORY) == money("825.00")  # 150.00 + 15.00 + 600.00 + 60.00
        assert _unit_cost(buyer.paper, warehouse) == money("3.30")
        _books_agree()

    def test_voiding_takes_the_costs_back(self, buyer, warehouse, receipt):
        _issue(buyer.paper, warehouse, 50, on=ON)
        landed_cost = documents.document_complete(document=_landed_cost(buyer, [receipt], ["90.00"]), by=buyer.by)

        documents.document_void(document=landed_cost, by=buyer.by, reason="Wrong carrier")

        assert _balance(AccountRole.COST_OF_GOODS_SOLD) == money("150.00")
        assert _balance(AccountRole.INVENTORY) == money("750.00")
        assert _balance(AccountRole.PURCHASES) == 0
        assert _unit_cost(buyer.paper, warehouse) == money("3.00")
        assert sum(change.amount for change in CostAdjustment.objects.all()) == 0
        _books_agree()


class TestRefusals:
    def test_a_receipt_whose_goods_carry_a_landed_cost_is_not_voided_before_it(self, buyer, warehouse, receipt):
        landed_cost = documents.document_complete(document=_landed_cost(buyer, [receipt], ["90.00"]), by=buyer.by)

        with pytest.raises(DomainError, match=rf"{landed_cost.number} changed what its goods cost\. Void those first"):
            documents.document_void(document=receipt, by=buyer.by, reason="Wrong")

        receipt.refresh_from_db()
        assert receipt.status == Status.COMPLETED
        assert _balance(AccountRole.INVENTORY) == money("990.00")
        documents.document_void(document=landed_cost, by=buyer.by, reason="Wrong")
        documents.document_void(document=receipt, by=buyer.by, reason="Wrong")
        assert _balance(AccountRole.INVENTORY) == 0
        _books_agree()

    def test_a_receipt_not_completed_is_refused(self, buyer, warehouse):
        draft = _receipt(buyer, warehouse, [(buyer.paper, 10, "3.00")], complete=False)
        landed_cost = _landed_cost(buyer, [draft], ["10.00"])

        with pytest.raises(DomainError, match=r"has the status “Draft”: landed costs go onto completed goods receipts"):
            documents.document_complete(document=landed_cost, by=buyer.by)

        landed_cost.refresh_from_db()
        assert landed_cost.status == Status.DRAFT
        assert not CostAdjustment.objects.exists()

    @pytest.mark.parametrize("amount", ["0", "-5.00"])
    def test_zero_or_negative_amounts_are_refused(self, buyer, warehouse, receipt, amount):
        with pytest.raises(DomainError, match=r"Cost line 1: the amount must be greater than zero\."):
            _landed_cost(buyer, [receipt], [amount])

    def test_an_amount_below_the_cent_is_refused(self, buyer, warehouse, receipt):
        landed_cost = _landed_cost(buyer, [receipt], ["10.005"])

        with pytest.raises(DomainError, match=r"Cost line 1: enter the amount with at most 2 decimals\."):
            documents.document_complete(document=landed_cost, by=buyer.by)

    def test_without_receipts_or_costs_there_is_nothing_to_complete(self, buyer, warehouse, receipt):
        no_receipts = _landed_cost(buyer, [], ["10.00"])
        with pytest.raises(DomainError, match=r"Choose at least one completed goods receipt\."):
            documents.document_complete(document=no_receipts, by=buyer.by)
        no_costs = _landed_cost(buyer, [receipt], [])
        with pytest.raises(DomainError, match=r"Add at least one cost"):
            documents.document_complete(document=no_costs, by=buyer.by)

    def test_goods_worth_nothing_give_nothing_to_allocate_by_value(self, buyer, warehouse):
        free = _receipt(buyer, warehouse, [(buyer.pens, 10, "0")])
        landed_cost = _landed_cost(buyer, [free], ["10.00"])

        with pytest.raises(DomainError, match=r"The receipts hold no goods with a value to allocate the costs by\."):
            documents.document_complete(document=landed_cost, by=buyer.by)

        landed_cost.allocation_method = AllocationMethod.QUANTITY
        landed_cost.save()
        documents.document_complete(document=landed_cost, by=buyer.by)
        assert _unit_cost(buyer.pens, warehouse) == money("1.00")

    def test_a_bill_line_is_allocated_once(self, buyer, warehouse, receipt):
        carrier = finance.vendor_bill(
            organization=buyer.organization,
            partner=buyer.mill,
            lines=[finance.line("1", "90.00", description="Freight")],
            by=buyer.by,
            on=FREIGHT_DAY,
            number="FR-78",
        )
        first = landed_costs.landed_cost_create(
            organization=buyer.organization,
            receipts=[receipt],
            lines=[CostLineData(bill_line=carrier.lines.get())],
            by=buyer.by,
        )
        documents.document_complete(document=first, by=buyer.by)
        second = landed_costs.landed_cost_create(
            organization=buyer.organization,
            receipts=[receipt],
            lines=[CostLineData(bill_line=carrier.lines.get())],
            by=buyer.by,
        )

        with pytest.raises(DomainError, match=r"Cost line 1: that bill line is allocated by LC-"):
            documents.document_complete(document=second, by=buyer.by)

    def test_without_the_permission_no_landed_cost_is_entered(self, buyer, receipt, user_with_role):
        clerk = user_with_role("Sales")
        with pytest.raises(DomainError, match=r"You are not allowed to enter landed costs\."):
            landed_costs.landed_cost_create(organization=buyer.organization, receipts=[receipt], lines=[], by=clerk)

"""Valuation of stock movements: FIFO and moving average, the journal entries that follow the
layers, back-dated movements re-valuing what came after them, negative stock, transfers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from erp.catalog.models import ValuationMethod
from erp.finance.journal.models import JournalLine
from erp.finance.models import AccountRole
from erp.inventory import checks, stock
from erp.inventory.models import (
    EntryKind,
    LocationType,
    ProductValuation,
    Quant,
    StockMove,
    ValuationEntry,
    ValuationLayer,
)
from tests.factories import inventory as factory
from tests.factories.inventory import money

pytestmark = pytest.mark.django_db

JAN = date(2025, 1, 1)


@pytest.fixture
def warehouse(admin_user):
    factory.books(by=admin_user)
    return factory.warehouse(by=admin_user)


def day(number: int) -> date:
    return date(2025, 1, number)


def scope_of(product, warehouse) -> ProductValuation:
    return ProductValuation.objects.get(product=product, warehouse=warehouse)


def assert_books_agree() -> None:
    assert checks.valuation_drift() == []
    assert checks.layer_differences() == []
    assert checks.quant_differences() == []


def journal_amounts(entries) -> dict[str, Decimal]:
    """Net debit per account code of the journal entries behind ``entries``."""
    journal_ids = {entry.journal_entry_id for entry in entries if entry.journal_entry_id}
    totals: dict[str, Decimal] = {}
    for line in JournalLine.objects.filter(entry_id__in=journal_ids).select_related("account"):
        totals[line.account.code] = totals.get(line.account.code, Decimal("0")) + line.debit - line.credit
    return totals


class TestTextbookFifo:
    def test_an_issue_of_25_costs_295_and_leaves_5_units_worth_75(self, warehouse):
        product = factory.product(method=ValuationMethod.FIFO)
        for number, cost in ((2, "10.00"), (3, "12.00"), (4, "15.00")):
            factory.receive(product, warehouse, 10, cost, on=day(number))

        issued = factory.issue(product, warehouse, 25, on=day(5))

        assert issued.moves[0].value == money("295.00")
        assert issued.moves[0].unit_cost == money("11.8")
        valuation = scope_of(product, warehouse)
        assert (valuation.quantity, valuation.value) == (money(5), money("75.00"))
        remaining = ValuationLayer.objects.filter(product=product, direction="in").order_by("date")
        assert [layer.remaining_qty for layer in remaining] == [0, 0, 5]
        assert_books_agree()

    def test_the_journal_entries_match_the_valuation_layers(self, warehouse):
        product = factory.product(method=ValuationMethod.FIFO)
        receipts = [factory.receive(product, warehouse, 10, cost, on=day(n)) for n, cost in ((2, 10), (3, 12), (4, 15))]

        issued = factory.issue(product, warehouse, 25, on=day(5))

        inventory = factory.inventory_account().code
        cogs = factory.account(AccountRole.COST_OF_GOODS_SOLD).code
        grni = factory.account(AccountRole.GOODS_RECEIVED_NOT_INVOICED).code
        assert [journal_amounts(posted.entries) for posted in receipts] == [
            {inventory: money(100), grni: money(-100)},
            {inventory: money(120), grni: money(-120)},
            {inventory: money(150), grni: money(-150)},
        ]
        assert journal_amounts(issued.entries) == {inventory: money(-295), cogs: money(295)}
        layer = ValuationLayer.objects.get(move=issued.moves[0])
        assert layer.value == money(-295) == sum(entry.value for entry in issued.entries)


class TestMovingAverage:
    def test_the_same_receipts_give_the_average_cost(self, warehouse):
        product = factory.product(method=ValuationMethod.AVERAGE)
        for number, cost in ((2, "10.00"), (3, "12.00"), (4, "15.00")):
            factory.receive(product, warehouse, 10, cost, on=day(number))

        issued = factory.issue(product, warehouse, 25, on=day(5))

        # 370.00 for 30 units: 25 × 12.333… = 308.33, leaving 61.67 for 5
        assert issued.moves[0].value == money("308.33")
        valuation = scope_of(product, warehouse)
        assert (valuation.quantity, valuation.value) == (money(5), money("61.67"))
        assert journal_amounts(issued.entries) == {
            factory.inventory_account().code: money("-308.33"),
            factory.account(AccountRole.COST_OF_GOODS_SOLD).code: money("308.33"),
        }
        assert_books_agree()

    def test_issuing_everything_takes_the_whole_value_without_rounding_residue(self, warehouse):
        product = factory.product(method=ValuationMethod.AVERAGE)
        factory.receive(product, warehouse, 3, "10.00", on=day(2))
        factory.receive(product, warehouse, 3, "10.01", on=day(3))
        factory.issue(product, warehouse, 1, on=day(4))

        last = factory.issue(product, warehouse, 5, on=day(5))

        valuation = scope_of(product, warehouse)
        assert (valuation.quantity, valuation.value) == (0, 0)
        assert last.moves[0].value == money("60.03") - money("10.01")
        assert_books_agree()


class TestBackDating:
    def test_a_receipt_dated_before_later_issues_revalues_them_fifo(self, warehouse):
        product = factory.product(method=ValuationMethod.FIFO)
        factory.receive(product, warehouse, 10, "10.00", on=day(5))
        first = factory.issue(product, warehouse, 5, on=day(10))
        second = factory.issue(product, warehouse, 5, on=day(11))

        factory.receive(product, warehouse, 10, "20.00", on=day(1))

        layers = {layer.move_id: layer for layer in ValuationLayer.objects.filter(product=product)}
        assert layers[first.moves[0].pk].value == money(-100)
        assert layers[second.moves[0].pk].value == money(-100)
        adjustments = ValuationEntry.objects.filter(kind=EntryKind.ADJUSTMENT).order_by("date")
        assert [(entry.date, entry.value) for entry in adjustments] == [(day(10), money(-50)), (day(11), money(-50))]
        valuation = scope_of(product, warehouse)
        assert (valuation.quantity, valuation.value) == (money(10), money(100))
        assert_books_agree()

    def test_an_issue_dated_before_later_ones_takes_the_older_units(self, warehouse):
        product = factory.product(method=ValuationMethod.FIFO)
        factory.receive(product, warehouse, 5, "10.00", on=day(2))
        factory.receive(product, warehouse, 5, "20.00", on=day(3))
        later = factory.issue(product, warehouse, 5, on=day(10))
        assert later.moves[0].value == money(50)

        earlier = factory.issue(product, warehouse, 5, on=day(4))

        assert earlier.moves[0].value == money(50)
        assert ValuationLayer.objects.get(move=later.moves[0]).value == money(-100)
        assert scope_of(product, warehouse).value == 0
        assert_books_agree()

    def test_moving_average_is_recomputed_from_the_inserted_receipt_on(self, warehouse):
        product = factory.product(method=ValuationMethod.AVERAGE)
        factory.receive(product, warehouse, 10, "10.00", on=day(5))
        issue = factory.issue(product, warehouse, 5, on=day(10))

        factory.receive(product, warehouse, 10, "40.00", on=day(6))

        # day 6: 20 units worth 500 → day 10 issue of 5 costs 125
        assert ValuationLayer.objects.get(move=issue.moves[0]).value == money(-125)
        assert scope_of(product, warehouse).value == money(375)
        assert_books_agree()

    def test_a_transfer_passes_the_changed_cost_on_to_the_other_warehouse(self, warehouse, admin_user):
        other = factory.warehouse(by=admin_user)
        product = factory.product(method=ValuationMethod.FIFO)
        factory.receive(product, warehouse, 10, "10.00", on=day(5))
        factory.move(product, 10, source=warehouse.stock_location, target=other.stock_location, on=day(8))
        sold = factory.issue(product, other, 4, on=day(12))
        assert sold.moves[0].value == money(40)

        factory.receive(product, warehouse, 10, "30.00", on=day(2))

        assert ValuationLayer.objects.get(move=sold.moves[0]).value == money(-120)
        assert scope_of(product, other).value == money(180)
        assert scope_of(product, warehouse).value == money(100)
        assert_books_agree()


class TestNegativeStock:
    def test_refused_where_the_warehouse_does_not_allow_it(self, warehouse):
        product = factory.product()
        factory.receive(product, warehouse, 2, "5.00", on=day(2))

        with pytest.raises(stock.InsufficientStock, match="2 available, 3 needed"), transaction.atomic():
            factory.issue(product, warehouse, 3, on=day(3))

        assert Quant.objects.get(product=product).quantity == 2
        assert not StockMove.objects.filter(product=product, to_location__location_type=LocationType.CUSTOMER).exists()

    def test_an_issue_beyond_stock_is_costed_when_the_goods_arrive(self, admin_user):
        factory.books(by=admin_user)
        warehouse = factory.warehouse(by=admin_user, allow_negative_stock=True)
        product = factory.product(method=ValuationMethod.FIFO)
        factory.receive(product, warehouse, 2, "5.00", on=day(2))
        short = factory.issue(product, warehouse, 5, on=day(3))
        # 2 × 5.00 on hand, 3 estimated at the last cost 5.00
        assert short.moves[0].value == money(25)
        assert Quant.objects.get(product=product).quantity == -3

        factory.receive(product, warehouse, 10, "8.00", on=day(6))

        layer = ValuationLayer.objects.get(move=short.moves[0])
        assert layer.value == money(-34) and layer.uncovered_qty == 0
        correction = ValuationEntry.objects.get(layer=layer, kind=EntryKind.ADJUSTMENT)
        assert (correction.date, correction.value) == (day(6), money(-9))
        valuation = scope_of(product, warehouse)
        assert (valuation.quantity, valuation.value) == (money(7), money(56))
        assert_books_agree()


class TestVoid:
    def test_voiding_a_receipt_takes_it_out_of_the_history(self, warehouse, admin_user):
        product = factory.product(method=ValuationMethod.FIFO)
        factory.receive(product, warehouse, 10, "10.00", on=day(2))
        wrong = factory.receive(product, warehouse, 10, "99.00", on=day(3))

        stock.moves_void(moves=wrong.moves, by=admin_user)

        valuation = scope_of(product, warehouse)
        assert (valuation.quantity, valuation.value) == (money(10), money(100))
        assert Quant.objects.get(product=product).quantity == 10
        assert_books_agree()

    def test_voiding_an_issue_gives_its_units_to_the_later_issues(self, warehouse, admin_user):
        product = factory.product(method=ValuationMethod.FIFO)
        factory.receive(product, warehouse, 5, "10.00", on=day(2))
        factory.receive(product, warehouse, 5, "20.00", on=day(3))
        wrong = factory.issue(product, warehouse, 5, on=day(4))
        later = factory.issue(product, warehouse, 5, on=day(5))
        assert later.moves[0].value == money(100)

        stock.moves_void(moves=wrong.moves, by=admin_user)

        assert ValuationLayer.objects.get(move=later.moves[0]).value == money(-50)
        assert scope_of(product, warehouse).value == money(100)
        assert_books_agree()

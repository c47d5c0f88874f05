"""The inventory documents through the document services: what completing, voiding and
reversing each one does to stock, valuation and the ledger; reservations of outgoing ones."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from erp.catalog.models import Tracking, ValuationMethod
from erp.core.documents.models import Status
from erp.core.documents.services import (
    TransitionRefused,
    document_cancel,
    document_complete,
    document_reverse,
    document_submit,
    document_void,
)
from erp.core.exceptions import DomainError
from erp.finance.journal.models import JournalLine
from erp.finance.models import Account, AccountRole
from erp.finance.posting import entries_for
from erp.inventory import checks, stock
from erp.inventory.documents.effects import count_sheet_fill, transfer_receive
from erp.inventory.models import (
    GoodsReceipt,
    LocationType,
    Lot,
    MoveKind,
    ProductValuation,
    Quant,
    StockMove,
)
from tests.factories import catalog
from tests.factories import inventory as factory
from tests.factories.inventory import money

pytestmark = pytest.mark.django_db


def day(number: int) -> date:
    return date(2025, 3, number)


@pytest.fixture
def warehouse(admin_user):
    factory.books(by=admin_user)
    return factory.warehouse(by=admin_user)


@pytest.fixture
def product():
    return factory.product(method=ValuationMethod.FIFO)


def on_hand(product, location, lot=None) -> Decimal:
    quant = Quant.objects.filter(product=product, location=location, lot=lot).first()
    return quant.quantity if quant else Decimal("0")


def ledger(document) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for line in JournalLine.objects.filter(entry__in=entries_for(document)).select_related("account"):
        totals[line.account.code] = totals.get(line.account.code, Decimal("0")) + line.debit - line.credit
    return {code: amount for code, amount in totals.items() if amount}


def assert_books_agree() -> None:
    assert checks.valuation_drift() == []
    assert checks.layer_differences() == []
    assert checks.quant_differences() == []


def receive(warehouse, product, quantity, cost, *, by, on=None, **line):
    draft = factory.receipt_draft(
        warehouse,
        [{"product": product, "quantity": money(quantity), "unit_cost": money(cost), **line}],
        on=on or day(2),
        by=by,
    )
    return document_complete(document=draft, by=by)


class TestGoodsReceipt:
    def test_completing_puts_the_goods_into_receiving_and_posts_inventory_against_grni(
        self, warehouse, product, admin_user
    ):
        receipt = receive(warehouse, product, 10, "12.50", by=admin_user)

        assert receipt.status == Status.COMPLETED and receipt.number.startswith("GR-HQ-2025-")
        assert receipt.total_gross == money("125.00") and receipt.posted
        assert on_hand(product, warehouse.receiving_location) == 10
        inventory = factory.inventory_account().code
        grni = factory.account(AccountRole.GOODS_RECEIVED_NOT_INVOICED).code
        assert ledger(receipt) == {inventory: money(125), grni: money(-125)}
        assert_books_agree()

    def test_a_lot_is_created_and_the_stock_is_kept_per_lot(self, warehouse, admin_user):
        product = factory.product(tracking=Tracking.LOT)

        receive(warehouse, product, 5, "2.00", by=admin_user, lot_number="L-2025-01")

        lot = Lot.objects.get(product=product, name="L-2025-01")
        assert on_hand(product, warehouse.receiving_location, lot) == 5

    def test_serial_numbers_are_one_unit_each_and_never_twice_in_stock(self, warehouse, admin_user):
        product = factory.product(tracking=Tracking.SERIAL)
        receive(warehouse, product, 3, "100.00", by=admin_user, lot_number="SN1, SN2, SN3")
        assert StockMove.objects.filter(product=product).count() == 3

        draft = factory.receipt_draft(
            warehouse,
            [{"product": product, "quantity": money(1), "unit_cost": money(1), "lot_number": "SN2"}],
            on=day(3),
            by=admin_user,
        )
        with pytest.raises(DomainError, match=r"serial number SN2 .* is already in stock"), transaction.atomic():
            document_complete(document=draft, by=admin_user)

    def test_a_serial_count_that_does_not_match_the_quantity_is_refused_naming_the_line(self, warehouse, admin_user):
        product = factory.product(tracking=Tracking.SERIAL)
        draft = factory.receipt_draft(
            warehouse,
            [{"product": product, "quantity": money(2), "unit_cost": money(1), "lot_number": "ONLY-ONE"}],
            on=day(3),
            by=admin_user,
        )

        with pytest.raises(DomainError, match=r"Line 1: .* enter 2 serial numbers"), transaction.atomic():
            document_complete(document=draft, by=admin_user)

    def test_boxes_are_received_as_pieces_at_the_cost_per_piece(self, warehouse, admin_user):
        product = factory.product(conversions={"box": "12"})

        receipt = receive(warehouse, product, 2, "120.00", by=admin_user, uom=catalog.unit("box"))

        move = StockMove.objects.get(source_id=receipt.pk, product=product)
        assert (move.quantity, move.value, move.unit_cost) == (money(24), money(240), money(10))

    def test_a_receipt_into_a_closed_period_is_refused(self, warehouse, product, admin_user):
        from erp.finance.services import period_close

        period = factory.books()[0].periods.get(start_date=date(2025, 3, 1))
        period_close(period=period, by=admin_user)
        draft = factory.receipt_draft(
            warehouse, [{"product": product, "quantity": money(1), "unit_cost": money(1)}], on=day(2), by=admin_user
        )

        with pytest.raises(DomainError, match="closed"), transaction.atomic():
            document_complete(document=draft, by=admin_user)


class TestGoodsIssueAndReservations:
    def test_submitting_reserves_and_completing_issues_at_cost(self, warehouse, product, admin_user):
        receive(warehouse, product, 10, "4.00", by=admin_user, location=warehouse.stock_location)
        draft = factory.issue_draft(warehouse, [{"product": product, "quantity": money(6)}], on=day(5), by=admin_user)

        document_submit(document=draft, by=admin_user)
        quant = Quant.objects.get(product=product, location=warehouse.stock_location)
        assert (quant.quantity, quant.reserved, quant.available) == (10, 6, 4)
        issue = document_complete(document=draft, by=admin_user)

        quant.refresh_from_db()
        assert (quant.quantity, quant.reserved) == (4, 0)
        assert issue.total_gross == money(24)
        cogs = factory.account(AccountRole.COST_OF_GOODS_SOLD).code
        assert ledger(issue) == {factory.inventory_account().code: money(-24), cogs: money(24)}

    def test_reserved_stock_is_not_available_to_another_issue(self, warehouse, product, admin_user):
        receive(warehouse, product, 10, "4.00", by=admin_user, location=warehouse.stock_location)
        first = factory.issue_draft(warehouse, [{"product": product, "quantity": money(8)}], on=day(5), by=admin_user)
        document_submit(document=first, by=admin_user)
        second = factory.issue_draft(warehouse, [{"product": product, "quantity": money(3)}], on=day(5), by=admin_user)

        with (
            pytest.raises(DomainError, match=r"2 available .*8 of 10 on hand are reserved.*3 needed"),
            transaction.atomic(),
        ):
            document_complete(document=second, by=admin_user)

    def test_cancelling_gives_the_reservation_back(self, warehouse, product, admin_user):
        receive(warehouse, product, 10, "4.00", by=admin_user, location=warehouse.stock_location)
        draft = factory.issue_draft(warehouse, [{"product": product, "quantity": money(8)}], on=day(5), by=admin_user)
        document_submit(document=draft, by=admin_user)

        document_cancel(document=draft, by=admin_user, reason="customer cancelled")

        assert Quant.objects.get(product=product, location=warehouse.stock_location).reserved == 0

    def test_voiding_an_issue_brings_the_goods_back_at_their_cost(self, warehouse, product, admin_user):
        receive(warehouse, product, 10, "4.00", by=admin_user, location=warehouse.stock_location)
        issue = document_complete(
            document=factory.issue_draft(warehouse, [{"product": product, "quantity": money(3)}], on=day(5)),
            by=admin_user,
        )

        document_void(document=issue, by=admin_user, reason="wrong customer")

        assert on_hand(product, warehouse.stock_location) == 10
        assert ProductValuation.objects.get(product=product, warehouse=warehouse).value == money(40)
        assert StockMove.objects.filter(kind=MoveKind.VOID, product=product).count() == 1
        assert_books_agree()


class TestVoidAndReverseReceipt:
    def test_a_receipt_nothing_depends_on_can_be_voided(self, warehouse, product, admin_user):
        receipt = receive(warehouse, product, 10, "4.00", by=admin_user)

        document_void(document=receipt, by=admin_user, reason="entered twice")

        assert on_hand(product, warehouse.receiving_location) == 0
        assert GoodsReceipt.objects.get(pk=receipt.pk).status == Status.VOIDED
        assert_books_agree()

    def test_a_receipt_whose_goods_were_issued_cannot_be_voided_and_says_why(self, warehouse, product, admin_user):
        receipt = receive(warehouse, product, 10, "4.00", by=admin_user, location=warehouse.stock_location)
        document_complete(
            document=factory.issue_draft(warehouse, [{"product": product, "quantity": money(1)}], on=day(6)),
            by=admin_user,
        )

        with (
            pytest.raises(
                TransitionRefused, match=rf"cannot be undone: goods it brought in were issued .*{product.sku}"
            ),
            transaction.atomic(),
        ):
            document_void(document=receipt, by=admin_user)
        assert GoodsReceipt.objects.get(pk=receipt.pk).status == Status.COMPLETED

    def test_reversing_later_returns_the_goods_and_the_price_difference_goes_to_its_account(
        self, warehouse, product, admin_user
    ):
        receive(warehouse, product, 10, "2.00", by=admin_user, location=warehouse.stock_location, on=day(1))
        receipt = receive(warehouse, product, 10, "4.00", by=admin_user, location=warehouse.stock_location, on=day(2))
        document_complete(
            document=factory.issue_draft(warehouse, [{"product": product, "quantity": money(5)}], on=day(3)),
            by=admin_user,
        )

        reversal = document_reverse(document=receipt, by=admin_user, accrual=True, on_date=day(10))

        # FIFO: the 10 returned leave at 5 × 2.00 + 5 × 4.00 = 30.00; GRNI is cleared by the 40.00 received
        grni = factory.account(AccountRole.GOODS_RECEIVED_NOT_INVOICED).code
        difference = factory.account(AccountRole.PRICE_DIFFERENCE).code
        assert ledger(reversal) == {
            factory.inventory_account().code: money(-30),
            grni: money(40),
            difference: money(-10),
        }
        assert reversal.reversal_of_id == receipt.pk and reversal.status == Status.COMPLETED
        assert on_hand(product, warehouse.stock_location) == 5
        assert_books_agree()


class TestTransfers:
    def test_within_a_warehouse_the_goods_move_and_nothing_is_posted(self, warehouse, product, admin_user):
        receive(warehouse, product, 10, "3.00", by=admin_user)
        shelf = factory.shelf(warehouse)
        draft = factory.transfer_draft(
            warehouse,
            warehouse,
            [
                {
                    "product": product,
                    "quantity": money(4),
                    "from_location": warehouse.receiving_location,
                    "to_location": shelf,
                }
            ],
            on=day(4),
        )

        transfer = document_complete(document=draft, by=admin_user)

        assert (on_hand(product, warehouse.receiving_location), on_hand(product, shelf)) == (6, 4)
        assert list(entries_for(transfer)) == []
        assert transfer.total_gross == money(12)

    def test_between_warehouses_the_goods_wait_in_transit_until_received(self, warehouse, product, admin_user):
        other = factory.warehouse(by=admin_user)
        transit = factory.virtual(LocationType.TRANSIT)
        transit.account = Account.objects.get(code="1250")
        transit.save()
        receive(warehouse, product, 10, "3.00", by=admin_user, location=warehouse.stock_location)
        draft = factory.transfer_draft(warehouse, other, [{"product": product, "quantity": money(10)}], on=day(4))

        transfer = document_complete(document=draft, by=admin_user)
        assert on_hand(product, transit) == 10 and transfer.received_on is None
        assert ledger(transfer) == {"1210": money(-30), "1250": money(30)}

        transfer_receive(document=transfer, by=admin_user, on=day(7))

        assert (on_hand(product, transit), on_hand(product, other.stock_location)) == (0, 10)
        assert ledger(transfer) == {}  # out of 1210 into 1250 and back: nets to nothing
        assert ProductValuation.objects.get(product=product, warehouse=other).value == money(30)
        assert_books_agree()


class TestAdjustmentsCountsAndScrap:
    def test_found_stock_comes_in_at_the_current_cost_and_lost_stock_leaves_at_it(self, warehouse, product, admin_user):
        receive(warehouse, product, 10, "5.00", by=admin_user, location=warehouse.stock_location)
        draft = factory.adjustment_draft(
            warehouse,
            [{"product": product, "quantity": money(2)}, {"product": product, "quantity": money(-5)}],
            on=day(8),
        )

        adjustment = document_complete(document=draft, by=admin_user)

        assert on_hand(product, warehouse.stock_location) == 7
        assert ProductValuation.objects.get(product=product, warehouse=warehouse).value == money(35)
        assert_books_agree()
        assert adjustment.total_gross == money(35)

    def test_a_count_posts_the_differences_to_what_is_on_hand(self, warehouse, admin_user):
        apples = factory.product(method=ValuationMethod.AVERAGE)
        pears = factory.product(tracking=Tracking.LOT)
        receive(warehouse, apples, 10, "1.00", by=admin_user, location=warehouse.stock_location)
        receive(warehouse, pears, 4, "2.00", by=admin_user, location=warehouse.stock_location, lot_number="P1")
        count = factory.count_draft(warehouse, on=day(20))

        assert count_sheet_fill(document=count, by=admin_user) == 2
        lines = {line.product_id: line for line in count.lines.all()}
        assert (lines[apples.pk].expected_quantity, lines[pears.pk].lot_number) == (10, "P1")
        lines[apples.pk].counted_quantity = money(8)
        lines[pears.pk].counted_quantity = money(5)
        for line in lines.values():
            line.save()
        document_complete(document=count, by=admin_user)

        assert on_hand(apples, warehouse.stock_location) == 8
        assert on_hand(pears, warehouse.stock_location, Lot.objects.get(name="P1")) == 5
        assert sorted(line.difference for line in count.lines.all()) == [money(-2), money(1)]
        assert_books_agree()

    def test_a_count_with_lines_left_uncounted_is_refused(self, warehouse, product, admin_user):
        receive(warehouse, product, 1, "1.00", by=admin_user)
        count = factory.count_draft(warehouse, on=day(20))
        count_sheet_fill(document=count, by=admin_user)

        with pytest.raises(DomainError, match="Enter the counted quantity of every line"), transaction.atomic():
            document_complete(document=count, by=admin_user)

    def test_scrap_leaves_the_stock_for_the_scrap_location(self, warehouse, product, admin_user):
        receive(warehouse, product, 3, "9.00", by=admin_user, location=warehouse.stock_location)

        scrap = document_complete(
            document=factory.scrap_draft(warehouse, [{"product": product, "quantity": money(1)}], on=day(9)),
            by=admin_user,
        )

        assert on_hand(product, warehouse.stock_location) == 2
        assert StockMove.objects.get(source_id=scrap.pk, to_location__location_type=LocationType.SCRAP).value == 9
        assert_books_agree()


class TestTheLedgerItself:
    def test_the_database_refuses_to_change_or_delete_a_move(self, warehouse, product, admin_user):
        receive(warehouse, product, 1, "1.00", by=admin_user)
        move = StockMove.objects.get(product=product)

        for statement in (
            "UPDATE inventory_stockmove SET quantity = 2 WHERE id = %s",
            "DELETE FROM inventory_stockmove WHERE id = %s",
            "UPDATE inventory_valuationentry SET value = 0 WHERE layer_id IN "
            "(SELECT id FROM inventory_valuationlayer WHERE move_id = %s)",
        ):
            with pytest.raises(Exception, match="append-only"), transaction.atomic():
                from django.db import connection

                with connection.cursor() as cursor:
                    cursor.execute(statement, [move.pk])

    def test_the_database_refuses_a_negative_quant_where_negative_stock_is_off(self, warehouse, product, admin_user):
        from django.db import IntegrityError

        receive(warehouse, product, 1, "1.00", by=admin_user)

        with pytest.raises(IntegrityError, match="inventory_quant_not_negative"), transaction.atomic():
            Quant.objects.filter(product=product).update(quantity=-1)

    def test_a_move_needs_a_lot_for_a_tracked_product(self, warehouse, admin_user):
        product = factory.product(tracking=Tracking.LOT)

        with pytest.raises(DomainError, match="tracked: enter its lot"):
            stock.moves_post(
                requests=[
                    stock.MoveRequest(
                        product=product,
                        quantity=money(1),
                        from_location=factory.virtual(LocationType.VENDOR),
                        to_location=warehouse.stock_location,
                        unit_cost=money(1),
                    )
                ],
                on=day(2),
                organization=warehouse.organization,
                by=admin_user,
            )

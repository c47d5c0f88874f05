"""The price difference of a vendor bill on goods received: the part for what is still in stock
raises (or lowers) the stock's value and the cost of later issues; the part for what was issued
already goes where the issue went (cost of goods sold); voiding the bill takes it all back."""

from __future__ import annotations

from datetime import date

import pytest

from erp.core.documents import services as documents
from erp.core.exceptions import DomainError
from erp.finance.invoicing import services as invoicing
from erp.finance.models import AccountRole
from erp.inventory import checks
from erp.inventory.models import ProductValuation
from erp.purchasing import billing, services
from erp.purchasing.models import CostAdjustment
from erp.purchasing.selectors import purchasing_settings
from tests.factories import inventory
from tests.factories import invoicing as finance
from tests.factories import purchasing as make

pytestmark = pytest.mark.django_db

money = make.money
ON = date(2026, 3, 6)
LATER = date(2026, 3, 9)


@pytest.fixture
def buyer(root_organization, admin_user):
    return make.buyer(organization=root_organization, by=admin_user)


@pytest.fixture(autouse=True)
def tolerant(buyer):
    """Prices within 10 % of the order's post without an approval."""
    settings = purchasing_settings()
    settings.price_tolerance_percent = money(10)
    settings.save()


@pytest.fixture
def warehouse(buyer):
    return inventory.warehouse(organization=buyer.organization, by=buyer.by)


@pytest.fixture
def order(buyer):
    """100 sheets of paper at 3.50 with 10 % off: 3.15 net each."""
    return make.order(buyer, buyer.office, [make.order_line(buyer.paper, 100, discount_percent=money(10))])


def _receive(buyer, warehouse, order):
    receipt = services.purchase_order_receive(order=order, warehouse=warehouse, by=buyer.by, on=ON)
    return documents.document_complete(document=receipt, by=buyer.by)


def _post_bill(buyer, order, price, number="OS-1001"):
    line = order.lines.get(position=1)
    bill = billing.purchase_order_bill(
        order=order, vendor_invoice_number=number, by=buyer.by, on=ON, prices={line.pk: money(price)}
    )
    return invoicing.invoice_post(invoice=bill, by=buyer.by)


def _issue(product, warehouse, quantity, *, on):
    """An issue to a customer from where receipts put the goods."""
    return inventory.issue(product, warehouse, quantity, on=on, location=warehouse.receiving_location)


def _balance(role):
    return finance.balance(inventory.account(role))


def _stock(buyer, warehouse):
    return ProductValuation.objects.get(product=buyer.paper, warehouse=warehouse)


def _books_agree():
    assert checks.valuation_drift() == []
    assert checks.layer_differences() == []


class TestPriceDifference:
    def test_all_in_stock_the_difference_revalues_the_stock(self, buyer, warehouse, order):
        """Received 100 at 3.15 = 315.00; billed at 3.55 less 10 % = 3.195: 319.50. The 4.50
        go onto the stock, which is now worth what the vendor charged."""
        _receive(buyer, warehouse, order)

        bill = _post_bill(buyer, order, "3.55")

        assert bill.total_net == money("319.50")
        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == 0
        assert _balance(AccountRole.PRICE_DIFFERENCE) == 0
        assert _balance(AccountRole.INVENTORY) == money("319.50")
        assert _balance(AccountRole.COST_OF_GOODS_SOLD) == 0
        scope = _stock(buyer, warehouse)
        assert (scope.quantity, scope.value) == (money(100), money("319.50"))
        (change,) = CostAdjustment.objects.all()
        assert (change.amount, change.account, change.date) == (
            money("4.50"),
            inventory.account(AccountRole.PRICE_DIFFERENCE),
            ON,
        )
        _books_agree()

        issued = _issue(buyer.paper, warehouse, 40, on=LATER)

        assert issued.value == money("127.80")  # 40 × 3.195: later issues cost what was billed

    def test_half_issued_half_goes_to_stock_and_half_to_the_cost_of_the_issue(self, buyer, warehouse, order):
        _receive(buyer, warehouse, order)
        _issue(buyer.paper, warehouse, 50, on=ON)
        assert _balance(AccountRole.COST_OF_GOODS_SOLD) == money("157.50")

        _post_bill(buyer, order, "3.55")

        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == 0
        assert _balance(AccountRole.PRICE_DIFFERENCE) == 0
        assert _balance(AccountRole.INVENTORY) == money("159.75")  # 157.50 + 2.25
        assert _balance(AccountRole.COST_OF_GOODS_SOLD) == money("159.75")  # 157.50 + 2.25
        assert _stock(buyer, warehouse).value == money("159.75")
        _books_agree()
        assert _issue(buyer.paper, warehouse, 50, on=LATER).value == money("159.75")
        assert _balance(AccountRole.INVENTORY) == 0

    def test_a_lower_price_lowers_the_stock(self, buyer, warehouse, order):
        _receive(buyer, warehouse, order)

        _post_bill(buyer, order, "3.40")  # 3.06 net: 306.00

        assert _balance(AccountRole.INVENTORY) == money("306.00")
        assert _balance(AccountRole.PRICE_DIFFERENCE) == 0
        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == 0
        _books_agree()

    def test_moving_average_stock_takes_the_difference_into_its_average(self, buyer, warehouse):
        average = inventory.product(sku="INK", name="Ink", method="average", purchase_tax=buyer.books.input_tax)
        inventory.receive(average, warehouse, 100, "2.00", on=date(2026, 3, 1), location=warehouse.receiving_location)
        order = make.order(buyer, buyer.office, [make.order_line(average, 100, price="3.00")])
        _receive(buyer, warehouse, order)  # 100 × 3.00: 200 on hand worth 500.00

        _post_bill(buyer, order, "3.20")  # + 20.00

        scope = ProductValuation.objects.get(product=average, warehouse=warehouse)
        assert (scope.quantity, scope.value) == (money(200), money("520.00"))
        assert _issue(average, warehouse, 100, on=LATER).value == money("260.00")
        _books_agree()

    def test_in_a_foreign_currency_the_difference_goes_onto_the_stock_in_the_company_currency(self, buyer, warehouse):
        """USD at 0.90 EUR: 100 at 4.00 USD less 10 % arrive at 3.24 EUR (324.00); billed at 4.10
        less 10 % = 369.00 USD against 360.00 USD received: 9.00 USD = 8.10 EUR onto the stock."""
        finance.rate("USD", date(2026, 3, 1), "0.90")
        order = make.order(
            buyer,
            buyer.office,
            [make.order_line(buyer.paper, 100, price="4.00", discount_percent=money(10))],
            currency="USD",
        )
        _receive(buyer, warehouse, order)
        assert _balance(AccountRole.INVENTORY) == money("324.00")

        bill = _post_bill(buyer, order, "4.10")

        assert (bill.currency_id, bill.total_net) == ("USD", money("369.00"))
        assert _balance(AccountRole.INVENTORY) == money("332.10")
        assert _balance(AccountRole.PRICE_DIFFERENCE) == 0
        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == 0
        _books_agree()

    def test_voiding_the_bill_takes_the_revaluation_back(self, buyer, warehouse, order):
        _receive(buyer, warehouse, order)
        _issue(buyer.paper, warehouse, 50, on=ON)
        bill = _post_bill(buyer, order, "3.55")

        documents.document_void(document=bill, by=buyer.by, reason="Wrong price")

        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == money("-315.00")
        assert _balance(AccountRole.PRICE_DIFFERENCE) == 0
        assert _balance(AccountRole.INVENTORY) == money("157.50")
        assert _balance(AccountRole.COST_OF_GOODS_SOLD) == money("157.50")
        assert _stock(buyer, warehouse).value == money("157.50")
        assert sum(change.amount for change in CostAdjustment.objects.all()) == 0
        _books_agree()

        again = _post_bill(buyer, order, "3.50", number="OS-1001-B")  # 3.15: no difference

        assert again.total_net == money("315.00")
        assert _balance(AccountRole.INVENTORY) == money("157.50")
        assert _balance(AccountRole.GOODS_RECEIVED_NOT_INVOICED) == 0

    def test_billed_beyond_the_receipt_stays_a_price_difference(self, buyer, warehouse, order):
        """110 billed at the order price, 100 received: 31.50 for goods that never arrived stay
        on the price difference account; the stock keeps its value."""
        _receive(buyer, warehouse, order)
        line = order.lines.get(position=1)
        bill = billing.purchase_order_bill(order=order, vendor_invoice_number="OS-1001", by=buyer.by, on=ON)
        bill.lines.update(quantity=money(110))
        settings = purchasing_settings()
        settings.quantity_tolerance_percent = money(10)
        settings.save()

        invoicing.invoice_post(invoice=bill, by=buyer.by)

        assert line.unit_net == money("3.15")
        assert _balance(AccountRole.PRICE_DIFFERENCE) == money("31.50")
        assert _balance(AccountRole.INVENTORY) == money("315.00")
        assert not CostAdjustment.objects.exists()

    def test_a_receipt_revalued_by_a_bill_is_not_voided_before_the_bill(self, buyer, warehouse, order):
        receipt = _receive(buyer, warehouse, order)
        bill = _post_bill(buyer, order, "3.55")

        with pytest.raises(DomainError, match=r"changed what its goods cost. Void those first"):
            documents.document_void(document=receipt, by=buyer.by, reason="Wrong")

        receipt.refresh_from_db()
        assert receipt.status == "completed"
        assert _balance(AccountRole.INVENTORY) == money("319.50")
        documents.document_void(document=bill, by=buyer.by, reason="Wrong")
        documents.document_void(document=receipt, by=buyer.by, reason="Wrong")
        assert _balance(AccountRole.INVENTORY) == 0
        _books_agree()

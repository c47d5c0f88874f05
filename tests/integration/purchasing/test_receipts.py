"""Goods receipts from a purchase order: the stock comes in at the order's price against goods
received not invoiced, partial receipts are counted per line and move the order on."""

from __future__ import annotations

from datetime import date

import pytest

from erp.core.documents import services as documents
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.finance.models import AccountRole
from erp.inventory.models import Quant
from erp.purchasing import services
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
    """150 sheets of paper at 3.50 (the break) with 10 % off, and a service line."""
    return make.order(
        buyer,
        buyer.office,
        [
            make.order_line(buyer.paper, 150, discount_percent=money(10)),
            make.order_line(quantity=1, price="25.00", description="Freight"),
        ],
    )


def _on_hand(product, warehouse):
    return sum((quant.quantity for quant in Quant.objects.filter(product=product, location__warehouse=warehouse)), 0)


class TestReceive:
    def test_a_partial_receipt_brings_the_stock_in_at_the_order_price_against_grni(self, buyer, warehouse, order):
        paper = order.lines.get(position=1)

        receipt = services.purchase_order_receive(
            order=order, warehouse=warehouse, by=buyer.by, quantities={paper.pk: money(100)}, on=ON
        )
        assert receipt.status == Status.DRAFT
        (line,) = receipt.lines.all()
        assert (line.product, line.quantity, line.unit_cost) == (buyer.paper, money(100), money("3.15"))
        documents.document_complete(document=receipt, by=buyer.by)

        paper.refresh_from_db()
        order.refresh_from_db()
        assert paper.quantity_received == money(100)
        assert order.status == Status.IN_PROGRESS
        assert _on_hand(buyer.paper, warehouse) == money(100)
        assert finance.balance(inventory.inventory_account()) == money("315.00")
        assert finance.balance(inventory.account(AccountRole.GOODS_RECEIVED_NOT_INVOICED)) == money("-315.00")

    def test_by_default_everything_still_open_is_received_and_services_are_left_out(self, buyer, warehouse, order):
        first = services.purchase_order_receive(
            order=order,
            warehouse=warehouse,
            by=buyer.by,
            quantities={order.lines.get(position=1).pk: money(40)},
        )
        documents.document_complete(document=first, by=buyer.by)

        rest = services.purchase_order_receive(order=order, warehouse=warehouse, by=buyer.by)

        assert [(line.product, line.quantity) for line in rest.lines.all()] == [(buyer.paper, money(110))]
        documents.document_complete(document=rest, by=buyer.by)
        paper = order.lines.get(position=1)
        assert (paper.quantity_received, paper.quantity_open, paper.quantity_to_bill) == (
            money(150),
            money(0),
            money(150),
        )

    def test_a_draft_receipt_counts_against_what_may_still_be_received(self, buyer, warehouse, order):
        services.purchase_order_receive(order=order, warehouse=warehouse, by=buyer.by)

        with pytest.raises(DomainError, match="Nothing of"):
            services.purchase_order_receive(order=order, warehouse=warehouse, by=buyer.by)

    def test_more_than_is_open_is_refused(self, buyer, warehouse, order):
        paper = order.lines.get(position=1)

        with pytest.raises(DomainError, match="only 150 are still to receive"):
            services.purchase_order_receive(
                order=order, warehouse=warehouse, by=buyer.by, quantities={paper.pk: money(151)}
            )

    def test_a_draft_order_is_not_received(self, buyer, warehouse):
        draft = make.order(buyer, buyer.office, [make.order_line(buyer.paper, 10)], submit=False)

        with pytest.raises(DomainError, match="only confirmed orders"):
            services.purchase_order_receive(order=draft, warehouse=warehouse, by=buyer.by)

    def test_the_warehouse_must_belong_to_the_orders_organization(self, buyer, order):
        from tests.factories import core

        other = inventory.warehouse(organization=core.OrganizationFactory(), by=buyer.by)

        with pytest.raises(DomainError, match="another organization"):
            services.purchase_order_receive(order=order, warehouse=other, by=buyer.by)

    def test_voiding_the_receipt_takes_the_quantity_back(self, buyer, warehouse, order):
        receipt = services.purchase_order_receive(order=order, warehouse=warehouse, by=buyer.by, on=ON)
        documents.document_complete(document=receipt, by=buyer.by)

        documents.document_void(document=receipt, by=buyer.by, reason="Wrong delivery")

        assert order.lines.get(position=1).quantity_received == 0

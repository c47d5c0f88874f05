"""Sales arrangement: a stocked product in a warehouse, a customer with terms, quotations and
orders made through the services, the whole way to delivered and invoiced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from erp.core.documents import services as documents
from erp.sales import deliveries, services
from erp.sales.services import LineData
from tests.factories import inventory, partners
from tests.factories import invoicing as finance


def money(value) -> Decimal:
    return Decimal(str(value))


def line(product=None, quantity="1", price=None, **fields) -> LineData:
    return LineData(
        product=product,
        quantity=money(quantity),
        unit_price=None if price is None else money(price),
        description=fields.pop("description", "" if product is not None else "Service"),
        **fields,
    )


@dataclass
class Shop:
    """Books, a warehouse with a FIFO product (10 @ 10.00, 10 @ 12.00 on 1 March 2026) taxed 19 %, and
    a customer on 2 % 10 days / 30 days net."""

    books: finance.Books
    warehouse: object
    product: object
    customer: object
    organization: object
    by: object


def shop(*, organization, by, on: date = date(2026, 3, 1), credit_limit: str = "0") -> Shop:
    books = finance.books(by=by)
    warehouse = inventory.warehouse(organization=organization, by=by)
    product = inventory.product(sku="CHAIR", name="Chair", sales_price=money("50.00"), sales_tax=books.output_tax)
    inventory.receive(product, warehouse, 10, "10.00", on=on, by=by)
    inventory.receive(product, warehouse, 10, "12.00", on=on, by=by)
    customer = partners.partner(
        name="Kunde GmbH",
        country="DE",
        email="einkauf@kunde.example.com",
        credit_limit=money(credit_limit),
        payment_term=finance.term(net_days=30, discount_percent="2", discount_days=10),
    )
    return Shop(books, warehouse, product, customer, organization, by)


def quotation(shop: Shop, lines, *, on: date = date(2026, 3, 2), submit: bool = True, **fields):
    made = services.quotation_create(
        organization=shop.organization, partner=shop.customer, lines=lines, by=shop.by, document_date=on, **fields
    )
    if submit:
        made = documents.document_submit(document=made, by=shop.by)
    return made


def order(shop: Shop, lines, *, on: date = date(2026, 3, 2), submit: bool = True, **fields):
    fields.setdefault("warehouse", shop.warehouse)
    made = services.sales_order_create(
        organization=shop.organization, partner=shop.customer, lines=lines, by=shop.by, document_date=on, **fields
    )
    if submit:
        made = documents.document_submit(document=made, by=shop.by)
    return made


def deliver(order, *, by, quantities=None, on: date = date(2026, 3, 3)):
    """Create and complete a delivery (``quantities`` per order line, in its unit)."""
    delivery = deliveries.delivery_create(order=order, by=by, quantities=quantities, on=on)
    return documents.document_complete(document=delivery, by=by)

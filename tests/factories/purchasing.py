"""Purchasing arrangement: books with a 19 % purchase tax, two vendors with catalog prices for
paper and toner, and requisitions and orders made through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group

from erp.core.documents import services as documents
from erp.purchasing import services
from erp.purchasing.services import OrderLineData, RequisitionLineData
from tests.factories import catalog, inventory, partners
from tests.factories import invoicing as finance
from tests.factories import workflow as flows

DAY = date(2026, 3, 2)


def money(value) -> Decimal:
    return Decimal(str(value))


@dataclass
class Buyer:
    """Paper (stockable, 19 % input tax): Office Supplies 4.00 (3.50 from 100), 5 days;
    Paper Mill 3.80, 10 days. Toner: Office Supplies 60.00, 3 days. Pens: no vendor price."""

    books: finance.Books
    organization: object
    by: object
    office: object
    mill: object
    paper: object
    toner: object
    pens: object


def buyer(*, organization, by) -> Buyer:
    books = finance.books(by=by)
    office = partners.vendor(name="Office Supplies GmbH", email="orders@office.example.com")
    mill = partners.vendor(name="Paper Mill AG", email="sales@mill.example.com")
    paper = inventory.product(sku="PAPER-A4", name="Paper A4", purchase_tax=books.input_tax)
    toner = inventory.product(sku="TONER", name="Toner", purchase_tax=books.input_tax)
    pens = inventory.product(sku="PENS", name="Pens", purchase_tax=books.input_tax)
    catalog.vendor_price(partner=office, product=paper, price="4.00", lead_time_days=5, vendor_product_code="OS-P4")
    catalog.vendor_price(
        partner=office,
        product=paper,
        price="3.50",
        min_quantity=money(100),
        lead_time_days=5,
        vendor_product_code="OS-P4",
    )
    catalog.vendor_price(partner=mill, product=paper, price="3.80", lead_time_days=10)
    catalog.vendor_price(partner=office, product=toner, price="60.00", lead_time_days=3)
    return Buyer(books, organization, by, office, mill, paper, toner, pens)


def req_line(product=None, quantity="1", *, vendor=None, price="0", **fields) -> RequisitionLineData:
    return RequisitionLineData(
        product=product,
        quantity=money(quantity),
        vendor=vendor,
        unit_price=money(price),
        description=fields.pop("description", "" if product is not None else "Office chair"),
        **fields,
    )


def requisition(buyer: Buyer, lines, *, submit: bool = True, by=None, on: date = DAY, **fields):
    made = services.requisition_create(
        organization=buyer.organization, lines=lines, by=by or buyer.by, document_date=on, **fields
    )
    if submit:
        made = documents.document_submit(document=made, by=by or buyer.by)
    return made


def order_line(product=None, quantity="1", price=None, **fields) -> OrderLineData:
    return OrderLineData(
        product=product,
        quantity=money(quantity),
        unit_price=None if price is None else money(price),
        description=fields.pop("description", "" if product is not None else "Service"),
        **fields,
    )


def order(buyer: Buyer, vendor, lines, *, submit: bool = True, by=None, on: date = DAY, **fields):
    made = services.purchase_order_create(
        organization=buyer.organization, partner=vendor, lines=lines, by=by or buyer.by, document_date=on, **fields
    )
    if submit:
        made = documents.document_submit(document=made, by=by or buyer.by)
    return made


def approval_above(amount: str, *, subject: str, by, role: str = "Manager"):
    """An active workflow: the ``role`` approves documents of ``subject`` above ``amount``."""
    return flows.workflow(
        {"name": f"{role} approval", "role": Group.objects.get(name=role), "condition": flows.above(amount)},
        subject=subject,
        by=by,
        name=f"{subject} approvals",
    )

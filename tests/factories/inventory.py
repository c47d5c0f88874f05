"""Inventory arrangement: warehouses (with their location tree), stockable products, and
shortcuts that receive, issue and move stock through ``erp.inventory.stock``.

The tenant's chart (IFRS template) provides the inventory, cost of goods sold, goods received
not invoiced and price difference accounts; ``books()`` adds open fiscal years."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from erp.catalog.models import Tracking, ValuationMethod
from erp.core.models import Organization
from erp.finance.models import Account, AccountRole
from erp.inventory import services, stock
from erp.inventory.models import Location, LocationType, Lot, Warehouse
from tests.factories import catalog
from tests.factories.ledger import fiscal_years

_numbers = itertools.count(1)


def books(by=None):
    """Two open calendar fiscal years (2025 and 2026 on a fresh tenant)."""
    return fiscal_years(2, by=by)


def account(role: str) -> Account:
    return Account.objects.for_role(role).order_by("code").first()


def inventory_account() -> Account:
    return account(AccountRole.INVENTORY)


def warehouse(*, organization: Organization | None = None, by=None, **fields) -> Warehouse:
    number = next(_numbers)
    fields.setdefault("code", f"W{number:03d}")
    fields.setdefault("name", f"Warehouse {number}")
    return services.warehouse_create(organization=organization or Organization.objects.get(code="HQ"), by=by, **fields)


def virtual(location_type: str) -> Location:
    return Location.objects.filter(location_type=location_type, warehouse=None).order_by("pk").first()


def shelf(warehouse: Warehouse, *, code: str | None = None, by=None) -> Location:
    number = next(_numbers)
    return services.location_create(
        warehouse=warehouse,
        parent=warehouse.stock_location,
        code=code or f"S{number:03d}",
        name=f"Shelf {number}",
        location_type=LocationType.INTERNAL,
        by=by,
    )


def product(*, method: str = ValuationMethod.FIFO, tracking: str = Tracking.NONE, **fields):
    return catalog.product(valuation_method=method, tracking=tracking, **fields)


def lot(product, name: str) -> Lot:
    return Lot.objects.get_or_create(product=product, name=name)[0]


def money(value) -> Decimal:
    return Decimal(str(value))


def receive(
    product,
    warehouse: Warehouse,
    quantity,
    cost,
    *,
    on: date,
    location: Location | None = None,
    lot: Lot | None = None,
    by=None,
) -> stock.Posted:
    return stock.moves_post(
        requests=[
            stock.MoveRequest(
                product=product,
                quantity=money(quantity),
                from_location=virtual(LocationType.VENDOR),
                to_location=location or warehouse.stock_location,
                lot=lot,
                unit_cost=money(cost),
            )
        ],
        on=on,
        organization=warehouse.organization,
        by=by,
        reference="test receipt",
    )


def issue(
    product, warehouse: Warehouse, quantity, *, on: date, location: Location | None = None, lot=None, by=None
) -> stock.Posted:
    return stock.moves_post(
        requests=[
            stock.MoveRequest(
                product=product,
                quantity=money(quantity),
                from_location=location or warehouse.stock_location,
                to_location=virtual(LocationType.CUSTOMER),
                lot=lot,
            )
        ],
        on=on,
        organization=warehouse.organization,
        by=by,
        reference="test issue",
    )


def move(product, quantity, *, source: Location, target: Location, on: date, lot=None, by=None) -> stock.Posted:
    organization = (source.warehouse or target.warehouse).organization
    return stock.moves_post(
        requests=[
            stock.MoveRequest(
                product=product, quantity=money(quantity), from_location=source, to_location=target, lot=lot
            )
        ],
        on=on,
        organization=organization,
        by=by,
        reference="test move",
    )


# --- documents ---------------------------------------------------------------------------------------


def _document(model, line_model, *, warehouse: Warehouse, on: date, lines: list[dict], by=None, **fields):
    from erp.core.models import Company

    document = model.objects.create(
        organization=warehouse.organization,
        warehouse=warehouse,
        document_date=on,
        accounting_date=on,
        currency_id=Company.objects.values_list("currency_id", flat=True).get(),
        created_by=by,
        **fields,
    )
    line_model.objects.bulk_create(
        [line_model(document=document, position=position, **line) for position, line in enumerate(lines, start=1)]
    )
    return document


def receipt_draft(warehouse: Warehouse, lines: list[dict], *, on: date, by=None, **fields):
    """``lines``: dicts of product, quantity, unit_cost and optionally lot_number, uom, location."""
    from erp.inventory.models import GoodsReceipt, GoodsReceiptLine

    return _document(GoodsReceipt, GoodsReceiptLine, warehouse=warehouse, on=on, lines=lines, by=by, **fields)


def issue_draft(warehouse: Warehouse, lines: list[dict], *, on: date, by=None, **fields):
    from erp.inventory.models import GoodsIssue, GoodsIssueLine

    return _document(GoodsIssue, GoodsIssueLine, warehouse=warehouse, on=on, lines=lines, by=by, **fields)


def transfer_draft(warehouse: Warehouse, destination: Warehouse, lines: list[dict], *, on: date, by=None):
    from erp.inventory.models import InternalTransfer, InternalTransferLine

    return _document(
        InternalTransfer,
        InternalTransferLine,
        warehouse=warehouse,
        on=on,
        lines=lines,
        by=by,
        destination_warehouse=destination,
    )


def adjustment_draft(warehouse: Warehouse, lines: list[dict], *, on: date, by=None):
    from erp.inventory.models import StockAdjustment, StockAdjustmentLine

    return _document(StockAdjustment, StockAdjustmentLine, warehouse=warehouse, on=on, lines=lines, by=by)


def count_draft(warehouse: Warehouse, *, on: date, by=None, lines: list[dict] | None = None):
    from erp.inventory.models import PhysicalCount, PhysicalCountLine

    return _document(PhysicalCount, PhysicalCountLine, warehouse=warehouse, on=on, lines=lines or [], by=by)


def scrap_draft(warehouse: Warehouse, lines: list[dict], *, on: date, by=None):
    from erp.inventory.models import Scrap, ScrapLine

    return _document(Scrap, ScrapLine, warehouse=warehouse, on=on, lines=lines, by=by)

"""Reads of the purchasing screens: the tenant's purchasing settings, a request for quotation's
replies side by side, the documents a requisition or an order came from or led to."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from erp.purchasing.models import (
    PurchaseOrder,
    PurchaseRequisition,
    PurchasingSettings,
    RequestForQuotation,
    RFQQuote,
    RFQVendor,
)

ZERO = Decimal("0")


def purchasing_settings() -> PurchasingSettings:
    """The tenant's one settings row (created with the defaults on first use)."""
    found = PurchasingSettings.objects.order_by("pk").first()
    return found or PurchasingSettings.objects.create()


@dataclass
class Cell:
    quote: RFQQuote | None
    amount: Decimal | None = None
    best: bool = False


@dataclass
class ComparisonRow:
    line: object
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Comparison:
    """Lines × invited vendors: each reply's price, what the line would cost (quantity offered or
    asked × price) with the cheapest per line marked, and each vendor's total of what it quoted."""

    vendors: list[RFQVendor]
    rows: list[ComparisonRow]
    totals: list[Decimal | None]
    quoted: list[int]


def rfq_comparison(rfq: RequestForQuotation) -> Comparison:
    vendors = list(rfq.vendors.select_related("partner").order_by("id"))
    lines = list(rfq.lines.select_related("product", "unit").order_by("position", "id"))
    quotes = {(quote.vendor_id, quote.line_id): quote for quote in RFQQuote.objects.filter(vendor__rfq=rfq)}
    rows = []
    totals: list[Decimal | None] = [None] * len(vendors)
    quoted = [0] * len(vendors)
    for line in lines:
        row = ComparisonRow(line)
        for index, vendor in enumerate(vendors):
            quote = quotes.get((vendor.pk, line.pk))
            cell = Cell(quote)
            if quote is not None:
                cell.amount = (quote.quantity or line.quantity) * quote.unit_price
                totals[index] = (totals[index] or ZERO) + cell.amount
                quoted[index] += 1
            row.cells.append(cell)
        prices = [cell.quote.unit_price for cell in row.cells if cell.quote is not None]
        for cell in row.cells:
            cell.best = cell.quote is not None and len(prices) > 1 and cell.quote.unit_price == min(prices)
        rows.append(row)
    return Comparison(vendors=vendors, rows=rows, totals=totals, quoted=quoted)


def orders_of_requisition(requisition: PurchaseRequisition) -> list[PurchaseOrder]:
    return list(
        PurchaseOrder.objects.filter(lines__requisition_line__requisition=requisition).distinct().order_by("id")
    )


def rfqs_of_requisition(requisition: PurchaseRequisition) -> list[RequestForQuotation]:
    return list(
        RequestForQuotation.objects.filter(lines__requisition_line__requisition=requisition).distinct().order_by("id")
    )


def requisitions_of_order(order: PurchaseOrder) -> list[PurchaseRequisition]:
    return list(PurchaseRequisition.objects.filter(lines__order_lines__order=order).distinct().order_by("id"))


def receipts_of_order(order: PurchaseOrder) -> list:
    from erp.inventory.models import GoodsReceipt

    return list(
        GoodsReceipt.objects.filter(lines__purchase_link__order_line__order=order)
        .distinct()
        .order_by("document_date", "id")
    )


def vendor_returns_of_order(order: PurchaseOrder) -> list:
    """The returns to vendor of goods received against ``order`` (``erp.purchasing.returns``)."""
    from erp.inventory.models import GoodsReceipt

    return list(
        GoodsReceipt.objects.filter(lines__vendor_return__order_line__order=order)
        .distinct()
        .order_by("document_date", "id")
    )

"""Order and requisition lines: their defaults and totals.

A purchase order line left partly empty gets from its product the description, the purchase
unit, the purchase tax (none for a tax-exempt vendor) and, from the vendor's price in the
catalog, the unit price, the vendor's product code and (with the lead time) the expected
date. Totals per tax code come from ``erp.core.documents.totals`` like an invoice's."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from erp.core.currency import quantize
from erp.core.documents import totals as document_totals
from erp.core.exceptions import DomainError
from erp.finance import posting
from erp.finance.invoicing.lines import line_inputs
from erp.finance.models import TaxType
from erp.purchasing import pricing
from erp.purchasing.models import PurchaseOrder, PurchaseOrderLine, PurchaseRequisition, PurchaseRequisitionLine

ZERO = Decimal("0")
ORDER_LINE_FIELDS = [
    "description",
    "unit",
    "tax_code",
    "unit_price",
    "vendor_product_code",
    "expected_date",
    "line_net",
    "line_tax",
    "line_gross",
]


def order_lines(order: PurchaseOrder) -> list[PurchaseOrderLine]:
    return list(
        order.lines.select_related("product", "product__base_uom", "product__purchase_uom", "unit", "tax_code")
        .prefetch_related("product__conversions")
        .order_by("position", "id")
    )


def product_tax(order: PurchaseOrder, product):
    """The tax a new line of ``product`` gets: its purchase tax, none for a tax-exempt vendor."""
    if product is None or (order.partner_id and order.partner.tax_exempt):
        return None
    return product.purchase_tax


def order_lines_complete(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> None:
    """Fill what the lines left empty (in memory): description, unit, and from the vendor's
    price the unit price (a product line at 0 gets the vendor's price, if it has one), its
    product code and the expected date. The tax code is set when a line is added
    (``product_tax``): a line whose tax was removed keeps none."""
    for line in lines:
        product = line.product
        if product is None:
            continue
        line.description = line.description or product.name[:255]
        if line.unit_id is None:
            line.unit = product.purchase_unit
        if order.partner_id and (not line.unit_price or not line.expected_date or not line.vendor_product_code):
            offer = pricing.best_offer(
                product=product,
                vendor_id=order.partner_id,
                quantity=line.quantity,
                unit=line.unit,
                on=order.document_date,
                currency_code=order.currency_id,
            )
            if offer is not None:
                line.unit_price = line.unit_price or offer.unit_price
                line.vendor_product_code = line.vendor_product_code or offer.vendor_product_code[:50]
                if line.expected_date is None and order.expected_date is None:
                    line.expected_date = offer.expected_on(order.document_date)
        if line.expected_date is None:
            line.expected_date = order.expected_date


def order_totals(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> document_totals.Totals:
    """Line amounts and the order's totals (document and company currency), set on the objects."""
    totals = document_totals.document_totals(line_inputs(lines), places=order.currency.decimal_places)
    for line, amounts in zip(lines, totals.lines, strict=True):
        line.line_net, line.line_tax, line.line_gross = amounts.net, amounts.tax, amounts.gross
    company = totals.in_company_currency(rate=order.exchange_rate, places=posting.company_currency().decimal_places)
    order.total_net, order.total_tax, order.total_gross = totals.net, totals.tax, totals.gross
    order.total_net_company, order.total_tax_company, order.total_gross_company = (
        company.net,
        company.tax,
        company.gross,
    )
    return totals


def order_recompute(order: PurchaseOrder) -> list[PurchaseOrderLine]:
    """Complete the lines, store their amounts; the order's totals are set on it (not saved)."""
    lines = order_lines(order)
    if order.is_editable:
        order_lines_complete(order, lines)
    order_totals(order, lines)
    if lines:
        PurchaseOrderLine.objects.bulk_update(lines, ORDER_LINE_FIELDS)
    return lines


def order_lines_check(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> None:
    """What an order needs before it goes to the vendor."""
    if not lines:
        raise DomainError(_("A purchase order needs at least one line."))
    for number, line in enumerate(lines, start=1):
        if line.product_id is None and not line.description.strip():
            raise DomainError(_("Line %(line)d needs a product or a description.") % {"line": number})
        if line.product_id is not None and not line.product.can_be_purchased:
            raise DomainError(
                _("Line %(line)d: %(product)s cannot be purchased.") % {"line": number, "product": line.product.sku}
            )
        if line.tax_code_id and line.tax_code.tax_type != TaxType.PURCHASE:
            raise DomainError(
                _("Line %(line)d: %(tax)s is not a purchase tax.") % {"line": number, "tax": line.tax_code}
            )


# --- requisitions ---------------------------------------------------------------------------------


def requisition_recompute(requisition: PurchaseRequisition) -> list[PurchaseRequisitionLine]:
    """Estimated amounts (no tax) in the company currency; products bring their description and
    purchase unit."""
    lines = list(requisition.lines.select_related("product").order_by("position", "id"))
    places = posting.company_currency().decimal_places
    total = ZERO
    for line in lines:
        if line.product is not None:
            line.description = line.description or line.product.name[:255]
            if line.unit_id is None:
                line.unit_id = line.product.purchase_uom_id or line.product.base_uom_id
        factor = (Decimal(100) - line.discount_percent) / Decimal(100)
        line.line_net = quantize(line.quantity * line.unit_price * factor, places)
        line.line_tax, line.line_gross = ZERO, line.line_net
        total += line.line_net
    if lines:
        PurchaseRequisitionLine.objects.bulk_update(
            lines, ["description", "unit", "line_net", "line_tax", "line_gross"]
        )
    requisition.total_net = requisition.total_gross = total
    requisition.total_net_company = requisition.total_gross_company = total
    requisition.total_tax = requisition.total_tax_company = ZERO
    return lines

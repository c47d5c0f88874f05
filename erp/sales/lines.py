"""Lines of quotations and orders: defaults from the product, the unit price from the price list
(with its quantity breaks and validity), and the totals with the tax per rate.

``recompute`` runs on every save of a draft and again on submission: the header's defaults
(the customer's price list and payment term, the exchange rate of the document date), then per
line the description, unit and price, then the amounts (``erp.core.documents.totals``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from erp.catalog.models import PriceList, Product, UnitOfMeasure
from erp.catalog.pricing import PRICE_PLACES, price_for
from erp.catalog.units import UnitsNotConvertible
from erp.core import bulk
from erp.core.currency import RateNotFound
from erp.core.exceptions import DomainError
from erp.finance.invoicing.effects import exchange_rate_for
from erp.finance.invoicing.lines import invoice_totals
from erp.finance.models import TaxCode, TaxType
from erp.sales.models import SalesDocument, SalesLine

ZERO = Decimal("0")
HUNDRED = Decimal("100")
LINE_FIELDS = ["description", "unit", "unit_price", "line_net", "line_tax", "line_gross"]


def quantity_text(value: Decimal) -> str:
    """10.000000 → “10”, 2.500000 → “2.5”, with the reader's separators."""
    return number_format(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())


def effective_price_list(document: SalesDocument) -> PriceList | None:
    if document.price_list_id:
        return document.price_list
    return document.partner.price_list if document.partner_id else None


def default_tax(document: SalesDocument, product: Product | None) -> TaxCode | None:
    """The tax a new line of ``product`` gets: the product's sales tax, none for a tax-exempt customer."""
    if product is None or (document.partner_id and document.partner.tax_exempt):
        return None
    return product.sales_tax


def unit_price(
    *,
    product: Product,
    quantity: Decimal,
    unit: UnitOfMeasure | None,
    document: SalesDocument,
    tax_code: TaxCode | None,
    price_list: PriceList | None = None,
) -> Decimal:
    """The net unit price of ``quantity`` ``unit`` of ``product`` on the document's date, in its
    currency: the price list's (best quantity break), else the product's sales price. A price
    list with prices including tax gives the net of the line's tax rate."""
    price_list = price_list if price_list is not None else effective_price_list(document)
    try:
        price = price_for(
            product,
            abs(quantity) or Decimal("1"),
            document.document_date,
            price_list,
            document.currency_id,
            uom=unit or product.sales_unit,
        )
    except RateNotFound as error:
        raise DomainError(error.message, field="currency") from None
    except UnitsNotConvertible as error:
        raise DomainError(error.message) from None
    amount = price.amount
    if price.includes_tax and tax_code is not None and not tax_code.price_included and tax_code.rate:
        amount = (amount * HUNDRED / (HUNDRED + tax_code.rate)).quantize(
            Decimal(1).scaleb(-PRICE_PLACES), rounding=ROUND_HALF_UP
        )
    return amount


def document_lines(document: SalesDocument) -> list[SalesLine]:
    return list(
        document.lines.select_related("product", "product__base_uom", "unit", "tax_code").order_by("position", "id")
    )


def complete_lines(document: SalesDocument, lines: list[SalesLine]) -> None:
    """Fill in what product lines left empty (description, unit) and the price of the lines
    whose price was not typed, in memory."""
    price_list = effective_price_list(document)
    for line in lines:
        product = line.product
        if product is None:
            continue
        line.description = line.description or product.name[:255]
        if line.unit_id is None:
            line.unit = product.sales_unit
        if not line.price_manual:
            line.unit_price = unit_price(
                product=product,
                quantity=line.quantity,
                unit=line.unit,
                document=document,
                tax_code=line.tax_code,
                price_list=price_list,
            )


def header_defaults(document: SalesDocument) -> None:
    """The customer's price list and payment term where the document names none; the rate of
    the document date (1 in the company currency)."""
    partner = document.partner
    if partner is not None:
        if document.price_list_id is None and partner.price_list_id:
            document.price_list = partner.price_list
        if document.payment_term_id is None and partner.payment_term_id:
            document.payment_term = partner.payment_term
    document.exchange_rate = exchange_rate_for(document)


def recompute(document: SalesDocument) -> list[SalesLine]:
    """Defaults, prices and totals of a draft, stored on its lines; the header's totals are set
    on ``document`` (the caller saves it)."""
    header_defaults(document)
    lines = document_lines(document)
    before = bulk.snapshot(lines, LINE_FIELDS)
    complete_lines(document, lines)
    invoice_totals(document, lines)
    bulk.bulk_update(lines, LINE_FIELDS, unchanged_since=before)
    return lines


def check_lines(lines: list[SalesLine]) -> None:
    if not lines:
        raise DomainError(_("Add at least one line."))
    for number, line in enumerate(lines, start=1):
        if line.quantity <= 0:
            raise DomainError(_("Line %(line)d: the quantity must be greater than zero.") % {"line": number})
        if line.tax_code_id and line.tax_code.tax_type != TaxType.SALES:
            raise DomainError(_("Line %(line)d: %(tax)s is not a sales tax.") % {"line": number, "tax": line.tax_code})

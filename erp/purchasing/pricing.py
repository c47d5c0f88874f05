"""What a vendor charges: the catalog's vendor prices (``erp.catalog.models.VendorPrice``) read for
an order line — the best price of the vendor for the quantity and the day, in the line's unit
and the order's currency, with the vendor's lead time and product code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from erp.catalog.models import PRICE, Product, UnitOfMeasure, VendorPrice
from erp.catalog.units import UnitsNotConvertible, base_factor, to_base
from erp.core import currency as money
from erp.core.currency import RateNotFound

PRICE_PLACES = PRICE["decimal_places"]


@dataclass(frozen=True)
class Offer:
    """A vendor's price for one unit of the line (in the order's currency) and its lead time."""

    vendor_price: VendorPrice
    unit_price: Decimal
    lead_time_days: int
    vendor_product_code: str

    def expected_on(self, ordered_on: date) -> date:
        return ordered_on + timedelta(days=self.lead_time_days)


def _valid_on(on: date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on)) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def vendor_prices(*, product: Product, on: date, vendors=None) -> list[VendorPrice]:
    """Active vendor prices of ``product`` valid on ``on`` (of ``vendors`` only, if given)."""
    found = VendorPrice.objects.filter(_valid_on(on), product=product, is_active=True)
    if vendors is not None:
        found = found.filter(partner__in=vendors)
    return list(found.select_related("partner", "uom", "currency").order_by("partner_id", "-min_quantity", "price"))


def _offer(price: VendorPrice, *, product: Product, unit: UnitOfMeasure, currency_code: str, on: date) -> Offer:
    per_unit = price.price * base_factor(product, unit) / base_factor(product, price.uom)
    if price.currency_id != currency_code:
        per_unit = money.quote(from_currency=price.currency_id, to_currency=currency_code, on_date=on).apply(per_unit)
    return Offer(
        vendor_price=price,
        unit_price=money.quantize(per_unit, PRICE_PLACES),
        lead_time_days=price.lead_time_days,
        vendor_product_code=price.vendor_product_code,
    )


def best_offer(
    *,
    product: Product,
    vendor_id: int,
    quantity: Decimal,
    unit: UnitOfMeasure,
    on: date,
    currency_code: str,
    prices: list[VendorPrice] | None = None,
) -> Offer | None:
    """The vendor's price for ``quantity`` ``unit`` of ``product`` on ``on``: among its prices whose
    minimum quantity (in the price's unit) the quantity reaches, the highest minimum; None when
    the vendor has no price (or none that converts to the unit or the currency)."""
    prices = prices if prices is not None else vendor_prices(product=product, on=on, vendors=[vendor_id])
    try:
        base = to_base(quantity, product=product, uom=unit)
    except UnitsNotConvertible:
        return None
    candidates = []
    for price in prices:
        if price.partner_id != vendor_id:
            continue
        try:
            reaches = base >= to_base(price.min_quantity, product=product, uom=price.uom)
        except UnitsNotConvertible:
            continue
        if reaches:
            candidates.append(price)
    for price in sorted(
        candidates, key=lambda item: (-to_base(item.min_quantity, product=product, uom=item.uom), item.price)
    ):
        try:
            return _offer(price, product=product, unit=unit, currency_code=currency_code, on=on)
        except (UnitsNotConvertible, RateNotFound):
            continue
    return None


def cheapest_vendor(*, product: Product, quantity: Decimal, unit: UnitOfMeasure, on: date, currency_code: str):
    """(vendor, offer) with the lowest unit price for the quantity, the shorter lead time on a tie;
    None when no vendor has a price."""
    prices = vendor_prices(product=product, on=on)
    best = None
    for vendor_id in dict.fromkeys(price.partner_id for price in prices):
        offer = best_offer(
            product=product,
            vendor_id=vendor_id,
            quantity=quantity,
            unit=unit,
            on=on,
            currency_code=currency_code,
            prices=prices,
        )
        if offer is not None and (best is None or (offer.unit_price, offer.lead_time_days) < best[1]):
            best = (offer.vendor_price.partner, (offer.unit_price, offer.lead_time_days), offer)
    return (best[0], best[2]) if best else None

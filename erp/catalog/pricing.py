"""What a product costs a customer: the price list's best item for the quantity and the day,
else the product's own sales price; converted to the unit and currency asked for.

Price list items are per *base unit* from ``min_quantity`` base units on. Among the items
valid on the day whose minimum the quantity reaches, the one with the highest minimum wins
(the quantity break); between equal minimums a dated item beats an open-ended one and the
later start beats the earlier."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from erp.catalog.models import PRICE, PriceList, PriceListItem, Product, UnitOfMeasure
from erp.catalog.units import base_factor, to_base
from erp.core import currency as money
from erp.core.models import Currency

PRICE_PLACES = PRICE["decimal_places"]


class Source:
    PRICE_LIST = "price_list"
    PRODUCT = "product"


@dataclass(frozen=True)
class Price:
    """A unit price: ``amount`` per one ``uom`` in ``currency_code``, before or with tax as the
    price list says (the product's sales price is always before tax)."""

    amount: Decimal
    currency_code: str
    uom: UnitOfMeasure
    source: str
    item: PriceListItem | None = None
    includes_tax: bool = False


def is_valid_on(item: PriceListItem, on: date) -> bool:
    return (item.valid_from is None or item.valid_from <= on) and (item.valid_to is None or on <= item.valid_to)


def best_item(items: Iterable[PriceListItem], *, base_quantity: Decimal, on: date) -> PriceListItem | None:
    """The item that prices ``base_quantity`` on ``on`` (pure: the items are given)."""
    candidates = [item for item in items if is_valid_on(item, on) and item.min_quantity <= base_quantity]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda item: (item.min_quantity, item.valid_from is not None, item.valid_from or date.min, item.pk or 0),
    )


def _in_currency(amount: Decimal, *, source: str, target: str, on: date) -> Decimal:
    if source == target:
        return amount
    found = money.quote(from_currency=source, to_currency=target, on_date=on)
    return found.apply(amount)


def price_for(
    product: Product,
    quantity: Decimal,
    on: date,
    price_list: PriceList | None,
    currency: Currency | str,
    *,
    uom: UnitOfMeasure | None = None,
    items: Iterable[PriceListItem] | None = None,
) -> Price:
    """The unit price of ``quantity`` of ``product`` in ``uom`` (default: its sales unit) on
    ``on``, from ``price_list`` (or the product's sales price), in ``currency``.

    Reads only (the price list's items for the product unless ``items`` are given, and an
    exchange rate when the currencies differ: ``RateNotFound`` when there is none); writes
    nothing. The amount keeps 6 decimal places; documents round line totals."""
    uom = uom or product.sales_unit
    target = currency.code if isinstance(currency, Currency) else currency.upper()
    factor = base_factor(product, uom)
    base_quantity = to_base(Decimal(quantity), product=product, uom=uom)
    item = None
    if price_list is not None:
        if items is None:
            items = PriceListItem.objects.filter(price_list=price_list, product=product)
        item = best_item(items, base_quantity=base_quantity, on=on)
    if item is not None:
        per_base, source_currency, source = item.price, price_list.currency_id, Source.PRICE_LIST
        includes_tax = price_list.prices_include_tax
    else:
        per_base, source_currency, source = product.sales_price, money.company_currency().code, Source.PRODUCT
        includes_tax = False
    amount = _in_currency(per_base * factor, source=source_currency, target=target, on=on)
    return Price(
        amount=money.quantize(amount, PRICE_PLACES),
        currency_code=target,
        uom=uom,
        source=source,
        item=item,
        includes_tax=includes_tax,
    )

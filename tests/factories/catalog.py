"""Catalog records for tests: units (seeded ones by code), categories, products, price lists."""

from __future__ import annotations

import itertools
from decimal import Decimal

from erp.catalog.models import (
    PriceList,
    PriceListItem,
    Product,
    ProductCategory,
    UnitConversion,
    UnitOfMeasure,
    VendorPrice,
)

_numbers = itertools.count(1)


def unit(code: str) -> UnitOfMeasure:
    """A seeded unit (pc, kg, g, box …)."""
    return UnitOfMeasure.objects.get(code=code)


def category(**fields) -> ProductCategory:
    number = next(_numbers)
    fields.setdefault("name", f"Category {number}")
    return ProductCategory.objects.create(**fields)


def product(*, conversions: dict[str, str] | None = None, **fields) -> Product:
    """A stockable product counted in pieces; ``conversions={"box": "12"}`` adds its own units."""
    number = next(_numbers)
    fields.setdefault("sku", f"SKU-{number:05d}")
    fields.setdefault("name", f"Product {number}")
    if "base_uom" not in fields:
        fields["base_uom"] = unit("pc")
    made = Product.objects.create(**fields)
    for code, factor in (conversions or {}).items():
        UnitConversion.objects.create(product=made, uom=unit(code), factor=Decimal(factor))
    return made


def price_list(*, currency: str = "EUR", **fields) -> PriceList:
    number = next(_numbers)
    fields.setdefault("code", f"PL{number}")
    fields.setdefault("name", f"Price list {number}")
    return PriceList.objects.create(currency_id=currency, **fields)


def price_item(price_list: PriceList, product: Product, price: str, **fields) -> PriceListItem:
    return PriceListItem.objects.create(price_list=price_list, product=product, price=Decimal(price), **fields)


def vendor_price(*, partner, product: Product, price: str, currency: str = "EUR", **fields) -> VendorPrice:
    fields.setdefault("uom", product.purchase_unit)
    return VendorPrice.objects.create(
        partner=partner, product=product, price=Decimal(price), currency_id=currency, **fields
    )

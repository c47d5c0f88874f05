"""Template helpers of the inventory screens."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def quantity(value) -> str:
    """A quantity without trailing zeros, in the reader's format: 10, 2,5 (German), —."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    if value == value.to_integral_value():
        return number_format(value.quantize(Decimal(1)))
    return number_format(value.normalize())


@register.filter
def line_value(line, attribute: str) -> str:
    """One cell of a document line: products by SKU, units by code, quantities without zeros."""
    value = getattr(line, attribute, None)
    if value is None or value == "":
        if attribute == "uom":
            return line.product.base_uom.code if hasattr(line, "product") and hasattr(line.product, "base_uom") else "—"
        return "—"
    if attribute == "product":
        return f"{value.sku} {value.name}"
    if attribute == "uom":
        return value.code
    if isinstance(value, Decimal):
        return money(value) if attribute == "unit_cost" else quantity(value)
    return str(value)


@register.filter
def money(value) -> str:
    """An amount with at least two decimals (more when it has them): 12,50 · 0,0125."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    cents = value.quantize(Decimal("0.01"))
    return number_format(cents if cents == value else value.normalize())

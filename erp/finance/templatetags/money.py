"""Amounts and quantities in the reader's format (``{% load money %}``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

from erp.finance.amounts import amount_text

register = template.Library()


@register.filter
def amount(value, places=2) -> str:
    """``1190`` → “1,190.00” (“1.190,00” in German); empty for None."""
    if value is None or value == "":
        return ""
    try:
        return amount_text(Decimal(value), int(places))
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


@register.filter
def quantity(value) -> str:
    """A quantity or rate without trailing zeros: 10, 2.5, 19."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    if value == value.to_integral_value():
        return number_format(value.quantize(Decimal(1)))
    return number_format(value.normalize())

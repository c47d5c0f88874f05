"""Amounts as a reader sees them: the currency's decimal places, the reader's separators."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format

from erp.core.currency import quantize
from erp.core.models import Currency

_PLACES: dict[str, int] = {}


def currency_places(currency: Currency | str) -> int:
    if isinstance(currency, Currency):
        return currency.decimal_places
    if currency not in _PLACES:
        _PLACES[currency] = Currency.objects.filter(pk=currency).values_list("decimal_places", flat=True).first() or 2
    return _PLACES[currency]


def amount_text(amount: Decimal | None, places: int = 2) -> str:
    """“1,190.00” (“1.190,00” for a German reader)."""
    return number_format(quantize(Decimal(amount or 0), places), places, force_grouping=True)


def money_text(amount: Decimal | None, currency: Currency | str) -> str:
    """“1,190.00 EUR”."""
    code = currency.code if isinstance(currency, Currency) else currency
    return f"{amount_text(amount, currency_places(currency))} {code}"

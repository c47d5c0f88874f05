"""Splitting an amount into net, tax and gross: pure arithmetic, no database.

Exclusive (net) prices: tax = round(net × rate / 100), gross = net + tax.
Inclusive (gross) prices: tax = round(gross × rate / (100 + rate)), net = gross − tax.
Only the tax is rounded (half-up, to the currency's decimal places); the other figure is
derived by subtraction or addition, so net + tax = gross always holds to the cent."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple, Protocol

from erp.core.currency import quantize

HUNDRED = Decimal(100)


class TaxRate(Protocol):
    rate: Decimal
    price_included: bool


class TaxSplit(NamedTuple):
    net: Decimal
    tax: Decimal
    gross: Decimal


def tax_amount(amount: Decimal, tax_code: TaxRate, *, places: int = 2) -> TaxSplit:
    """``amount`` is the gross amount when ``tax_code.price_included``, else the net amount.

    ``places`` is the currency's decimal places (``Currency.decimal_places``: 2 for EUR, 0 for JPY).
    Negative amounts (credit notes) give the exact negatives of the positive split."""
    amount = quantize(Decimal(amount), places)
    rate = Decimal(tax_code.rate)
    if tax_code.price_included:
        tax = quantize(amount * rate / (HUNDRED + rate), places)
        return TaxSplit(net=amount - tax, tax=tax, gross=amount)
    tax = quantize(amount * rate / HUNDRED, places)
    return TaxSplit(net=amount, tax=tax, gross=amount + tax)

"""Line and document totals: one function computes them, services store them.

Amounts round half-up to the currency's own decimal places. Tax is computed per
tax rate on the sum of the nets of that rate (the usual invoice tax breakdown),
so a document's tax never differs from its printed breakdown by a rounding cent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal("100")
ZERO = Decimal("0")


def quantize(amount: Decimal, places: int) -> Decimal:
    return Decimal(amount).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = ZERO
    tax_rate: Decimal = ZERO  # percent
    tax_key: str = ""  # groups lines of the same tax code
    price_includes_tax: bool = False


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    gross: Decimal


@dataclass
class Totals:
    net: Decimal = ZERO
    tax: Decimal = ZERO
    gross: Decimal = ZERO
    lines: list[LineAmounts] = field(default_factory=list)
    tax_breakdown: dict[str, dict[str, Decimal]] = field(default_factory=dict)

    def in_company_currency(self, *, rate: Decimal, places: int) -> Totals:
        net = quantize(self.net * rate, places)
        tax = quantize(self.tax * rate, places)
        return Totals(net=net, tax=tax, gross=net + tax)


def line_amounts(line: LineInput, *, places: int) -> LineAmounts:
    """Amounts of one line; with a tax-inclusive price the gross is what the price says."""
    factor = (HUNDRED - line.discount_percent) / HUNDRED
    amount = quantize(line.quantity * line.unit_price * factor, places)
    if line.price_includes_tax:
        gross = amount
        net = quantize(gross * HUNDRED / (HUNDRED + line.tax_rate), places)
        return LineAmounts(net=net, tax=gross - net, gross=gross)
    tax = quantize(amount * line.tax_rate / HUNDRED, places)
    return LineAmounts(net=amount, tax=tax, gross=amount + tax)


def document_totals(lines: Iterable[LineInput], *, places: int) -> Totals:
    """Totals of a document with the tax computed once per tax rate."""
    totals = Totals()
    groups: dict[tuple[str, Decimal, bool], dict[str, Decimal]] = defaultdict(lambda: {"net": ZERO, "gross": ZERO})
    for line in lines:
        amounts = line_amounts(line, places=places)
        totals.lines.append(amounts)
        group = groups[(line.tax_key, line.tax_rate, line.price_includes_tax)]
        group["net"] += amounts.net
        group["gross"] += amounts.gross
    for (key, rate, inclusive), group in groups.items():
        if inclusive:
            gross = group["gross"]
            net = quantize(gross * HUNDRED / (HUNDRED + rate), places)
            tax = gross - net
        else:
            net = group["net"]
            tax = quantize(net * rate / HUNDRED, places)
        totals.net += net
        totals.tax += tax
        label = key or f"{rate}%"
        entry = totals.tax_breakdown.setdefault(label, {"rate": rate, "net": ZERO, "tax": ZERO})
        entry["net"] += net
        entry["tax"] += tax
    totals.gross = totals.net + totals.tax
    return totals

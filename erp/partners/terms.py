"""Payment terms as dates and amounts: when an invoice (or each installment of it) is due,
and until when an early-payment discount may be taken.

``schedule`` is pure: it takes a ``TermRule`` (``PaymentTerm.rule()`` builds one from the
stored term) and an invoice date, and knows nothing of the database, so sales and purchasing
can call it for an invoice being typed and tests need no tables."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class InstallmentRule:
    percent: Decimal
    days: int
    end_of_month: bool = False


@dataclass(frozen=True)
class TermRule:
    """``net_days`` after the invoice date (to the month's end with ``end_of_month``) unless
    ``installments`` are given; a discount of ``discount_percent`` within ``discount_days``."""

    net_days: int = 0
    end_of_month: bool = False
    discount_percent: Decimal = Decimal(0)
    discount_days: int = 0
    installments: tuple[InstallmentRule, ...] = field(default_factory=tuple)

    @property
    def parts(self) -> tuple[InstallmentRule, ...]:
        return self.installments or (InstallmentRule(HUNDRED, self.net_days, self.end_of_month),)


@dataclass(frozen=True)
class Installment:
    due_date: date
    percent: Decimal
    amount: Decimal | None = None
    discount_date: date | None = None
    discount_amount: Decimal | None = None

    @property
    def amount_with_discount(self) -> Decimal | None:
        if self.amount is None:
            return None
        return self.amount - (self.discount_amount or 0)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def due_date(invoice_date: date, *, days: int, end_of_month: bool = False) -> date:
    """``days`` after ``invoice_date``; with ``end_of_month`` the last day of the month that reaches."""
    due = invoice_date + timedelta(days=days)
    return month_end(due) if end_of_month else due


def _round(amount: Decimal, places: int) -> Decimal:
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def schedule(
    rule: TermRule, *, invoice_date: date, amount: Decimal | None = None, places: int = 2
) -> list[Installment]:
    """The installments of an invoice dated ``invoice_date`` under ``rule``, in due-date order.

    With an ``amount`` each installment gets its share rounded half-up to ``places``; the last
    takes what rounding left over, so the shares add up to the amount exactly. The discount
    date is the same for every installment (``discount_days`` after the invoice date) and the
    discount is ``discount_percent`` of each share."""
    parts = sorted(rule.parts, key=lambda part: (part.days, part.end_of_month))
    has_discount = rule.discount_percent > 0 and rule.discount_days > 0
    discount_date = invoice_date + timedelta(days=rule.discount_days) if has_discount else None
    shares: list[Decimal | None] = [None] * len(parts)
    if amount is not None:
        amount = Decimal(amount)
        running = Decimal(0)
        for index, part in enumerate(parts):
            if index == len(parts) - 1:
                shares[index] = amount - running
            else:
                shares[index] = _round(amount * part.percent / HUNDRED, places)
                running += shares[index]
    result = []
    for part, share in zip(parts, shares, strict=True):
        discount = None
        if has_discount and share is not None:
            discount = _round(share * rule.discount_percent / HUNDRED, places)
        result.append(
            Installment(
                due_date=due_date(invoice_date, days=part.days, end_of_month=part.end_of_month),
                percent=part.percent,
                amount=share,
                discount_date=discount_date,
                discount_amount=discount,
            )
        )
    return result


def final_due_date(rule: TermRule, *, invoice_date: date) -> date:
    """When the last installment is due (what an aged-receivables report ages by)."""
    return max(installment.due_date for installment in schedule(rule, invoice_date=invoice_date))

"""The credit check of a sales order: what the customer would owe us with this order.

Exposure = the customer's open receivables (open items, credits netted) + what its other
confirmed or pending orders have not invoiced yet + this order's gross total, all in the
company currency. The figures are stored on the order when it is submitted
(``credit_limit``, ``credit_exposure``), before the business rules of the submission run: a
rule compares them and blocks the order or sends it for approval, naming both in its message
(the rule seeded by ``erp/sales/migrations/0002_credit_limit_rule.py``). A credit limit of
zero means none is set."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum

from erp.core.currency import quantize
from erp.core.documents.models import Status
from erp.finance import posting
from erp.finance.openitems.selectors import partner_balance
from erp.sales.models import SalesOrder, SalesOrderLine

ZERO = Decimal("0")
# Orders that bind us: waiting for approval, confirmed, being delivered.
BINDING = (Status.IN_REVIEW, Status.APPROVED, Status.IN_PROGRESS)


@dataclass(frozen=True)
class Exposure:
    limit: Decimal
    receivables: Decimal
    open_orders: Decimal
    this_order: Decimal

    @property
    def total(self) -> Decimal:
        return self.receivables + self.open_orders + self.this_order

    @property
    def exceeded(self) -> bool:
        return self.limit > 0 and self.total > self.limit


def open_orders_amount(*, partner, excluding: SalesOrder | None = None) -> Decimal:
    """What the customer's binding orders have not invoiced yet, gross, in the company currency."""
    lines = SalesOrderLine.objects.filter(order__partner=partner, order__status__in=BINDING, quantity__gt=0)
    if excluding is not None and excluding.pk:
        lines = lines.exclude(order=excluding)
    money = DecimalField(max_digits=30, decimal_places=10)
    open_share = ExpressionWrapper(
        F("line_gross")
        * (F("quantity") - F("quantity_cancelled") - F("quantity_invoiced"))
        / F("quantity")
        * F("order__exchange_rate"),
        output_field=money,
    )
    total = lines.aggregate(total=Sum(open_share))["total"] or ZERO
    return max(total, ZERO)


def exposure_of(order: SalesOrder) -> Exposure:
    places = posting.company_currency().decimal_places
    partner = order.partner
    return Exposure(
        limit=partner.credit_limit,
        receivables=quantize(partner_balance(partner=partner), places),
        open_orders=quantize(open_orders_amount(partner=partner, excluding=order), places),
        this_order=quantize(order.total_gross_company, places),
    )


def assess(order: SalesOrder) -> Exposure:
    """Compute the order's exposure and store its figures on it (the caller saves it)."""
    exposure = exposure_of(order)
    order.credit_limit = exposure.limit
    order.credit_exposure = exposure.total
    return exposure

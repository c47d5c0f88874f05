"""Landed costs: freight, duty, insurance … added to what received goods cost.

A landed cost names completed goods receipts and cost lines (amount, and the account the amount
is taken from: a landed cost clearing account the carrier's bill was booked to, or the expense
account of a posted vendor bill line). Each cost line is allocated over the receipts' lines by
their value (what the goods are worth in the books) or their quantity; each share is rounded to
the cent and the rounding remainder goes to the largest line, so the shares add up exactly.

Completing it (``LandedCostEffects``) raises the value of the received goods
(``erp.purchasing.costing``): what is still on hand is worth more and later issues cost that;
what was issued already is re-costed, the difference going where the issue went (cost of goods
sold …). The journal entry: Dr inventory (and cost of goods sold) / Cr the cost lines' accounts.
Voiding it takes all of that back on the same dates. Everything is in the company currency."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.core.documents.models import Action, Status
from erp.core.documents.registry import DocumentEffects
from erp.core.exceptions import DomainError
from erp.core.models import Organization
from erp.finance import periods, posting
from erp.finance.invoicing.models import VendorBillLine
from erp.finance.models import Account
from erp.inventory.models import GoodsReceipt, GoodsReceiptLine
from erp.inventory.stock import currency_places as stock_places
from erp.purchasing import costing
from erp.purchasing.models import AllocationMethod, LandedCost, LandedCostLine

ZERO = Decimal("0")
RECEIVED = (Status.COMPLETED, Status.CLOSED)
POSTED_BILL = (Status.COMPLETED, Status.CLOSED)
UNIT = Decimal("0.000001")


@dataclass
class CostLineData:
    amount: Decimal | None = None
    account: Account | None = None
    description: str = ""
    bill_line: VendorBillLine | None = None


@dataclass
class AllocationRow:
    """One receipt line: its goods, what the costs were allocated by, and its share."""

    receipt_line: GoodsReceiptLine
    quantity: Decimal
    value: Decimal
    basis: Decimal
    amount: Decimal = ZERO

    @property
    def unit_cost(self) -> Decimal:
        return (self.value / self.quantity).quantize(UNIT, ROUND_HALF_UP) if self.quantity else ZERO

    @property
    def new_unit_cost(self) -> Decimal:
        return ((self.value + self.amount) / self.quantity).quantize(UNIT, ROUND_HALF_UP) if self.quantity else ZERO


@dataclass
class Allocation:
    rows: list[AllocationRow] = field(default_factory=list)
    changes: list[costing.Change] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows), ZERO)


def bill_line_amount(line: VendorBillLine) -> Decimal:
    """A bill line's net amount in the company currency."""
    bill = line.invoice
    return (line.line_net * bill.exchange_rate).quantize(costing.company_places(), ROUND_HALF_UP)


def line_defaults(line: LandedCostLine | CostLineData) -> None:
    """A cost taken from a vendor bill line: its amount, account and text unless given."""
    bill_line = line.bill_line
    if bill_line is None:
        return
    if line.amount is None:
        line.amount = bill_line_amount(bill_line)
    if line.account is None:
        line.account = bill_line.account
    if not (line.description or "").strip():
        line.description = (bill_line.description or str(bill_line.invoice))[:255]


def billable_lines():
    """Vendor bill lines a landed cost may take its amount from: of posted bills, not billing
    received goods themselves."""
    return (
        VendorBillLine.objects.filter(invoice__status__in=POSTED_BILL, invoice__kind="invoice", source_id__isnull=True)
        .select_related("invoice", "invoice__partner", "account")
        .order_by("-invoice__document_date", "-invoice_id", "position")
    )


def _receipts(landed_cost: LandedCost) -> list[GoodsReceipt]:
    receipts = list(landed_cost.receipts.order_by("document_date", "id"))
    if not receipts:
        raise DomainError(_("Choose at least one completed goods receipt."), field="receipts")
    for receipt in receipts:
        if receipt.status not in RECEIVED:
            raise DomainError(
                _("%(receipt)s has the status “%(status)s”: landed costs go onto completed goods receipts only.")
                % {"receipt": receipt, "status": receipt.get_status_display()},
                field="receipts",
            )
        if receipt.reversal_of_id is not None:
            raise DomainError(
                _("%(receipt)s takes goods back: landed costs go onto the goods that came in.") % {"receipt": receipt},
                field="receipts",
            )
        if receipt.organization_id != landed_cost.organization_id:
            raise DomainError(
                _("%(receipt)s belongs to another organization.") % {"receipt": receipt}, field="receipts"
            )
    return receipts


def _cost_lines(landed_cost: LandedCost) -> list[LandedCostLine]:
    lines = list(landed_cost.lines.select_related("account", "bill_line__invoice").order_by("position", "id"))
    if not lines:
        raise DomainError(_("Add at least one cost (freight, duty …) with its amount."))
    used = (
        LandedCostLine.objects.filter(bill_line__in=[line.bill_line_id for line in lines if line.bill_line_id])
        .exclude(landed_cost=landed_cost)
        .exclude(landed_cost__status__in=(Status.CANCELLED, Status.VOIDED))
        .exclude(landed_cost__deleted_at__isnull=False)
        .select_related("landed_cost")
    )
    taken = {line.bill_line_id: line.landed_cost for line in used}
    for number, line in enumerate(lines, start=1):
        if line.amount is None or line.amount <= 0:
            raise DomainError(_("Cost line %(line)d: the amount must be greater than zero.") % {"line": number})
        if line.amount != line.amount.quantize(costing.company_places()):
            raise DomainError(
                _("Cost line %(line)d: enter the amount with at most %(places)d decimals.")
                % {"line": number, "places": stock_places()}
            )
        if line.account_id is None:
            raise DomainError(_("Cost line %(line)d: choose the account the cost is taken from.") % {"line": number})
        if line.bill_line_id:
            bill = line.bill_line.invoice
            if bill.status not in POSTED_BILL:
                raise DomainError(_("Cost line %(line)d: %(bill)s is not posted.") % {"line": number, "bill": bill})
            if line.bill_line_id in taken:
                raise DomainError(
                    _("Cost line %(line)d: that bill line is allocated by %(other)s already.")
                    % {"line": number, "other": taken[line.bill_line_id]}
                )
    return lines


def allocation(landed_cost: LandedCost) -> Allocation:
    """Each cost line over the receipts' lines by value or quantity (``DomainError`` naming what
    is missing or wrong)."""
    receipts = _receipts(landed_cost)
    cost_lines = _cost_lines(landed_cost)
    receipt_lines = list(
        GoodsReceiptLine.objects.filter(document__in=receipts)
        .select_related("document", "product", "uom")
        .order_by("document__document_date", "document_id", "position", "id")
    )
    layers = costing.receipt_line_layers(receipt_lines)
    by_value = landed_cost.allocation_method == AllocationMethod.VALUE
    rows = []
    for line in receipt_lines:
        own = layers.get(line.pk, [])
        quantity = sum((layer.quantity for layer in own), ZERO)
        value = sum((layer.value for layer in own), ZERO)
        if quantity > 0:
            rows.append(AllocationRow(line, quantity, value, value if by_value else quantity))
    if not rows or sum((row.basis for row in rows), ZERO) <= 0:
        raise DomainError(
            _("The receipts hold no goods with a value to allocate the costs by.")
            if by_value
            else _("The receipts hold no goods to allocate the costs to.")
        )
    result = Allocation(rows=rows)
    places = costing.company_places()
    weights = [row.basis for row in rows]
    for cost in cost_lines:
        shares = costing.split(cost.amount.quantize(places, ROUND_HALF_UP), weights, places)
        for row, share in zip(rows, shares, strict=True):
            row.amount += share
            if share:
                result.changes.append(costing.Change(row.receipt_line, cost.account_id, share, row.basis))
    return result


def preview(landed_cost: LandedCost) -> tuple[Allocation | None, str]:
    """The allocation for the detail page, or why there is none yet."""
    try:
        return allocation(landed_cost), ""
    except DomainError as error:
        return None, error.message


def applied(landed_cost: LandedCost) -> list[AllocationRow]:
    """What a completed landed cost added per receipt line (its recorded changes)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Sum

    from erp.purchasing.models import CostAdjustment

    rows = (
        CostAdjustment.objects.filter(
            source_type=ContentType.objects.get_for_model(LandedCost), source_id=landed_cost.pk
        )
        .values("receipt_line_id")
        .annotate(total=Sum("amount", filter=Q(amount__gt=0)), net=Sum("amount"))
    )
    totals = {row["receipt_line_id"]: row["total"] for row in rows if row["total"]}
    still = {row["receipt_line_id"]: row["net"] for row in rows}  # zero once voided
    lines = GoodsReceiptLine.objects.filter(pk__in=list(totals)).select_related("document", "product", "uom")
    layers = costing.receipt_line_layers(list(lines))
    found = []
    for line in sorted(lines, key=lambda item: (item.document.document_date, item.document_id, item.position)):
        own = layers.get(line.pk, [])
        quantity = sum((layer.quantity for layer in own), ZERO)
        value = sum((layer.value for layer in own), ZERO)
        found.append(AllocationRow(line, quantity, value - still[line.pk], ZERO, totals[line.pk]))
    return found


# --- services ---------------------------------------------------------------------------------------


def landed_cost_create(
    *,
    organization: Organization,
    receipts: Sequence[GoodsReceipt],
    lines: Sequence[CostLineData],
    by,
    allocation_method: str = AllocationMethod.VALUE,
    document_date: date | None = None,
    partner=None,
    description: str = "",
) -> LandedCost:
    """A draft landed cost of ``lines`` onto ``receipts``."""
    if not by.has_perm("purchasing.add_landedcost"):
        raise DomainError(_("You are not allowed to enter landed costs."))
    if allocation_method not in AllocationMethod.values:
        raise DomainError(_("Allocate by value or by quantity."), field="allocation_method")
    day = document_date or timezone.localdate()
    with transaction.atomic():
        landed_cost = LandedCost(
            organization=organization,
            partner=partner,
            document_date=day,
            accounting_date=day,
            currency=posting.company_currency(),
            allocation_method=allocation_method,
            description=description[:255],
            created_by=by,
            updated_by=by,
        )
        landed_cost._history_user = by
        landed_cost.save()
        landed_cost.receipts.set(receipts)
        rows = []
        for position, data in enumerate(lines, start=1):
            line_defaults(data)
            if data.amount is not None and data.amount <= 0:
                raise DomainError(_("Cost line %(line)d: the amount must be greater than zero.") % {"line": position})
            rows.append(
                LandedCostLine(
                    landed_cost=landed_cost,
                    position=position,
                    description=data.description[:255],
                    amount=data.amount,
                    account=data.account,
                    bill_line=data.bill_line,
                )
            )
        LandedCostLine.objects.bulk_create(rows)
        recompute(landed_cost)
        landed_cost.save()
        return landed_cost


def recompute(landed_cost: LandedCost) -> None:
    total = sum((line.amount or ZERO for line in landed_cost.lines.all()), ZERO)
    landed_cost.total_net = landed_cost.total_gross = total
    landed_cost.total_net_company = landed_cost.total_gross_company = total
    landed_cost.total_tax = landed_cost.total_tax_company = ZERO


class LandedCostEffects(DocumentEffects):
    hidden_actions = frozenset({Action.START, Action.CLOSE, Action.REVERSE_CORRECT, Action.REVERSE_ACCRUAL})

    def recompute_totals(self, document: LandedCost) -> None:
        if document.pk is None or not document.is_editable:
            return
        chosen = getattr(document, "chosen_receipts", None)  # the edit form's choice (not a model field)
        if chosen is not None:
            document.receipts.set(chosen)
            document.chosen_receipts = None
        recompute(document)

    def check_submit(self, document: LandedCost) -> None:
        allocation(document)

    def check_complete(self, document: LandedCost) -> None:
        periods.assert_open(document.accounting_date, field="accounting_date")
        allocation(document)
        posting.check_accounts({line.account_id for line in document.lines.all()})

    def on_complete(self, document: LandedCost, *, by) -> None:
        result = allocation(document)
        costing.apply(
            result.changes,
            source=document,
            on=document.accounting_date,
            by=by,
            description=_("Landed cost %(number)s") % {"number": document.number},
            places=costing.company_places(),
        )
        document.posted = True
        document.posted_at = timezone.now()
        document.posted_by = by

    def void_blockers(self, document: LandedCost) -> list[str]:
        try:
            periods.assert_open(document.accounting_date)
        except DomainError as error:
            return [error.message]
        return []

    def on_void(self, document: LandedCost, *, by) -> None:
        costing.undo(
            source=document,
            on=document.accounting_date,
            by=by,
            description=_("Void of landed cost %(number)s") % {"number": document.number},
        )

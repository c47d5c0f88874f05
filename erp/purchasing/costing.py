"""Changing what received goods cost: the price difference of a vendor bill and landed costs.

Both go through ``erp.inventory.stock.layers_revalue``: the value of the receipt's stock layer
changes, what is still on hand of it carries the new cost into later issues, and the issues
that took some of it already are re-costed (their difference goes where the issue went: cost
of goods sold, scrap …). Every change is recorded as ``CostAdjustment`` rows of its document;
undoing the document applies the opposite of what its rows add up to.

Price difference: posting a bill line that bills a received order line books the difference to
the received value to the price-difference account (``billing.bill_lines_split``); in the same
transaction, the part of it that belongs to the received quantity is moved from there onto the
receipt's stock (Dr inventory / Cr price difference, the issued part re-costed). What the bill
charges for more than was received stays on the price-difference account."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext as _

from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.finance.invoicing.models import VendorBill
from erp.finance.models import Account, AccountRole
from erp.inventory import stock
from erp.inventory.models import GoodsReceipt, GoodsReceiptLine, MoveKind, StockMove, ValuationLayer
from erp.purchasing.models import CostAdjustment, PurchaseReceiptLine

ZERO = Decimal("0")
RECEIVED = (Status.COMPLETED, Status.CLOSED)


def split(total: Decimal, weights: list[Decimal], places: Decimal) -> list[Decimal]:
    """``total`` shared in proportion to ``weights``, each share rounded to ``places``; the
    rounding remainder goes to the largest weight (the first of equals), so the shares add up
    to ``total`` exactly. Weights must add up to more than zero."""
    base = sum(weights, ZERO)
    shares = [(total * weight / base).quantize(places, ROUND_HALF_UP) for weight in weights]
    largest = max(range(len(weights)), key=lambda index: (weights[index], -index))
    shares[largest] += total - sum(shares, ZERO)
    return shares


@dataclass
class Layer:
    """A receipt line's stock layer: the goods one of its movements brought in."""

    id: int
    quantity: Decimal
    value: Decimal
    unit_cost: Decimal


def receipt_line_layers(lines: list[GoodsReceiptLine]) -> dict[int, list[Layer]]:
    """Per receipt line, the stock layers (not voided) its movements brought in."""
    receipt_type = ContentType.objects.get_for_model(GoodsReceipt)
    moves = StockMove.objects.filter(
        source_type=receipt_type,
        source_id__in={line.document_id for line in lines},
        source_line_id__in=[line.pk for line in lines],
        kind=MoveKind.NORMAL,
    ).values_list("pk", "source_line_id")
    line_of = dict(moves)
    found: dict[int, list[Layer]] = defaultdict(list)
    rows = ValuationLayer.objects.filter(
        move_id__in=list(line_of), direction="in", is_void=False, source_layer__isnull=True
    ).order_by("move_id", "id")
    for layer_id, move_id, quantity, value, unit_cost in rows.values_list(
        "pk", "move_id", "quantity", "value", "unit_cost"
    ):
        found[line_of[move_id]].append(Layer(layer_id, quantity, value, unit_cost))
    return found


@dataclass
class Change:
    """``amount`` onto the goods of a receipt line, against ``account_id``; ``basis``: what it was
    allocated by (the line's value or quantity)."""

    receipt_line: GoodsReceiptLine
    account_id: int
    amount: Decimal
    basis: Decimal = ZERO


def apply(
    changes: list[Change], *, source: models.Model, on: date, by, description: str, places: Decimal
) -> list[CostAdjustment]:
    """Spread each change over its receipt line's layers by quantity, revalue them, and record it."""
    layers = receipt_line_layers([change.receipt_line for change in changes])
    source_type = ContentType.objects.get_for_model(source)
    rows: list[CostAdjustment] = []
    for change in changes:
        if not change.amount:
            continue
        own = layers.get(change.receipt_line.pk)
        if not own:
            raise DomainError(
                _("The goods of %(receipt)s, line %(line)d, are no longer in the books.")
                % {"receipt": change.receipt_line.document, "line": change.receipt_line.position}
            )
        shares = split(change.amount, [layer.quantity for layer in own], places)
        for layer, share in zip(own, shares, strict=True):
            if share:
                rows.append(
                    CostAdjustment(
                        source_type=source_type,
                        source_id=source.pk,
                        receipt_line=change.receipt_line,
                        layer_id=layer.id,
                        account_id=change.account_id,
                        amount=share,
                        basis=change.basis,
                        date=on,
                    )
                )
    _revalue(rows, source=source, on=on, by=by, description=description)
    return rows


def undo(*, source: models.Model, on: date, by, description: str) -> list[CostAdjustment]:
    """Take back what ``source`` changed (the opposite of what its rows add up to)."""
    source_type = ContentType.objects.get_for_model(source)
    totals = (
        CostAdjustment.objects.filter(source_type=source_type, source_id=source.pk)
        .values("receipt_line_id", "layer_id", "account_id")
        .annotate(total=Sum("amount"))
        .order_by("layer_id", "account_id")
    )
    rows = [
        CostAdjustment(
            source_type=source_type,
            source_id=source.pk,
            receipt_line_id=row["receipt_line_id"],
            layer_id=row["layer_id"],
            account_id=row["account_id"],
            amount=-row["total"],
            basis=ZERO,
            date=on,
        )
        for row in totals
        if row["total"]
    ]
    voided = ValuationLayer.objects.filter(pk__in=[row.layer_id for row in rows], is_void=True)
    if voided.exists():
        raise DomainError(_("The goods it changed were voided since: their receipt must be completed."))
    _revalue(rows, source=source, on=on, by=by, description=description)
    return rows


def _revalue(rows: list[CostAdjustment], *, source, on: date, by, description: str) -> None:
    if not rows:
        return
    stock.layers_revalue(
        changes=[stock.Revaluation(row.layer_id, row.account_id, row.amount) for row in rows],
        on=on,
        organization=source.organization,
        by=by,
        source=source,
        description=description,
    )
    CostAdjustment.objects.bulk_create(rows)


def company_places() -> Decimal:
    return Decimal(1).scaleb(-stock.currency_places())


# --- the price difference of a vendor bill ----------------------------------------------------------


def _role_account(role: str) -> int | None:
    return Account.objects.for_role(role).values_list("pk", flat=True).first()


def bill_price_differences(bill: VendorBill) -> list[Change]:
    """Per bill line that bills the goods of a completed receipt: the difference between what
    it bills for the received quantity and what the receipt valued them at (company currency),
    against the account ``bill_lines_split`` booked the difference to."""
    link_type = ContentType.objects.get_for_model(PurchaseReceiptLine)
    lines = list(bill.lines.filter(source_type=link_type).order_by("position", "id"))
    if not lines:
        return []
    links = PurchaseReceiptLine.objects.select_related("receipt_line__document").in_bulk(
        [line.source_id for line in lines]
    )
    places = company_places()
    bill_places = Decimal(1).scaleb(-bill.currency.decimal_places)
    difference_account = _role_account(AccountRole.PRICE_DIFFERENCE)
    changes = []
    for line in lines:
        link = links.get(line.source_id)
        if link is None or link.receipt_line.document.status not in RECEIVED:
            continue
        received_line = link.receipt_line
        quantity = min(line.quantity, received_line.quantity)
        if quantity <= 0:
            continue
        received = (quantity * received_line.unit_cost / bill.exchange_rate).quantize(bill_places)
        billed = line.line_net
        if line.quantity > quantity:  # billed beyond the receipt: that part is no price difference
            billed = (line.line_net * quantity / line.quantity).quantize(bill_places, ROUND_HALF_UP)
        difference = ((billed - received) * bill.exchange_rate).quantize(places, ROUND_HALF_UP)
        if difference:
            changes.append(Change(received_line, difference_account or line.account_id, difference, quantity))
    return changes


def on_bill_transition(document, *, verb: str, by, data: dict) -> None:
    """Transition listener: a posted bill moves its price differences onto the goods received
    (in the posting's transaction); voiding it takes them back."""
    if not isinstance(document, VendorBill) or document.is_credit_note or verb not in ("completed", "voided"):
        return
    description = _("Price difference of %(bill)s on the goods received") % {"bill": document}
    if verb == "completed":
        changes = bill_price_differences(document)
        if changes:
            apply(
                changes,
                source=document,
                on=document.accounting_date,
                by=by,
                description=description,
                places=company_places(),
            )
    else:
        undo(source=document, on=document.accounting_date, by=by, description=description)


# --- receipts whose costs were changed --------------------------------------------------------------


def on_receipt_transition(document, *, verb: str, by, data: dict) -> None:
    """Transition listener: a receipt whose goods a bill's price difference or a landed cost
    revalued is not voided (nor reversed on its own date) before those are undone."""
    if not isinstance(document, GoodsReceipt) or verb not in ("voided", "reversed"):
        return
    changed = (
        CostAdjustment.objects.filter(receipt_line__document=document, layer__is_void=True)
        .values("source_type_id", "source_id")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
    )
    sources = []
    for row in changed:
        model = ContentType.objects.get_for_id(row["source_type_id"]).model_class()
        found = model._default_manager.filter(pk=row["source_id"]).first()
        sources.append(str(found or row["source_id"]))
    if sources:
        raise DomainError(
            _(
                "%(receipt)s cannot be undone on its own date: %(documents)s changed what its goods cost. "
                "Void those first."
            )
            % {"receipt": document, "documents": ", ".join(sorted(set(sources)))}
        )

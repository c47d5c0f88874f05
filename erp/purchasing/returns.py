"""Returns to vendor: goods received against a purchase order sent back, line by line and in part.

A return is recorded as a completed goods receipt (``erp.inventory``) whose ``reversal_of`` is
the receipt the goods came with; its lines carry the returned quantities (in the received
line's unit, at its unit cost) and ``PurchaseReturnLine`` tells which received line and order
line each one sends back. Like a reversal it cannot itself be voided or reversed, and a receipt
goods were returned from can no longer be voided or reversed as a whole.

Completing the return (``purchase_return_create`` does it at once) moves the goods from where
the receipt put them to the vendor location, lot by lot as they were received (the lots or
serial numbers named, else in the order received), as return movements of the receipt's
movements (``MoveKind.RETURN``, the same machinery as a receipt's reversal on a later date):

- goods received not invoiced (the receipt's counterpart account) is debited with what the
  returned quantity was received for (quantity × the receipt line's unit cost);
- the stock leaves at its current cost (valuation engine); when that differs from the received
  cost (e.g. landed costs or a bill's price difference raised it since) the difference goes to
  the price difference account.

Before billing, the debit takes back the credit the receipt put on GRNI, and the order line's
received quantity goes down: the returned part is received again or simply billed less (the
bill of the order bills what was received less what went back). After billing, the debit is
left on GRNI on purpose: the vendor's credit note for the returned goods, booked against GRNI,
clears it — until then GRNI shows what the vendor owes back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.catalog.models import Tracking
from erp.core import events, numbering
from erp.core.documents.models import Status
from erp.core.exceptions import DomainError
from erp.finance import periods
from erp.inventory import services as stock_services
from erp.inventory import stock
from erp.inventory.documents.effects import base_quantity
from erp.inventory.models import (
    Direction,
    GoodsReceipt,
    GoodsReceiptLine,
    LocationType,
    MoveKind,
    StockMove,
    ValuationLayer,
)
from erp.purchasing import services
from erp.purchasing.models import PurchaseOrder, PurchaseReceiptLine, PurchaseReturnLine

ZERO = Decimal("0")
RETURNABLE = (Status.COMPLETED, Status.CLOSED)


@dataclass
class ReturnRow:
    """A received line of an order's receipt and what of it may still go back."""

    receipt: GoodsReceipt
    line: GoodsReceiptLine
    order_line_id: int
    returned: Decimal
    left: Decimal


def returned_by_line(receipt_line_ids) -> dict[int, Decimal]:
    """Per received goods receipt line, what went back to the vendor (its unit)."""
    return dict(
        PurchaseReturnLine.objects.filter(returned_line_id__in=list(receipt_line_ids))
        .values("returned_line_id")
        .annotate(total=Sum("return_line__quantity"))
        .values_list("returned_line_id", "total")
    )


def returnable_rows(order: PurchaseOrder) -> list[ReturnRow]:
    """The lines of the order's completed receipts (not returns), with what is still returnable."""
    links = list(
        PurchaseReceiptLine.objects.filter(
            order_line__order=order,
            receipt_line__document__status__in=RETURNABLE,
            receipt_line__document__reversal_of__isnull=True,
        )
        .select_related(
            "receipt_line__document", "receipt_line__product", "receipt_line__product__base_uom", "receipt_line__uom"
        )
        .order_by("receipt_line__document__document_date", "receipt_line__document_id", "receipt_line__position")
    )
    returned = returned_by_line(link.receipt_line_id for link in links)
    return [
        ReturnRow(
            receipt=link.receipt_line.document,
            line=link.receipt_line,
            order_line_id=link.order_line_id,
            returned=returned.get(link.receipt_line_id, ZERO),
            left=link.receipt_line.quantity - returned.get(link.receipt_line_id, ZERO),
        )
        for link in links
    ]


def _field(line_id: int) -> str:
    return f"line-{line_id}"


def _line_error(line: GoodsReceiptLine, message: str, *, field: str) -> DomainError:
    return DomainError(
        _("%(receipt)s line %(line)d: %(message)s")
        % {"receipt": line.document, "line": line.position, "message": message},
        field=field,
    )


def _received_moves(receipt: GoodsReceipt, line_ids) -> dict[int, list[tuple[StockMove, Decimal]]]:
    """Per receipt line, its movements into stock with what of each has not gone back yet."""
    moves = list(
        StockMove.objects.filter(
            source_type=ContentType.objects.get_for_model(GoodsReceipt),
            source_id=receipt.pk,
            source_line_id__in=list(line_ids),
            kind=MoveKind.NORMAL,
        )
        .select_related("lot", "from_location", "to_location")
        .order_by("id")
    )
    back = dict(
        StockMove.objects.filter(origin__in=moves, kind__in=(MoveKind.RETURN, MoveKind.VOID))
        .values("origin_id")
        .annotate(total=Sum("quantity"))
        .values_list("origin_id", "total")
    )
    found: dict[int, list[tuple[StockMove, Decimal]]] = defaultdict(list)
    for move in moves:
        found[move.source_line_id].append((move, move.quantity - back.get(move.pk, ZERO)))
    return found


def _header(receipt: GoodsReceipt, *, day: date, by) -> GoodsReceipt:
    document = GoodsReceipt(
        organization=receipt.organization,
        warehouse=receipt.warehouse,
        partner=receipt.partner,
        currency=receipt.currency,
        counterpart_account=receipt.counterpart_account,
        document_date=day,
        accounting_date=day,
        external_reference=receipt.external_reference,
        description=(_("Return to vendor of %(receipt)s") % {"receipt": receipt.number})[:255],
        reversal_of=receipt,
        status=Status.COMPLETED,
        created_by=by,
        updated_by=by,
        posted_by=by,
    )
    document.number = numbering.next_number(
        series=GoodsReceipt.number_series,
        organization=receipt.organization,
        year=day.year,
        default_pattern=GoodsReceipt.number_pattern,
    )
    document.processed, document.processed_at, document.processed_by = True, timezone.now(), by
    document._history_user = by
    document.save()
    return document


@transaction.atomic
def purchase_return_create(
    *,
    order: PurchaseOrder,
    quantities: Mapping[int, Decimal],
    by,
    lots: Mapping[int, str] | None = None,
    on: date | None = None,
) -> list[GoodsReceipt]:
    """Send goods received against ``order`` back to the vendor: ``quantities`` per goods receipt
    line of the order (its unit; at most what was received less what went back), ``lots`` the
    lot / serial numbers to return per line (empty: in the order they were received). One
    completed return per receipt concerned; the order's received quantities go down."""
    order = PurchaseOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if order.status not in (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED):
        raise DomainError(
            _("%(order)s has the status “%(status)s”: nothing received of it can be returned.")
            % {"order": order, "status": order.get_status_display()}
        )
    if not by.has_perm("inventory.add_goodsreceipt"):
        raise DomainError(_("You are not allowed to return goods to vendors."))
    day = on or timezone.localdate()
    periods.assert_open(day, field="on")
    lots = lots or {}
    rows = {row.line.pk: row for row in returnable_rows(order)}
    # Lock the receipts concerned so two returns of the same lines wait for each other.
    list(
        GoodsReceipt.objects.select_for_update()
        .filter(pk__in={row.receipt.pk for row in rows.values()})
        .values_list("pk", flat=True)
    )
    rows = {row.line.pk: row for row in returnable_rows(order)}
    wanted: dict[int, list[tuple[ReturnRow, Decimal]]] = defaultdict(list)
    for line_id, quantity in quantities.items():
        quantity = Decimal(quantity or 0)
        row = rows.get(int(line_id))
        if row is None:
            if quantity:
                raise DomainError(_("Only lines of completed receipts of %(order)s are returned.") % {"order": order})
            continue
        if quantity < 0:
            raise _line_error(row.line, _("the quantity cannot be negative."), field=_field(row.line.pk))
        if quantity > row.left:
            raise _line_error(
                row.line,
                _("only %(left)s can still go back (received %(received)s, returned %(returned)s).")
                % {
                    "left": f"{row.left.normalize():f}",
                    "received": f"{row.line.quantity.normalize():f}",
                    "returned": f"{row.returned.normalize():f}",
                },
                field=_field(row.line.pk),
            )
        if quantity > 0:
            wanted[row.receipt.pk].append((row, quantity))
    if not wanted:
        raise DomainError(_("Enter the quantity of at least one line to return."))
    returns = [_return_one(rows_of[0][0].receipt, rows_of, lots=lots, day=day, by=by) for rows_of in wanted.values()]
    services.purchase_order_refresh(order=order, by=by)
    events.record(
        verb="purchasing.purchaseorder.returned_to_vendor",
        target=order,
        actor=by,
        data={"returns": [str(document.pk) for document in returns]},
    )
    return returns


def _return_one(
    receipt: GoodsReceipt, wanted: list[tuple[ReturnRow, Decimal]], *, lots: Mapping[int, str], day: date, by
) -> GoodsReceipt:
    if day < receipt.accounting_date:
        raise DomainError(
            _("Goods cannot go back before they arrived (%(receipt)s).") % {"receipt": receipt}, field="on"
        )
    originals = _received_moves(receipt, [row.line.pk for row, _quantity in wanted])
    counterparts = dict(
        ValuationLayer.objects.filter(
            move__in=[move for items in originals.values() for move, _left in items],
            direction=Direction.IN,
            is_void=False,
        ).values_list("move_id", "counterpart_account_id")
    )
    accounts = stock.Accounts()
    difference = accounts.price_difference()
    places = Decimal(1).scaleb(-stock.currency_places())
    document = _header(receipt, day=day, by=by)
    plans = []
    for row, quantity in wanted:
        line = row.line
        field = _field(line.pk)
        try:
            needed = base_quantity(line, quantity)
        except DomainError as error:
            raise _line_error(line, error.message, field=field) from error
        names = stock_services.lot_names(lots.get(line.pk, "") or "")
        if names and line.product.tracking == Tracking.NONE:
            raise _line_error(
                line,
                _("%(product)s is not tracked by lot or serial number: leave the field empty.")
                % {"product": line.product.sku},
                field=f"lots-{line.pk}",
            )
        unknown = set(names) - {move.lot.name for move, _left in originals.get(line.pk, []) if move.lot is not None}
        if unknown:
            raise _line_error(
                line,
                _("%(names)s did not come with this line.") % {"names": ", ".join(sorted(unknown))},
                field=f"lots-{line.pk}",
            )
        taken: list[tuple[StockMove, Decimal]] = []
        for move, left in originals.get(line.pk, []):
            if needed <= 0:
                break
            if left <= 0 or (names and (move.lot is None or move.lot.name not in names)):
                continue
            take = min(left, needed)
            taken.append((move, take))
            needed -= take
        if needed > 0:
            message = (
                _("the lots or serial numbers named did not bring that much.")
                if names
                else _("fewer of these goods are left from the receipt than that.")
            )
            raise _line_error(line, message, field=f"lots-{line.pk}" if names else field)
        used = sorted({move.lot.name for move, _take in taken if move.lot is not None})
        if names and set(names) - set(used):
            raise _line_error(
                line,
                _("%(names)s are more than the quantity needs.") % {"names": ", ".join(sorted(set(names) - set(used)))},
                field=f"lots-{line.pk}",
            )
        plans.append((row, quantity, taken, ", ".join(used)))
    return_lines = [
        GoodsReceiptLine(
            document=document,
            position=position,
            product=row.line.product,
            quantity=quantity,
            uom=row.line.uom,
            location=row.line.location,
            unit_cost=row.line.unit_cost,
            lot_number=lot_text[:1000],
        )
        for position, (row, quantity, _taken, lot_text) in enumerate(plans, start=1)
    ]
    GoodsReceiptLine.objects.bulk_create(return_lines)
    PurchaseReturnLine.objects.bulk_create(
        PurchaseReturnLine(order_line_id=row.order_line_id, returned_line=row.line, return_line=new)
        for (row, _quantity, _taken, _lots), new in zip(plans, return_lines, strict=True)
    )
    requests: list[stock.MoveRequest] = []
    extra: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for (row, quantity, taken, _lots), new in zip(plans, return_lines, strict=True):
        received = (quantity * row.line.unit_cost).quantize(places, ROUND_HALF_UP)
        counterpart = None
        for move, take in taken:
            if move.from_location.location_type != LocationType.VENDOR:
                raise _line_error(row.line, _("these goods did not come from a vendor."), field=_field(row.line.pk))
            counterpart = counterparts.get(move.pk) or counterpart
            requests.append(
                stock.MoveRequest(
                    product=move.product,
                    quantity=take,
                    from_location=move.to_location,
                    to_location=move.from_location,
                    lot=move.lot,
                    source_line_id=new.pk,
                    kind=MoveKind.RETURN,
                    origin_id=move.pk,
                    counterpart_account_id=difference,
                )
            )
        if counterpart is None:
            counterpart = accounts.counterpart(row.line.product, taken[0][0].from_location, None)
        extra[counterpart] += received
        extra[difference] -= received
    posted = stock.moves_post(
        requests=requests,
        on=day,
        organization=document.organization,
        by=by,
        source=document,
        reference=document.number,
        description=document.description,
        extra_lines={account: amount for account, amount in extra.items() if amount} or None,
    )
    value = posted.value
    document.total_net = document.total_gross = value
    document.total_net_company = document.total_gross_company = value
    document.total_tax = document.total_tax_company = ZERO
    document.posted, document.posted_at = True, timezone.now()
    document.save()
    events.record(
        verb="inventory.goodsreceipt.returned_to_vendor",
        target=document,
        actor=by,
        data={"receipt": str(receipt.pk)},
    )
    return document


def receipt_return_refusal(document, *, verb: str, by, data: dict) -> None:
    """Transition listener: a receipt goods were returned from is not voided or reversed (its
    returns stand; they cannot be undone either)."""
    if not isinstance(document, GoodsReceipt) or verb not in ("voided", "reversed"):
        return
    returns = sorted(
        {
            str(link.return_line.document)
            for link in PurchaseReturnLine.objects.filter(returned_line__document=document).select_related(
                "return_line__document"
            )
        }
    )
    if returns:
        raise DomainError(
            _("%(receipt)s cannot be undone: goods of it were returned to the vendor (%(returns)s).")
            % {"receipt": document, "returns": ", ".join(returns)}
        )

"""What completing, voiding and reversing each inventory document does (registered with
``erp.core.documents.registry`` when the app is ready).

- Complete: the lines become stock movements dated the accounting date (``erp.inventory.stock``),
  valued and posted in the same transaction.
- Void (original date, its period open): the movements are undone as if they never happened;
  whatever followed them is re-valued. Refused when the goods a document brought in were
  issued or moved on since: nothing may depend on a voided document.
- Reverse-Correct: the same, recorded by a reversing document on the original date.
- Reverse-Accrual: a reversing document on a later date moves the goods back as new movements
  (valued like any movement; goods returned to a vendor leave at their current cost, the
  difference to what was received goes to the price difference account).

Outgoing documents (issue, transfer, scrap) reserve their stock when they leave Draft and give
it back when they are rejected or cancelled (a transition listener)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from erp.catalog.models import Tracking
from erp.catalog.units import to_base
from erp.core import bulk, numbering
from erp.core.documents import hooks, registry
from erp.core.documents.models import Action, Document, Status
from erp.core.documents.registry import DocumentEffects
from erp.core.exceptions import DomainError
from erp.finance import periods
from erp.inventory import services, stock, valuation
from erp.inventory.models import (
    Direction,
    GoodsIssue,
    GoodsReceipt,
    InternalTransfer,
    Location,
    LocationType,
    MoveKind,
    PhysicalCount,
    PhysicalCountLine,
    Quant,
    Scrap,
    StockAdjustment,
    StockDocument,
    StockMove,
    ValuationLayer,
)

ZERO = Decimal("0")


def virtual_location(location_type: str) -> Location:
    found = Location.objects.filter(location_type=location_type, warehouse=None, is_active=True).order_by("pk").first()
    if found is None:
        raise DomainError(_("The %(type)s location is missing.") % {"type": LocationType(location_type).label})
    return found


def _line_error(number: int, error: DomainError) -> DomainError:
    return DomainError(_("Line %(line)d: %(message)s") % {"line": number, "message": error.message}, field=error.field)


def base_quantity(line, quantity: Decimal | None = None) -> Decimal:
    """The line's quantity (or ``quantity`` in the line's unit) in the product's base unit."""
    product = line.product
    quantity = line.quantity if quantity is None else quantity
    if line.uom_id is None or line.uom_id == product.base_uom_id:
        return quantity
    return to_base(quantity, product=product, uom=line.uom)


def document_moves(document: Document) -> list[StockMove]:
    from django.contrib.contenttypes.models import ContentType

    return list(
        StockMove.objects.filter(source_type=ContentType.objects.get_for_model(document), source_id=document.pk)
        .select_related("product", "from_location", "to_location", "lot")
        .order_by("date", "id")
    )


@dataclass
class Planned:
    """One movement a line asks for, before it is recorded."""

    line_number: int
    line_id: int
    request: stock.MoveRequest


def plan_move(number: int, line, *, source: Location, target: Location, quantity: Decimal, lot, **request) -> Planned:
    """The movement of ``quantity`` (base unit) of a line's product from ``source`` to ``target``."""
    return Planned(
        number,
        line.pk,
        stock.MoveRequest(
            product=line.product,
            quantity=quantity,
            from_location=source,
            to_location=target,
            lot=lot,
            source_line_id=line.pk,
            **request,
        ),
    )


class StockEffects(DocumentEffects):
    hidden_actions = frozenset({Action.CLOSE, Action.START})
    reserves = False  # outgoing documents hold their stock from submission on

    # --- to override ------------------------------------------------------------------------------
    def plan(self, document: StockDocument, *, create_lots: bool) -> list[Planned]:
        """The movements the document's lines ask for (``DomainError`` naming the line)."""
        raise NotImplementedError

    def lines(self, document: StockDocument) -> list:
        return list(document.lines.select_related("product", "product__base_uom", "uom").order_by("position", "id"))

    # --- the life cycle ---------------------------------------------------------------------------------
    def _check(self, document: StockDocument) -> None:
        if not document.warehouse.is_active:
            raise DomainError(_("The warehouse %(warehouse)s is deactivated.") % {"warehouse": document.warehouse})
        if not self.lines(document):
            raise DomainError(_("Add at least one line."))
        self.plan(document, create_lots=False)

    def check_submit(self, document: StockDocument) -> None:
        self._check(document)

    def check_complete(self, document: StockDocument) -> None:
        periods.assert_open(document.accounting_date, field="accounting_date")
        self._check(document)

    def on_complete(self, document: StockDocument, *, by) -> None:
        stock.release(source=document)
        planned = self.plan(document, create_lots=True)
        posted = self.post(document, planned, by=by)
        self.completed(document, posted)
        document.posted_by = by

    def post(self, document: StockDocument, planned: list[Planned], *, by) -> stock.Posted:
        return stock.moves_post(
            requests=[item.request for item in planned],
            on=document.accounting_date,
            organization=document.organization,
            by=by,
            source=document,
            reference=document.number,
            description=self.description(document),
        )

    def description(self, document: StockDocument) -> str:
        text = f"{document._meta.verbose_name} {document.number}"
        return f"{text}: {document.description}" if document.description else text

    def completed(self, document: StockDocument, posted: stock.Posted) -> None:
        value = posted.value
        document.total_net = document.total_gross = value
        document.total_net_company = document.total_gross_company = value
        document.total_tax = document.total_tax_company = ZERO
        document.posted = True
        document.posted_at = timezone.now()

    def recompute_totals(self, document: StockDocument) -> None:
        """Totals are the value moved, known once the document is completed."""

    # --- corrections ------------------------------------------------------------------------------------
    def _reversal_refusal(self, document: StockDocument) -> str | None:
        if document.reversal_of_id:
            return _("%(document)s reverses %(original)s and cannot itself be voided or reversed.") % {
                "document": document,
                "original": document.reversal_of,
            }
        return None

    def _period_refusal(self, day: date, *, instead: str) -> str | None:
        try:
            periods.assert_open(day)
        except DomainError as error:
            return f"{error.message} {instead}"
        return None

    def dependency_refusals(self, document: StockDocument) -> list[str]:
        """Why undoing the document would take away goods that were used since."""
        moves = [move for move in document_moves(document) if move.kind == MoveKind.NORMAL]
        refusals = []
        used = stock.consumed(moves)
        if used:
            refusals.append(
                _(
                    "%(document)s cannot be undone: goods it brought in were issued or moved on since "
                    "(%(products)s). Reverse it on a later date instead, or undo what used them first."
                )
                % {"document": document, "products": ", ".join(sorted({move.product.sku for move in used}))}
            )
            return refusals
        short = _missing_at_destination(moves)
        if short:
            refusals.append(
                _(
                    "%(document)s cannot be undone: its goods are no longer where it put them "
                    "(%(places)s). Reverse it on a later date instead."
                )
                % {"document": document, "places": ", ".join(short)}
            )
        return refusals

    def void_blockers(self, document: StockDocument) -> list[str]:
        refusal = self._reversal_refusal(document) or self._period_refusal(
            document.accounting_date, instead=_("Reverse it on a date in an open period instead.")
        )
        if refusal:
            return [refusal]
        return self.dependency_refusals(document)

    def on_void(self, document: StockDocument, *, by) -> None:
        moves = [move for move in document_moves(document) if move.kind == MoveKind.NORMAL]
        stock.moves_void(
            moves=moves, by=by, source=document, description=_("Void of %(number)s") % {"number": document.number}
        )

    def reverse_correct_blockers(self, document: StockDocument) -> list[str]:
        return self.void_blockers(document)

    def reverse_accrual_blockers(self, document: StockDocument, *, on_date: date | None) -> list[str]:
        refusal = self._reversal_refusal(document)
        if refusal:
            return [refusal]
        if on_date is None:
            return []
        if on_date < document.accounting_date:
            return [
                _("The reversal date cannot be before the document's date (%(date)s).")
                % {"date": date_format(document.accounting_date, "SHORT_DATE_FORMAT")}
            ]
        refusal = self._period_refusal(on_date, instead="")
        return [refusal.strip()] if refusal else []

    def on_reverse(self, document: StockDocument, *, by, on_date: date) -> StockDocument:
        reversal = _reversal_document(document, on_date=on_date, by=by)
        moves = [move for move in document_moves(document) if move.kind == MoveKind.NORMAL]
        description = _("Reversal of %(number)s") % {"number": document.number}
        if on_date == document.accounting_date and not self.void_blockers(document):
            posted = stock.moves_void(moves=moves, by=by, source=reversal, description=description)
        else:
            posted = _return_moves(moves, on=on_date, by=by, source=reversal, description=description)
        self.completed(reversal, posted)
        reversal.save()
        return reversal


def _missing_at_destination(moves: list[StockMove]) -> list[str]:
    """Where fewer goods are on hand than the movements put there."""
    needed: dict[tuple, Decimal] = {}
    labels: dict[tuple, str] = {}
    for move in moves:
        if move.to_location.holds_stock:
            key = (move.product_id, move.to_location_id, move.lot_id)
            needed[key] = needed.get(key, ZERO) + move.quantity
            labels[key] = f"{move.product.sku}{f' ({move.lot.name})' if move.lot else ''} @ {move.to_location}"
        if move.from_location.holds_stock:
            key = (move.product_id, move.from_location_id, move.lot_id)
            needed[key] = needed.get(key, ZERO) - move.quantity
    short = []
    for key, quantity in needed.items():
        if quantity <= 0:
            continue
        product_id, location_id, lot_id = key
        quant = Quant.objects.filter(product_id=product_id, location_id=location_id, lot_id=lot_id).first()
        available = quant.quantity - quant.reserved if quant else ZERO
        if available < quantity and not (quant and quant.negative_allowed):
            short.append(labels[key])
    return short


def _reversal_document(document: StockDocument, *, on_date: date, by) -> StockDocument:
    """A completed copy of ``document`` dated ``on_date`` that records its reversal."""
    model = type(document)
    fields = {
        field.attname: getattr(document, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key
        and field.attname
        not in (
            "number",
            "status",
            "created_at",
            "updated_at",
            "version",
            "deleted_at",
            "deleted_by_id",
            "deletion_reason",
            "posted",
            "posted_at",
            "posted_by_id",
            "processed",
            "processed_at",
            "processed_by_id",
            "status_reason",
            "reversal_of_id",
            "approval_status",
            "created_by_id",
            "updated_by_id",
        )
    }
    fields.update(document_date=on_date, accounting_date=on_date, created_by=by, updated_by=by, reversal_of=document)
    if "received_on" in fields:
        fields["received_on"] = on_date if document.received_on else None
    reversal = model(status=Status.COMPLETED, **fields)
    reversal.number = numbering.next_number(
        series=model.number_series,
        organization=document.organization,
        year=on_date.year,
        default_pattern=model.number_pattern,
    )
    reversal.processed, reversal.processed_at, reversal.processed_by = True, timezone.now(), by
    reversal.posted_by = by
    reversal._history_user = by
    reversal.save()
    line_model = document.lines.model
    copies = []
    for line in document.lines.all():
        values = {
            field.attname: getattr(line, field.attname)
            for field in line_model._meta.concrete_fields
            if not field.primary_key and field.attname != "document_id"
        }
        copies.append(line_model(document=reversal, **values))
    line_model.objects.bulk_create(copies)
    return reversal


def _return_moves(moves: list[StockMove], *, on: date, by, source: StockDocument, description: str) -> stock.Posted:
    """Movements that take ``moves`` back on ``on`` (new movements, valued as usual)."""
    layers = {
        (layer.move_id, layer.direction): layer
        for layer in ValuationLayer.objects.filter(move__in=moves, is_void=False)
    }
    accounts = stock.Accounts()
    requests: list[stock.MoveRequest] = []
    extra: dict[int, Decimal] = {}
    for move in reversed(moves):
        request = stock.MoveRequest(
            product=move.product,
            quantity=move.quantity,
            from_location=move.to_location,
            to_location=move.from_location,
            lot=move.lot,
            source_line_id=move.source_line_id,
            kind=MoveKind.RETURN,
            origin_id=move.pk,
        )
        incoming = layers.get((move.pk, Direction.IN))
        outgoing = layers.get((move.pk, Direction.OUT))
        if incoming is not None and outgoing is None and incoming.counterpart_account_id:
            if move.from_location.location_type == LocationType.VENDOR:
                # Back to the vendor at what it was received for; the stock leaves at its current cost.
                difference = accounts.price_difference()
                request.counterpart_account_id = difference
                extra[incoming.counterpart_account_id] = (
                    extra.get(incoming.counterpart_account_id, ZERO) + incoming.value
                )
                extra[difference] = extra.get(difference, ZERO) - incoming.value
            else:
                request.counterpart_account_id = incoming.counterpart_account_id
        elif outgoing is not None and incoming is None and outgoing.counterpart_account_id:
            request.value = -outgoing.value
            request.counterpart_account_id = outgoing.counterpart_account_id
        requests.append(request)
    posted = stock.moves_post(
        requests=requests,
        on=on,
        organization=source.organization,
        by=by,
        source=source,
        reference=source.number,
        description=description,
        extra_lines={account: amount for account, amount in extra.items() if amount} or None,
    )
    return posted


# --- the document types --------------------------------------------------------------------------------


def _default(location: Location | None, fallback: Location | None) -> Location:
    found = location or fallback
    if found is None:
        raise DomainError(_("The warehouse has no such standard location."))
    return found


def _check_location(location: Location, warehouse_id: int, *, number: int, field: str = "location") -> None:
    if location.warehouse_id != warehouse_id or location.location_type != LocationType.INTERNAL:
        raise DomainError(
            _("Line %(line)d: %(location)s is not a stock location of the warehouse.")
            % {"line": number, "location": location},
            field=field,
        )
    if not location.is_active:
        raise DomainError(
            _("Line %(line)d: the location %(location)s is deactivated.") % {"line": number, "location": location},
            field=field,
        )


def _check_lot_text(product, text: str, quantity: Decimal, *, number: int) -> None:
    """The lot / serial numbers as typed fit the product (without creating anything)."""
    names = services.lot_names(text)
    problem = None
    if product.tracking == Tracking.NONE and names:
        problem = _("%(product)s is not tracked by lot or serial number: leave the field empty.")
    elif product.tracking == Tracking.LOT and len(names) != 1:
        problem = _("%(product)s is tracked by lot: enter one lot number.")
    elif product.tracking == Tracking.SERIAL and (quantity != quantity.to_integral_value() or len(names) != quantity):
        problem = _("%(product)s is tracked by serial number: enter %(count)s serial numbers, one per unit.")
    elif product.tracking == Tracking.SERIAL and len(set(names)) != len(names):
        problem = _("A serial number is entered twice.")
    if problem:
        message = problem % {"product": product.sku, "count": quantity.normalize()}
        raise DomainError(_("Line %(line)d: %(message)s") % {"line": number, "message": message}, field="lot_number")


def _product_check(product, number: int) -> None:
    if not product.is_stockable:
        raise DomainError(
            _("Line %(line)d: %(product)s is not a stockable product.") % {"line": number, "product": product.sku},
            field="product",
        )


def _split(product, text: str, quantity: Decimal, *, create: bool, by, number: int, expiry=None):
    try:
        return services.lots_for(
            product=product, text=text, quantity=quantity, create=create, by=by, expiry_date=expiry
        )
    except DomainError as error:
        raise _line_error(number, error) from error


def _base(line, number: int, quantity: Decimal | None = None) -> Decimal:
    try:
        quantity = base_quantity(line, quantity)
    except DomainError as error:
        raise _line_error(number, error) from error
    if quantity <= 0:
        raise DomainError(
            _("Line %(line)d: the quantity must be greater than zero.") % {"line": number}, field="quantity"
        )
    return quantity


class ReceiptEffects(StockEffects):
    def lines(self, document):
        return list(
            document.lines.select_related("product", "product__base_uom", "uom", "location").order_by("position", "id")
        )

    def plan(self, document: GoodsReceipt, *, create_lots: bool) -> list[Planned]:
        vendors = virtual_location(LocationType.VENDOR)
        places = Decimal(1).scaleb(-stock.currency_places())
        planned = []
        for number, line in enumerate(self.lines(document), start=1):
            _product_check(line.product, number)
            quantity = _base(line, number)
            target = _default(line.location, document.warehouse.receiving_location)
            _check_location(target, document.warehouse_id, number=number)
            if line.unit_cost < 0:
                raise DomainError(_("Line %(line)d: the unit cost cannot be negative.") % {"line": number})
            value = (line.quantity * line.unit_cost).quantize(places, ROUND_HALF_UP)
            if not create_lots:
                _check_lot_text(line.product, line.lot_number, quantity, number=number)
                continue
            parts = _split(
                line.product, line.lot_number, quantity, create=True, by=None, number=number, expiry=line.expiry_date
            )
            remaining = value
            for index, (lot, part) in enumerate(parts):
                share = (
                    remaining if index == len(parts) - 1 else (value * part / quantity).quantize(places, ROUND_HALF_UP)
                )
                remaining -= share
                planned.append(
                    plan_move(
                        number,
                        line,
                        source=vendors,
                        target=target,
                        quantity=part,
                        lot=lot,
                        value=share,
                        counterpart_account_id=document.counterpart_account_id,
                    )
                )
        return planned

    def recompute_totals(self, document: GoodsReceipt) -> None:
        if document.pk is None or document.posted:
            return
        places = stock.currency_places()
        total = sum(
            (
                (line.quantity * line.unit_cost).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
                for line in document.lines.all()
            ),
            ZERO,
        )
        document.total_net = document.total_gross = document.total_net_company = document.total_gross_company = total
        document.total_tax = document.total_tax_company = ZERO


class OutgoingEffects(StockEffects):
    """Goods leave a location of the warehouse for a virtual location (issue, scrap)."""

    reserves = True
    destination_type = LocationType.CUSTOMER

    def lines(self, document):
        return list(
            document.lines.select_related("product", "product__base_uom", "uom", "location").order_by("position", "id")
        )

    def counterpart(self, document) -> int | None:
        return None

    def plan(self, document, *, create_lots: bool) -> list[Planned]:
        target = virtual_location(self.destination_type)
        planned = []
        for number, line in enumerate(self.lines(document), start=1):
            _product_check(line.product, number)
            quantity = _base(line, number)
            source = _default(line.location, document.warehouse.stock_location)
            _check_location(source, document.warehouse_id, number=number)
            _check_lot_text(line.product, line.lot_number, quantity, number=number)
            for lot, part in _split(line.product, line.lot_number, quantity, create=False, by=None, number=number):
                planned.append(
                    plan_move(
                        number,
                        line,
                        source=source,
                        target=target,
                        quantity=part,
                        lot=lot,
                        counterpart_account_id=self.counterpart(document),
                    )
                )
        return planned

    def reservations(self, document) -> list[stock.ReservationRequest]:
        return [
            stock.ReservationRequest(
                product=item.request.product,
                location=item.request.from_location,
                lot=item.request.lot,
                quantity=item.request.quantity,
                line_id=item.line_id,
            )
            for item in self.plan(document, create_lots=False)
        ]


class IssueEffects(OutgoingEffects):
    destination_type = LocationType.CUSTOMER

    def counterpart(self, document: GoodsIssue) -> int | None:
        return document.counterpart_account_id


class ScrapEffects(OutgoingEffects):
    destination_type = LocationType.SCRAP


class TransferEffects(OutgoingEffects):
    """Within a warehouse: from → to on completion. Between warehouses: from → transit on
    completion, transit → to when received (``transfer_receive``)."""

    def lines(self, document):
        return list(
            document.lines.select_related(
                "product", "product__base_uom", "uom", "from_location", "to_location"
            ).order_by("position", "id")
        )

    def _targets(self, document: InternalTransfer, line, number: int) -> tuple[Location, Location]:
        source = _default(line.from_location, document.warehouse.stock_location)
        target = _default(line.to_location, document.destination_warehouse.stock_location)
        _check_location(source, document.warehouse_id, number=number, field="from_location")
        _check_location(target, document.destination_warehouse_id, number=number, field="to_location")
        if source.pk == target.pk:
            raise DomainError(
                _("Line %(line)d: the goods would stay where they are.") % {"line": number}, field="to_location"
            )
        return source, target

    def plan(self, document: InternalTransfer, *, create_lots: bool, arriving: bool = False) -> list[Planned]:
        transit = virtual_location(LocationType.TRANSIT) if document.crosses_warehouses else None
        planned = []
        for number, line in enumerate(self.lines(document), start=1):
            _product_check(line.product, number)
            quantity = _base(line, number)
            source, target = self._targets(document, line, number)
            _check_lot_text(line.product, line.lot_number, quantity, number=number)
            if transit is not None:
                source, target = (transit, target) if arriving else (source, transit)
            for lot, part in _split(line.product, line.lot_number, quantity, create=False, by=None, number=number):
                planned.append(plan_move(number, line, source=source, target=target, quantity=part, lot=lot))
        return planned


class AdjustmentEffects(StockEffects):
    def lines(self, document):
        return list(
            document.lines.select_related("product", "product__base_uom", "uom", "location").order_by("position", "id")
        )

    def plan(self, document: StockAdjustment, *, create_lots: bool) -> list[Planned]:
        loss = virtual_location(LocationType.INVENTORY_LOSS)
        planned = []
        for number, line in enumerate(self.lines(document), start=1):
            _product_check(line.product, number)
            if not line.quantity:
                raise DomainError(_("Line %(line)d: enter the change (not zero).") % {"line": number}, field="quantity")
            signed = line.quantity
            quantity = _base(line, number, abs(signed))
            location = _default(line.location, document.warehouse.stock_location)
            _check_location(location, document.warehouse_id, number=number)
            _check_lot_text(line.product, line.lot_number, quantity, number=number)
            found = signed > 0
            if not create_lots and not found:
                _split(line.product, line.lot_number, quantity, create=False, by=None, number=number)
            if not create_lots:
                continue
            unit_cost = None
            if found and line.unit_cost is not None:
                unit_cost = line.unit_cost * abs(signed) / quantity
            for lot, part in _split(line.product, line.lot_number, quantity, create=found, by=None, number=number):
                planned.append(
                    plan_move(
                        number,
                        line,
                        source=loss if found else location,
                        target=location if found else loss,
                        quantity=part,
                        lot=lot,
                        unit_cost=unit_cost,
                    )
                )
        return planned


class CountEffects(StockEffects):
    """Completing a count posts, per line, counted − on hand at that moment."""

    def lines(self, document):
        return list(document.lines.select_related("product", "location").order_by("position", "id"))

    def _check(self, document: PhysicalCount) -> None:
        super()._check(document)
        missing = [number for number, line in enumerate(self.lines(document), start=1) if line.counted_quantity is None]
        if missing:
            raise DomainError(
                _("Enter the counted quantity of every line (missing on lines %(lines)s).")
                % {"lines": ", ".join(str(number) for number in missing[:10])}
            )

    def plan(self, document: PhysicalCount, *, create_lots: bool) -> list[Planned]:
        loss = virtual_location(LocationType.INVENTORY_LOSS)
        lines = self.lines(document)
        seen = set()
        for number, line in enumerate(lines, start=1):
            _product_check(line.product, number)
            _check_location(line.location, document.warehouse_id, number=number)
            key = (line.product_id, line.location_id, line.lot_number.strip())
            if key in seen:
                raise DomainError(
                    _("Line %(line)d: %(product)s at %(location)s is counted twice.")
                    % {"line": number, "product": line.product.sku, "location": line.location}
                )
            seen.add(key)
            if not create_lots:
                names = services.lot_names(line.lot_number)
                if (line.product.tracking == Tracking.NONE) != (not names) or len(names) > 1:
                    _count_lot(line, number)
        if not create_lots:
            return []
        # Lock before reading what is on hand: nothing may move between reading and posting.
        valuation.lock_scopes({stock.scope_of(line.location, line.product_id) for line in lines})
        planned = []
        changed: list[PhysicalCountLine] = []
        for number, line in enumerate(lines, start=1):
            lot = _count_lot(line, number)
            quant = Quant.objects.filter(product=line.product, location=line.location, lot=lot).first()
            on_hand = quant.quantity if quant else ZERO
            difference = line.counted_quantity - on_hand
            line.difference = difference
            changed.append(line)
            if not difference:
                continue
            found = difference > 0
            planned.append(
                plan_move(
                    number,
                    line,
                    source=loss if found else line.location,
                    target=line.location if found else loss,
                    quantity=abs(difference),
                    lot=lot,
                )
            )
        bulk.bulk_update(changed, ["difference"])
        return planned


def _count_lot(line: PhysicalCountLine, number: int):
    """The lot of a count line (created when a new number was found), None for untracked products."""
    names = services.lot_names(line.lot_number)
    tracking = line.product.tracking
    if tracking == Tracking.NONE:
        if names:
            raise DomainError(
                _("Line %(line)d: %(product)s is not tracked by lot or serial number: leave the field empty.")
                % {"line": number, "product": line.product.sku},
                field="lot_number",
            )
        return None
    if len(names) != 1:
        raise DomainError(_("Line %(line)d: enter the lot or serial number.") % {"line": number}, field="lot_number")
    if tracking == Tracking.SERIAL and line.counted_quantity not in (None, ZERO, Decimal("1")):
        raise DomainError(
            _("Line %(line)d: a serial number is counted 0 or 1 times.") % {"line": number}, field="counted_quantity"
        )
    return services.lot_get(product=line.product, name=names[0], create=True)


@transaction.atomic
def count_sheet_fill(*, document: PhysicalCount, by) -> int:
    """Replace a draft count's lines with what is on hand in its warehouse (or location and
    below): one line per product, location and lot, the counted quantity left to enter."""
    document = PhysicalCount.objects.select_for_update().get(pk=document.pk)
    if document.status != Status.DRAFT:
        raise DomainError(_("Only a draft count sheet can be filled."))
    quants = Quant.objects.filter(
        location__warehouse=document.warehouse_id, location__location_type=LocationType.INTERNAL
    )
    if document.location_id:
        quants = quants.filter(location_id__in=_subtree(document.location_id))
    quants = (
        quants.exclude(quantity=0)
        .select_related("product", "location", "lot")
        .order_by("location__full_name", "product__sku", "lot__name")
    )
    document.lines.all().delete()
    lines = [
        PhysicalCountLine(
            document=document,
            position=position,
            product=quant.product,
            location=quant.location,
            lot_number=quant.lot.name if quant.lot else "",
            expected_quantity=quant.quantity,
        )
        for position, quant in enumerate(quants, start=1)
    ]
    PhysicalCountLine.objects.bulk_create(lines)
    # The lines changed: a form opened before must not save its old lines over them.
    document.version += 1
    document.updated_by = by
    document._history_user = by
    document.save(update_fields=["version", "updated_by", "updated_at"])
    return len(lines)


def _subtree(location_id: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE tree AS (SELECT id FROM inventory_location WHERE id = %s "
            "UNION ALL SELECT l.id FROM inventory_location l JOIN tree t ON l.parent_id = t.id) SELECT id FROM tree",
            [location_id],
        )
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def transfer_receive(*, document: InternalTransfer, by, on: date) -> InternalTransfer:
    """The goods of a transfer between warehouses arrive: transit → destination on ``on``."""
    document = InternalTransfer.objects.select_for_update().get(pk=document.pk)
    if document.status != Status.COMPLETED or not document.crosses_warehouses:
        raise DomainError(_("Only a completed transfer between warehouses can be received."))
    if document.received_on is not None:
        raise DomainError(
            _("%(document)s was received on %(date)s.")
            % {"document": document, "date": date_format(document.received_on, "SHORT_DATE_FORMAT")}
        )
    if not by.has_perm("inventory.receive_internaltransfer"):
        raise DomainError(_("You are not allowed to receive internal transfers."))
    if on < document.accounting_date:
        raise DomainError(
            _("The goods cannot arrive before they left (%(date)s).")
            % {"date": date_format(document.accounting_date, "SHORT_DATE_FORMAT")},
            field="on_date",
        )
    periods.assert_open(on, field="on_date")
    effects = registry.effects_for(document)
    planned = effects.plan(document, create_lots=False, arriving=True)
    posted = stock.moves_post(
        requests=[item.request for item in planned],
        on=on,
        organization=document.organization,
        by=by,
        source=document,
        reference=document.number,
        description=_("Arrival of %(number)s") % {"number": document.number},
    )
    document.received_on = on
    document.updated_by = by
    document.version += 1
    document._history_user = by
    document.save(update_fields=["received_on", "updated_by", "version", "updated_at"])
    from erp.core import events

    events.record(
        verb="inventory.internaltransfer.received",
        target=document,
        actor=by,
        data={"on": on.isoformat(), "value": str(posted.value)},
        organization=document.organization,
    )
    return document


# --- registration ------------------------------------------------------------------------------------------

EFFECTS: dict[type[StockDocument], StockEffects] = {}


def _reservations(document, *, verb: str, by, data: dict) -> None:
    effects = EFFECTS.get(type(document))
    if effects is None or not effects.reserves:
        return
    if verb == "submitted":
        stock.reserve(source=document, requests=effects.reservations(document))
    elif verb in ("rejected", "cancelled"):
        stock.release(source=document)


def register_all() -> None:
    EFFECTS.update(
        {
            GoodsReceipt: ReceiptEffects(),
            GoodsIssue: IssueEffects(),
            InternalTransfer: TransferEffects(),
            StockAdjustment: AdjustmentEffects(),
            PhysicalCount: CountEffects(),
            Scrap: ScrapEffects(),
        }
    )
    for model, effects in EFFECTS.items():
        registry.register(model, effects)
    hooks.register_transition_listener(_reservations)

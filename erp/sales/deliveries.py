"""Deliveries and customer returns of sales orders, on the stock ledger of ``erp.inventory``.

- ``delivery_create``: a draft delivery of all or some open quantities of an order, picked where
  the stock is — what the order reserved first, then free stock by earliest expiry and oldest
  receipt — one line per order line, location and lot (serial numbers of a location on one
  line). The picks can be changed on the draft (location, lot or serial numbers, quantity).
- Completing it (the generic Complete action) releases the order's reservations, moves the goods
  from their locations to the customers' location (valuation posts inventory against cost of
  goods sold), then re-reads what the order delivered and reserves what is still open.
- ``delivery_return_create``: a draft return of a completed delivery. Completing it brings the
  goods back into a location of the warehouse at the cost they left with — the value of the
  original movement for the returned quantity, posted against the cost of goods sold account
  it went to — as return movements of the originals (``MoveKind.RETURN``).

Delivery quantities are in the product's base unit (stock counts in it); the order lines
count in their own unit (``erp.sales.stock.line_quantity``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.catalog.models import Tracking
from erp.core import events
from erp.core.documents.models import Action, Status
from erp.core.documents.registry import DocumentEffects
from erp.core.exceptions import DomainError
from erp.finance import periods, posting
from erp.inventory import stock as inventory
from erp.inventory.documents.effects import virtual_location
from erp.inventory.models import Direction, Location, LocationType, MoveKind, StockMove, ValuationLayer
from erp.inventory.services import lot_names, lots_for
from erp.partners.selectors import default_address
from erp.sales import stock
from erp.sales.lines import quantity_text
from erp.sales.models import Delivery, DeliveryKind, DeliveryLine, SalesOrder, SalesOrderLine

ZERO = Decimal("0")
DELIVERABLE = (Status.APPROVED, Status.IN_PROGRESS)


def _line_error(number: int, message: str, field: str | None = None) -> DomainError:
    return DomainError(_("Line %(line)d: %(message)s") % {"line": number, "message": message}, field=field)


def _check_location(location: Location, delivery: Delivery, number: int) -> None:
    if (
        location.warehouse_id != delivery.warehouse_id
        or location.location_type != LocationType.INTERNAL
        or not location.is_active
    ):
        raise _line_error(
            number,
            _("%(location)s is not an active stock location of the warehouse %(warehouse)s.")
            % {"location": location, "warehouse": delivery.warehouse},
            "location",
        )


def _lots(product, text: str, quantity: Decimal, number: int):
    try:
        return lots_for(product=product, text=text, quantity=quantity, create=False)
    except DomainError as error:
        raise _line_error(number, error.message, error.field) from error


def delivery_lines(delivery: Delivery) -> list[DeliveryLine]:
    return list(
        delivery.lines.select_related(
            "order_line__product__base_uom", "order_line__unit", "location", "returned_line"
        ).order_by("position", "id")
    )


# --- planning the movements ---------------------------------------------------------------------------


def _plan_delivery(delivery: Delivery, lines: list[DeliveryLine]) -> list[inventory.MoveRequest]:
    customers = virtual_location(LocationType.CUSTOMER)
    requests = []
    per_order_line: dict[int, Decimal] = defaultdict(lambda: ZERO)
    order_lines: dict[int, SalesOrderLine] = {}
    for number, line in enumerate(lines, start=1):
        order_line = line.order_line
        product = order_line.product
        if order_line.order_id != delivery.order_id:
            raise _line_error(number, _("the line belongs to another order."), "order_line")
        if product is None or not product.is_stockable:
            raise _line_error(number, _("only stockable products are delivered."), "order_line")
        _check_location(line.location, delivery, number)
        for lot, part in _lots(product, line.lot_number, line.quantity, number):
            requests.append(
                inventory.MoveRequest(
                    product=product,
                    quantity=part,
                    from_location=line.location,
                    to_location=customers,
                    lot=lot,
                    source_line_id=line.pk,
                )
            )
        per_order_line[order_line.pk] += line.quantity
        order_lines[order_line.pk] = order_line
    for order_line_id, quantity in per_order_line.items():
        order_line = order_lines[order_line_id]
        still_open = stock.base_quantity(order_line, order_line.quantity_open)
        if quantity > still_open:
            raise DomainError(
                _("%(product)s: %(quantity)s would be delivered, only %(open)s are still to be delivered.")
                % {
                    "product": order_line.product.sku,
                    "quantity": quantity_text(quantity),
                    "open": quantity_text(still_open),
                }
            )
    return requests


@dataclass
class _Original:
    move: StockMove
    value: Decimal
    counterpart_account_id: int | None
    left: Decimal


def _originals(delivery: Delivery, line_ids: Iterable[int]) -> dict[int, list[_Original]]:
    """Per delivery line, its movements with their current value and what is not returned yet."""
    moves = list(
        StockMove.objects.filter(
            source_type=ContentType.objects.get_for_model(Delivery),
            source_id=delivery.pk,
            source_line_id__in=list(line_ids),
            kind=MoveKind.NORMAL,
        ).order_by("id")
    )
    layers = {
        layer.move_id: layer
        for layer in ValuationLayer.objects.filter(move__in=moves, direction=Direction.OUT, is_void=False)
    }
    returned = dict(
        StockMove.objects.filter(origin__in=moves, kind=MoveKind.RETURN)
        .values("origin_id")
        .annotate(total=Sum("quantity"))
        .values_list("origin_id", "total")
    )
    found: dict[int, list[_Original]] = defaultdict(list)
    for move in moves:
        layer = layers.get(move.pk)
        found[move.source_line_id].append(
            _Original(
                move=move,
                value=abs(layer.value) if layer is not None else move.value,
                counterpart_account_id=layer.counterpart_account_id if layer is not None else None,
                left=move.quantity - returned.get(move.pk, ZERO),
            )
        )
    return found


def _plan_return(delivery: Delivery, lines: list[DeliveryLine]) -> list[inventory.MoveRequest]:
    original = delivery.return_of
    if original is None or original.status != Status.COMPLETED or original.is_return:
        raise DomainError(_("A return takes back a completed delivery."))
    customers = virtual_location(LocationType.CUSTOMER)
    places = Decimal(1).scaleb(-posting.company_currency().decimal_places)
    originals = _originals(original, {line.returned_line_id for line in lines if line.returned_line_id})
    requests = []
    for number, line in enumerate(lines, start=1):
        returned = line.returned_line
        if returned is None or returned.delivery_id != original.pk:
            raise _line_error(number, _("name the line of %(delivery)s it returns.") % {"delivery": original})
        product = line.order_line.product
        _check_location(line.location, delivery, number)
        for lot, part in _lots(product, line.lot_number, line.quantity, number):
            needed = part
            for item in originals.get(returned.pk, []):
                if needed <= 0:
                    break
                if item.left <= 0 or item.move.lot_id != (lot.pk if lot else None):
                    continue
                take = min(item.left, needed)
                value = (item.value * take / item.move.quantity).quantize(places, ROUND_HALF_UP)
                item.left -= take
                needed -= take
                requests.append(
                    inventory.MoveRequest(
                        product=product,
                        quantity=take,
                        from_location=customers,
                        to_location=line.location,
                        lot=lot,
                        value=value,
                        counterpart_account_id=item.counterpart_account_id,
                        kind=MoveKind.RETURN,
                        origin_id=item.move.pk,
                        source_line_id=line.pk,
                    )
                )
            if needed > 0:
                raise _line_error(
                    number,
                    _("more of %(product)s%(lot)s would come back than %(delivery)s delivered and kept.")
                    % {"product": product.sku, "lot": f" ({lot})" if lot else "", "delivery": original},
                    "quantity",
                )
    return requests


def plan(delivery: Delivery) -> list[inventory.MoveRequest]:
    """The stock movements completing ``delivery`` records (``DomainError`` naming what is wrong)."""
    lines = delivery_lines(delivery)
    if not lines:
        raise DomainError(_("Add at least one line."))
    if delivery.is_return:
        return _plan_return(delivery, lines)
    return _plan_delivery(delivery, lines)


class DeliveryEffects(DocumentEffects):
    hidden_actions = frozenset(
        {Action.SUBMIT, Action.START, Action.CLOSE, Action.VOID, Action.REVERSE_CORRECT, Action.REVERSE_ACCRUAL}
    )

    def check_submit(self, document: Delivery) -> None:
        if document.order.status not in DELIVERABLE:
            raise DomainError(
                _("%(order)s has the status “%(status)s”: it is not delivered.")
                % {"order": document.order, "status": document.order.get_status_display()}
            )
        plan(document)

    def check_complete(self, document: Delivery) -> None:
        periods.assert_open(document.accounting_date, field="accounting_date")
        self.check_submit(document)

    def on_complete(self, document: Delivery, *, by) -> None:
        requests = plan(document)
        order = SalesOrder.objects.select_for_update().get(pk=document.order_id)
        if not document.is_return:
            stock.order_release(order)  # the order's own reservations must not stand in its way
        kind = _("Return") if document.is_return else _("Delivery")
        inventory.moves_post(
            requests=requests,
            on=document.accounting_date,
            organization=document.organization,
            by=by,
            source=document,
            reference=document.number,
            description=f"{kind} {document.number} ({order.number})",
        )
        document.posted = True
        document.posted_at = timezone.now()
        document.posted_by = by


def on_delivery_transition(document, *, verb: str, by, data: dict) -> None:
    """Transition listener: a completed delivery or return counts on its order, whose remaining
    open quantities are reserved again."""
    if not isinstance(document, Delivery) or verb != "completed":
        return
    from erp.sales.services import sales_order_refresh

    order = sales_order_refresh(order=document.order, by=by)
    if order.status in DELIVERABLE:
        stock.order_reserve(order)


# --- creating deliveries and returns ----------------------------------------------------------------


@dataclass
class _Pick:
    line: SalesOrderLine
    location: Location
    lot: object
    quantity: Decimal


def _picks(order: SalesOrder, warehouse, wanted: list[tuple[SalesOrderLine, Decimal]]) -> list[_Pick]:
    """Where to take ``wanted`` base units of each line: its reservations, then free stock; what
    neither covers is picked from the stock location (completing it needs the stock there)."""
    from erp.inventory.models import Reservation

    held = defaultdict(list)
    for reservation in Reservation.objects.filter(
        source_type=ContentType.objects.get_for_model(SalesOrder), source_id=order.pk
    ).select_related("location", "lot"):
        held[reservation.source_line_id].append((reservation.location, reservation.lot, reservation.quantity))
    free = stock.free_quants(warehouse, {line.product_id for line, _quantity in wanted})
    picks = []
    for line, quantity in wanted:
        needed = quantity
        for location, lot, held_quantity in held.get(line.pk, []):
            take = min(held_quantity, needed)
            if take > 0:
                needed -= take
                picks.append(_Pick(line, location, lot, take))
        for quant in free[line.product_id]:  # shared by the lines of one product: taken as used
            take = min(quant.quantity - quant.reserved, needed)
            if take > 0:
                quant.reserved += take
                needed -= take
                picks.append(_Pick(line, quant.location, quant.lot, take))
        if needed > 0:
            picks.append(_Pick(line, warehouse.stock_location, None, needed))
    return picks


def _rows(delivery: Delivery, picks: list[_Pick]) -> list[DeliveryLine]:
    """One line per order line, location and lot; the serial numbers of one location on one line."""
    grouped: dict[tuple, DeliveryLine] = {}
    for pick in picks:
        product = pick.line.product
        serial = product.tracking == Tracking.SERIAL
        key = (pick.line.pk, pick.location.pk, None if serial else getattr(pick.lot, "pk", None))
        row = grouped.get(key)
        if row is None:
            row = grouped[key] = DeliveryLine(
                delivery=delivery, order_line=pick.line, location=pick.location, quantity=ZERO, lot_number=""
            )
        row.quantity += pick.quantity
        if pick.lot is not None:
            names = [*lot_names(row.lot_number), pick.lot.name] if serial else [pick.lot.name]
            row.lot_number = ", ".join(names)
    rows = list(grouped.values())
    for position, row in enumerate(rows, start=1):
        row.position = position
    return rows


def _header(order: SalesOrder, *, by, warehouse, day: date, kind: str, return_of: Delivery | None = None) -> Delivery:
    address = (
        order.shipping_address
        or default_address(order.partner, "shipping")
        or default_address(order.partner, "billing")
    )
    delivery = Delivery(
        kind=kind,
        order=order,
        return_of=return_of,
        organization_id=order.organization_id,
        partner_id=order.partner_id,
        warehouse=warehouse,
        document_date=day,
        accounting_date=day,
        currency_id=order.currency_id,
        exchange_rate=order.exchange_rate,
        external_reference=order.external_reference[:100],
        shipping_address="\n".join([order.partner.name, *address.lines, address.country]) if address else "",
        created_by=by,
        updated_by=by,
    )
    delivery._history_user = by
    delivery.save()
    return delivery


@transaction.atomic
def delivery_create(
    *, order: SalesOrder, by, quantities: dict[int, Decimal] | None = None, on: date | None = None
) -> Delivery:
    """A draft delivery of ``quantities`` (per order line id, in the line's unit; None: all that
    is open) with the picks made."""
    order = SalesOrder.objects.select_for_update(of=("self",)).select_related("partner", "warehouse").get(pk=order.pk)
    if order.status not in DELIVERABLE:
        raise DomainError(
            _("%(order)s has the status “%(status)s”: only confirmed orders are delivered.")
            % {"order": order, "status": order.get_status_display()}
        )
    if not by.has_perm("sales.add_delivery"):
        raise DomainError(_("You are not allowed to create deliveries."))
    warehouse = stock.order_warehouse(order)
    if warehouse is None:
        raise DomainError(_("%(order)s has no warehouse to deliver from.") % {"order": order}, field="warehouse")
    wanted = []
    for line in order.lines.select_related("product", "product__base_uom", "unit").order_by("position", "id"):
        if not line.is_delivered_by_stock:
            continue
        quantity = line.quantity_open if quantities is None else Decimal(quantities.get(line.pk, ZERO))
        if quantity < 0 or quantity > line.quantity_open:
            raise DomainError(
                _("%(product)s: enter a quantity between 0 and %(open)s.")
                % {"product": line.product.sku, "open": quantity_text(line.quantity_open)},
                field=f"line-{line.pk}",
            )
        if quantity > 0:
            wanted.append((line, stock.base_quantity(line, quantity)))
    if not wanted:
        raise DomainError(_("Nothing to deliver: enter the quantities to deliver."))
    delivery = _header(order, by=by, warehouse=warehouse, day=on or timezone.localdate(), kind=DeliveryKind.DELIVERY)
    DeliveryLine.objects.bulk_create(_rows(delivery, _picks(order, warehouse, wanted)))
    events.record(verb="sales.delivery.created", target=delivery, actor=by, data={"order": order.number})
    return delivery


def returnable_quantities(delivery: Delivery) -> dict[int, Decimal]:
    """Per line of a completed delivery, what has not come back (returns in draft count too)."""
    taken = dict(
        DeliveryLine.objects.filter(returned_line__delivery=delivery)
        .exclude(delivery__status=Status.CANCELLED)
        .values("returned_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("returned_line_id", "total")
    )
    return {line.pk: line.quantity - taken.get(line.pk, ZERO) for line in delivery.lines.all()}


@transaction.atomic
def delivery_return_create(
    *, delivery: Delivery, by, quantities: dict[int, Decimal] | None = None, on: date | None = None
) -> Delivery:
    """A draft return of ``quantities`` (per delivery line id, base unit; None: all not returned)
    back into the locations they were picked from (changeable on the draft)."""
    delivery = Delivery.objects.select_for_update(of=("self",)).select_related("order__partner").get(pk=delivery.pk)
    if delivery.is_return or delivery.status != Status.COMPLETED:
        raise DomainError(_("Only completed deliveries are returned."))
    if not by.has_perm("sales.add_delivery"):
        raise DomainError(_("You are not allowed to create deliveries."))
    left = returnable_quantities(delivery)
    rows = []
    for line in delivery.lines.select_related("order_line", "location").order_by("position", "id"):
        quantity = left[line.pk] if quantities is None else Decimal(quantities.get(line.pk, ZERO))
        if quantity < 0 or quantity > left[line.pk]:
            raise DomainError(
                _("Enter a quantity between 0 and %(left)s.") % {"left": quantity_text(left[line.pk])},
                field=f"line-{line.pk}",
            )
        if quantity > 0:
            rows.append(
                DeliveryLine(
                    order_line=line.order_line,
                    location=line.location,
                    quantity=quantity,
                    lot_number=line.lot_number if quantity == line.quantity else _first_lots(line, quantity),
                    returned_line=line,
                )
            )
    if not rows:
        raise DomainError(_("Nothing to return: enter the quantities coming back."))
    day = on or timezone.localdate()
    returned = _header(
        delivery.order, by=by, warehouse=delivery.warehouse, day=day, kind=DeliveryKind.RETURN, return_of=delivery
    )
    for position, row in enumerate(rows, start=1):
        row.delivery, row.position = returned, position
    DeliveryLine.objects.bulk_create(rows)
    events.record(verb="sales.delivery.return_created", target=returned, actor=by, data={"delivery": delivery.number})
    return returned


def _first_lots(line: DeliveryLine, quantity: Decimal) -> str:
    """For part of a line: its lot, or as many of its serial numbers as units (to be checked)."""
    names = lot_names(line.lot_number)
    if line.order_line.product.tracking == Tracking.SERIAL and quantity == quantity.to_integral_value():
        return ", ".join(names[: int(quantity)])
    return line.lot_number

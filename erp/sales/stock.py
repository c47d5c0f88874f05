"""Sales orders and the stock (``erp.inventory``): what is available per line, what an order holds
(reservations), what its deliveries delivered.

Quantities of the stock are in the product's base unit; order lines count in their own unit
(``erp.catalog.units`` converts). A confirmed order reserves what is available in its warehouse
for its open stockable lines (``order_reserve``, when it is approved, and again after each
delivery); what is not available stays open and is reserved by nobody: the order can still be
approved and delivered later, in part or when goods arrive."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, DecimalField, F, Q, Sum, When

from erp.catalog.units import convert, to_base
from erp.core.documents.models import Status
from erp.inventory import stock, valuation
from erp.inventory.models import LocationType, Quant, Reservation, Warehouse
from erp.sales.models import DeliveryKind, DeliveryLine, SalesOrder, SalesOrderLine

ZERO = Decimal("0")


def order_warehouse(order: SalesOrder) -> Warehouse | None:
    """The order's warehouse, else its organization's first active one."""
    if order.warehouse_id:
        return order.warehouse
    return Warehouse.objects.filter(organization_id=order.organization_id, is_active=True).order_by("code").first()


def base_quantity(line: SalesOrderLine, quantity: Decimal) -> Decimal:
    """``quantity`` in the line's unit as base units of its product."""
    product = line.product
    if line.unit_id is None or line.unit_id == product.base_uom_id:
        return quantity
    return to_base(quantity, product=product, uom=line.unit)


def line_quantity(line: SalesOrderLine, base: Decimal) -> Decimal:
    """Base units of the line's product in the line's unit (exact to the stored places)."""
    product = line.product
    if line.unit_id is None or line.unit_id == product.base_uom_id:
        return base
    return convert(base, from_uom=product.base_uom, to_uom=line.unit, product=product, exact=True)


def _source(order: SalesOrder) -> dict:
    return {"source_type": ContentType.objects.get_for_model(SalesOrder), "source_id": order.pk}


def reserved_by_line(order: SalesOrder) -> dict[int, Decimal]:
    """Base units each line of the order holds."""
    rows = (
        Reservation.objects.filter(**_source(order))
        .values("source_line_id")
        .annotate(total=Sum("quantity"))
        .values_list("source_line_id", "total")
    )
    return dict(rows)


def _stock_lines(order: SalesOrder) -> list[SalesOrderLine]:
    lines = order.lines.filter(product__isnull=False).select_related("product", "product__base_uom", "unit")
    return [line for line in lines.order_by("position", "id") if line.is_delivered_by_stock]


def free_quants(warehouse: Warehouse, product_ids: set[int]) -> dict[int, list[Quant]]:
    """Per product, the quants of the warehouse's stock locations with stock not reserved, in the
    order goods are picked: earliest expiry, then oldest receipt."""
    quants = (
        Quant.objects.filter(
            product_id__in=product_ids,
            location__warehouse=warehouse,
            location__location_type=LocationType.INTERNAL,
            location__is_active=True,
            quantity__gt=F("reserved"),
        )
        .select_related("location", "lot")
        .order_by(F("lot__expiry_date").asc(nulls_last=True), F("in_date").asc(nulls_last=True), "location__full_name")
    )
    found: dict[int, list[Quant]] = defaultdict(list)
    for quant in quants:
        found[quant.product_id].append(quant)
    return found


def order_reserve(order: SalesOrder) -> list[Reservation]:
    """Reserve what is available for the open stockable lines of a confirmed order (best effort:
    a line short of stock holds what there is)."""
    warehouse = order_warehouse(order)
    if warehouse is None:
        return []
    lines = [line for line in _stock_lines(order) if line.quantity_open > 0]
    if not lines:
        return []
    valuation.lock_scopes({(line.product_id, warehouse.pk) for line in lines})
    held = reserved_by_line(order)
    quants = free_quants(warehouse, {line.product_id for line in lines})
    requests = []
    for line in lines:
        needed = base_quantity(line, line.quantity_open) - held.get(line.pk, ZERO)
        for quant in quants.get(line.product_id, []):
            if needed <= 0:
                break
            take = min(quant.quantity - quant.reserved, needed)
            if take <= 0:
                continue
            quant.reserved += take
            needed -= take
            requests.append(
                stock.ReservationRequest(
                    product=line.product, location=quant.location, lot=quant.lot, quantity=take, line_id=line.pk
                )
            )
    return stock.reserve(source=order, requests=requests)


def order_release(order: SalesOrder) -> int:
    return stock.release(source=order)


@dataclass(frozen=True)
class Availability:
    """Of a line's product in the order's warehouse (base unit): on hand, available to anyone,
    and held by this line."""

    on_hand: Decimal
    available: Decimal
    reserved_here: Decimal
    needed: Decimal

    @property
    def short(self) -> Decimal:
        return max(self.needed - self.reserved_here - self.available, ZERO)


def availability(order: SalesOrder, lines: list[SalesOrderLine]) -> dict[int, Availability]:
    """Per stockable line (by id) of the order: the stock situation, in two queries."""
    stocked = [line for line in lines if line.is_delivered_by_stock]
    warehouse = order_warehouse(order) if stocked else None
    if warehouse is None:
        return {}
    totals = {
        row["product_id"]: row
        for row in Quant.objects.filter(
            product_id__in={line.product_id for line in stocked},
            location__warehouse=warehouse,
            location__location_type=LocationType.INTERNAL,
        )
        .values("product_id")
        .annotate(on_hand=Sum("quantity"), reserved=Sum("reserved"))
    }
    held = reserved_by_line(order) if order.status in (Status.APPROVED, Status.IN_PROGRESS) else {}
    result = {}
    for line in stocked:
        row = totals.get(line.product_id, {})
        on_hand = row.get("on_hand") or ZERO
        result[line.pk] = Availability(
            on_hand=on_hand,
            available=max(on_hand - (row.get("reserved") or ZERO), ZERO),
            reserved_here=held.get(line.pk, ZERO),
            needed=base_quantity(line, line.quantity_open),
        )
    return result


def delivered_quantities(order: SalesOrder, lines: list[SalesOrderLine]) -> dict[int, Decimal]:
    """Per order line (in its unit): what completed deliveries delivered less what completed
    returns brought back."""
    signed = Case(
        When(delivery__kind=DeliveryKind.RETURN, then=-F("quantity")),
        default=F("quantity"),
        output_field=DecimalField(max_digits=18, decimal_places=6),
    )
    rows = (
        DeliveryLine.objects.filter(Q(delivery__status__in=(Status.COMPLETED, Status.CLOSED)), order_line__order=order)
        .values("order_line_id")
        .annotate(base=Sum(signed))
        .values_list("order_line_id", "base")
    )
    by_id = {line.pk: line for line in lines}
    return {line_id: line_quantity(by_id[line_id], base or ZERO) for line_id, base in rows if line_id in by_id}

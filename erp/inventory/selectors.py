"""Reads of the stock ledger for screens and reports.

Every report is one queryset (paged by the list page, totalled by one aggregate), so a page
costs the same few queries whatever the size of the ledger:

- stock on hand: quants, each valued at its scope's unit cost (the valuation row's value
  divided by its quantity), by warehouse, location, lot;
- movement history of a product: moves in (date, id) order with the running quantity and
  value (window sums) from an opening balance before the first date shown;
- valuation at a date: the valuation entries up to that date summed per product and scope
  (they are the inventory accounts' postings: this *is* the balance-sheet figure);
- slow-moving items: what is on hand and has not been issued for a number of days;
- traceability of a lot or serial number: its movements end to end, where it came from and
  where it went;
- replenishment: reorder rules against available stock plus what is on its way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest

from erp.core.access import organization_ids_for
from erp.core.documents.models import OPEN_STATES, Status
from erp.inventory.models import (
    STOCK_TYPES,
    GoodsReceiptLine,
    InternalTransferLine,
    Location,
    LocationType,
    Lot,
    ProductValuation,
    Quant,
    ReorderRule,
    StockMove,
    ValuationEntry,
    ValuationLayer,
    Warehouse,
)

ZERO = Decimal("0")
AMOUNT = DecimalField(max_digits=24, decimal_places=4)
QUANTITY = DecimalField(max_digits=24, decimal_places=6)
UNIT = DecimalField(max_digits=30, decimal_places=10)


def warehouses_for(user) -> QuerySet[Warehouse]:
    return Warehouse.objects.for_user(user)


def locations_for(user) -> QuerySet[Location]:
    return Location.objects.for_user(user)


def _visible(queryset: QuerySet, user, warehouse_path: str) -> QuerySet:
    """Rows of the user's warehouses (and of the shared transit location)."""
    ids = organization_ids_for(user)
    return queryset.filter(
        Q(**{f"{warehouse_path}__isnull": True}) | Q(**{f"{warehouse_path}__organization_id__in": ids})
    )


# --- stock on hand ------------------------------------------------------------------------------


def stock_on_hand(user) -> QuerySet[Quant]:
    """Quants of stock-holding locations with their value: quantity × the unit cost of their
    scope (its valuation row's value ÷ quantity; joined, so totals over any filter stay cheap)."""
    quants = Quant.objects.filter(location__location_type__in=STOCK_TYPES).exclude(quantity=0, reserved=0)
    quants = _visible(quants, user, "location__warehouse")
    unit = Case(
        When(
            valuation__quantity__gt=0,
            then=ExpressionWrapper(F("valuation__value") / F("valuation__quantity"), output_field=UNIT),
        ),
        default=Value(ZERO),
        output_field=UNIT,
    )
    return (
        quants.select_related("product", "product__base_uom", "location", "location__warehouse", "lot", "valuation")
        .annotate(
            unit_cost=unit, available_quantity=ExpressionWrapper(F("quantity") - F("reserved"), output_field=QUANTITY)
        )
        .annotate(stock_value=ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=AMOUNT))
    )


# --- movement history -------------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    quantity: Decimal
    value: Decimal


def _signed(warehouse_id: int | None):
    """+quantity into the stock (of the warehouse), −quantity out of it, 0 for moves within it."""
    if warehouse_id is None:
        inside_to = Q(to_location__location_type__in=STOCK_TYPES)
        inside_from = Q(from_location__location_type__in=STOCK_TYPES)
    else:
        inside_to = Q(to_location__warehouse_id=warehouse_id, to_location__location_type=LocationType.INTERNAL)
        inside_from = Q(from_location__warehouse_id=warehouse_id, from_location__location_type=LocationType.INTERNAL)
    return Case(
        When(inside_to & ~inside_from, then=F("quantity")),
        When(inside_from & ~inside_to, then=-F("quantity")),
        default=Value(ZERO),
        output_field=QUANTITY,
    )


def _move_value(warehouse_id: int | None) -> Coalesce:
    """A move's value now (its layers, after any re-valuation) in the warehouse or in all stock."""
    layers = ValuationLayer.objects.filter(move_id=OuterRef("pk"))
    if warehouse_id is not None:
        layers = layers.filter(warehouse_id=warehouse_id)
    total = layers.values("move_id").annotate(total=Sum("value")).values("total")[:1]
    return Coalesce(Subquery(total, output_field=AMOUNT), Value(ZERO), output_field=AMOUNT)


def product_moves(*, product_id: int, warehouse_id: int | None = None, date_from: date | None = None) -> QuerySet:
    """The moves of a product (in or out of the warehouse, or of all stock) from ``date_from`` on,
    each with ``signed_quantity``, ``current_value`` and the running ``balance_quantity`` /
    ``balance_value`` including what was there before ``date_from``."""
    moves = StockMove.objects.filter(product_id=product_id)
    if warehouse_id is not None:
        moves = moves.filter(Q(to_location__warehouse_id=warehouse_id) | Q(from_location__warehouse_id=warehouse_id))
    opening = opening_balance(product_id=product_id, warehouse_id=warehouse_id, before=date_from)
    if date_from is not None:
        moves = moves.filter(date__gte=date_from)
    order = [F("date").asc(), F("id").asc()]
    return (
        moves.select_related("lot", "from_location", "to_location", "source_type")
        .annotate(signed_quantity=_signed(warehouse_id), current_value=_move_value(warehouse_id))
        .annotate(
            balance_quantity=Window(Sum("signed_quantity"), order_by=order)
            + Value(opening.quantity, output_field=QUANTITY),
            balance_value=Window(Sum("current_value"), order_by=order) + Value(opening.value, output_field=AMOUNT),
        )
        .order_by("date", "id")
    )


def opening_balance(*, product_id: int, warehouse_id: int | None, before: date | None) -> Opening:
    if before is None:
        return Opening(ZERO, ZERO)
    entries = ValuationEntry.objects.filter(product_id=product_id, date__lt=before)
    if warehouse_id is not None:
        entries = entries.filter(warehouse_id=warehouse_id)
    totals = entries.aggregate(quantity=Sum("quantity"), value=Sum("value"))
    return Opening(totals["quantity"] or ZERO, totals["value"] or ZERO)


# --- valuation at a date --------------------------------------------------------------------


def valuation_at(*, on: date, user, warehouse_code: str = "") -> QuerySet:
    """Quantity and value per product and scope at the end of ``on`` (rows with both zero left out)."""
    entries = _visible(ValuationEntry.objects.filter(date__lte=on), user, "warehouse")
    if warehouse_code:
        entries = entries.filter(warehouse__code__iexact=warehouse_code)
    return (
        entries.values("product_id", "product__sku", "product__name", "warehouse_id", "warehouse__code")
        .annotate(quantity=Sum("quantity"), value=Sum("value"))
        .exclude(quantity=0, value=0)
        .order_by("product__sku", "warehouse__code")
    )


# --- slow-moving items --------------------------------------------------------------------------


def slow_moving(*, user, days: int, today: date) -> QuerySet[ProductValuation]:
    """Stock on hand that has not been issued for ``days`` days (or ever), the most valuable first."""
    since = today - timedelta(days=days)
    valuations = ProductValuation.objects.filter(quantity__gt=0).filter(
        Q(last_out_date__isnull=True) | Q(last_out_date__lt=since)
    )
    return (
        _visible(valuations, user, "warehouse")
        .select_related("product", "product__base_uom", "warehouse")
        .annotate(
            last_movement=Greatest(Coalesce("last_out_date", "last_in_date"), Coalesce("last_in_date", "last_out_date"))
        )
        .order_by("-value", "product__sku")
    )


# --- traceability --------------------------------------------------------------------------------


@dataclass
class Trace:
    lot: Lot
    moves: list[StockMove]
    on_hand: list[Quant]

    @property
    def origins(self) -> list[StockMove]:
        """Where it came from: movements into stock from outside (a vendor, production, a count)."""
        return [
            move
            for move in self.moves
            if not move.from_location.holds_stock and move.to_location.holds_stock and move.kind == "normal"
        ]

    @property
    def destinations(self) -> list[StockMove]:
        """Where it went: movements out of stock (a customer, scrap, production, a loss)."""
        return [
            move
            for move in self.moves
            if move.from_location.holds_stock and not move.to_location.holds_stock and move.kind == "normal"
        ]


def trace(*, lot: Lot) -> Trace:
    moves = list(
        StockMove.objects.filter(lot=lot)
        .select_related("from_location", "to_location", "source_type", "created_by")
        .order_by("date", "id")
    )
    documents = _documents_of(moves)
    for move in moves:
        move.document = documents.get((move.source_type_id, move.source_id))
    on_hand = list(Quant.objects.filter(lot=lot).exclude(quantity=0).select_related("location"))
    return Trace(lot=lot, moves=moves, on_hand=on_hand)


def _documents_of(moves: list[StockMove]) -> dict[tuple[int, int], object]:
    """The source documents of ``moves``, one query per document type."""
    wanted: dict[int, set[int]] = {}
    for move in moves:
        if move.source_type_id:
            wanted.setdefault(move.source_type_id, set()).add(move.source_id)
    found = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for document in model._base_manager.filter(pk__in=ids):
            found[(type_id, document.pk)] = document
    return found


def lots_for(user) -> QuerySet[Lot]:
    return Lot.objects.select_related("product").annotate(
        on_hand=Coalesce(
            Subquery(
                Quant.objects.filter(lot_id=OuterRef("pk"))
                .values("lot_id")
                .annotate(total=Sum("quantity"))
                .values("total")[:1],
                output_field=QUANTITY,
            ),
            Value(ZERO),
            output_field=QUANTITY,
        )
    )


# --- replenishment ---------------------------------------------------------------------------------


def _per_rule(queryset: QuerySet, field: str) -> Coalesce:
    total = queryset.values("product_id").annotate(total=Sum(field)).values("total")[:1]
    return Coalesce(Subquery(total, output_field=QUANTITY), Value(ZERO), output_field=QUANTITY)


def replenishment(*, user) -> QuerySet[ReorderRule]:
    """Reorder rules with ``on_hand``, ``reserved``, ``incoming`` (open receipts and transfers
    into the warehouse, lines in the base unit) and ``forecast`` = on hand − reserved + incoming."""
    quants = Quant.objects.filter(
        product_id=OuterRef("product_id"),
        location__warehouse_id=OuterRef("warehouse_id"),
        location__location_type=LocationType.INTERNAL,
    )
    base_unit = Q(uom__isnull=True) | Q(uom_id=F("product__base_uom_id"))
    receipts = GoodsReceiptLine.objects.filter(
        base_unit,
        product_id=OuterRef("product_id"),
        document__warehouse_id=OuterRef("warehouse_id"),
        document__status__in=OPEN_STATES,
        document__deleted_at__isnull=True,
    )
    transfers = InternalTransferLine.objects.filter(
        base_unit,
        product_id=OuterRef("product_id"),
        document__destination_warehouse_id=OuterRef("warehouse_id"),
        document__deleted_at__isnull=True,
    ).filter(
        Q(document__status__in=OPEN_STATES)
        | Q(document__status=Status.COMPLETED, document__received_on__isnull=True)
        & ~Q(document__warehouse_id=F("document__destination_warehouse_id"))
    )
    return (
        ReorderRule.objects.for_user(user)
        .select_related("product", "product__base_uom", "warehouse")
        .annotate(
            on_hand=_per_rule(quants, "quantity"),
            reserved_quantity=_per_rule(quants, "reserved"),
            incoming=Coalesce(_per_rule(receipts, "quantity"), Value(ZERO)) + _per_rule(transfers, "quantity"),
        )
        .annotate(
            forecast=ExpressionWrapper(F("on_hand") - F("reserved_quantity") + F("incoming"), output_field=QUANTITY)
        )
    )


def suggested_quantity(rule: ReorderRule) -> Decimal:
    """What to order for a rule: up to the maximum when the forecast is below the minimum,
    rounded up to the rule's multiple; 0 otherwise."""
    forecast = rule.forecast
    if forecast >= rule.min_quantity:
        return ZERO
    needed = rule.max_quantity - forecast
    multiple = rule.multiple or Decimal("1")
    steps = (needed / multiple).to_integral_value(rounding="ROUND_CEILING")
    return steps * multiple

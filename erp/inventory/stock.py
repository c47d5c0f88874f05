"""Writing the stock ledger: ``moves_post`` records movements, ``moves_void`` undoes them on their
own date, ``reserve`` / ``release`` hold stock for open outgoing documents.

One call is one transaction (it joins the caller's). Its order, the same for every caller so
that concurrent operations wait for each other instead of deadlocking:

1. lock the valuation row of each (product, scope) touched, in (product, warehouse) order;
2. change the quants: an increase is an UPSERT; a decrease is an UPDATE whose WHERE clause
   demands enough available stock (``quantity − reserved``) unless the warehouse allows
   negative stock, so a concurrent issue re-reads the row after the first one commits and
   finds it short; the CHECK constraint on ``inventory_quant`` refuses a negative quantity
   even if this code were bypassed;
3. value the movements (``erp.inventory.valuation``), insert them, post the journal entry.

Any refusal raises ``DomainError`` and the whole operation rolls back: a move is written
with its quant changes, valuation and journal entry, or not at all."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from erp.catalog.models import Product, Tracking
from erp.core.exceptions import DomainError
from erp.finance.models import Account, AccountRole
from erp.finance.posting import company_currency
from erp.inventory import valuation
from erp.inventory.models import (
    Direction,
    Location,
    LocationType,
    Lot,
    MoveKind,
    Reservation,
    StockMove,
    ValuationEntry,
    ValuationLayer,
    Warehouse,
)

ZERO = Decimal("0")


class InsufficientStock(DomainError):
    """Not enough available stock, and the warehouse does not allow negative stock."""


class InventoryAccountMissing(DomainError):
    """No account to post a stock movement's value to."""


@dataclass
class MoveRequest:
    """One movement to record. ``quantity`` is in the product's base unit.

    Stock entering the books from outside (a receipt, a found item) is valued at ``value`` or
    ``quantity × unit_cost``; without either, at the scope's current unit cost."""

    product: Product
    quantity: Decimal
    from_location: Location
    to_location: Location
    lot: Lot | None = None
    unit_cost: Decimal | None = None
    value: Decimal | None = None
    counterpart_account_id: int | None = None
    source_line_id: int | None = None
    kind: str = MoveKind.NORMAL
    origin_id: int | None = None


@dataclass
class Posted:
    moves: list[StockMove] = field(default_factory=list)
    entries: list[ValuationEntry] = field(default_factory=list)

    @property
    def value(self) -> Decimal:
        return sum((move.value for move in self.moves), ZERO)


def scope_of(location: Location, product_id: int) -> tuple[int, int | None] | None:
    """The valuation scope of stock at ``location`` (None where stock is not kept)."""
    if location.location_type == LocationType.INTERNAL:
        return (product_id, location.warehouse_id)
    if location.location_type == LocationType.TRANSIT:
        return (product_id, None)
    return None


def _ids(moves: int, layers: int) -> tuple[list[int], list[int]]:
    """Ids for ``moves`` stock moves and ``layers`` valuation layers, in one round trip."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ARRAY(SELECT nextval(pg_get_serial_sequence('inventory_stockmove', 'id')) "
            "FROM generate_series(1, %s)), "
            "ARRAY(SELECT nextval(pg_get_serial_sequence('inventory_valuationlayer', 'id')) "
            "FROM generate_series(1, %s))",
            [moves, layers],
        )
        move_ids, layer_ids = cursor.fetchone()
    return list(move_ids), list(layer_ids)


_places: dict[str, int] = {}


def currency_places() -> int:
    """Decimal places of the company currency (fixed when the tenant is created), per schema."""
    schema = connection.schema_name
    if schema not in _places:
        _places[schema] = company_currency().decimal_places
    return _places[schema]


# --- accounts ------------------------------------------------------------------------------------


class Accounts:
    """The accounts of one operation's products and locations, each looked up once."""

    def __init__(self) -> None:
        self._products: dict[int, object] = {}
        self._roles: dict[str, int | None] = {}
        self._transit: Location | bool | None = False

    def _product(self, product: Product):
        if product.pk not in self._products:
            from erp.catalog.selectors import product_accounts

            self._products[product.pk] = product_accounts(product)
        return self._products[product.pk]

    def _role(self, role: str) -> int | None:
        if role not in self._roles:
            self._roles[role] = Account.objects.for_role(role).order_by("code").values_list("pk", flat=True).first()
        return self._roles[role]

    def inventory(self, product: Product, warehouse_id: int | None) -> int:
        if warehouse_id is None:
            if self._transit is False:
                self._transit = Location.objects.filter(location_type=LocationType.TRANSIT).first()
            if self._transit is not None and self._transit.account_id:
                return self._transit.account_id
        account = self._product(product).inventory
        if account is None:
            raise InventoryAccountMissing(
                _(
                    "%(product)s has no inventory account: set one on the product or its category, "
                    "or give an account of the chart the inventory role."
                )
                % {"product": product.sku}
            )
        return account.pk

    def counterpart(self, product: Product, location: Location, override: int | None) -> int:
        """The account on the other side of the inventory account when stock comes from or
        goes to the virtual ``location``."""
        if override:
            return override
        if location.account_id:
            return location.account_id
        accounts = self._product(product)
        kind = location.location_type
        if kind == LocationType.VENDOR:
            found = self._role(AccountRole.GOODS_RECEIVED_NOT_INVOICED)
        elif kind in (LocationType.INVENTORY_LOSS, LocationType.SCRAP):
            found = (accounts.expense or accounts.cogs).pk if (accounts.expense or accounts.cogs) else None
        else:
            found = accounts.cogs.pk if accounts.cogs else None
        if found is None:
            raise InventoryAccountMissing(
                _("No account to post %(location)s to: set the account of the location %(location)s.")
                % {"location": location}
            )
        return found

    def price_difference(self) -> int:
        found = self._role(AccountRole.PRICE_DIFFERENCE)
        if found is None:
            raise InventoryAccountMissing(_("No account has the price difference role."))
        return found


# --- quants ---------------------------------------------------------------------------------------

_INCREASE = """
INSERT INTO inventory_quant (product_id, location_id, lot_id, quantity, reserved, negative_allowed, in_date, updated_at,
                             valuation_id)
SELECT %(product)s, l.id, %(lot)s, %(quantity)s, 0,
       coalesce((SELECT w.allow_negative_stock FROM inventory_warehouse w
                  WHERE w.id = l.warehouse_id AND l.location_type = 'internal'), false),
       %(on)s, now(),
       (SELECT v.id FROM inventory_productvaluation v
         WHERE v.product_id = %(product)s
           AND v.warehouse_id IS NOT DISTINCT FROM
               (CASE WHEN l.location_type = 'transit' THEN NULL ELSE l.warehouse_id END))
  FROM inventory_location l WHERE l.id = %(location)s
ON CONFLICT ON CONSTRAINT inventory_quant_key DO UPDATE
   SET quantity = inventory_quant.quantity + EXCLUDED.quantity,
       valuation_id = coalesce(inventory_quant.valuation_id, EXCLUDED.valuation_id),
       in_date = GREATEST(inventory_quant.in_date, EXCLUDED.in_date),
       updated_at = now()
"""

_DECREASE = """
UPDATE inventory_quant SET quantity = quantity - %s, updated_at = now()
 WHERE product_id = %s AND location_id = %s AND {lot}
   AND (negative_allowed OR quantity - %s >= reserved)
RETURNING id
"""


def _lot_condition(lot_id: int | None) -> tuple[str, list]:
    return ("lot_id IS NULL", []) if lot_id is None else ("lot_id = %s", [lot_id])


def _describe(product: Product, location: Location, lot: Lot | None) -> dict:
    return {"product": product.sku, "location": location, "lot": f" ({lot.name})" if lot else ""}


def _on_hand(product_id: int, location_id: int, lot_id: int | None) -> tuple[Decimal, Decimal]:
    condition, params = _lot_condition(lot_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quantity, reserved FROM inventory_quant "  # noqa: S608 (fixed fragments)
            f"WHERE product_id = %s AND location_id = %s AND {condition}",
            [product_id, location_id, *params],
        )
        row = cursor.fetchone()
    return row if row else (ZERO, ZERO)


def _refuse_short(product: Product, location: Location, lot: Lot | None, needed: Decimal) -> None:
    on_hand, reserved = _on_hand(product.pk, location.pk, lot.pk if lot else None)
    details = _describe(product, location, lot)
    details.update(needed=_quantity_text(needed), available=_quantity_text(max(on_hand - reserved, ZERO)), reserved="")
    if reserved:
        details["reserved"] = _(" (%(reserved)s of %(on_hand)s on hand are reserved)") % {
            "reserved": _quantity_text(reserved),
            "on_hand": _quantity_text(on_hand),
        }
    raise InsufficientStock(
        _(
            "Not enough stock of %(product)s%(lot)s at %(location)s: %(available)s available%(reserved)s, "
            "%(needed)s needed."
        )
        % details
    )


def _quantity_text(value: Decimal) -> str:
    """10.000000 → "10", 2.500000 → "2.5" (with the reader's decimal separator)."""
    return number_format(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize())


def _increase_params(product_id, location_id, lot, quantity, on) -> dict:
    return {
        "product": product_id,
        "location": location_id,
        "lot": lot.pk if lot else None,
        "quantity": quantity,
        "on": on,
    }


def _increase(product: Product, location: Location, lot: Lot | None, quantity: Decimal, *, on: date):
    with connection.cursor() as cursor:
        cursor.execute(_INCREASE, _increase_params(product.pk, location.pk, lot, quantity, on))


def _decrease(product: Product, location: Location, lot: Lot | None, quantity: Decimal) -> None:
    condition, params = _lot_condition(lot.pk if lot else None)
    with connection.cursor() as cursor:
        cursor.execute(_DECREASE.format(lot=condition), [quantity, product.pk, location.pk, *params, quantity])
        done = cursor.fetchone()
    if done:
        return
    if _negative_flags([location])[location.pk]:
        with connection.cursor() as cursor:
            cursor.execute(_INCREASE, _increase_params(product.pk, location.pk, lot, -quantity, None))
        return
    _refuse_short(product, location, lot, quantity)


def _negative_flags(locations: list[Location]) -> dict[int, bool]:
    warehouse_ids = {location.warehouse_id for location in locations if location.warehouse_id}
    flags = dict(Warehouse.all_objects.filter(pk__in=warehouse_ids).values_list("pk", "allow_negative_stock"))
    return {
        location.pk: location.location_type == LocationType.INTERNAL and flags.get(location.warehouse_id, False)
        for location in locations
    }


def _check_serials(touched: set[tuple[int, int]], products: dict[int, Product], lots: dict[int, Lot]) -> None:
    """A serial number is one unit: never more than one on hand over all locations."""
    if not touched:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT product_id, lot_id, sum(quantity) FROM inventory_quant "
            "WHERE (product_id, lot_id) IN (SELECT * FROM unnest(%s::bigint[], %s::bigint[])) "
            "GROUP BY product_id, lot_id HAVING sum(quantity) > 1",
            [[product for product, _lot in touched], [lot for _product, lot in touched]],
        )
        row = cursor.fetchone()
    if row:
        raise DomainError(
            _("The serial number %(serial)s of %(product)s is already in stock.")
            % {"serial": lots[row[1]].name, "product": products[row[0]].sku}
        )


def _validate(request: MoveRequest) -> None:
    product = request.product
    if request.quantity <= 0:
        raise DomainError(_("The quantity must be greater than zero."), field="quantity")
    if request.from_location.pk == request.to_location.pk:
        raise DomainError(_("A movement needs two different locations."), field="location")
    if not product.is_stockable:
        raise DomainError(_("%(product)s is not a stockable product.") % {"product": product.sku}, field="product")
    tracked = product.tracking != Tracking.NONE
    if tracked and request.lot is None:
        raise DomainError(
            _("%(product)s is tracked: enter its lot or serial number.") % {"product": product.sku}, field="lot_number"
        )
    if not tracked and request.lot is not None:
        raise DomainError(
            _("%(product)s is not tracked by lot or serial number.") % {"product": product.sku}, field="lot_number"
        )
    if request.lot is not None and request.lot.product_id != product.pk:
        raise DomainError(_("The lot %(lot)s belongs to another product.") % {"lot": request.lot}, field="lot_number")
    if product.tracking == Tracking.SERIAL and request.quantity != 1:
        raise DomainError(
            _("%(product)s is tracked by serial number: one unit per serial number.") % {"product": product.sku},
            field="quantity",
        )


# --- recording movements ------------------------------------------------------------------------


@dataclass
class _Pending:
    request: MoveRequest
    move_id: int
    out_layer: valuation.Layer | None = None
    in_layer: valuation.Layer | None = None


def _source_fields(source: models.Model | None) -> dict:
    if source is None:
        return {}
    return {"source_type": ContentType.objects.get_for_model(source), "source_id": source.pk}


def moves_post(
    *,
    requests: list[MoveRequest],
    on: date,
    organization,
    by,
    source: models.Model | None = None,
    reference: str = "",
    description: str = "",
    extra_lines: dict[int, Decimal] | None = None,
) -> Posted:
    """Record ``requests`` dated ``on``: quants, valuation layers, one journal entry per date."""
    if not requests:
        return Posted()
    for request in requests:
        _validate(request)
    with transaction.atomic(savepoint=False):
        return _post(
            requests,
            on=on,
            organization=organization,
            by=by,
            source=source,
            reference=reference,
            description=description or reference,
            extra_lines=extra_lines,
        )


def _post(requests, *, on, organization, by, source, reference, description, extra_lines) -> Posted:
    places = currency_places()
    products = {request.product.pk: request.product for request in requests}
    methods = {pk: valuation.valuation_method(product) for pk, product in products.items()}
    engine = valuation.Engine(places=places, trigger_date=on)
    scopes: set = set()
    for request in requests:
        for location in (request.from_location, request.to_location):
            scope = scope_of(location, request.product.pk)
            if scope is not None:
                scopes.add(scope)
    engine.lock(scopes, methods=methods)
    _apply_quants(
        [
            (request.product, request.from_location, request.to_location, request.lot, request.quantity)
            for request in requests
        ],
        on=on,
    )
    move_ids, new_layer_ids = _ids(len(requests), 2 * len(requests))
    pending = [_Pending(request, move_id) for request, move_id in zip(requests, move_ids, strict=True)]
    layer_ids = iter(new_layer_ids)
    accounts = Accounts()
    for item in pending:
        _layers(engine, item, on=on, accounts=accounts, layer_ids=layer_ids)
    engine.settle()
    moves = [
        _move(item, on=on, organization=organization, by=by, source=source, reference=reference, engine=engine)
        for item in pending
    ]
    StockMove.objects.bulk_create(moves, batch_size=2000)
    postings = engine.postings()
    if extra_lines:
        extra = {on: extra_lines}
        postings.setdefault(on, valuation.Posting())
    else:
        extra = None
    engine.write()
    entries = valuation.post(
        postings, organization=organization, description=description, source=source, by=by, extra=extra
    )
    return Posted(moves=moves, entries=entries)


def _apply_quants(changes: list[tuple], *, on: date) -> None:
    """``changes`` = (product, from, to, lot, quantity): decrease at the source, increase at the
    destination, where stock is kept."""
    serials: set[tuple[int, int]] = set()
    lots: dict[int, Lot] = {}
    products: dict[int, Product] = {}
    for product, source, target, lot, quantity in changes:
        if source.holds_stock:
            _decrease(product, source, lot, quantity)
        if target.holds_stock:
            _increase(product, target, lot, quantity, on=on)
            if product.tracking == Tracking.SERIAL and lot is not None:
                serials.add((product.pk, lot.pk))
                lots[lot.pk], products[product.pk] = lot, product
    _check_serials(serials, products, lots)


def _new_layer(item: _Pending, *, direction: str, scope, other: Location, other_valued: bool, on, accounts, layer_ids):
    """A layer of ``item`` in ``scope``; its counterpart account is the other end's when that end
    is not valued (a transfer between two scopes balances layer against layer)."""
    request = item.request
    return valuation.Layer(
        id=next(layer_ids),
        move_id=item.move_id,
        date=on,
        direction=direction,
        quantity=request.quantity,
        account_id=accounts.inventory(request.product, scope[1]),
        counterpart_account_id=None
        if other_valued
        else accounts.counterpart(request.product, other, request.counterpart_account_id),
    )


def _layers(engine: valuation.Engine, item: _Pending, *, on: date, accounts: Accounts, layer_ids) -> None:
    request = item.request
    product = request.product
    source = scope_of(request.from_location, product.pk)
    target = scope_of(request.to_location, product.pk)
    if source is not None and source == target:
        return
    common = {"on": on, "accounts": accounts, "layer_ids": layer_ids}
    if source is not None:
        layer = _new_layer(
            item,
            direction=Direction.OUT,
            scope=source,
            other=request.to_location,
            other_valued=target is not None,
            **common,
        )
        item.out_layer = engine.add(layer, source)
    if target is not None:
        layer = _new_layer(
            item,
            direction=Direction.IN,
            scope=target,
            other=request.from_location,
            other_valued=source is not None,
            **common,
        )
        if source is None:
            layer.fixed_value = _incoming_value(engine, request, target, places=engine.places)
        item.in_layer = engine.add(layer, target, source=item.out_layer)


def _incoming_value(engine: valuation.Engine, request: MoveRequest, scope, *, places: Decimal) -> Decimal:
    if request.value is not None:
        return request.value.quantize(places, ROUND_HALF_UP)
    unit = request.unit_cost
    if unit is None:
        unit = engine.scope(scope).head.unit_cost
    return (request.quantity * unit).quantize(places, ROUND_HALF_UP)


def _move(item: _Pending, *, on, organization, by, source, reference, engine) -> StockMove:
    request = item.request
    if item.out_layer is not None:
        value = -item.out_layer.target
    elif item.in_layer is not None:
        value = item.in_layer.target
    else:
        scope = scope_of(request.from_location, request.product.pk)
        unit = engine.scopes[scope].head.unit_cost if scope in engine.scopes else ZERO
        value = (request.quantity * unit).quantize(engine.places, ROUND_HALF_UP)
    return StockMove(
        id=item.move_id,
        product=request.product,
        quantity=request.quantity,
        from_location=request.from_location,
        to_location=request.to_location,
        lot=request.lot,
        date=on,
        unit_cost=(value / request.quantity).quantize(valuation.UNIT_PLACES, ROUND_HALF_UP),
        value=value,
        organization=organization,
        source_line_id=request.source_line_id,
        reference=reference[:100],
        kind=request.kind,
        origin_id=request.origin_id,
        created_by=by,
        **_source_fields(source),
    )


# --- undoing movements --------------------------------------------------------------------------


def moves_void(*, moves: list[StockMove], by, source: models.Model | None = None, description: str = "") -> Posted:
    """Undo ``moves`` on their own dates, as if they had never happened: each gets a reversing
    movement (kind void), its stock goes back, its valuation layers leave the sequence and
    what followed them is re-valued. The caller checks that nothing depends on them."""
    if not moves:
        return Posted()
    with transaction.atomic(savepoint=False):
        moves = list(
            StockMove.objects.filter(pk__in=[move.pk for move in moves])
            .select_related("product", "from_location", "to_location", "lot")
            .order_by("-date", "-id")
        )
        if StockMove.objects.filter(origin__in=moves, kind=MoveKind.VOID).exists():
            raise DomainError(_("These movements were voided already."))
        on = min(move.date for move in moves)
        engine = valuation.Engine(places=currency_places(), trigger_date=on)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(valuation._LAYER_COLUMNS)}, product_id, warehouse_id "  # noqa: S608
                "FROM inventory_valuationlayer WHERE move_id = ANY(%s) AND NOT is_void",
                [[move.pk for move in moves]],
            )
            rows = cursor.fetchall()
        methods = {move.product_id: valuation.valuation_method(move.product) for move in moves}
        engine.lock({(row[-2], row[-1]) for row in rows}, methods=methods)
        # Stock goes back the way it came (the valuation rows are locked first, as always).
        _apply_quants(
            [(move.product, move.to_location, move.from_location, move.lot, move.quantity) for move in moves],
            on=on,
        )
        move_ids, new_layer_ids = _ids(len(moves), len(rows))
        reversal_ids = dict(zip([move.pk for move in moves], move_ids, strict=True))
        layer_ids = iter(new_layer_ids)
        by_move: dict[int, list] = defaultdict(list)
        for row in rows:
            by_move[row[1]].append((row[:-2], (row[-2], row[-1])))
        reversals: list[StockMove] = []
        for move in moves:
            layer_rows = by_move.get(move.pk, [])
            engine.void(
                layer_rows=layer_rows,
                reversal_ids={row[0]: next(layer_ids) for row, _scope in layer_rows},
                reversal_move_id=reversal_ids[move.pk],
            )
            reversals.append(
                StockMove(
                    id=reversal_ids[move.pk],
                    product=move.product,
                    quantity=move.quantity,
                    from_location=move.to_location,
                    to_location=move.from_location,
                    lot=move.lot,
                    date=move.date,
                    unit_cost=move.unit_cost,
                    value=_current_value(move, layer_rows),
                    organization_id=move.organization_id,
                    source_line_id=move.source_line_id,
                    reference=move.reference,
                    kind=MoveKind.VOID,
                    origin=move,
                    created_by=by,
                    **_void_source(move, source),
                )
            )
        engine.settle()
        StockMove.objects.bulk_create(reversals)
        postings = engine.postings()
        engine.write()
        organization = moves[0].organization
        entries = valuation.post(postings, organization=organization, description=description, source=source, by=by)
        return Posted(moves=reversals, entries=entries)


def _void_source(move: StockMove, source: models.Model | None) -> dict:
    """A void belongs to the document that records it (the original, or its reversal)."""
    if source is not None:
        return _source_fields(source)
    return {"source_type_id": move.source_type_id, "source_id": move.source_id}


def _current_value(move: StockMove, layer_rows: list) -> Decimal:
    values = dict(zip(valuation._LAYER_COLUMNS, layer_rows[0][0], strict=True)) if layer_rows else None
    if values is None:
        return move.value
    return abs(values["value"])


def consumed(moves: list[StockMove]) -> list[StockMove]:
    """Of ``moves``, those whose goods were (partly) issued or moved on by other movements: per
    product and scope, what the movements brought in and still left there is more than what
    of it is still on hand (their own later movements do not count)."""
    ids = [move.pk for move in moves]
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT product_id, warehouse_id, array_agg(move_id)
              FROM inventory_valuationlayer
             WHERE move_id = ANY(%s) AND NOT is_void
             GROUP BY product_id, warehouse_id
            HAVING sum(CASE WHEN direction = 'in' THEN remaining_qty ELSE 0 END)
                 < sum(CASE WHEN direction = 'in' THEN quantity ELSE -quantity END)
            """,
            [ids],
        )
        used = {move_id for _product, _warehouse, move_ids in cursor.fetchall() for move_id in move_ids}
    return [move for move in moves if move.pk in used]


# --- changing what received goods cost -------------------------------------------------------------


@dataclass
class Revaluation:
    """``amount`` (company currency, signed) added to the value of the incoming layer
    ``layer_id``, posted against ``account_id`` (a price difference, a landed cost clearing)."""

    layer_id: int
    account_id: int
    amount: Decimal


def layers_revalue(
    *, changes: list[Revaluation], on: date, organization, by, source: models.Model | None = None, description: str = ""
) -> Posted:
    """Change the value of incoming layers of goods that came in from outside (receipts, not
    transfers), as of ``on``: each scope is recomputed from the changed layer on, so what is
    still on hand of the layer is worth more (or less) and later issues cost that; the issues
    that took units of it already are re-costed, their difference posted against their own
    counterpart (cost of goods sold …) on ``on`` or their own later date. The layer's change is
    posted against the change's account (inventory ↔ account). One journal entry per date."""
    changes = [change for change in changes if change.amount]
    if not changes:
        return Posted()
    with transaction.atomic(savepoint=False):
        ids = sorted({change.layer_id for change in changes})
        keys = {(product_id, warehouse_id) for product_id, warehouse_id in valuation_layer_scopes(ids)}
        products = Product.objects.in_bulk({key[0] for key in keys})
        engine = valuation.Engine(places=currency_places(), trigger_date=on)
        engine.lock(keys, methods={pk: valuation.valuation_method(product) for pk, product in products.items()})
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(valuation._LAYER_COLUMNS)}, product_id, warehouse_id "  # noqa: S608
                "FROM inventory_valuationlayer WHERE id = ANY(%s)",
                [ids],
            )
            rows = cursor.fetchall()
        layers: dict[int, valuation.Layer] = {}
        for row in rows:
            key = (row[-2], row[-1])
            layer = engine.scope(key).adopt(valuation.Layer.from_row(row[:-2], key))
            if not layer.is_in or layer.is_void or layer.source_layer_id is not None:
                raise DomainError(_("Only the value of goods received (and not voided) can be changed."))
            layers[layer.id] = layer
        if len(layers) != len(ids):
            raise DomainError(_("The stock movement to revalue no longer exists."))
        for change in changes:
            layer = layers[change.layer_id]
            against = layer.revalued_against = layer.revalued_against or {}
            against[change.account_id] = against.get(change.account_id, ZERO) + change.amount
        for layer in layers.values():
            total = sum(layer.revalued_against.values(), ZERO)
            if layer.value + total < 0:
                raise DomainError(_("The goods received cannot be worth less than nothing."))
            layer.fixed_value = layer.value + total
            engine.schedule(layer.scope, layer.key)
        engine.settle()
        postings = engine.postings()
        engine.write()
        entries = valuation.post(postings, organization=organization, description=description, source=source, by=by)
        return Posted(entries=entries)


def valuation_layer_scopes(layer_ids: list[int]) -> list[tuple[int, int | None]]:
    return list(ValuationLayer.objects.filter(pk__in=layer_ids).values_list("product_id", "warehouse_id").distinct())


def receipt_layers(move_ids: list[int]) -> dict[int, list[tuple[int, Decimal]]]:
    """Per stock move, its incoming layers that are not voided: (layer id, quantity)."""
    found: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    rows = ValuationLayer.objects.filter(
        move_id__in=move_ids, direction=Direction.IN, is_void=False, source_layer__isnull=True
    ).order_by("move_id", "id")
    for move_id, layer_id, quantity in rows.values_list("move_id", "id", "quantity"):
        found[move_id].append((layer_id, quantity))
    return found


# --- reservations ---------------------------------------------------------------------------------


@dataclass
class ReservationRequest:
    product: Product
    location: Location
    lot: Lot | None
    quantity: Decimal
    line_id: int


_RESERVE = """
UPDATE inventory_quant SET reserved = reserved + %s, updated_at = now()
 WHERE product_id = %s AND location_id = %s AND {lot}
   AND (negative_allowed OR quantity - reserved >= %s)
RETURNING id
"""


def reserve(*, source: models.Model, requests: list[ReservationRequest]) -> list[Reservation]:
    """Hold stock for ``source``'s lines; ``InsufficientStock`` when it is not available."""
    if not requests:
        return []
    with transaction.atomic(savepoint=False):
        valuation.lock_scopes({scope_of(r.location, r.product.pk) for r in requests if r.location.holds_stock})
        negative = _negative_flags([request.location for request in requests])
        for request in requests:
            if not request.location.holds_stock:
                continue
            condition, params = _lot_condition(request.lot.pk if request.lot else None)
            with connection.cursor() as cursor:
                cursor.execute(
                    _RESERVE.format(lot=condition),
                    [request.quantity, request.product.pk, request.location.pk, *params, request.quantity],
                )
                done = cursor.fetchone()
            if done:
                continue
            if negative[request.location.pk]:
                with connection.cursor() as cursor:
                    cursor.execute(
                        _INCREASE, _increase_params(request.product.pk, request.location.pk, request.lot, ZERO, None)
                    )
                    cursor.execute(
                        _RESERVE.format(lot=condition),
                        [request.quantity, request.product.pk, request.location.pk, *params, request.quantity],
                    )
                continue
            _refuse_short(request.product, request.location, request.lot, request.quantity)
        content_type = ContentType.objects.get_for_model(source)
        return Reservation.objects.bulk_create(
            [
                Reservation(
                    product=request.product,
                    location=request.location,
                    lot=request.lot,
                    quantity=request.quantity,
                    source_type=content_type,
                    source_id=source.pk,
                    source_line_id=request.line_id,
                )
                for request in requests
                if request.location.holds_stock
            ]
        )


def release(*, source: models.Model) -> int:
    """Give back what ``source`` holds; returns how many reservations were released."""
    content_type = ContentType.objects.get_for_model(source)
    held = list(Reservation.objects.filter(source_type=content_type, source_id=source.pk).select_related("location"))
    if not held:
        return 0
    with transaction.atomic(savepoint=False):
        valuation.lock_scopes({scope_of(item.location, item.product_id) for item in held if item.location.holds_stock})
        for item in held:
            condition, params = _lot_condition(item.lot_id)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE inventory_quant SET reserved = reserved - %s, updated_at = now() "  # noqa: S608
                    f"WHERE product_id = %s AND location_id = %s AND {condition}",
                    [item.quantity, item.product_id, item.location_id, *params],
                )
        Reservation.objects.filter(pk__in=[item.pk for item in held]).delete()
    return len(held)

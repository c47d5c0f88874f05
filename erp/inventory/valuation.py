"""Valuation of stock per product and scope (a warehouse, or the transit location), FIFO or
moving average, and the journal entries that keep the inventory accounts equal to it.

The model: in each scope the incoming units are numbered in (date, move) order, and so are
the outgoing ones; the k-th unit out is the k-th unit in (first in, first out). A layer's
running totals ``total_in`` / ``total_out`` place it on that numbering, so:

- FIFO: an issue of units [a, b) costs what units [a, b) cost when they came in; the part of
  a receipt still on hand is its units the issues have not reached (``remaining_qty``).
- Moving average: an issue costs its share of the pool (quantity and value on hand) at that
  moment; the pool's state after each layer is kept on the layer.
- Negative stock (where the warehouse allows it): units issued beyond what came in are costed
  at an estimate (the last incoming unit cost, or the average) and, once goods arrive, at
  what the arriving units cost; the difference is posted then (``uncovered_qty`` until then).

Amounts are rounded to the company currency *cumulatively*: units [a, b) of a layer worth
``v`` for ``q`` units cost ``round(v·b/q) − round(v·a/q)``. The cost of any range therefore
does not depend on how it was split, and recomputing from any point gives exactly what
computing from the start would: that is what makes back-dating incremental. A movement dated
before later ones is inserted at its place; the scope is recomputed from there on (only the
layers after it, the receipts still on hand before it and the shortfalls open there are
read), each layer's value is compared with what was posted, and the differences are posted
(``ValuationEntry`` of kind adjustment, dated the affected movement's date, or the first
open day after it when its period is closed). A transfer passes its changed cost on to the
receiving scope, which is then recomputed from the transfer on; each step starts later
than the one before, so it ends.

An incoming layer's value may be changed later (a price difference on the vendor's bill, a
landed cost: ``erp.inventory.stock.layers_revalue``): the scope is recomputed from that layer
like for a back-dated movement, so the issues that took its units are re-costed (posted
against their own counterpart, e.g. cost of goods sold) and the units still on hand carry the
new cost into later issues.

Every change of a layer's value is a ``ValuationEntry`` with the inventory account and the
journal entry that posted it: inventory value at a date = the entries up to it = the balance
of the inventory accounts (``manage.py inventory_check_valuation``)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from erp.catalog.models import Product, ValuationMethod
from erp.core.exceptions import DomainError
from erp.finance.models import Period
from erp.finance.posting import PostingLine, post_entry
from erp.inventory.models import Direction, EntryKind, ProductValuation, ValuationEntry, ValuationLayer

ZERO = Decimal("0")
UNIT_PLACES = Decimal("0.000001")
Key = tuple[date, int]
ScopeKey = tuple[int, int | None]  # (product id, warehouse id or None for transit)


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(value, high))


@dataclass
class State:
    """A scope's running totals after a layer (or at its start)."""

    total_in: Decimal = ZERO
    total_out: Decimal = ZERO
    pool_qty: Decimal = ZERO
    pool_value: Decimal = ZERO
    last_in_cost: Decimal = ZERO
    last_key: Key | None = None


_LAYER_COLUMNS = (
    "id",
    "move_id",
    "date",
    "direction",
    "quantity",
    "unit_cost",
    "value",
    "source_layer_id",
    "account_id",
    "counterpart_account_id",
    "is_void",
    "total_in",
    "total_out",
    "pool_qty",
    "pool_value",
    "last_in_cost",
    "matched",
    "pool_cost",
    "remaining_qty",
    "uncovered_qty",
)
_RUNNING = ("total_in", "total_out", "pool_qty", "pool_value", "last_in_cost", "matched", "pool_cost")
_WRITTEN = (*_RUNNING, "unit_cost", "value", "remaining_qty", "uncovered_qty", "is_void")


@dataclass(eq=False)
class Layer:
    id: int
    move_id: int
    date: date
    direction: str
    quantity: Decimal
    account_id: int
    counterpart_account_id: int | None = None
    unit_cost: Decimal = ZERO
    value: Decimal = ZERO  # what its entries add up to (posted)
    source_layer_id: int | None = None
    is_void: bool = False
    total_in: Decimal = ZERO
    total_out: Decimal = ZERO
    pool_qty: Decimal = ZERO
    pool_value: Decimal = ZERO
    last_in_cost: Decimal = ZERO
    matched: Decimal = ZERO
    pool_cost: Decimal = ZERO
    remaining_qty: Decimal = ZERO
    uncovered_qty: Decimal = ZERO
    new: bool = False
    fixed_value: Decimal | None = None  # incoming: its value when it does not follow a source layer
    target: Decimal | None = None  # what its value should be (signed: in +, out −)
    entry_kind: str = EntryKind.ADJUSTMENT
    scope: ScopeKey | None = None
    original: tuple = ()
    # a revaluation (``erp.inventory.stock.layers_revalue``): the accounts its change is posted
    # against, with their amounts, instead of the counterpart account
    revalued_against: dict[int, Decimal] | None = None

    @classmethod
    def from_row(cls, row: tuple, scope: ScopeKey) -> Layer:
        layer = cls(**dict(zip(_LAYER_COLUMNS, row, strict=True)), scope=scope)
        layer.original = layer.snapshot()
        if layer.direction == Direction.IN and layer.source_layer_id is None:
            layer.fixed_value = layer.value
        return layer

    def snapshot(self) -> tuple:
        return tuple(getattr(self, name) for name in _WRITTEN)

    @property
    def key(self) -> Key:
        return (self.date, self.move_id)

    @property
    def is_in(self) -> bool:
        return self.direction == Direction.IN

    @property
    def in_start(self) -> Decimal:
        return self.total_in - self.quantity

    @property
    def out_start(self) -> Decimal:
        return self.total_out - self.quantity


class IncomingUnits:
    """The incoming layers of a scope placed on the unit numbering, to cost a range of units."""

    def __init__(self, places: Decimal) -> None:
        self.places = places
        self.starts: list[Decimal] = []
        self.layers: list[tuple[Decimal, Decimal, Decimal]] = []  # (start, quantity, value)

    def add(self, start: Decimal, quantity: Decimal, value: Decimal) -> None:
        if self.starts and start < self.starts[-1]:
            index = bisect.bisect_right(self.starts, start)
            self.starts.insert(index, start)
            self.layers.insert(index, (start, quantity, value))
        else:
            self.starts.append(start)
            self.layers.append((start, quantity, value))

    def portion(self, value: Decimal, quantity: Decimal, units: Decimal) -> Decimal:
        if units <= 0:
            return ZERO
        if units >= quantity:
            return value
        return (value * units / quantity).quantize(self.places, ROUND_HALF_UP)

    def cost(self, first: Decimal, end: Decimal) -> Decimal:
        """What incoming units [first, end) cost (the units no layer holds yet cost nothing here)."""
        if end <= first:
            return ZERO
        total = ZERO
        index = max(bisect.bisect_right(self.starts, first) - 1, 0)
        while index < len(self.layers):
            start, quantity, value = self.layers[index]
            if start >= end:
                break
            low, high = max(first, start) - start, min(end, start + quantity) - start
            if high > low:
                total += self.portion(value, quantity, high) - self.portion(value, quantity, low)
            index += 1
        return total


def _scope_condition(warehouse_id: int | None) -> tuple[str, list]:
    if warehouse_id is None:
        return "warehouse_id IS NULL", []
    return "warehouse_id = %s", [warehouse_id]


class Scope:
    """One product in one scope during a stock operation: the locked valuation row and the
    layers read so far (each read once; every later change goes to the same object)."""

    def __init__(self, engine: Engine, head: ProductValuation, method: str) -> None:
        self.engine = engine
        self.head = head
        self.key: ScopeKey = (head.product_id, head.warehouse_id)
        self.method = method
        self.layers: dict[int, Layer] = {}
        self.window: list[Layer] = []  # the non-void layers from ``window_start`` on, in order
        self.window_start: Key | None = None  # None: only layers after the last posted one
        self.head_key: Key | None = (head.last_date, head.last_move_id) if head.last_date else None
        self.before = State(
            total_in=head.total_in,
            total_out=head.total_out,
            pool_qty=head.pool_qty,
            pool_value=head.pool_value,
            last_in_cost=head.last_in_cost,
            last_key=self.head_key,
        )
        self.after: State | None = None
        self.voided: list[Layer] = []  # new reversal layers of voided movements
        self.new_in_dates: list[date] = []
        self.new_out_dates: list[date] = []

    # --- reading ------------------------------------------------------------------------------
    def _select(self, where: str, params: list, order: str = "date, move_id", limit: int | None = None) -> list[Layer]:
        condition, scope_params = _scope_condition(self.key[1])
        statement = (
            f"SELECT {', '.join(_LAYER_COLUMNS)} FROM inventory_valuationlayer "  # noqa: S608 (fixed fragments)
            f"WHERE product_id = %s AND {condition} AND {where} ORDER BY {order}"
        )
        if limit is not None:
            statement += f" LIMIT {int(limit)}"
        with connection.cursor() as cursor:
            cursor.execute(statement, [self.key[0], *scope_params, *params])
            rows = cursor.fetchall()
        found = []
        for row in rows:
            layer = self.layers.get(row[0])
            if layer is None:
                layer = self.layers[row[0]] = Layer.from_row(row, self.key)
            found.append(layer)
        return found

    def adopt(self, layer: Layer) -> Layer:
        """The object for this layer (one per layer and operation)."""
        return self.layers.setdefault(layer.id, layer)

    def ensure_window(self, start: Key) -> None:
        """Hold every non-void layer from ``start`` on in ``self.window``."""
        if self.window_start is None:
            if self.head_key is None or start > self.head_key:
                return
            loaded = self._select("NOT is_void AND (date, move_id) >= (%s, %s)", list(start))
        elif start < self.window_start:
            loaded = self._select(
                "NOT is_void AND (date, move_id) >= (%s, %s) AND (date, move_id) < (%s, %s)",
                [*start, *self.window_start],
            )
        else:
            return
        keep = [layer for layer in self.window if layer.key >= start and not layer.is_void]
        self.window = sorted({id(layer): layer for layer in [*loaded, *keep]}.values(), key=lambda layer: layer.key)
        self.window_start = start
        self.before = self._state_before(start)

    def _state_before(self, start: Key) -> State:
        previous = self._select("NOT is_void AND (date, move_id) < (%s, %s)", list(start), "date DESC, move_id DESC", 1)
        if not previous:
            return State()
        layer = previous[0]
        original = dict(zip(_WRITTEN, layer.original, strict=True))
        return State(
            total_in=original["total_in"],
            total_out=original["total_out"],
            pool_qty=original["pool_qty"],
            pool_value=original["pool_value"],
            last_in_cost=original["last_in_cost"],
            last_key=layer.key,
        )

    def _before_window(self) -> tuple[str, list]:
        if self.window_start is None:
            return "TRUE", []
        return "(date, move_id) < (%s, %s)", list(self.window_start)

    def _prior(self) -> tuple[list[Layer], list[Layer]]:
        """Layers before the window that the window can change: the issues still short at its
        start and the receipts whose units the window's issues (or those shortfalls) reach."""
        before = self.before
        bound, params = self._before_window()
        window_out = sum((layer.quantity for layer in self.window if not layer.is_in), ZERO)
        prior_out: list[Layer] = []
        if before.total_out > before.total_in:
            prior_out = self._select(
                f"direction = 'out' AND NOT is_void AND total_out > %s AND {bound}",
                [before.total_in, *params],
                order="total_out",
            )
        if not window_out and not prior_out:
            return [], prior_out
        first = min([before.total_out, *(layer.out_start + layer.matched for layer in prior_out)])
        end = max(before.total_out + window_out, self.head.total_out)
        prior_in = self._select(
            f"direction = 'in' AND NOT is_void AND total_in > %s AND total_in - quantity < %s AND {bound}",
            [first, end, *params],
            order="total_in",
        )
        return prior_in, prior_out

    # --- the computation ------------------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        layer.scope = self.key
        self.layers[layer.id] = layer
        (self.new_in_dates if layer.is_in else self.new_out_dates).append(layer.date)
        if self.window_start is None and (self.head_key is None or layer.key > self.head_key):
            self.window.append(layer)
            self.window.sort(key=lambda item: item.key)
        else:
            self.ensure_window(layer.key)
            self.window.append(layer)
            self.window.sort(key=lambda item: item.key)

    def void(self, layer: Layer, reversal: Layer) -> None:
        """Take ``layer`` out of the sequence; ``reversal`` (new) takes its value back."""
        self.ensure_window(layer.key)
        layer.is_void = True
        self.window = [item for item in self.window if item is not layer]
        reversal.scope = self.key
        reversal.is_void = True
        reversal.target = -layer.value
        reversal.entry_kind = EntryKind.VOID
        self.layers[reversal.id] = reversal
        self.voided.append(reversal)

    def incoming_value(self, layer: Layer) -> Decimal:
        if layer.fixed_value is not None:
            return layer.fixed_value
        return self.engine.source_cost(layer)

    def run(self) -> None:
        engine = self.engine
        places = engine.places
        prior_in, prior_out = self._prior()
        units = IncomingUnits(places)
        for layer in prior_in:
            units.add(
                layer.in_start, layer.quantity, layer.fixed_value if layer.fixed_value is not None else layer.value
            )
        state = State(**vars(self.before))
        average = self.method == ValuationMethod.AVERAGE
        for layer in self.window:
            quantity = layer.quantity
            if layer.is_in:
                value = self.incoming_value(layer)
                layer.target = value
                start = state.total_in
                state.total_in += quantity
                cover = clamp(state.total_out - start, ZERO, quantity)
                state.pool_qty += quantity - cover
                state.pool_value += value - units.portion(value, quantity, cover)
                state.last_in_cost = (value / quantity).quantize(UNIT_PLACES, ROUND_HALF_UP)
                layer.unit_cost = state.last_in_cost
                units.add(start, quantity, value)
            else:
                start = state.total_out
                state.total_out += quantity
                matched = clamp(state.total_in - start, ZERO, quantity)
                if average and state.pool_qty > 0:
                    estimate = (state.pool_value / state.pool_qty).quantize(UNIT_PLACES, ROUND_HALF_UP)
                else:
                    estimate = state.last_in_cost
                if not matched:
                    pool_cost = ZERO
                elif average:
                    pool_cost = (
                        state.pool_value
                        if matched >= state.pool_qty
                        else (matched * state.pool_value / state.pool_qty).quantize(places, ROUND_HALF_UP)
                    )
                else:
                    pool_cost = units.cost(start, start + matched)
                state.pool_qty -= matched
                state.pool_value -= pool_cost
                layer.matched, layer.pool_cost, layer.unit_cost = matched, pool_cost, estimate
            layer.total_in, layer.total_out = state.total_in, state.total_out
            layer.pool_qty, layer.pool_value, layer.last_in_cost = state.pool_qty, state.pool_value, state.last_in_cost
            state.last_key = layer.key
        self.after = state
        for layer in [*prior_out, *(item for item in self.window if not item.is_in)]:
            quantity, start = layer.quantity, layer.out_start
            covered = max(layer.matched, clamp(state.total_in - start, ZERO, quantity))
            estimate = layer.unit_cost
            shortfall = (quantity * estimate).quantize(places, ROUND_HALF_UP) - (covered * estimate).quantize(
                places, ROUND_HALF_UP
            )
            cost = layer.pool_cost + units.cost(start + layer.matched, start + covered) + shortfall
            layer.target = -cost
            layer.uncovered_qty = quantity - covered
            engine.out_settled(layer)
        for layer in [*prior_in, *(item for item in self.window if item.is_in)]:
            layer.remaining_qty = clamp(layer.total_in - max(layer.in_start, state.total_out), ZERO, layer.quantity)

    # --- results ----------------------------------------------------------------------------------
    def changed_layers(self) -> list[Layer]:
        return [layer for layer in self.layers.values() if layer.new or layer.snapshot() != layer.original]

    def deltas(self) -> list[tuple[Layer, Decimal]]:
        found = []
        for layer in self.layers.values():
            if layer.target is None:
                continue
            delta = layer.target - (ZERO if layer.new else layer.value)
            if delta or (layer.new and layer.entry_kind == EntryKind.MOVE):
                found.append((layer, delta))
        return found


def lock_scopes(keys: set[ScopeKey]) -> list[ProductValuation]:
    """Lock the valuation rows of ``keys`` (creating missing ones), always in (product,
    warehouse) order with the transit scope first: every stock operation locks this way
    before it touches quants, so concurrent operations wait for each other, never deadlock."""
    wanted = sorted(keys, key=lambda key: (key[0], -1 if key[1] is None else key[1]))
    if not wanted:
        return []
    heads = _select_for_update(wanted)
    if len(heads) < len(wanted):  # the first movement of a product in a scope
        ProductValuation.objects.bulk_create(
            [ProductValuation(product_id=product_id, warehouse_id=warehouse_id) for product_id, warehouse_id in wanted],
            ignore_conflicts=True,
        )
        heads = _select_for_update(wanted)
    return heads


def _select_for_update(wanted: list[ScopeKey]) -> list[ProductValuation]:
    condition = " OR ".join(
        "(product_id = %s AND warehouse_id IS NULL)"
        if warehouse_id is None
        else "(product_id = %s AND warehouse_id = %s)"
        for _product, warehouse_id in wanted
    )
    params = [value for product_id, warehouse_id in wanted for value in (product_id, warehouse_id) if value is not None]
    return list(
        ProductValuation.objects.raw(
            f"SELECT * FROM inventory_productvaluation WHERE {condition} "  # noqa: S608 (fixed fragments)
            "ORDER BY product_id, warehouse_id NULLS FIRST FOR UPDATE",
            params,
        )
    )


@dataclass
class Posting:
    """What one stock operation posts on one date."""

    lines: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))  # account → debit − credit
    entries: list[ValuationEntry] = field(default_factory=list)


class Engine:
    """Values one stock operation: lock the scopes, add/void layers, settle, write and post."""

    def __init__(self, *, places: int, trigger_date: date) -> None:
        self.places = Decimal(1).scaleb(-places)
        self.trigger_date = trigger_date
        self.scopes: dict[ScopeKey, Scope] = {}
        self.pending: dict[ScopeKey, Key] = {}
        self.by_id: dict[int, Layer] = {}
        self.dependents: dict[int, list[Layer]] = defaultdict(list)  # out layer id → incoming layers it feeds
        self.propagated: dict[int, Decimal] = {}
        self.methods: dict[int, str] = {}
        self._period_cache: list[tuple[date, date, bool]] | None = None

    # --- scopes ---------------------------------------------------------------------------------------
    def lock(self, keys: set[ScopeKey], *, methods: dict[int, str]) -> None:
        """Lock (creating them first) the valuation rows of ``keys``."""
        self.methods.update(methods)
        for head in lock_scopes(set(keys) - set(self.scopes)):
            key = (head.product_id, head.warehouse_id)
            self.scopes[key] = Scope(self, head, self.methods[head.product_id])

    def scope(self, key: ScopeKey) -> Scope:
        if key not in self.scopes:
            product_id = key[0]
            if product_id not in self.methods:
                self.methods[product_id] = valuation_method(Product.objects.get(pk=product_id))
            self.lock({key}, methods={})
        return self.scopes[key]

    def schedule(self, key: ScopeKey, start: Key) -> None:
        current = self.pending.get(key)
        self.pending[key] = start if current is None else min(current, start)

    # --- layers -----------------------------------------------------------------------------------------
    def add(self, layer: Layer, scope: ScopeKey, *, source: Layer | None = None) -> Layer:
        layer.new = True
        layer.entry_kind = EntryKind.MOVE
        if source is not None:
            layer.source_layer_id = source.id
            self.dependents[source.id].append(layer)
        self.by_id[layer.id] = layer
        self.scope(scope).add(layer)
        self.schedule(scope, layer.key)
        return layer

    def void(self, *, layer_rows: list[tuple], reversal_ids: dict[int, int], reversal_move_id: int) -> list[Layer]:
        """Void the layers of one movement: each gets a new void layer taking its value back."""
        reversals = []
        for row, scope_key in layer_rows:
            scope = self.scope(scope_key)
            layer = scope.adopt(Layer.from_row(row, scope_key))
            reversal = Layer(
                id=reversal_ids[layer.id],
                move_id=reversal_move_id,
                date=layer.date,
                direction=Direction.OUT if layer.is_in else Direction.IN,
                quantity=layer.quantity,
                account_id=layer.account_id,
                counterpart_account_id=layer.counterpart_account_id,
                unit_cost=layer.unit_cost,
                new=True,
            )
            scope.void(layer, reversal)
            self.schedule(scope_key, layer.key)
            reversals.append(reversal)
        return reversals

    def source_cost(self, layer: Layer) -> Decimal:
        """The value of an incoming layer that follows another scope's outgoing layer."""
        source = self.by_id.get(layer.source_layer_id)
        if source is None:
            return layer.value
        if source.target is not None:
            return -source.target
        estimate = self.scopes[source.scope].head
        unit = estimate.value / estimate.quantity if estimate.quantity > 0 else estimate.last_in_cost
        return (layer.quantity * unit).quantize(self.places, ROUND_HALF_UP)

    def out_settled(self, layer: Layer) -> None:
        """An outgoing layer's cost is known: pass a change on to the layers it feeds."""
        self.by_id.setdefault(layer.id, layer)
        if layer.counterpart_account_id is not None or layer.is_void:
            return
        previous = self.propagated.get(layer.id, None if layer.new else layer.value)
        self.propagated[layer.id] = layer.target
        if previous == layer.target:
            return
        if not layer.new and layer.id not in self.dependents:
            self._load_dependents([layer])
        for dependent in self.dependents.get(layer.id, []):
            if dependent.is_void:
                continue
            if dependent.target != -layer.target:
                self.schedule(dependent.scope, dependent.key)

    def _load_dependents(self, sources: list[Layer]) -> None:
        ids = [source.id for source in sources]
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(_LAYER_COLUMNS)}, product_id, warehouse_id "  # noqa: S608 (fixed fragments)
                "FROM inventory_valuationlayer WHERE source_layer_id = ANY(%s)",
                [ids],
            )
            rows = cursor.fetchall()
        for row in rows:
            scope_key = (row[-2], row[-1])
            scope = self.scope(scope_key)
            layer = scope.adopt(Layer.from_row(row[:-2], scope_key))
            self.by_id[layer.id] = layer
            self.dependents[layer.source_layer_id].append(layer)

    def settle(self) -> None:
        """Recompute each scope from its earliest change until nothing changes any more."""
        while self.pending:
            key, start = min(self.pending.items(), key=lambda item: (item[1], self._out_first(item[0], item[1])))
            del self.pending[key]
            scope = self.scopes[key]
            scope.ensure_window(start)
            scope.run()

    def _out_first(self, key: ScopeKey, start: Key) -> int:
        """At the same place, the scope a transfer leaves goes before the one it enters."""
        layer = next((item for item in self.scopes[key].window if item.key == start), None)
        return 0 if layer is None or not layer.is_in else 1

    # --- dates ------------------------------------------------------------------------------------------
    def posting_date(self, day: date) -> date:
        """``day`` if its period is open, else the first day of the next open period."""
        if self._period_cache is None:
            self._period_cache = list(
                Period.objects.order_by("start_date").values_list("start_date", "end_date", "status")
            )
        for start, end, status in self._period_cache:
            if end < day:
                continue
            if status == Period.Status.OPEN:
                return max(start, day)
        raise DomainError(
            _("No open accounting period on or after %(date)s to post the cost difference in.")
            % {"date": date_format(day, "SHORT_DATE_FORMAT")}
        )

    # --- writing ----------------------------------------------------------------------------------------
    def postings(self) -> dict[date, Posting]:
        """The valuation entries and journal amounts of every change, by posting date."""
        by_date: dict[date, Posting] = defaultdict(Posting)
        for scope in self.scopes.values():
            for layer, delta in scope.deltas():
                if layer.entry_kind == EntryKind.ADJUSTMENT:
                    day = self.posting_date(max(layer.date, self.trigger_date))
                else:
                    day = layer.date
                posting = by_date[day]
                posting.entries.append(
                    ValuationEntry(
                        layer_id=layer.id,
                        product_id=scope.key[0],
                        warehouse_id=scope.key[1],
                        date=day,
                        quantity=ZERO
                        if layer.entry_kind == EntryKind.ADJUSTMENT
                        else (layer.quantity if layer.is_in else -layer.quantity),
                        value=delta,
                        account_id=layer.account_id,
                        kind=layer.entry_kind,
                    )
                )
                if delta:
                    posting.lines[layer.account_id] += delta
                    if layer.revalued_against:
                        for account_id, amount in layer.revalued_against.items():
                            posting.lines[account_id] -= amount
                    elif layer.counterpart_account_id is not None:
                        posting.lines[layer.counterpart_account_id] -= delta
        return by_date

    def write(self) -> None:
        """Store the layers (new and changed) and the scopes' valuation rows."""
        new: list[ValuationLayer] = []
        updates: list[tuple] = []
        for scope in self.scopes.values():
            self._write_head(scope)
            for layer in scope.layers.values():
                if layer.target is not None:
                    layer.value = layer.target
                if layer.new:
                    new.append(_model(layer, scope.key))
                elif layer.snapshot() != layer.original:
                    updates.append((layer.id, *layer.snapshot()))
        if new:
            ValuationLayer.objects.bulk_create(new, batch_size=2000)
        if updates:
            _update_layers(updates)

    def _write_head(self, scope: Scope) -> None:
        head = scope.head
        delta = sum(
            (
                layer.target - (ZERO if layer.new else layer.value)
                for layer in scope.layers.values()
                if layer.target is not None
            ),
            ZERO,
        )
        state = scope.after
        if state is None:
            return
        if scope.window:
            last = scope.window[-1]
            head.last_date, head.last_move_id = last.key
        elif state.last_key is not None:
            head.last_date, head.last_move_id = state.last_key
        else:
            head.last_date = head.last_move_id = None
        head.total_in, head.total_out = state.total_in, state.total_out
        head.pool_qty, head.pool_value, head.last_in_cost = state.pool_qty, state.pool_value, state.last_in_cost
        head.quantity = state.total_in - state.total_out
        head.value += delta
        if scope.new_in_dates:
            head.last_in_date = max([*scope.new_in_dates, *([head.last_in_date] if head.last_in_date else [])])
        if scope.new_out_dates:
            head.last_out_date = max([*scope.new_out_dates, *([head.last_out_date] if head.last_out_date else [])])
        head.save(
            update_fields=[
                "quantity",
                "value",
                "total_in",
                "total_out",
                "pool_qty",
                "pool_value",
                "last_in_cost",
                "last_date",
                "last_move_id",
                "last_in_date",
                "last_out_date",
            ]
        )


def _model(layer: Layer, scope: ScopeKey) -> ValuationLayer:
    return ValuationLayer(
        id=layer.id,
        move_id=layer.move_id,
        product_id=scope[0],
        warehouse_id=scope[1],
        date=layer.date,
        direction=layer.direction,
        quantity=layer.quantity,
        unit_cost=layer.unit_cost,
        value=layer.value,
        source_layer_id=layer.source_layer_id,
        account_id=layer.account_id,
        counterpart_account_id=layer.counterpart_account_id,
        is_void=layer.is_void,
        total_in=layer.total_in,
        total_out=layer.total_out,
        pool_qty=layer.pool_qty,
        pool_value=layer.pool_value,
        last_in_cost=layer.last_in_cost,
        matched=layer.matched,
        pool_cost=layer.pool_cost,
        remaining_qty=layer.remaining_qty,
        uncovered_qty=layer.uncovered_qty,
    )


def _update_layers(rows: list[tuple]) -> None:
    """One UPDATE … FROM (VALUES …) per 1000 changed layers."""
    columns = ", ".join(_WRITTEN)
    assignments = ", ".join(f"{name} = v.{name}" for name in _WRITTEN)
    types = ["bigint", *(["numeric"] * (len(_WRITTEN) - 1)), "boolean"]
    for offset in range(0, len(rows), 1000):
        chunk = rows[offset : offset + 1000]
        placeholder = "(" + ", ".join(f"%s::{kind}" for kind in types) + ")"
        values = ", ".join([placeholder] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE inventory_valuationlayer AS l SET {assignments} "  # noqa: S608 (fixed fragments)
                f"FROM (VALUES {values}) AS v(id, {columns}) WHERE l.id = v.id",
                [value for row in chunk for value in row],
            )


def valuation_method(product: Product) -> str:
    from erp.catalog.selectors import valuation_method_for

    return valuation_method_for(product)


def post(postings: dict[date, Posting], *, organization, description: str, source, by, extra: dict | None = None):
    """Post one journal entry per date and store the valuation entries with it."""
    entries: list[ValuationEntry] = []
    for day, posting in sorted(postings.items()):
        lines = dict(posting.lines)
        for account_id, amount in (extra or {}).get(day, {}).items():
            lines[account_id] = lines.get(account_id, ZERO) + amount
        posting_lines = [
            PostingLine(account=account_id, debit=amount)
            if amount > 0
            else PostingLine(account=account_id, credit=-amount)
            for account_id, amount in sorted(lines.items())
            if amount
        ]
        journal = None
        if posting_lines:
            journal = post_entry(
                lines=posting_lines, on=day, organization=organization, description=description, source=source, by=by
            )
        for entry in posting.entries:
            entry.journal_entry = journal
            entries.append(entry)
    ValuationEntry.objects.bulk_create(entries, batch_size=2000)
    return entries

"""The stock ledger and its valuation.

- ``StockMove``: one movement of a quantity (in the product's base unit) of a product, and lot
  or serial number, from one location to another on a date. Append-only: PostgreSQL refuses
  UPDATE, DELETE and TRUNCATE (migration 0002). A move is undone by a reversing move.
- ``Quant``: what is on hand per (product, location, lot), changed in the transaction that
  writes the move. ``quantity >= 0`` is a CHECK constraint unless the warehouse allows negative
  stock (``negative_allowed`` is copied from it); ``reserved`` is held by open outgoing documents.
- ``ProductValuation``: one row per product and *valuation scope* (a warehouse, or the
  transit location: ``warehouse`` empty). Valuation runs per scope; its row is locked first by
  every stock operation on the product there, so operations on one product and warehouse run
  one after the other and never deadlock on quants.
- ``ValuationLayer``: what one move did to one scope (in or out, quantity, value), with the
  scope's running totals after it (see ``erp.inventory.valuation``). Its value is brought up to
  date when an earlier movement is recorded later (back-dating).
- ``ValuationEntry``: every change of a layer's value, dated, with the inventory account and the
  journal entry that posted it; append-only. The value of stock at any date is the sum of the
  entries up to that date, and equals the inventory accounts' balances
  (``manage.py inventory_check_valuation``)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.core.models import AuditedModel, LiveManager, LiveQuerySet, Organization

QUANTITY = {"max_digits": 18, "decimal_places": 6}
PRICE = {"max_digits": 18, "decimal_places": 6}
MONEY = {"max_digits": 18, "decimal_places": 4}
ZERO = Decimal("0")


class Lot(models.Model):
    """A lot or serial number of a product. A serial number names one unit: at most one is ever
    on hand (``erp.inventory.stock`` checks it under the product's valuation lock)."""

    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="lots"
    )
    name = models.CharField(_("lot / serial number"), max_length=100)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lot / serial number")
        verbose_name_plural = _("lots / serial numbers")
        ordering = ["product", "name"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="inventory_lot_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="inventory_lot_name_not_empty"),
        ]
        indexes = [models.Index(fields=["name"], name="inventory_lot_name_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("inventory:lot-detail", args=[self.pk])


class Quant(models.Model):
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    location = models.ForeignKey(
        "inventory.Location", verbose_name=_("location"), on_delete=models.PROTECT, related_name="quants"
    )
    lot = models.ForeignKey(
        Lot, verbose_name=_("lot / serial number"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("on hand"), default=ZERO, **QUANTITY)
    reserved = models.DecimalField(_("reserved"), default=ZERO, **QUANTITY)
    negative_allowed = models.BooleanField(_("negative allowed"), default=False)
    # The valuation row of the quant's scope (its unit cost values the quant).
    valuation = models.ForeignKey(
        "inventory.ProductValuation", null=True, blank=True, on_delete=models.PROTECT, related_name="quants"
    )
    in_date = models.DateField(_("last receipt"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("quant")
        verbose_name_plural = _("quants")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "location", "lot"], nulls_distinct=False, name="inventory_quant_key"
            ),
            models.CheckConstraint(
                condition=Q(negative_allowed=True) | Q(quantity__gte=0), name="inventory_quant_not_negative"
            ),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="inventory_quant_reserved_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}: {self.quantity}"

    @property
    def available(self) -> Decimal:
        return self.quantity - self.reserved


class MoveKind(models.TextChoices):
    NORMAL = "normal", _("Movement")
    VOID = "void", _("Void (undoes a movement on its date)")
    RETURN = "return", _("Return (reverses a movement later)")


class StockMove(models.Model):
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    from_location = models.ForeignKey(
        "inventory.Location", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_location = models.ForeignKey(
        "inventory.Location", verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        Lot,
        verbose_name=_("lot / serial number"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="moves",
    )
    date = models.DateField(_("date"))
    unit_cost = models.DecimalField(_("unit cost"), default=ZERO, **PRICE)
    value = models.DecimalField(_("value"), default=ZERO, **MONEY)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("source type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)
    source_line_id = models.BigIntegerField(_("source line"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=MoveKind.choices, default=MoveKind.NORMAL)
    origin = models.ForeignKey(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_stockmove_quantity_positive"),
            models.CheckConstraint(
                condition=~Q(from_location=models.F("to_location")), name="inventory_stockmove_two_locations"
            ),
            models.CheckConstraint(condition=Q(kind__in=MoveKind.values), name="inventory_stockmove_kind_valid"),
            models.CheckConstraint(
                condition=Q(kind=MoveKind.NORMAL) | Q(origin__isnull=False), name="inventory_stockmove_origin_set"
            ),
            # A movement is voided at most once.
            models.UniqueConstraint(
                fields=["origin"], condition=Q(kind=MoveKind.VOID), name="inventory_stockmove_voided_once"
            ),
        ]
        indexes = [
            models.Index(fields=["product", "date", "id"], name="inventory_move_product_idx"),
            models.Index(fields=["source_type", "source_id"], name="inventory_move_source_idx"),
            models.Index(fields=["date", "id"], name="inventory_move_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference or self.pk}: {self.quantity} × {self.product_id}"


class Reservation(models.Model):
    """Stock held for an open outgoing document's line: counted in ``Quant.reserved``."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", db_index=False)
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+", db_index=False)
    lot = models.ForeignKey(Lot, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    source_id = models.BigIntegerField()
    source_line_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_reservation_quantity_positive"),
        ]
        indexes = [models.Index(fields=["source_type", "source_id"], name="inventory_reserve_source_idx")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}@{self.location_id}"


class ProductValuation(models.Model):
    """The valuation of one product in one scope now: quantity and value (the sums of its
    layers) and the running totals the next movement starts from."""

    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", db_index=False)
    warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    quantity = models.DecimalField(_("quantity"), default=ZERO, **QUANTITY)
    value = models.DecimalField(_("value"), default=ZERO, **MONEY)
    total_in = models.DecimalField(default=ZERO, max_digits=24, decimal_places=6)
    total_out = models.DecimalField(default=ZERO, max_digits=24, decimal_places=6)
    pool_qty = models.DecimalField(default=ZERO, **QUANTITY)
    pool_value = models.DecimalField(default=ZERO, **MONEY)
    last_in_cost = models.DecimalField(default=ZERO, **PRICE)
    last_date = models.DateField(null=True, blank=True)
    last_move_id = models.BigIntegerField(null=True, blank=True)
    last_in_date = models.DateField(_("last receipt"), null=True, blank=True)
    last_out_date = models.DateField(_("last issue"), null=True, blank=True)

    class Meta:
        verbose_name = _("product valuation")
        verbose_name_plural = _("product valuations")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"], nulls_distinct=False, name="inventory_productvaluation_scope"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.warehouse_id}: {self.quantity} = {self.value}"

    @property
    def unit_cost(self) -> Decimal:
        return self.value / self.quantity if self.quantity > 0 else self.last_in_cost


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class ValuationLayer(models.Model):
    """A move's effect on one valuation scope. The running fields (``total_in`` … ``last_in_cost``)
    hold the scope's state after this layer in (date, move) order, leaving voided layers out."""

    move = models.ForeignKey(StockMove, on_delete=models.PROTECT, related_name="layers", db_index=False)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", db_index=False)
    warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    date = models.DateField(_("date"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_cost = models.DecimalField(_("unit cost"), default=ZERO, **PRICE)
    value = models.DecimalField(_("value"), default=ZERO, **MONEY)
    # An incoming layer whose value follows another scope's outgoing layer (a transfer).
    source_layer = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    account = models.ForeignKey("finance.Account", on_delete=models.PROTECT, related_name="+", db_index=False)
    counterpart_account = models.ForeignKey(
        "finance.Account", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    is_void = models.BooleanField(default=False)
    total_in = models.DecimalField(default=ZERO, max_digits=24, decimal_places=6)
    total_out = models.DecimalField(default=ZERO, max_digits=24, decimal_places=6)
    pool_qty = models.DecimalField(default=ZERO, **QUANTITY)
    pool_value = models.DecimalField(default=ZERO, **MONEY)
    last_in_cost = models.DecimalField(default=ZERO, **PRICE)
    matched = models.DecimalField(default=ZERO, **QUANTITY)  # out: units the scope had when it left
    pool_cost = models.DecimalField(default=ZERO, **MONEY)  # out, moving average: their cost
    remaining_qty = models.DecimalField(default=ZERO, **QUANTITY)  # in: units not issued yet
    uncovered_qty = models.DecimalField(default=ZERO, **QUANTITY)  # out: units not received yet

    class Meta:
        verbose_name = _("valuation layer")
        verbose_name_plural = _("valuation layers")
        constraints = [
            models.UniqueConstraint(
                fields=["move", "warehouse"], nulls_distinct=False, name="inventory_valuationlayer_move_scope"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_valuationlayer_quantity_positive"),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="inventory_valuationlayer_direction_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["product", "warehouse", "date", "move"], name="inventory_layer_order_idx"),
            models.Index(
                fields=["product", "warehouse", "total_in"],
                condition=Q(direction="in", is_void=False),
                name="inventory_layer_in_idx",
            ),
            models.Index(
                fields=["product", "warehouse", "total_out"],
                condition=Q(direction="out", is_void=False),
                name="inventory_layer_out_idx",
            ),
            models.Index(
                fields=["source_layer"], condition=Q(source_layer__isnull=False), name="inventory_layer_source_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.quantity} × {self.product_id} = {self.value}"


class EntryKind(models.TextChoices):
    MOVE = "move", _("Movement")
    ADJUSTMENT = "adjustment", _("Cost adjustment")
    VOID = "void", _("Void")


class ValuationEntry(models.Model):
    layer = models.ForeignKey(ValuationLayer, on_delete=models.PROTECT, related_name="entries")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+", db_index=False)
    warehouse = models.ForeignKey(
        "inventory.Warehouse", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    date = models.DateField(_("date"))
    quantity = models.DecimalField(_("quantity"), default=ZERO, **QUANTITY)
    value = models.DecimalField(_("value"), **MONEY)
    account = models.ForeignKey("finance.Account", on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    journal_entry = models.ForeignKey(
        "finance.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("valuation entry")
        verbose_name_plural = _("valuation entries")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="inventory_valuationentry_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["date", "product", "warehouse"], name="inventory_entry_date_idx"),
            models.Index(fields=["account", "date"], name="inventory_entry_account_idx"),
            models.Index(fields=["journal_entry"], name="inventory_entry_journal_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.value}"


class ReorderRuleQuerySet(LiveQuerySet):
    def for_user(self, user) -> ReorderRuleQuerySet:
        from erp.core.access import organization_ids_for

        return self.filter(warehouse__organization_id__in=organization_ids_for(user))


class ReorderRule(AuditedModel):
    """Keep between ``min_quantity`` and ``max_quantity`` of a product (base unit) in a warehouse."""

    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="reorder_rules"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="reorder_rules"
    )
    min_quantity = models.DecimalField(_("minimum"), **QUANTITY)
    max_quantity = models.DecimalField(_("maximum"), **QUANTITY)
    multiple = models.DecimalField(
        _("order in multiples of"), default=Decimal("1"), help_text=_("E.g. 12 to order whole boxes."), **QUANTITY
    )

    objects = LiveManager.from_queryset(ReorderRuleQuerySet)()

    class Meta:
        verbose_name = _("reorder rule")
        verbose_name_plural = _("reorder rules")
        ordering = ["warehouse", "product"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"],
                condition=Q(deleted_at__isnull=True),
                name="inventory_reorderrule_unique",
            ),
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="inventory_reorderrule_min_not_negative"),
            models.CheckConstraint(
                condition=Q(max_quantity__gte=models.F("min_quantity")), name="inventory_reorderrule_max_above_min"
            ),
            models.CheckConstraint(condition=Q(multiple__gt=0), name="inventory_reorderrule_multiple_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} @ {self.warehouse}"

    def get_absolute_url(self) -> str:
        return reverse("inventory:reorderrule-update", args=[self.pk])

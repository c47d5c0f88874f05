"""django-tables2 tables of the inventory lists and reports (also their CSV/Excel exports)."""

from __future__ import annotations

from decimal import Decimal

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from erp.inventory import selectors
from erp.inventory.models import Location, Lot, ProductValuation, Quant, ReorderRule, StockMove, Warehouse
from erp.inventory.templatetags.inventory import money, quantity

NUMERIC = {"td": {"class": "numeric"}, "th": {"class": "numeric"}}
ZERO = Decimal("0")


class QuantityColumn(tables.Column):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("attrs", NUMERIC)
        super().__init__(*args, **kwargs)

    def render(self, value) -> str:
        return quantity(value)

    def value(self, value):
        return value


class MoneyColumn(QuantityColumn):
    def render(self, value) -> str:
        return money(Decimal(value).quantize(Decimal("0.01")) if value is not None else ZERO)


class WarehouseTable(tables.Table):
    code = tables.Column(verbose_name=_("Code"), linkify=True)
    name = tables.Column(verbose_name=_("Name"))
    organization = tables.Column(verbose_name=_("Organization"), accessor="organization__name")
    allow_negative_stock = tables.BooleanColumn(verbose_name=_("Negative stock"))
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = Warehouse
        fields = ("code", "name", "organization", "allow_negative_stock", "is_active")
        order_by = ("code",)
        empty_text = _("No warehouses yet: create the first one.")


class LocationTable(tables.Table):
    full_name = tables.Column(verbose_name=_("Location"), linkify=True)
    code = tables.Column(verbose_name=_("Code"))
    location_type = tables.Column(verbose_name=_("Type"))
    warehouse = tables.Column(verbose_name=_("Warehouse"), accessor="warehouse__code", default="—")
    account = tables.Column(verbose_name=_("Account"), accessor="account__code", default="—")
    is_active = tables.BooleanColumn(verbose_name=_("Active"))

    class Meta:
        model = Location
        fields = ("full_name", "code", "location_type", "warehouse", "account", "is_active")
        order_by = ("full_name",)
        empty_text = _("No locations match.")


class LotTable(tables.Table):
    name = tables.Column(verbose_name=_("Lot / serial number"), linkify=True)
    product = tables.Column(verbose_name=_("Product"), accessor="product__sku")
    product_name = tables.Column(verbose_name=_("Name"), accessor="product__name")
    expiry_date = tables.DateColumn(verbose_name=_("Expires"), default="—")
    on_hand = QuantityColumn(verbose_name=_("On hand"))
    created_at = tables.DateColumn(verbose_name=_("Created"))

    class Meta:
        model = Lot
        fields = ("name", "product", "product_name", "expiry_date", "on_hand", "created_at")
        order_by = ("-created_at",)
        empty_text = _("No lot or serial numbers match.")


class StockTable(tables.Table):
    sku = tables.Column(verbose_name=_("SKU"), accessor="product__sku", order_by=("product__sku",))
    product = tables.Column(verbose_name=_("Product"), accessor="product__name")
    warehouse = tables.Column(verbose_name=_("Warehouse"), accessor="location__warehouse__code", default="—")
    location = tables.Column(verbose_name=_("Location"), accessor="location__full_name")
    lot = tables.Column(verbose_name=_("Lot / serial"), accessor="lot__name", default="")
    quantity = QuantityColumn(verbose_name=_("On hand"))
    reserved = QuantityColumn(verbose_name=_("Reserved"))
    available_quantity = QuantityColumn(verbose_name=_("Available"))
    unit = tables.Column(verbose_name=_("Unit"), accessor="product__base_uom__code", orderable=False)
    unit_cost = MoneyColumn(verbose_name=_("Unit cost"))
    stock_value = MoneyColumn(verbose_name=_("Value"))

    class Meta:
        model = Quant
        fields = ()
        sequence = (
            "sku",
            "product",
            "warehouse",
            "location",
            "lot",
            "quantity",
            "reserved",
            "available_quantity",
            "unit",
            "unit_cost",
            "stock_value",
        )
        order_by = ("sku",)
        empty_text = _("Nothing on hand matches.")

    def render_lot(self, record) -> str:
        if record.lot_id is None:
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("inventory:lot-detail", args=[record.lot_id]), record.lot.name
        )

    def value_lot(self, record) -> str:
        return record.lot.name if record.lot_id else ""


# The detail page of each document type that moves stock, by the content type's model name.
DOCUMENT_URLS = {
    "goodsreceipt": "inventory:goodsreceipt-detail",
    "goodsissue": "inventory:goodsissue-detail",
    "internaltransfer": "inventory:internaltransfer-detail",
    "stockadjustment": "inventory:stockadjustment-detail",
    "physicalcount": "inventory:physicalcount-detail",
    "scrap": "inventory:scrap-detail",
}


def document_url(move: StockMove) -> str:
    """The detail page of a move's source document (no query: the content type is cached)."""
    if not move.source_type_id:
        return ""
    name = DOCUMENT_URLS.get(move.source_type.model)
    if name is None:
        return ""
    try:
        return reverse(name, args=[move.source_id])
    except NoReverseMatch:
        return ""


class MovementTable(tables.Table):
    date = tables.DateColumn(verbose_name=_("Date"), orderable=False)
    reference = tables.Column(verbose_name=_("Document"), orderable=False, default="—")
    kind = tables.Column(verbose_name=_("Kind"), orderable=False)
    from_location = tables.Column(verbose_name=_("From"), accessor="from_location__full_name", orderable=False)
    to_location = tables.Column(verbose_name=_("To"), accessor="to_location__full_name", orderable=False)
    lot = tables.Column(verbose_name=_("Lot / serial"), accessor="lot__name", default="", orderable=False)
    signed_quantity = QuantityColumn(verbose_name=_("Quantity"), orderable=False)
    current_value = MoneyColumn(verbose_name=_("Value"), orderable=False)
    balance_quantity = QuantityColumn(verbose_name=_("Balance"), orderable=False)
    balance_value = MoneyColumn(verbose_name=_("Balance value"), orderable=False)

    class Meta:
        model = StockMove
        fields = ()
        sequence = (
            "date",
            "reference",
            "kind",
            "from_location",
            "to_location",
            "lot",
            "signed_quantity",
            "current_value",
            "balance_quantity",
            "balance_value",
        )
        empty_text = _("Enter a product's SKU to see its movements.")

    def render_reference(self, record) -> str:
        url = document_url(record)
        return (
            format_html('<a href="{}">{}</a>', url, record.reference)
            if url and record.reference
            else record.reference or "—"
        )

    def value_reference(self, record) -> str:
        return record.reference


class ValuationTable(tables.Table):
    sku = tables.Column(verbose_name=_("SKU"), accessor="product__sku")
    product = tables.Column(verbose_name=_("Product"), accessor="product__name")
    warehouse = tables.Column(verbose_name=_("Warehouse"), accessor="warehouse__code", default=_("In transit"))
    quantity = QuantityColumn(verbose_name=_("Quantity"))
    value = MoneyColumn(verbose_name=_("Value"))
    unit_cost = MoneyColumn(verbose_name=_("Unit cost"), empty_values=(), orderable=False)

    class Meta:
        fields = ()
        sequence = ("sku", "product", "warehouse", "quantity", "value", "unit_cost")
        empty_text = _("No stock was valued at that date.")

    def render_unit_cost(self, record) -> str:
        return money(self._unit(record))

    def value_unit_cost(self, record) -> Decimal:
        return self._unit(record)

    @staticmethod
    def _unit(record) -> Decimal:
        amount = record["quantity"]
        return (record["value"] / amount).quantize(Decimal("0.0001")) if amount else ZERO


class SlowMovingTable(tables.Table):
    sku = tables.Column(verbose_name=_("SKU"), accessor="product__sku")
    product = tables.Column(verbose_name=_("Product"), accessor="product__name")
    warehouse = tables.Column(verbose_name=_("Warehouse"), accessor="warehouse__code", default=_("In transit"))
    quantity = QuantityColumn(verbose_name=_("On hand"))
    value = MoneyColumn(verbose_name=_("Value"))
    last_in_date = tables.DateColumn(verbose_name=_("Last receipt"), default="—")
    last_out_date = tables.DateColumn(verbose_name=_("Last issue"), default=_("never"))

    class Meta:
        model = ProductValuation
        fields = ()
        sequence = ("sku", "product", "warehouse", "quantity", "value", "last_in_date", "last_out_date")
        empty_text = _("Everything on hand moved recently.")


class ReorderRuleTable(tables.Table):
    product = tables.Column(
        verbose_name=_("Product"), accessor="product__sku", linkify=lambda record: record.get_absolute_url()
    )
    product_name = tables.Column(verbose_name=_("Name"), accessor="product__name")
    warehouse = tables.Column(verbose_name=_("Warehouse"), accessor="warehouse__code")
    min_quantity = QuantityColumn(verbose_name=_("Minimum"))
    max_quantity = QuantityColumn(verbose_name=_("Maximum"))
    multiple = QuantityColumn(verbose_name=_("Multiple"))

    class Meta:
        model = ReorderRule
        fields = ()
        sequence = ("product", "product_name", "warehouse", "min_quantity", "max_quantity", "multiple")
        order_by = ("product",)
        empty_text = _("No reorder rules yet.")


class ReplenishmentTable(tables.Table):
    product = tables.Column(verbose_name=_("Product"), accessor="product__sku")
    product_name = tables.Column(verbose_name=_("Name"), accessor="product__name")
    warehouse = tables.Column(verbose_name=_("Warehouse"), accessor="warehouse__code")
    on_hand = QuantityColumn(verbose_name=_("On hand"))
    reserved_quantity = QuantityColumn(verbose_name=_("Reserved"))
    incoming = QuantityColumn(verbose_name=_("Incoming"))
    forecast = QuantityColumn(verbose_name=_("Forecast"))
    min_quantity = QuantityColumn(verbose_name=_("Minimum"))
    max_quantity = QuantityColumn(verbose_name=_("Maximum"))
    suggested = QuantityColumn(verbose_name=_("Order"), empty_values=(), orderable=False)

    class Meta:
        model = ReorderRule
        fields = ()
        sequence = (
            "product",
            "product_name",
            "warehouse",
            "on_hand",
            "reserved_quantity",
            "incoming",
            "forecast",
            "min_quantity",
            "max_quantity",
            "suggested",
        )
        order_by = ("product",)
        empty_text = _("Nothing to order.")

    def render_suggested(self, record) -> str:
        amount = selectors.suggested_quantity(record)
        return format_html("<strong>{}</strong>", quantity(amount)) if amount else "—"

    def value_suggested(self, record) -> Decimal:
        return selectors.suggested_quantity(record)

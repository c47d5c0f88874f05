"""The inventory documents, built on the document base (``erp.core.documents``).

Each one moves stock when it is completed (``erp.inventory.documents.effects``): goods
receipt (vendor → warehouse), goods issue (warehouse → customer), internal transfer (within
a warehouse, or to another one through the transit location), stock adjustment (to or from
inventory loss), physical count (the differences to the counted quantities) and scrap.

Line quantities are entered in a unit of the product (its base unit by default) and moved
in the base unit. ``lot_number`` names the lot, or the serial numbers separated by commas,
spaces or new lines (one per unit)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.core.documents.models import Document, document_permissions
from erp.inventory.models.stock import PRICE, QUANTITY
from erp.partners.models import PartnerMixin


class StockDocument(Document):
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=255, blank=True)

    # URL names of the screens: "inventory:<prefix>-detail" …
    url_prefix = ""

    class Meta(Document.Meta):
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(f"inventory:{self.url_prefix}-detail", args=[self.pk])


def location_field(verbose_name, help_text) -> models.ForeignKey:
    """A location of the document's warehouse; empty means a default location."""
    return models.ForeignKey(
        "inventory.Location",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=help_text,
    )


class StockLine(models.Model):
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    uom = models.ForeignKey(
        "catalog.UnitOfMeasure",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the product's base unit."),
    )
    lot_number = models.CharField(
        _("lot / serial numbers"),
        max_length=1000,
        blank=True,
        help_text=_("The lot, or one serial number per unit separated by commas."),
    )

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"


class GoodsReceipt(PartnerMixin, StockDocument):
    number_series = "goods_receipt"
    number_pattern = "GR-{org}-{year}-{seq:05d}"
    url_prefix = "goodsreceipt"

    counterpart_account = models.ForeignKey(
        "finance.Account",
        verbose_name=_("counterpart account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: goods received not invoiced (the vendor's invoice clears it)."),
    )

    class Meta(StockDocument.Meta):
        verbose_name = _("goods receipt")
        verbose_name_plural = _("goods receipts")
        permissions = document_permissions("goodsreceipt", "goods receipts")


class GoodsReceiptLine(StockLine):
    document = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    location = location_field(_("to location"), _("Empty: the warehouse's receiving location."))
    unit_cost = models.DecimalField(_("unit cost"), default=Decimal("0"), **PRICE)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta(StockLine.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_goodsreceiptline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="inventory_goodsreceiptline_cost_positive"),
        ]


class GoodsIssue(PartnerMixin, StockDocument):
    number_series = "goods_issue"
    number_pattern = "GI-{org}-{year}-{seq:05d}"
    url_prefix = "goodsissue"

    counterpart_account = models.ForeignKey(
        "finance.Account",
        verbose_name=_("counterpart account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the product's cost of goods sold account."),
    )

    class Meta(StockDocument.Meta):
        verbose_name = _("goods issue")
        verbose_name_plural = _("goods issues")
        permissions = document_permissions("goodsissue", "goods issues")


class GoodsIssueLine(StockLine):
    document = models.ForeignKey(GoodsIssue, on_delete=models.CASCADE, related_name="lines")
    location = location_field(_("from location"), _("Empty: the warehouse's stock location."))

    class Meta(StockLine.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_goodsissueline_quantity_positive"),
        ]


class InternalTransfer(StockDocument):
    """Within a warehouse the goods move when the transfer is completed. To another warehouse
    they go into transit on completion and arrive when the transfer is received."""

    number_series = "internal_transfer"
    number_pattern = "IT-{org}-{year}-{seq:05d}"
    url_prefix = "internaltransfer"

    destination_warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("to warehouse"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_on = models.DateField(_("received on"), null=True, blank=True)

    class Meta(StockDocument.Meta):
        verbose_name = _("internal transfer")
        verbose_name_plural = _("internal transfers")
        permissions = [
            *document_permissions("internaltransfer", "internal transfers"),
            ("receive_internaltransfer", "Can receive internal transfers"),
        ]

    @property
    def crosses_warehouses(self) -> bool:
        return self.warehouse_id != self.destination_warehouse_id


class InternalTransferLine(StockLine):
    document = models.ForeignKey(InternalTransfer, on_delete=models.CASCADE, related_name="lines")
    from_location = location_field(_("from location"), _("Empty: the stock location of the source warehouse."))
    to_location = location_field(_("to location"), _("Empty: the stock location of the destination warehouse."))

    class Meta(StockLine.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="inventory_internaltransferline_quantity_positive"
            ),
        ]


class StockAdjustment(StockDocument):
    number_series = "stock_adjustment"
    number_pattern = "SA-{org}-{year}-{seq:05d}"
    url_prefix = "stockadjustment"

    class Meta(StockDocument.Meta):
        verbose_name = _("stock adjustment")
        verbose_name_plural = _("stock adjustments")
        permissions = document_permissions("stockadjustment", "stock adjustments")


class StockAdjustmentLine(StockLine):
    """``quantity`` is the change: positive adds stock (found), negative removes it (lost)."""

    document = models.ForeignKey(StockAdjustment, on_delete=models.CASCADE, related_name="lines")
    location = location_field(_("location"), _("Empty: the warehouse's stock location."))
    unit_cost = models.DecimalField(
        _("unit cost"),
        null=True,
        blank=True,
        help_text=_("For stock added; empty: the product's current cost."),
        **PRICE,
    )

    class Meta(StockLine.Meta):
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="inventory_stockadjustmentline_quantity_not_zero"),
        ]


class PhysicalCount(StockDocument):
    """A count sheet generated from what is on hand; completing it posts the differences
    between the counted quantities and what is on hand then."""

    number_series = "physical_count"
    number_pattern = "PC-{org}-{year}-{seq:05d}"
    url_prefix = "physicalcount"

    location = location_field(
        _("counted location"), _("Count this location and those below it; empty: the whole warehouse.")
    )

    class Meta(StockDocument.Meta):
        verbose_name = _("physical count")
        verbose_name_plural = _("physical counts")
        permissions = document_permissions("physicalcount", "physical counts")


class PhysicalCountLine(models.Model):
    document = models.ForeignKey(PhysicalCount, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        "inventory.Location", verbose_name=_("location"), on_delete=models.PROTECT, related_name="+"
    )
    lot_number = models.CharField(_("lot / serial number"), max_length=100, blank=True)
    expected_quantity = models.DecimalField(_("on hand (sheet)"), default=Decimal("0"), **QUANTITY)
    counted_quantity = models.DecimalField(_("counted"), null=True, blank=True, **QUANTITY)
    difference = models.DecimalField(_("difference posted"), null=True, blank=True, **QUANTITY)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(counted_quantity__isnull=True) | Q(counted_quantity__gte=0),
                name="inventory_physicalcountline_counted_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.location_id}: {self.counted_quantity}"


class Scrap(StockDocument):
    number_series = "scrap"
    number_pattern = "SC-{org}-{year}-{seq:05d}"
    url_prefix = "scrap"

    class Meta(StockDocument.Meta):
        verbose_name = _("scrap")
        verbose_name_plural = _("scraps")
        permissions = document_permissions("scrap", "scraps")


class ScrapLine(StockLine):
    document = models.ForeignKey(Scrap, on_delete=models.CASCADE, related_name="lines")
    location = location_field(_("from location"), _("Empty: the warehouse's stock location."))

    class Meta(StockLine.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_scrapline_quantity_positive"),
        ]

"""Which goods receipt line received which purchase order line.

A receipt from an order is an ordinary goods receipt (``erp.inventory``): completing it puts the
goods into stock at the order's price against goods received not invoiced. The link tells the
order what arrived; the order counts the lines of completed receipts only."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PurchaseReceiptLine(models.Model):
    order_line = models.ForeignKey(
        "purchasing.PurchaseOrderLine",
        verbose_name=_("purchase order line"),
        on_delete=models.PROTECT,
        related_name="receipt_links",
    )
    receipt_line = models.OneToOneField(
        "inventory.GoodsReceiptLine",
        verbose_name=_("goods receipt line"),
        on_delete=models.CASCADE,
        related_name="purchase_link",
    )

    class Meta:
        verbose_name = _("received order line")
        verbose_name_plural = _("received order lines")

    def __str__(self) -> str:
        return f"{self.order_line_id} → {self.receipt_line_id}"


class PurchaseReturnLine(models.Model):
    """A line of a return to vendor (``erp.purchasing.returns``): the return is a completed goods
    receipt whose ``reversal_of`` is the receipt it sends goods back from; ``returned_line`` is
    the received line, ``return_line`` the line of the return (same unit)."""

    order_line = models.ForeignKey(
        "purchasing.PurchaseOrderLine",
        verbose_name=_("purchase order line"),
        on_delete=models.PROTECT,
        related_name="return_links",
    )
    returned_line = models.ForeignKey(
        "inventory.GoodsReceiptLine",
        verbose_name=_("returned receipt line"),
        on_delete=models.PROTECT,
        related_name="vendor_returns",
    )
    return_line = models.OneToOneField(
        "inventory.GoodsReceiptLine",
        verbose_name=_("return line"),
        on_delete=models.CASCADE,
        related_name="vendor_return",
    )

    class Meta:
        verbose_name = _("order line returned to the vendor")
        verbose_name_plural = _("order lines returned to the vendor")

    def __str__(self) -> str:
        return f"{self.returned_line_id} ← {self.return_line_id}"

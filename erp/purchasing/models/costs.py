"""What received goods cost beyond the order price: landed costs, and the record of every change
a vendor bill's price difference or a landed cost made to the value of received goods.

- ``LandedCost``: freight, duty, insurance … (its lines, each with the account it is taken
  from: a landed cost clearing account, or the expense account a vendor bill line posted it to)
  allocated onto the lines of one or more completed goods receipts, by value or by quantity.
  Completing it raises the value of the received goods (``erp.purchasing.landed_costs``).
- ``CostAdjustment``: one change of one received stock layer's value, by a vendor bill (price
  difference) or a landed cost, against an account. Undoing the bill or the landed cost adds the
  opposite rows, so what a document changes is the sum of its rows."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.core.documents.models import MONEY, Document, document_permissions
from erp.partners.models import PartnerMixin

ZERO = Decimal("0")


class AllocationMethod(models.TextChoices):
    VALUE = "value", _("By value")
    QUANTITY = "quantity", _("By quantity")


class LandedCost(PartnerMixin, Document):
    """Costs of bringing goods in, spread over the goods receipts they belong to. In the company
    currency; ``partner`` is the carrier or customs agent (optional)."""

    number_series = "landed_cost"
    number_pattern = "LC-{org}-{year}-{seq:05d}"

    description = models.CharField(_("description"), max_length=255, blank=True)
    allocation_method = models.CharField(
        _("allocate"), max_length=10, choices=AllocationMethod.choices, default=AllocationMethod.VALUE
    )
    receipts = models.ManyToManyField(
        "inventory.GoodsReceipt", verbose_name=_("goods receipts"), related_name="landed_costs", blank=True
    )

    class Meta(Document.Meta):
        verbose_name = _("landed cost")
        verbose_name_plural = _("landed costs")
        permissions = document_permissions("landedcost", "landed costs")
        constraints = [
            *Document.Meta.constraints,
            models.CheckConstraint(
                condition=Q(allocation_method__in=AllocationMethod.values), name="purchasing_landedcost_method_valid"
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("purchasing:landedcost-detail", args=[self.pk])


class LandedCostLine(models.Model):
    """One cost (freight, duty …): its amount is credited to ``account`` and added to the goods."""

    landed_cost = models.ForeignKey(
        LandedCost, verbose_name=_("landed cost"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    description = models.CharField(_("description"), max_length=255, blank=True)
    bill_line = models.ForeignKey(
        "finance.VendorBillLine",
        verbose_name=_("vendor bill line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="landed_cost_lines",
        help_text=_("The posted bill line that charged this cost: its amount and account by default."),
    )
    account = models.ForeignKey(
        "finance.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Credited with the amount: a landed cost clearing account, or where the bill booked the cost."),
    )
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("landed cost line")
        verbose_name_plural = _("landed cost lines")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0), name="purchasing_landedcostline_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.description or f"#{self.position}"


class CostAdjustment(models.Model):
    """``amount`` (company currency) added to the value of the received stock layer ``layer`` by
    the document ``source`` (a vendor bill, a landed cost), posted against ``account``."""

    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    source_id = models.BigIntegerField()
    receipt_line = models.ForeignKey(
        "inventory.GoodsReceiptLine", on_delete=models.PROTECT, related_name="cost_adjustments"
    )
    layer = models.ForeignKey("inventory.ValuationLayer", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey("finance.Account", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount"), **MONEY)
    basis = models.DecimalField(_("allocated by"), **MONEY)
    date = models.DateField(_("date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cost adjustment")
        verbose_name_plural = _("cost adjustments")
        indexes = [models.Index(fields=["source_type", "source_id"], name="purchasing_costadj_source_idx")]

    def __str__(self) -> str:
        return f"{self.layer_id}: {self.amount}"

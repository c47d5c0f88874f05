"""Purchase orders.

Draft → (submit: the approval workflow of ``purchasing.purchaseorder``, e.g. a manager above an
amount) → Approved = confirmed, sent to the vendor → In Progress once something is received or
billed → Completed when every line is received and billed (or its remainder cancelled) →
Closed. Cancelled only before anything was received or billed.

Each line keeps what was ordered, received (net of returns), billed and cancelled, in the
line's unit; receipts and bills update them in their own transactions."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from erp.core.documents.models import QUANTITY, Document, DocumentLine, Status, _may, document_permissions
from erp.partners.models import PartnerMixin

ZERO = Decimal("0")


class SendStatus(models.TextChoices):
    NOT_SENT = "", _("Not sent")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class PurchaseOrder(PartnerMixin, Document):
    number_series = "purchase_order"
    number_pattern = "PO-{org}-{year}-{seq:05d}"

    payment_term = models.ForeignKey(
        "partners.PaymentTerm",
        verbose_name=_("payment term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the vendor's."),
    )
    expected_date = models.DateField(
        _("expected delivery"),
        null=True,
        blank=True,
        help_text=_("Empty: from the vendors' lead times."),
    )
    vendor_reference = models.CharField(
        _("vendor's reference"), max_length=100, blank=True, help_text=_("Their order confirmation number.")
    )
    rfq = models.ForeignKey(
        "purchasing.RequestForQuotation",
        verbose_name=_("request for quotation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    send_status = models.CharField(
        _("sent"), max_length=10, choices=SendStatus.choices, default=SendStatus.NOT_SENT, blank=True
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    send_error = models.CharField(_("sending error"), max_length=255, blank=True)

    class Meta(Document.Meta):
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        permissions = [
            *document_permissions("purchaseorder", "purchase orders"),
            ("send_purchaseorder", "Can e-mail purchase orders"),
        ]
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["partner", "document_date"], name="purchasing_po_partner_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("purchasing:purchaseorder-detail", args=[self.pk])

    # Once goods arrived or a bill came, an order is no longer cancelled: its remainder is.
    @transition(
        field="status",
        source=[Status.DRAFT, Status.IN_REVIEW, Status.APPROVED],
        target=Status.CANCELLED,
        permission=_may("cancel"),
    )
    def cancel(self) -> None:
        pass


class PurchaseOrderLine(DocumentLine):
    """A product or service (or free text) line. ``unit_price`` is per ``unit`` in the order's
    currency, before tax; what was received, billed and cancelled is counted in ``unit`` too."""

    order = models.ForeignKey(
        PurchaseOrder, verbose_name=_("purchase order"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "catalog.UnitOfMeasure",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    vendor_product_code = models.CharField(_("vendor's code"), max_length=50, blank=True)
    tax_code = models.ForeignKey(
        "finance.TaxCode", verbose_name=_("tax"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expected_date = models.DateField(_("expected"), null=True, blank=True)
    requisition_line = models.ForeignKey(
        "purchasing.PurchaseRequisitionLine",
        verbose_name=_("requisition line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
    )
    quantity_received = models.DecimalField(_("received"), default=ZERO, **QUANTITY)
    quantity_billed = models.DecimalField(_("billed"), default=ZERO, **QUANTITY)
    quantity_cancelled = models.DecimalField(_("cancelled"), default=ZERO, **QUANTITY)

    class Meta(DocumentLine.Meta):
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_orderline_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="purchasing_orderline_price_not_negative"),
            models.CheckConstraint(condition=Q(quantity_received__gte=0), name="purchasing_orderline_received"),
            models.CheckConstraint(
                condition=Q(quantity_cancelled__gte=0, quantity_cancelled__lte=F("quantity")),
                name="purchasing_orderline_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return self.description or f"#{self.position}"

    @property
    def is_stocked(self) -> bool:
        """Received into stock (a stockable product); other lines are billed against the order."""
        return self.product is not None and self.product.is_stockable

    @property
    def quantity_open(self) -> Decimal:
        """Still to receive (to bill, for lines that are not received into stock)."""
        done = self.quantity_received if self.is_stocked else self.quantity_billed
        return max(self.quantity - self.quantity_cancelled - done, ZERO)

    @property
    def quantity_to_bill(self) -> Decimal:
        """Received (or, for services, ordered) and not billed yet."""
        basis = self.quantity_received if self.is_stocked else self.quantity - self.quantity_cancelled
        return max(basis - self.quantity_billed, ZERO)

    @property
    def unit_net(self) -> Decimal:
        """The unit price after the line's discount (what the three-way match compares)."""
        return self.unit_price * (Decimal(100) - self.discount_percent) / Decimal(100)

"""Requests for quotation: what we want, asked of several vendors.

Draft (lines; vendors invited on the detail page) → (submit) Approved = open: each vendor gets
the request as a PDF by e-mail, its reply is entered per line (price, quantity, lead time) →
the comparison screen puts the replies side by side → awarding one vendor creates its purchase
order and completes the request. Cancelled when nothing comes of it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.core.documents.models import QUANTITY, Document, document_permissions
from erp.core.models import custom_fields_index
from erp.purchasing.models.orders import SendStatus


class RequestForQuotation(Document):
    number_series = "purchase_rfq"
    number_pattern = "RFQ-{org}-{year}-{seq:05d}"

    description = models.CharField(_("subject"), max_length=255, blank=True)
    reply_by = models.DateField(_("replies by"), null=True, blank=True)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    awarded_vendor = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("awarded to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(Document.Meta):
        verbose_name = _("request for quotation")
        verbose_name_plural = _("requests for quotation")
        permissions = [
            *document_permissions("requestforquotation", "requests for quotation"),
            ("send_requestforquotation", "Can e-mail requests for quotation"),
        ]
        # The base's index names would pass PostgreSQL's limit with this long model name.
        indexes = [
            models.Index(fields=["status", "document_date"], name="purchasing_rfq_st"),
            custom_fields_index("purchasing_rfq_cf"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("purchasing:requestforquotation-detail", args=[self.pk])


class RequestForQuotationLine(models.Model):
    rfq = models.ForeignKey(
        RequestForQuotation, verbose_name=_("request for quotation"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    quantity = models.DecimalField(_("quantity"), default=1, **QUANTITY)
    unit = models.ForeignKey(
        "catalog.UnitOfMeasure",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the product's purchase unit."),
    )
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    requisition_line = models.ForeignKey(
        "purchasing.PurchaseRequisitionLine",
        verbose_name=_("requisition line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rfq_lines",
    )

    class Meta:
        verbose_name = _("request line")
        verbose_name_plural = _("request lines")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_rfqline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return self.description or f"#{self.position}"


class RFQVendor(models.Model):
    """A vendor asked for a quotation, and the state of its reply."""

    rfq = models.ForeignKey(
        RequestForQuotation, verbose_name=_("request for quotation"), on_delete=models.CASCADE, related_name="vendors"
    )
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="+"
    )
    send_status = models.CharField(
        _("sent"), max_length=10, choices=SendStatus.choices, default=SendStatus.NOT_SENT, blank=True
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    send_error = models.CharField(_("sending error"), max_length=255, blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    valid_until = models.DateField(_("offer valid until"), null=True, blank=True)
    reference = models.CharField(_("vendor's offer number"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("invited vendor")
        verbose_name_plural = _("invited vendors")
        ordering = ["rfq", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rfq", "partner"], name="purchasing_rfqvendor_unique"),
        ]

    def __str__(self) -> str:
        return str(self.partner)


class RFQQuote(models.Model):
    """A vendor's reply to one line: its unit price (in the request's currency), the quantity it
    offers when that differs, and its lead time."""

    vendor = models.ForeignKey(RFQVendor, verbose_name=_("vendor"), on_delete=models.CASCADE, related_name="quotes")
    line = models.ForeignKey(
        RequestForQuotationLine, verbose_name=_("line"), on_delete=models.CASCADE, related_name="quotes"
    )
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=6)
    quantity = models.DecimalField(_("quantity offered"), null=True, blank=True, **QUANTITY)
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), null=True, blank=True)
    notes = models.CharField(_("remark"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("quoted price")
        verbose_name_plural = _("quoted prices")
        ordering = ["line", "vendor"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "line"], name="purchasing_rfqquote_unique"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="purchasing_rfqquote_price_not_negative"),
            models.CheckConstraint(
                condition=Q(quantity__isnull=True) | Q(quantity__gt=0), name="purchasing_rfqquote_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor}: {self.unit_price}"

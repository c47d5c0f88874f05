"""Purchase requisitions: an employee asks for goods or services.

Draft → (submit: the approval workflow of ``purchasing.purchaserequisition`` decides, e.g. by
the estimated total) → Approved → its lines become requests for quotation or purchase orders,
grouped by vendor (``erp.purchasing.services.requisitions``): In Progress while some lines are
still open, Completed once every line is ordered or asked for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.core.documents.models import Document, DocumentLine, document_permissions
from erp.core.models import custom_fields_index


class LineState(models.TextChoices):
    """What became of a requisition line (it is ordered or asked for as a whole)."""

    OPEN = "open", _("Open")
    QUOTING = "quoting", _("Request for quotation")
    ORDERED = "ordered", _("Ordered")


class PurchaseRequisition(Document):
    number_series = "purchase_requisition"
    number_pattern = "PR-{org}-{year}-{seq:05d}"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: whoever enters it."),
    )
    description = models.CharField(_("purpose"), max_length=255, blank=True)
    needed_by = models.DateField(_("needed by"), null=True, blank=True, help_text=_("For lines without a date."))

    class Meta(Document.Meta):
        verbose_name = _("purchase requisition")
        verbose_name_plural = _("purchase requisitions")
        permissions = document_permissions("purchaserequisition", "purchase requisitions")
        # The base's index names would pass PostgreSQL's limit with this long model name.
        indexes = [
            models.Index(fields=["status", "document_date"], name="purchasing_pr_st"),
            custom_fields_index("purchasing_pr_cf"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("purchasing:purchaserequisition-detail", args=[self.pk])


class PurchaseRequisitionLine(DocumentLine):
    """A product or a free text, how many, by when, and from whom if the requester knows.
    ``unit_price`` is the estimate (company currency) the approval looks at."""

    requisition = models.ForeignKey(
        PurchaseRequisition, verbose_name=_("purchase requisition"), on_delete=models.CASCADE, related_name="lines"
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
        help_text=_("Empty: the product's purchase unit."),
    )
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    vendor = models.ForeignKey(
        "partners.Partner",
        verbose_name=_("suggested vendor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=LineState.choices, default=LineState.OPEN)

    class Meta(DocumentLine.Meta):
        verbose_name = _("requisition line")
        verbose_name_plural = _("requisition lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_requisitionline_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="purchasing_requisitionline_price_not_negative"
            ),
            models.CheckConstraint(condition=Q(state__in=LineState.values), name="purchasing_requisitionline_state"),
        ]

    def __str__(self) -> str:
        return self.description or f"#{self.position}"

    @property
    def is_open(self) -> bool:
        return self.state == LineState.OPEN

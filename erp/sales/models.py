"""Sales documents: quotations, sales orders and (``erp.sales.deliveries``) deliveries.

A quotation and an order share their header (customer, contact, price list, payment term,
salesperson, language, terms) and their lines (product or free text, quantity, unit, price
from the price list, discount, tax). Totals come from ``erp.core.documents.totals``.

Quotation: Draft → (submit) Approved = open, sent to the customer; it ends Completed when
converted into an order (outcome *accepted*), Cancelled when lost (outcome *lost*, with the
reason) or superseded by a revision (outcome *revised*: the new revision is a new draft that
keeps the number with a suffix, the old one stays readable).

Sales order: Draft → (submit, credit check by business rule) In Review or Approved =
confirmed (stock reserved) → In Progress once delivered or invoiced in part → Completed when
every line is delivered and invoiced (or its remainder cancelled) → Closed. Each line tracks
what was ordered, delivered, invoiced and cancelled, in the line's unit."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import transition

from erp.core.documents.models import (
    MONEY,
    OPEN_STATES,
    QUANTITY,
    Document,
    DocumentLine,
    Status,
    _may,
    document_permissions,
)
from erp.partners.models import PartnerMixin

ZERO = Decimal("0")


class SalesDocument(PartnerMixin, Document):
    """The header quotations and orders share."""

    contact = models.ForeignKey(
        "partners.Contact", verbose_name=_("contact"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    price_list = models.ForeignKey(
        "catalog.PriceList",
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the customer's price list, else the products' sales prices."),
    )
    payment_term = models.ForeignKey(
        "partners.PaymentTerm",
        verbose_name=_("payment term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the customer's."),
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Of the PDF and the e-mail; empty: from the customer's country."),
    )
    terms = models.TextField(_("terms and conditions"), blank=True)

    class Meta(Document.Meta):
        abstract = True


def list_indexes(prefix: str, *, total: str | None = "total_gross_company") -> list[models.Index]:
    """What the list screen reads at 100,000 documents: its first page in the default order (newest
    first) from an index instead of sorting every row, and the count with the total of the
    organizations' documents from an index alone (no table rows read, once vacuumed)."""
    indexes = [models.Index(fields=["-document_date", "-number"], name=f"{prefix}_list_idx")]
    if total:
        indexes.append(models.Index(fields=["organization"], include=[total], name=f"{prefix}_total_idx"))
    return indexes


class SalesLine(DocumentLine):
    """A product (or free text) line of a quotation or an order. ``price_manual``: the unit price
    was typed; otherwise it comes from the price list (with its quantity breaks) on every save."""

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
    tax_code = models.ForeignKey(
        "finance.TaxCode", verbose_name=_("tax"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    price_manual = models.BooleanField(_("price entered by hand"), default=False)

    class Meta(DocumentLine.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.description or f"#{self.position}"


# --- quotations ------------------------------------------------------------------------------------


class QuotationOutcome(models.TextChoices):
    OPEN = "", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    LOST = "lost", _("Lost")
    REVISED = "revised", _("Revised")


class SendStatus(models.TextChoices):
    NOT_SENT = "", _("Not sent")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Quotation(SalesDocument):
    number_series = "sales_quotation"
    number_pattern = "QT-{org}-{year}-{seq:05d}"

    Outcome = QuotationOutcome

    valid_until = models.DateField(_("valid until"))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    previous_revision = models.OneToOneField(
        "self",
        verbose_name=_("previous revision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_revision",
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=QuotationOutcome.choices, default=QuotationOutcome.OPEN, blank=True
    )
    send_status = models.CharField(
        _("sent"), max_length=10, choices=SendStatus.choices, default=SendStatus.NOT_SENT, blank=True
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    send_error = models.CharField(_("sending error"), max_length=255, blank=True)

    class Meta(SalesDocument.Meta):
        verbose_name = _("quotation")
        verbose_name_plural = _("quotations")
        permissions = [
            *document_permissions("quotation", "quotations"),
            ("send_quotation", "Can e-mail quotations"),
        ]
        constraints = [
            *Document.Meta.constraints,
            models.CheckConstraint(
                condition=Q(outcome__in=QuotationOutcome.values), name="sales_quotation_outcome_valid"
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="sales_quotation_revision_positive"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("document_date")), name="sales_quotation_valid_after_date"
            ),
        ]
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["partner", "document_date"], name="sales_quotation_partner_idx"),
            *list_indexes("sales_quotation"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("sales:quotation-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == Status.APPROVED and self.outcome == QuotationOutcome.OPEN

    def is_expired(self, on) -> bool:
        return self.status in OPEN_STATES and self.valid_until < on


class QuotationLine(SalesLine):
    quotation = models.ForeignKey(
        Quotation, verbose_name=_("quotation"), on_delete=models.CASCADE, related_name="lines"
    )

    class Meta(SalesLine.Meta):
        verbose_name = _("quotation line")
        verbose_name_plural = _("quotation lines")


# --- sales orders ----------------------------------------------------------------------------------


class Progress(models.TextChoices):
    """How far an order's deliveries or invoices have come."""

    NOTHING = "nothing", _("Not yet")
    PARTIAL = "partial", _("Partly")
    DONE = "done", _("Fully")
    NOT_NEEDED = "not_needed", _("Not needed")


def nothing_delivered_or_invoiced(order: SalesOrder) -> bool:
    """An order can be cancelled while no line has been delivered or invoiced."""
    if order.pk is None:
        return True
    return not order.lines.filter(Q(quantity_delivered__gt=0) | Q(quantity_invoiced__gt=0)).exists()


class SalesOrder(SalesDocument):
    number_series = "sales_order"
    number_pattern = "SO-{org}-{year}-{seq:05d}"

    quotation = models.ForeignKey(
        Quotation, verbose_name=_("quotation"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True)
    shipping_address = models.ForeignKey(
        "partners.Address",
        verbose_name=_("shipping address"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the customer's default shipping address."),
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("warehouse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Where the goods are reserved and shipped from; empty: the organization's first warehouse."),
    )
    # The credit check's figures, in the company currency, as of the last submission:
    # business rules compare them (``credit_exposure`` > ``credit_limit``).
    credit_limit = models.DecimalField(_("credit limit"), **MONEY)
    credit_exposure = models.DecimalField(
        _("credit exposure"),
        help_text=_("Open receivables, open orders and this order, in the company currency."),
        **MONEY,
    )
    delivery_status = models.CharField(
        _("delivered"), max_length=12, choices=Progress.choices, default=Progress.NOTHING
    )
    invoice_status = models.CharField(_("invoiced"), max_length=12, choices=Progress.choices, default=Progress.NOTHING)

    class Meta(SalesDocument.Meta):
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        permissions = [
            *document_permissions("salesorder", "sales orders"),
            ("invoice_salesorder", "Can invoice sales orders"),
        ]
        constraints = [
            *Document.Meta.constraints,
            models.CheckConstraint(
                condition=Q(delivery_status__in=Progress.values) & Q(invoice_status__in=Progress.values),
                name="sales_salesorder_progress_valid",
            ),
        ]
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["partner", "document_date"], name="sales_order_partner_idx"),
            models.Index(fields=["salesperson", "document_date"], name="sales_order_salesperson_idx"),
            *list_indexes("sales_order"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("sales:salesorder-detail", args=[self.pk])

    # Cancelling is possible while nothing has been delivered or invoiced; afterwards the
    # remainder is cancelled line by line (``erp.sales.services.sales_order_cancel_remainder``).
    @transition(
        field="status",
        source=list(OPEN_STATES),
        target=Status.CANCELLED,
        permission=_may("cancel"),
        conditions=[nothing_delivered_or_invoiced],
    )
    def cancel(self) -> None:
        pass


class SalesOrderLine(SalesLine):
    order = models.ForeignKey(SalesOrder, verbose_name=_("sales order"), on_delete=models.CASCADE, related_name="lines")
    quantity_delivered = models.DecimalField(_("delivered"), default=ZERO, **QUANTITY)
    quantity_invoiced = models.DecimalField(_("invoiced"), default=ZERO, **QUANTITY)
    quantity_cancelled = models.DecimalField(_("cancelled"), default=ZERO, **QUANTITY)

    class Meta(SalesLine.Meta):
        verbose_name = _("sales order line")
        verbose_name_plural = _("sales order lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity_cancelled__gte=0) & Q(quantity_cancelled__lte=F("quantity")),
                name="sales_salesorderline_cancelled_range",
            ),
        ]

    @property
    def is_delivered_by_stock(self) -> bool:
        """Stockable products are delivered (and invoiced as delivered); services, consumables and
        free text are invoiced as ordered."""
        return self.product_id is not None and self.product.is_stockable

    @property
    def quantity_open(self) -> Decimal:
        """What is still to be delivered (stockable) or invoiced (others)."""
        done = self.quantity_delivered if self.is_delivered_by_stock else self.quantity_invoiced
        return max(self.quantity - self.quantity_cancelled - done, ZERO)

    @property
    def quantity_invoiceable(self) -> Decimal:
        """What may be invoiced in total: delivered (stockable) or ordered less cancelled (others)."""
        if self.is_delivered_by_stock:
            return self.quantity_delivered
        return self.quantity - self.quantity_cancelled

    @property
    def quantity_to_invoice(self) -> Decimal:
        return self.quantity_invoiceable - self.quantity_invoiced


# --- deliveries ------------------------------------------------------------------------------------


class DeliveryKind(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    RETURN = "return", _("Customer return")


class Delivery(PartnerMixin, Document):
    """Goods leaving the warehouse for the customer of an order (or, ``kind`` return, coming back
    from them). Completing it moves the stock (``erp.sales.deliveries``): a delivery from the
    lines' locations to the customers' location, valued at cost with cost of goods sold posted;
    a return back into stock at the cost the goods left with."""

    Kind = DeliveryKind
    series = {
        DeliveryKind.DELIVERY: ("sales_delivery", "DN-{org}-{year}-{seq:05d}"),
        DeliveryKind.RETURN: ("sales_return", "RET-{org}-{year}-{seq:05d}"),
    }

    kind = models.CharField(_("kind"), max_length=10, choices=DeliveryKind.choices, default=DeliveryKind.DELIVERY)
    order = models.ForeignKey(
        SalesOrder, verbose_name=_("sales order"), on_delete=models.PROTECT, related_name="deliveries"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    return_of = models.ForeignKey(
        "self",
        verbose_name=_("return of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="returns",
    )
    shipping_address = models.TextField(_("shipping address"), blank=True)
    carrier_reference = models.CharField(_("carrier / tracking number"), max_length=100, blank=True)

    class Meta(Document.Meta):
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        permissions = document_permissions("delivery", "deliveries")
        constraints = [
            *Document.Meta.constraints,
            models.CheckConstraint(condition=Q(kind__in=DeliveryKind.values), name="sales_delivery_kind_valid"),
            models.CheckConstraint(
                condition=Q(return_of__isnull=True) | Q(kind=DeliveryKind.RETURN),
                name="sales_delivery_return_of_return",
            ),
        ]
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["order", "status"], name="sales_delivery_order_idx"),
            *list_indexes("sales_delivery", total=None),
        ]

    @property
    def number_series(self) -> str:  # type: ignore[override]
        return self.series[self.kind][0]

    @property
    def number_pattern(self) -> str:  # type: ignore[override]
        return self.series[self.kind][1]

    @property
    def is_return(self) -> bool:
        return self.kind == DeliveryKind.RETURN

    def get_absolute_url(self) -> str:
        return reverse("sales:delivery-detail", args=[self.pk])


class DeliveryLine(models.Model):
    """A quantity of an order line, in the order line's unit, picked from (returned to) a location,
    with its lot or serial numbers. A return line names the delivery line it takes back; the stock
    moves of a line carry its id (``StockMove.source_line_id``)."""

    delivery = models.ForeignKey(Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=0)
    order_line = models.ForeignKey(
        SalesOrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="delivery_lines"
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    location = models.ForeignKey(
        "inventory.Location", verbose_name=_("location"), on_delete=models.PROTECT, related_name="+"
    )
    lot_number = models.CharField(
        _("lot / serial numbers"),
        max_length=1000,
        blank=True,
        help_text=_("The lot, or one serial number per unit separated by commas."),
    )
    returned_line = models.ForeignKey(
        "self",
        verbose_name=_("returns"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="return_lines",
    )

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_deliveryline_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.order_line} × {self.quantity}"

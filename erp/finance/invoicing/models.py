"""Invoices: what customers owe us and what we owe vendors.

Two document models share one abstract base:

- ``CustomerInvoice`` — invoices and credit notes we issue (kind ``invoice`` / ``credit_note``);
- ``VendorBill`` — bills and credit notes vendors send us.

Two models rather than one with four kinds: sales clerks may see customer invoices and
purchasers vendor bills, each through the model's own ``view`` permission; each side has
fields of its own (the vendor's invoice number, unique per vendor, on bills; the language,
e-mail and sent state on customer invoices); sales builds on the customer side only and
purchasing on the vendor side only. What both share — lines, totals, posting, due dates and
open items — lives in the base classes here and in ``erp.finance.invoicing.posting``.

Completing an invoice posts it (``erp.finance.invoicing.effects``): the receivable or payable
against revenue or expense per line and tax per tax code, and one open item per installment
of its payment term (``erp.finance.openitems``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.core.documents.models import Document, DocumentLine, Status, document_permissions
from erp.partners.models import PartnerMixin


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class SendStatus(models.TextChoices):
    NOT_SENT = "", _("Not sent")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class InvoiceBase(PartnerMixin, Document):
    """What customer invoices and vendor bills share. ``side`` is ``receivable`` or ``payable``."""

    side: str = ""
    # number series and pattern per kind, e.g. {"invoice": ("customer_invoice", "INV-{org}-{year}-{seq:05d}")}
    series: dict[str, tuple[str, str]] = {}

    Kind = InvoiceKind

    kind = models.CharField(_("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    payment_term = models.ForeignKey(
        "partners.PaymentTerm",
        verbose_name=_("payment term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the partner's."),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    original = models.ForeignKey(
        "self",
        verbose_name=_("credit note for"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    # The partner as printed on the posted document (names and addresses change later).
    partner_name = models.CharField(_("partner name"), max_length=200, blank=True)
    partner_address = models.TextField(_("partner address"), blank=True)
    partner_tax_id = models.CharField(_("partner tax id"), max_length=50, blank=True)
    journal_entry = models.ForeignKey(
        "finance.JournalEntry",
        verbose_name=_("journal entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The document it was created from (a sales order, a purchase order), if any.
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("source type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.CharField(_("source id"), max_length=64, blank=True)

    class Meta(Document.Meta):
        abstract = True

    @property
    def number_series(self) -> str:  # type: ignore[override]
        return self.series[self.kind][0]

    @property
    def number_pattern(self) -> str:  # type: ignore[override]
        return self.series[self.kind][1]

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def kind_label(self) -> str:
        return self.get_kind_display()

    @property
    def is_posted(self) -> bool:
        return self.posted and self.status in (Status.COMPLETED, Status.CLOSED)


def _kind_valid(model: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(kind__in=InvoiceKind.values), name=f"finance_{model}_kind_valid")


def _credit_note_only(model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(original__isnull=True) | Q(kind=InvoiceKind.CREDIT_NOTE), name=f"finance_{model}_original_credit"
    )


class CustomerInvoice(InvoiceBase):
    """An invoice or credit note to a customer."""

    side = "receivable"
    series = {
        InvoiceKind.INVOICE: ("customer_invoice", "INV-{org}-{year}-{seq:05d}"),
        InvoiceKind.CREDIT_NOTE: ("customer_credit_note", "CN-{org}-{year}-{seq:05d}"),
    }

    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Of the PDF and the e-mail; empty: from the customer's country."),
    )
    send_status = models.CharField(
        _("sent"), max_length=10, choices=SendStatus.choices, default=SendStatus.NOT_SENT, blank=True
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)
    send_error = models.CharField(_("sending error"), max_length=255, blank=True)

    class Meta(InvoiceBase.Meta):
        verbose_name = _("customer invoice")
        verbose_name_plural = _("customer invoices")
        permissions = [
            *document_permissions("customerinvoice", "customer invoices"),
            ("send_customerinvoice", "Can e-mail customer invoices"),
        ]
        constraints = [
            *Document.Meta.constraints,
            _kind_valid("customerinvoice"),
            _credit_note_only("customerinvoice"),
        ]
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["partner", "document_date"], name="finance_custinv_partner_idx"),
            models.Index(fields=["source_type", "source_id"], name="finance_custinv_source_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("finance:customerinvoice-detail", args=[self.pk])


class VendorBill(InvoiceBase):
    """A bill or credit note from a vendor, with the vendor's own number for it."""

    side = "payable"
    series = {
        InvoiceKind.INVOICE: ("vendor_bill", "BILL-{org}-{year}-{seq:05d}"),
        InvoiceKind.CREDIT_NOTE: ("vendor_credit_note", "VCN-{org}-{year}-{seq:05d}"),
    }

    vendor_invoice_number = models.CharField(
        _("vendor's invoice number"), max_length=100, help_text=_("The number printed on the vendor's document.")
    )

    class Meta(InvoiceBase.Meta):
        verbose_name = _("vendor bill")
        verbose_name_plural = _("vendor bills")
        permissions = document_permissions("vendorbill", "vendor bills")
        constraints = [
            *Document.Meta.constraints,
            _kind_valid("vendorbill"),
            _credit_note_only("vendorbill"),
            # One vendor's invoice is entered once (a cancelled or voided entry frees its number).
            models.UniqueConstraint(
                "partner",
                "kind",
                models.functions.Upper("vendor_invoice_number"),
                condition=Q(deleted_at__isnull=True) & ~Q(status__in=[Status.CANCELLED, Status.VOIDED]),
                name="finance_vendorbill_vendor_number_unique",
                violation_error_message=_("This vendor's invoice number has been entered already."),
            ),
        ]
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["partner", "document_date"], name="finance_bill_partner_idx"),
            models.Index(fields=["source_type", "source_id"], name="finance_bill_source_idx"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("finance:vendorbill-detail", args=[self.pk])


class InvoiceLineBase(DocumentLine):
    """A line of an invoice: a product or free text, with its tax code and the income or expense
    account it is posted to. ``source_type``/``source_id`` name the line of another document it
    invoices (a delivered order line, a received purchase line), so sales and purchasing can
    count what has been invoiced (``erp.finance.invoicing.selectors.invoiced_quantities``)."""

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
    account = models.ForeignKey(
        "finance.Account",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the product's, its category's or the chart's default."),
    )
    analytic_tag = models.CharField(_("analytic tag"), max_length=50, blank=True)
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("source type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)

    class Meta(DocumentLine.Meta):
        abstract = True

    def __str__(self) -> str:
        return self.description or f"#{self.position}"


class CustomerInvoiceLine(InvoiceLineBase):
    invoice = models.ForeignKey(
        CustomerInvoice, verbose_name=_("customer invoice"), on_delete=models.CASCADE, related_name="lines"
    )

    class Meta(InvoiceLineBase.Meta):
        verbose_name = _("customer invoice line")
        verbose_name_plural = _("customer invoice lines")
        indexes = [
            models.Index(
                fields=["source_type", "source_id"],
                condition=Q(source_id__isnull=False),
                name="finance_custinvline_src_idx",
            )
        ]


class VendorBillLine(InvoiceLineBase):
    invoice = models.ForeignKey(
        VendorBill, verbose_name=_("vendor bill"), on_delete=models.CASCADE, related_name="lines"
    )

    class Meta(InvoiceLineBase.Meta):
        verbose_name = _("vendor bill line")
        verbose_name_plural = _("vendor bill lines")
        indexes = [
            models.Index(
                fields=["source_type", "source_id"],
                condition=Q(source_id__isnull=False),
                name="finance_billline_src_idx",
            )
        ]

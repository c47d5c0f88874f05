"""Payments: money received from customers or paid to vendors (and refunds either way),
through a bank or cash account, and the vendor payment runs that create them.

A payment is a document. Its lines say which invoices it pays (amount and early-payment
discount per invoice); completing it posts bank against receivable/payable, writes its open
item and allocates it to those invoices (``erp.finance.payments.services``). What is not
allocated stays open on the partner as a credit, matched later from the matching screen or
refunded."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.core.documents.models import MONEY, Document, document_permissions
from erp.finance.openitems.models import Side
from erp.partners.models import PartnerMixin


class PaymentKind(models.TextChoices):
    CUSTOMER_RECEIPT = "customer_receipt", _("Customer payment")
    CUSTOMER_REFUND = "customer_refund", _("Refund to customer")
    VENDOR_PAYMENT = "vendor_payment", _("Vendor payment")
    VENDOR_REFUND = "vendor_refund", _("Refund from vendor")


KIND_SIDE = {
    PaymentKind.CUSTOMER_RECEIPT: Side.RECEIVABLE,
    PaymentKind.CUSTOMER_REFUND: Side.RECEIVABLE,
    PaymentKind.VENDOR_PAYMENT: Side.PAYABLE,
    PaymentKind.VENDOR_REFUND: Side.PAYABLE,
}
# Money coming into the bank account (else going out).
INCOMING = frozenset({PaymentKind.CUSTOMER_RECEIPT, PaymentKind.VENDOR_REFUND})
# Kinds that lower the partner's balance (their open item is a credit); refunds raise it.
SETTLING = frozenset({PaymentKind.CUSTOMER_RECEIPT, PaymentKind.VENDOR_PAYMENT})

SERIES = {
    PaymentKind.CUSTOMER_RECEIPT: ("customer_receipt", "REC-{org}-{year}-{seq:05d}"),
    PaymentKind.CUSTOMER_REFUND: ("customer_refund", "RFD-{org}-{year}-{seq:05d}"),
    PaymentKind.VENDOR_PAYMENT: ("vendor_payment", "PAY-{org}-{year}-{seq:05d}"),
    PaymentKind.VENDOR_REFUND: ("vendor_refund", "VRF-{org}-{year}-{seq:05d}"),
}


class PaymentRunStatus(models.TextChoices):
    DRAFT = "draft", _("Proposed")
    EXECUTED = "executed", _("Executed")


class PaymentRun(models.Model):
    """A batch of vendor payments: the bills due by ``due_by`` (and those whose early-payment
    discount would expire before ``next_run``), paid on ``payment_date`` from ``bank_account``."""

    organization = models.ForeignKey(
        "core.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    payment_date = models.DateField(_("payment date"))
    due_by = models.DateField(_("bills due by"))
    next_run = models.DateField(
        _("next payment run"),
        null=True,
        blank=True,
        help_text=_("Bills whose early-payment discount ends before then are paid now."),
    )
    bank_account = models.ForeignKey(
        "finance.Account", verbose_name=_("bank account"), on_delete=models.PROTECT, related_name="+"
    )
    currency = models.ForeignKey(
        "core.Currency", verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentRunStatus.choices, default=PaymentRunStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    executed_at = models.DateTimeField(_("executed"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("executed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("payment run")
        verbose_name_plural = _("payment runs")
        ordering = ["-payment_date", "-id"]
        permissions = [("execute_paymentrun", _("Can execute payment runs"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=PaymentRunStatus.values), name="finance_paymentrun_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(next_run__isnull=True) | Q(next_run__gt=models.F("payment_date")),
                name="finance_paymentrun_next_after",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("finance:paymentrun-detail", args=[self.pk])


class Payment(PartnerMixin, Document):
    Kind = PaymentKind

    kind = models.CharField(_("kind"), max_length=20, choices=PaymentKind.choices)
    bank_account = models.ForeignKey(
        "finance.Account",
        verbose_name=_("bank or cash account"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    payment_run = models.ForeignKey(
        PaymentRun,
        verbose_name=_("payment run"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    journal_entry = models.ForeignKey(
        "finance.JournalEntry",
        verbose_name=_("journal entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta(Document.Meta):
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        permissions = document_permissions("payment", "payments")
        constraints = [
            *Document.Meta.constraints,
            models.CheckConstraint(condition=Q(kind__in=PaymentKind.values), name="finance_payment_kind_valid"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="finance_payment_amount_not_negative"),
        ]
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["partner", "document_date"], name="finance_payment_partner_idx"),
        ]

    @property
    def number_series(self) -> str:  # type: ignore[override]
        return SERIES[self.kind][0]

    @property
    def number_pattern(self) -> str:  # type: ignore[override]
        return SERIES[self.kind][1]

    @property
    def side(self) -> str:
        return KIND_SIDE[self.kind]

    @property
    def is_incoming(self) -> bool:
        return self.kind in INCOMING

    @property
    def settles(self) -> bool:
        """True for payments that lower the partner's balance (receipts, vendor payments)."""
        return self.kind in SETTLING

    def get_absolute_url(self) -> str:
        return reverse(
            "finance:customerpayment-detail" if self.side == Side.RECEIVABLE else "finance:vendorpayment-detail",
            args=[self.pk],
        )


class PaymentLine(models.Model):
    """What a payment pays: an invoice (or, for a refund, the credit note or earlier payment it
    pays back), the amount applied to it and the early-payment discount taken."""

    payment = models.ForeignKey(Payment, verbose_name=_("payment"), on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"), default=0)
    customer_invoice = models.ForeignKey(
        "finance.CustomerInvoice",
        verbose_name=_("customer invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    vendor_bill = models.ForeignKey(
        "finance.VendorBill",
        verbose_name=_("vendor bill"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refunded_payment = models.ForeignKey(
        Payment,
        verbose_name=_("refunded payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    discount = models.DecimalField(_("discount"), **MONEY)

    class Meta:
        verbose_name = _("payment line")
        verbose_name_plural = _("payment lines")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(customer_invoice__isnull=False, vendor_bill__isnull=True, refunded_payment__isnull=True)
                    | Q(customer_invoice__isnull=True, vendor_bill__isnull=False, refunded_payment__isnull=True)
                    | Q(customer_invoice__isnull=True, vendor_bill__isnull=True, refunded_payment__isnull=False)
                ),
                name="finance_paymentline_one_target",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, discount__gte=0) & (Q(amount__gt=0) | Q(discount__gt=0)),
                name="finance_paymentline_amounts",
            ),
        ]

    def __str__(self) -> str:
        return str(self.target)

    @property
    def target(self):
        return self.customer_invoice or self.vendor_bill or self.refunded_payment

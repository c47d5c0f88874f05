"""Open items: what a partner owes us (receivables) and what we owe a partner (payables),
item by item, and how they were settled.

An ``OpenItem`` is written when an invoice, a credit note or a payment is posted: one per
installment of an invoice, one for a credit note or a payment. Amounts are signed in the
side's own direction — positive raises the partner's balance (an invoice to a customer, a
vendor's bill, a refund we pay out), negative lowers it (a payment received or made, a credit
note). An ``Allocation`` settles a positive item with a negative one (an invoice with a
payment or a credit note), possibly with an early-payment discount; the exchange difference
between the two items' booking rates is posted with it.

Kept in step with the ledger, so that at every date the receivable (payable) accounts' balance
equals the sum of the items' open amounts as of that date:

- an item's amounts are those of its partner line in the journal (company currency included);
- an allocation's discount and exchange-difference entries post exactly what it takes off
  the two items beyond what they cancel against each other, on the allocation's date.

``open_amount`` / ``open_amount_company`` are kept current for the screens; reports at a
past date subtract the allocations dated up to that date (``erp.finance.openitems.selectors``),
using ``settled_on`` (when the item's open amount reached zero) to skip settled items fast."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from erp.core.documents.models import MONEY

ZERO = Decimal("0")


class Side(models.TextChoices):
    RECEIVABLE = "receivable", _("Receivable")
    PAYABLE = "payable", _("Payable")


class OpenItemQuerySet(models.QuerySet):
    def open(self) -> OpenItemQuerySet:
        return self.exclude(open_amount=0)

    def receivable(self) -> OpenItemQuerySet:
        return self.filter(side=Side.RECEIVABLE)

    def payable(self) -> OpenItemQuerySet:
        return self.filter(side=Side.PAYABLE)

    def charges(self) -> OpenItemQuerySet:
        """Items that raise the partner's balance (invoices, refunds paid out)."""
        return self.filter(amount__gt=0)

    def credits(self) -> OpenItemQuerySet:
        """Items that lower it (payments, credit notes, overpayments kept as credit)."""
        return self.filter(amount__lt=0)

    def overdue(self, *, on) -> OpenItemQuerySet:
        return self.open().charges().filter(due_date__lt=on)

    def for_user(self, user) -> OpenItemQuerySet:
        from erp.core.access import organization_ids_for

        return self.filter(organization_id__in=organization_ids_for(user))


class OpenItem(models.Model):
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    organization = models.ForeignKey(
        "core.Organization", verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("business partner"), on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(
        "finance.Account", verbose_name=_("account"), on_delete=models.PROTECT, related_name="+"
    )
    currency = models.ForeignKey(
        "core.Currency", verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+"
    )
    customer_invoice = models.ForeignKey(
        "finance.CustomerInvoice",
        verbose_name=_("customer invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="open_items",
    )
    vendor_bill = models.ForeignKey(
        "finance.VendorBill",
        verbose_name=_("vendor bill"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="open_items",
    )
    payment = models.ForeignKey(
        "finance.Payment",
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="open_items",
    )
    journal_entry = models.ForeignKey(
        "finance.JournalEntry", verbose_name=_("journal entry"), on_delete=models.PROTECT, related_name="+"
    )
    installment = models.PositiveSmallIntegerField(_("installment"), default=1)
    installments = models.PositiveSmallIntegerField(_("installments"), default=1)
    reference = models.CharField(_("document"), max_length=40)
    document_date = models.DateField(_("date"))
    due_date = models.DateField(_("due date"))
    discount_date = models.DateField(_("discount until"), null=True, blank=True)
    discount_amount = models.DecimalField(_("discount"), **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)
    amount_company = models.DecimalField(_("amount (company currency)"), **MONEY)
    open_amount = models.DecimalField(_("open"), **MONEY)
    open_amount_company = models.DecimalField(_("open (company currency)"), **MONEY)
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OpenItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("open item")
        verbose_name_plural = _("open items")
        ordering = ["due_date", "id"]
        permissions = [
            ("view_receivables", _("Can view receivables (customer ledger, aged receivables, statements, dunning)")),
            ("view_payables", _("Can view payables (vendor ledger, aged payables)")),
            ("match_openitem", _("Can match payments and credit notes with invoices")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=Side.values), name="finance_openitem_side_valid"),
            models.CheckConstraint(
                condition=(
                    Q(customer_invoice__isnull=False, vendor_bill__isnull=True, payment__isnull=True)
                    | Q(customer_invoice__isnull=True, vendor_bill__isnull=False, payment__isnull=True)
                    | Q(customer_invoice__isnull=True, vendor_bill__isnull=True, payment__isnull=False)
                ),
                name="finance_openitem_one_source",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="finance_openitem_not_zero"),
            models.CheckConstraint(
                condition=Q(amount__gt=0, open_amount__gte=0, open_amount__lte=F("amount"))
                | Q(amount__lt=0, open_amount__lte=0, open_amount__gte=F("amount")),
                name="finance_openitem_open_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(open_amount=0, open_amount_company=0, settled_on__isnull=False)
                | (~Q(open_amount=0) & Q(settled_on__isnull=True)),
                name="finance_openitem_settled_when_zero",
            ),
            models.CheckConstraint(condition=Q(discount_amount__gte=0), name="finance_openitem_discount_positive"),
            models.UniqueConstraint(
                fields=["customer_invoice", "installment"],
                condition=Q(customer_invoice__isnull=False),
                name="finance_openitem_custinv_installment",
            ),
            models.UniqueConstraint(
                fields=["vendor_bill", "installment"],
                condition=Q(vendor_bill__isnull=False),
                name="finance_openitem_bill_installment",
            ),
            models.UniqueConstraint(
                fields=["payment"], condition=Q(payment__isnull=False), name="finance_openitem_payment_once"
            ),
        ]
        indexes = [
            # Open items of a partner (matching screen, statements, payment run, dunning).
            models.Index(
                fields=["side", "partner", "due_date"], condition=~Q(open_amount=0), name="finance_openitem_open_idx"
            ),
            # Aged reports at a date: the items not settled by then, read in one index range.
            models.Index(
                fields=["side", "document_date"],
                include=["partner", "due_date", "amount_company", "settled_on"],
                name="finance_openitem_aging_idx",
            ),
            # Partner ledger (all items of a partner in date order).
            models.Index(fields=["partner", "side", "document_date", "id"], name="finance_openitem_ledger_idx"),
        ]

    def __str__(self) -> str:
        if self.installments > 1:
            return f"{self.reference} ({self.installment}/{self.installments})"
        return self.reference

    @property
    def source(self):
        return self.customer_invoice or self.vendor_bill or self.payment

    @property
    def is_charge(self) -> bool:
        return self.amount > 0

    @property
    def is_open(self) -> bool:
        return self.open_amount != 0


class Allocation(models.Model):
    """``amount`` of the credit item (a payment, a credit note) applied to the charge item (an
    invoice installment), plus ``discount`` taken off the charge as an early-payment discount.

    ``charge_company`` is what the charge item lost in the company currency (amount and
    discount, at its booking rate), ``credit_company`` what the credit item lost (at its rate);
    the difference not explained by the discount is the realised exchange difference."""

    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("business partner"), on_delete=models.PROTECT, related_name="+"
    )
    charge = models.ForeignKey(
        OpenItem, verbose_name=_("invoice item"), on_delete=models.PROTECT, related_name="charge_allocations"
    )
    credit = models.ForeignKey(
        OpenItem, verbose_name=_("payment item"), on_delete=models.PROTECT, related_name="credit_allocations"
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    discount = models.DecimalField(_("discount"), **MONEY)
    charge_company = models.DecimalField(_("invoice part (company currency)"), **MONEY)
    credit_company = models.DecimalField(_("payment part (company currency)"), **MONEY)
    discount_company = models.DecimalField(_("discount (company currency)"), **MONEY)
    exchange_difference = models.DecimalField(_("exchange difference"), **MONEY)
    discount_entry = models.ForeignKey(
        "finance.JournalEntry",
        verbose_name=_("discount entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    exchange_entry = models.ForeignKey(
        "finance.JournalEntry",
        verbose_name=_("exchange difference entry"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(side__in=Side.values), name="finance_allocation_side_valid"),
            models.CheckConstraint(
                condition=Q(amount__gte=0, discount__gte=0, charge_company__gte=0, credit_company__gte=0),
                name="finance_allocation_not_negative",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0) | Q(discount__gt=0), name="finance_allocation_not_empty"),
            models.CheckConstraint(condition=~Q(charge=F("credit")), name="finance_allocation_two_items"),
        ]
        indexes = [
            models.Index(fields=["charge", "date"], name="finance_alloc_charge_idx"),
            models.Index(fields=["credit", "date"], name="finance_alloc_credit_idx"),
            models.Index(fields=["partner", "date"], name="finance_alloc_partner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.credit_id} → {self.charge_id}: {self.amount}"

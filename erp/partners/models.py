"""Business partners: customers, vendors, employees, prospects, competitors — one
record, several roles at once — with their addresses, contacts, categories and
payment terms (``erp.partners.terms`` computes due dates from a term)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.core.models import AuditedModel, Currency, LiveManager, LiveQuerySet, custom_fields_index


class PaymentTerm(AuditedModel):
    """When an invoice is due: ``net_days`` after the invoice date (then to the end of that month
    with ``end_of_month``), or in installments (``lines``); an early-payment discount of
    ``discount_percent`` when paid within ``discount_days``."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    net_days = models.PositiveIntegerField(_("net days"), default=0)
    end_of_month = models.BooleanField(
        _("end of month"), default=False, help_text=_("Due at the end of the month in which the days end.")
    )
    discount_percent = models.DecimalField(
        _("early-payment discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    discount_days = models.PositiveIntegerField(_("discount within (days)"), default=0)
    description = models.CharField(_("text on documents"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("payment term")
        verbose_name_plural = _("payment terms")
        ordering = ["net_days", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(deleted_at__isnull=True), name="partners_paymentterm_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0, discount_percent__lt=100),
                name="partners_paymentterm_discount_range",
            ),
            models.CheckConstraint(
                condition=Q(discount_percent=0) | Q(discount_days__gt=0),
                name="partners_paymentterm_discount_has_days",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("partners:paymentterm-detail", args=[self.pk])

    def rule(self):
        """The term as ``erp.partners.terms.TermRule`` (uses prefetched ``lines``)."""
        from erp.partners.terms import InstallmentRule, TermRule

        return TermRule(
            net_days=self.net_days,
            end_of_month=self.end_of_month,
            discount_percent=self.discount_percent,
            discount_days=self.discount_days,
            installments=tuple(
                InstallmentRule(line.percent, line.days, line.end_of_month) for line in self.lines.all()
            ),
        )

    def schedule(self, *, invoice_date, amount=None, places: int = 2):
        from erp.partners.terms import schedule

        return schedule(self.rule(), invoice_date=invoice_date, amount=amount, places=places)


class PaymentTermLine(models.Model):
    """One installment: ``percent`` of the amount, due ``days`` after the invoice date."""

    term = models.ForeignKey(
        PaymentTerm, verbose_name=_("payment term"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    percent = models.DecimalField(_("share (%)"), max_digits=7, decimal_places=4)
    days = models.PositiveIntegerField(_("days"), default=0)
    end_of_month = models.BooleanField(_("end of month"), default=False)

    class Meta:
        verbose_name = _("installment")
        verbose_name_plural = _("installments")
        ordering = ["term", "position", "days", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gt=0, percent__lte=100), name="partners_paymenttermline_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.percent.normalize():f} % / {self.days}"


class PartnerCategory(models.Model):
    """A tag for grouping partners (“Wholesale”, “Key account”, “EU”)."""

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner category")
        verbose_name_plural = _("partner categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(models.functions.Lower("name"), name="partners_partnercategory_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerQuerySet(LiveQuerySet):
    def customers(self):
        return self.filter(is_customer=True)

    def vendors(self):
        return self.filter(is_vendor=True)


class Partner(AuditedModel):
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    search_key = models.CharField(_("search key"), max_length=100, blank=True)
    # The name as the duplicate check compares it (accents folded, legal forms dropped), kept by the services.
    name_key = models.CharField(_("name for comparison"), max_length=200, blank=True, editable=False)
    is_customer = models.BooleanField(_("customer"), default=False)
    is_vendor = models.BooleanField(_("vendor"), default=False)
    is_employee = models.BooleanField(_("employee"), default=False)
    is_prospect = models.BooleanField(_("prospect"), default=False)
    is_competitor = models.BooleanField(_("competitor"), default=False)
    country = models.CharField(_("country"), max_length=2, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=50, blank=True)
    tax_exempt = models.BooleanField(_("tax exempt"), default=False)
    credit_limit = models.DecimalField(_("credit limit"), max_digits=18, decimal_places=2, default=Decimal("0"))
    currency = models.ForeignKey(
        Currency, verbose_name=_("currency"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    categories = models.ManyToManyField(
        PartnerCategory, verbose_name=_("categories"), blank=True, related_name="partners"
    )
    payment_term = models.ForeignKey(
        PaymentTerm,
        verbose_name=_("payment term (as customer)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
    )
    vendor_payment_term = models.ForeignKey(
        PaymentTerm,
        verbose_name=_("payment term (as vendor)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vendors",
    )
    price_list = models.ForeignKey(
        "catalog.PriceList",
        verbose_name=_("price list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partners",
    )
    receivable_account = models.ForeignKey(
        "finance.Account",
        verbose_name=_("receivable account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partners_receivable",
        help_text=_("Empty: the chart's receivable account."),
    )
    payable_account = models.ForeignKey(
        "finance.Account",
        verbose_name=_("payable account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partners_payable",
        help_text=_("Empty: the chart's payable account."),
    )

    objects = LiveManager.from_queryset(PartnerQuerySet)()

    class Meta:
        verbose_name = _("business partner")
        verbose_name_plural = _("business partners")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(deleted_at__isnull=True), name="partners_partner_code_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["name"], name="partners_partner_name_idx"),
            models.Index(fields=["tax_id"], condition=~Q(tax_id=""), name="partners_partner_tax_id_idx"),
            custom_fields_index("partners_partner_cf"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name

    def get_absolute_url(self) -> str:
        return reverse("partners:partner-detail", args=[self.pk])

    @property
    def roles(self) -> list[str]:
        """The roles' names, e.g. ["Customer", "Vendor"]."""
        return [str(label) for field, label in ROLES if getattr(self, field)]


ROLES = (
    ("is_customer", _("Customer")),
    ("is_vendor", _("Vendor")),
    ("is_employee", _("Employee")),
    ("is_prospect", _("Prospect")),
    ("is_competitor", _("Competitor")),
)


class AddressType(models.TextChoices):
    BILLING = "billing", _("Billing")
    SHIPPING = "shipping", _("Shipping")
    OTHER = "other", _("Other")


class Address(models.Model):
    """A postal address of a partner; one default per type (the one documents propose)."""

    Type = AddressType

    partner = models.ForeignKey(
        Partner, verbose_name=_("business partner"), on_delete=models.CASCADE, related_name="addresses"
    )
    address_type = models.CharField(_("type"), max_length=10, choices=AddressType.choices, default=AddressType.BILLING)
    is_default = models.BooleanField(_("default"), default=False)
    name = models.CharField(_("name / c/o"), max_length=200, blank=True)
    street = models.CharField(_("street"), max_length=200)
    street2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("region / state"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["partner", "address_type", "-is_default", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "address_type"], condition=Q(is_default=True), name="partners_address_one_default"
            ),
            models.CheckConstraint(
                condition=Q(address_type__in=AddressType.values), name="partners_address_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return ", ".join(
            part for part in (self.street, f"{self.postal_code} {self.city}".strip(), self.country) if part
        )

    @property
    def lines(self) -> list[str]:
        return [
            line
            for line in (self.name, self.street, self.street2, f"{self.postal_code} {self.city}".strip(), self.region)
            if line
        ]


class Contact(models.Model):
    """A person at a partner."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("business partner"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=100, blank=True, help_text=_("e.g. Purchasing, Accounts payable"))
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    is_primary = models.BooleanField(_("main contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["partner", "-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner"], condition=Q(is_primary=True), name="partners_contact_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartnerMixin(models.Model):
    """The business partner of a document (customer, vendor …)."""

    partner = models.ForeignKey(
        Partner,
        verbose_name=_("business partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

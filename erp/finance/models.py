"""Finance master data: the chart of accounts, fiscal years and periods, tax codes.

Journal entries, posting and balances build on these (``finance.posting``);
they refer to accounts and periods and never the other way round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.db import connection, models
from django.db.models.options import Options
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from psycopg import sql
from simple_history.models import HistoricalRecords

from erp.core.models import AuditedModel, Currency, LiveManager, LiveQuerySet


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")


BALANCE_SHEET_TYPES = frozenset({AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY})
DEBIT_NORMAL_TYPES = frozenset({AccountType.ASSET, AccountType.EXPENSE})


class AccountRole(models.TextChoices):
    """What an account is for, so postings can find it (``Account.objects.for_role``)."""

    NONE = "", _("No special role")
    RECEIVABLE = "receivable", _("Receivable")
    PAYABLE = "payable", _("Payable")
    BANK = "bank", _("Bank")
    CASH = "cash", _("Cash")
    INVENTORY = "inventory", _("Inventory")
    COST_OF_GOODS_SOLD = "cost_of_goods_sold", _("Cost of goods sold")
    TAX_PAYABLE = "tax_payable", _("Tax payable (output tax)")
    TAX_RECEIVABLE = "tax_receivable", _("Tax receivable (input tax)")
    RETAINED_EARNINGS = "retained_earnings", _("Retained earnings")
    CURRENT_YEAR_EARNINGS = "current_year_earnings", _("Current year earnings")
    GOODS_RECEIVED_NOT_INVOICED = "goods_received_not_invoiced", _("Goods received not invoiced")
    PRICE_DIFFERENCE = "price_difference", _("Price difference")
    EXCHANGE_GAIN = "exchange_gain", _("Exchange rate gain")
    EXCHANGE_LOSS = "exchange_loss", _("Exchange rate loss")
    ROUNDING = "rounding", _("Rounding difference")
    SUSPENSE = "suspense", _("Suspense")
    OPENING_BALANCE = "opening_balance", _("Opening balance")
    SALES = "sales", _("Revenue (default for invoices)")
    PURCHASES = "purchases", _("Expense (default for vendor bills)")
    DISCOUNT_GRANTED = "discount_granted", _("Cash discounts granted")
    DISCOUNT_RECEIVED = "discount_received", _("Cash discounts received")


# The account types a role fits.
ROLE_TYPES: dict[str, frozenset[str]] = {
    AccountRole.RECEIVABLE: frozenset({AccountType.ASSET}),
    AccountRole.PAYABLE: frozenset({AccountType.LIABILITY}),
    AccountRole.BANK: frozenset({AccountType.ASSET, AccountType.LIABILITY}),
    AccountRole.CASH: frozenset({AccountType.ASSET}),
    AccountRole.INVENTORY: frozenset({AccountType.ASSET}),
    AccountRole.COST_OF_GOODS_SOLD: frozenset({AccountType.EXPENSE}),
    AccountRole.TAX_PAYABLE: frozenset({AccountType.LIABILITY}),
    AccountRole.TAX_RECEIVABLE: frozenset({AccountType.ASSET}),
    AccountRole.RETAINED_EARNINGS: frozenset({AccountType.EQUITY}),
    AccountRole.CURRENT_YEAR_EARNINGS: frozenset({AccountType.EQUITY}),
    AccountRole.GOODS_RECEIVED_NOT_INVOICED: frozenset({AccountType.LIABILITY}),
    AccountRole.PRICE_DIFFERENCE: frozenset({AccountType.EXPENSE, AccountType.INCOME}),
    AccountRole.EXCHANGE_GAIN: frozenset({AccountType.INCOME}),
    AccountRole.EXCHANGE_LOSS: frozenset({AccountType.EXPENSE}),
    AccountRole.ROUNDING: frozenset({AccountType.EXPENSE, AccountType.INCOME}),
    AccountRole.SUSPENSE: frozenset({AccountType.ASSET, AccountType.LIABILITY}),
    AccountRole.OPENING_BALANCE: frozenset({AccountType.EQUITY}),
    AccountRole.SALES: frozenset({AccountType.INCOME}),
    AccountRole.PURCHASES: frozenset({AccountType.EXPENSE}),
    AccountRole.DISCOUNT_GRANTED: frozenset({AccountType.INCOME, AccountType.EXPENSE}),
    AccountRole.DISCOUNT_RECEIVED: frozenset({AccountType.INCOME, AccountType.EXPENSE}),
}

# Roles that at most one active account may carry: postings look them up by role.
SINGLE_ROLES = frozenset(
    {
        AccountRole.RETAINED_EARNINGS,
        AccountRole.CURRENT_YEAR_EARNINGS,
        AccountRole.GOODS_RECEIVED_NOT_INVOICED,
        AccountRole.PRICE_DIFFERENCE,
        AccountRole.EXCHANGE_GAIN,
        AccountRole.EXCHANGE_LOSS,
        AccountRole.ROUNDING,
        AccountRole.SUSPENSE,
        AccountRole.OPENING_BALANCE,
        AccountRole.SALES,
        AccountRole.PURCHASES,
        AccountRole.DISCOUNT_GRANTED,
        AccountRole.DISCOUNT_RECEIVED,
    }
)


@dataclass(frozen=True)
class Usage:
    """How many records of one kind refer to an account (at most ``CAP`` are counted)."""

    CAP = 1000

    meta: Options
    count: int

    def __str__(self) -> str:
        if self.count > self.CAP:
            return f"{self.CAP}+ {self.meta.verbose_name_plural}"
        name = self.meta.verbose_name if self.count == 1 else self.meta.verbose_name_plural
        return f"{self.count} {name}"


class AccountQuerySet(LiveQuerySet):
    def active(self) -> AccountQuerySet:
        return self.filter(is_active=True)

    def postable(self) -> AccountQuerySet:
        """Accounts a journal line may use: active and not a summary (group) account."""
        return self.filter(is_active=True, is_group=False)

    def groups(self) -> AccountQuerySet:
        return self.filter(is_group=True)

    def for_role(self, role: str) -> AccountQuerySet:
        return self.postable().filter(role=role)


class Account(AuditedModel):
    """An account of the chart. Accounts form a tree: group (summary) accounts total their
    sub-accounts and are never posted to. Once used, an account is deactivated, not deleted."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    account_type = models.CharField(_("type"), max_length=10, choices=AccountType.choices)
    role = models.CharField(_("role"), max_length=30, choices=AccountRole.choices, blank=True, default="")
    is_group = models.BooleanField(
        _("summary account"), default=False, help_text=_("Totals its sub-accounts; cannot be posted to.")
    )
    reconcilable = models.BooleanField(
        _("reconcilable"), default=False, help_text=_("Open items are matched (receivables, payables, bank).")
    )
    currency = models.ForeignKey(
        Currency,
        verbose_name=_("currency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Only for accounts kept in a foreign currency, e.g. a USD bank account."),
    )
    description = models.TextField(_("description"), blank=True)

    objects = LiveManager.from_queryset(AccountQuerySet)()

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(deleted_at__isnull=True), name="finance_account_code_unique"
            ),
            models.UniqueConstraint(
                fields=["role"],
                condition=models.Q(role__in=sorted(SINGLE_ROLES), is_active=True, deleted_at__isnull=True),
                name="finance_account_single_role",
            ),
            models.CheckConstraint(condition=~models.Q(parent=models.F("pk")), name="finance_account_not_own_parent"),
            models.CheckConstraint(
                condition=models.Q(account_type__in=AccountType.values), name="finance_account_type_valid"
            ),
            models.CheckConstraint(condition=models.Q(role__in=AccountRole.values), name="finance_account_role_valid"),
            models.CheckConstraint(
                condition=models.Q(is_group=False) | models.Q(role="", currency__isnull=True),
                name="finance_account_group_plain",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("finance:account-detail", args=[self.pk])

    @property
    def is_debit_normal(self) -> bool:
        """Assets and expenses grow with debits; liabilities, equity and income with credits."""
        return self.account_type in DEBIT_NORMAL_TYPES

    @property
    def is_balance_sheet(self) -> bool:
        return self.account_type in BALANCE_SHEET_TYPES

    @property
    def is_postable(self) -> bool:
        return self.is_active and not self.is_group and self.deleted_at is None

    def _references(self):
        """(table, column, model meta) of every other kind of record that points at an account:
        journal lines, tax codes, partners' default accounts … as the apps that own them appear."""
        for relation in self._meta.related_objects:
            model = relation.related_model
            if model is Account or not relation.field.concrete:
                continue
            yield model._meta.db_table, relation.field.column, model._meta

    def usage(self) -> list[Usage]:
        """What uses this account, kind by kind, e.g. “1 tax code”, “1000+ journal lines”.

        One query however many kinds refer to accounts, each counted up to ``Usage.CAP`` only,
        so a busy account's page stays fast."""
        references = list(self._references())
        if not references:
            return []
        counts = sql.SQL(", ").join(
            sql.SQL("(SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {column} = %s LIMIT %s) AS capped)").format(
                table=sql.Identifier(table), column=sql.Identifier(column)
            )
            for table, column, _meta in references
        )
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("SELECT {}").format(counts), [self.pk, Usage.CAP + 1] * len(references))
            row = cursor.fetchone()
        return [Usage(meta, count) for (_table, _column, meta), count in zip(references, row, strict=True) if count]

    def is_used(self) -> bool:
        """True once anything refers to the account (a journal line, a tax code …): from then on
        it can be deactivated but not deleted, and its type and group flag stay as they are."""
        references = list(self._references())
        if not references:
            return False
        exists = sql.SQL(" OR ").join(
            sql.SQL("EXISTS (SELECT 1 FROM {table} WHERE {column} = %s)").format(
                table=sql.Identifier(table), column=sql.Identifier(column)
            )
            for table, column, _meta in references
        )
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("SELECT {}").format(exists), [self.pk] * len(references))
            return bool(cursor.fetchone()[0])


# Both the first and the last day belong to a period: daterange(start, end, '[]').
INCLUSIVE = RangeBoundary(inclusive_lower=True, inclusive_upper=True)


class DateRange(models.Func):
    function = "daterange"
    output_field = DateRangeField()


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Closable(models.Model):
    """Open or closed, and when and by whom it was closed."""

    Status = PeriodStatus

    status = models.CharField(_("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.status == PeriodStatus.OPEN

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED


class FiscalYear(Closable):
    """A fiscal year of twelve monthly periods.

    ``status`` becomes closed at the year-end closing, which moves the result to retained
    earnings and opens the next year; the journal entries that closing creates are linked
    from here by the ledger's own migration, so this table does not depend on it."""

    name = models.CharField(_("name"), max_length=20, unique=True)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")), name="finance_fiscalyear_dates"
            ),
            ExclusionConstraint(
                name="finance_fiscalyear_no_overlap",
                expressions=[(DateRange("start_date", "end_date", INCLUSIVE), RangeOperators.OVERLAPS)],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("finance:fiscalyear-detail", args=[self.pk])


class PeriodQuerySet(models.QuerySet):
    def containing(self, day: date) -> PeriodQuerySet:
        return self.filter(start_date__lte=day, end_date__gte=day)

    def open(self) -> PeriodQuerySet:
        return self.filter(status=PeriodStatus.OPEN)


class Period(Closable):
    """One month of a fiscal year. Nothing is posted into a closed period."""

    fiscal_year = models.ForeignKey(
        FiscalYear, verbose_name=_("fiscal year"), on_delete=models.PROTECT, related_name="periods"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=20)
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    history = HistoricalRecords()

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["start_date"]
        permissions = [("close_period", _("Can close and reopen accounting periods"))]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "number"], name="finance_period_number_unique"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="finance_period_dates"
            ),
            ExclusionConstraint(
                name="finance_period_no_overlap",
                expressions=[(DateRange("start_date", "end_date", INCLUSIVE), RangeOperators.OVERLAPS)],
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """“January 2025”, in the active language."""
        return date_format(self.start_date, "F Y")


class TaxType(models.TextChoices):
    SALES = "sales", _("Sales")
    PURCHASE = "purchase", _("Purchase")


class TaxCode(AuditedModel):
    """A tax rate and the account its amounts are posted to. ``tax_amount()`` in
    ``erp.finance.tax`` splits an amount into net, tax and gross."""

    Type = TaxType

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    rate = models.DecimalField(_("rate (%)"), max_digits=7, decimal_places=4)
    tax_type = models.CharField(_("type"), max_length=10, choices=TaxType.choices)
    account = models.ForeignKey(
        Account, verbose_name=_("tax account"), on_delete=models.PROTECT, related_name="tax_codes"
    )
    price_included = models.BooleanField(
        _("included in price"), default=False, help_text=_("Prices already contain this tax (gross prices).")
    )
    description = models.CharField(_("text on documents"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("tax code")
        verbose_name_plural = _("tax codes")
        ordering = ["tax_type", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(deleted_at__isnull=True), name="finance_taxcode_code_unique"
            ),
            models.CheckConstraint(condition=models.Q(rate__gte=0, rate__lte=100), name="finance_taxcode_rate_range"),
            models.CheckConstraint(condition=models.Q(tax_type__in=TaxType.values), name="finance_taxcode_type_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.rate.normalize():f} %)"

    def get_absolute_url(self) -> str:
        return reverse("finance:taxcode-update", args=[self.pk])


# The general ledger (journal entries, lines, kept balances) lives in its own module.
# Receivables and payables: invoices, open items, payments (each in its own module).
from erp.finance.invoicing.models import (  # noqa: E402,F401
    CustomerInvoice,
    CustomerInvoiceLine,
    VendorBill,
    VendorBillLine,
)
from erp.finance.journal.models import AccountBalance, JournalEntry, JournalLine  # noqa: E402,F401
from erp.finance.openitems.models import Allocation, OpenItem  # noqa: E402,F401
from erp.finance.payments.models import Payment, PaymentLine, PaymentRun  # noqa: E402,F401

"""The general ledger: journal entries, their lines and the balances kept from them.

A journal entry is a document (``erp.core.documents``): manual entries start as drafts
and are posted by completing them; other modules post through ``erp.finance.posting``.
Posted lines are immutable and every posted entry balances; PostgreSQL enforces both
(see the migration ``0002_journal``), not only this code:

- ``finance_journalline`` rows of a posted entry cannot be updated or deleted, and no
  line can be added to a posted entry;
- at commit, every posted entry's debits equal its credits in the document and in the
  company currency (a deferred constraint trigger);
- a line is posted only into an open period that contains its date, and only to an
  active, non-group account;
- ``finance_accountbalance`` is maintained by the same statement that posts lines (it
  appends their sums per key; ``finance_compact_balances()`` folds them) and cannot be
  written directly.

Corrections never edit: a reversal or a void posts a counter-entry with the debits and
credits swapped (see ``erp.finance.journal.effects``)."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from erp.core.documents.models import MONEY, Document, document_permissions
from erp.core.models import Currency, Organization
from erp.finance.models import Account, FiscalYear, Period
from erp.partners.models import Partner


class EntryKind(models.TextChoices):
    MANUAL = "manual", _("Manual")
    SYSTEM = "system", _("System")
    CLOSING = "closing", _("Year-end closing")
    OPENING = "opening", _("Opening balances")


class Correction(models.TextChoices):
    """What an entry does to the entry in ``reversal_of``."""

    NONE = "", _("None")
    REVERSAL = "reversal", _("Reversal")
    VOID = "void", _("Void")


class BalanceKind(models.TextChoices):
    """How a posting counts in ``AccountBalance``: reports choose which kinds they add up.

    Cumulative balances add ``regular`` and ``closing`` (the closing entry zeroes income and
    expense into retained earnings); the profit and loss of a year adds ``regular`` only;
    ``opening`` entries restate what the closed year carried forward, so cumulative sums
    leave them out (they would count it twice)."""

    REGULAR = "regular", _("Regular")
    CLOSING = "closing", _("Year-end closing")
    OPENING = "opening", _("Opening balances")


POSTED_LINE = models.Q(posted=True)


class JournalEntry(Document):
    number_series = "journal"
    number_pattern = "JE-{org}-{year}-{seq:05d}"

    description = models.CharField(_("description"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices, default=EntryKind.MANUAL)
    correction = models.CharField(
        _("correction"), max_length=10, choices=Correction.choices, default=Correction.NONE, blank=True
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closes_year = models.ForeignKey(
        FiscalYear,
        verbose_name=_("closes fiscal year"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="closing_entries",
        help_text=_("Set on the year-end closing entry and the opening entry it carries forward."),
    )
    source_type = models.ForeignKey(
        ContentType, verbose_name=_("source type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    source = GenericForeignKey("source_type", "source_id")

    class Meta(Document.Meta):
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        permissions = document_permissions("journalentry", "journal entries")
        constraints = [
            *Document.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(kind__in=EntryKind.values), name="finance_journalentry_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(correction="")
                | models.Q(correction__in=Correction.values, reversal_of__isnull=False),
                name="finance_journalentry_correction_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(posted=False) | (models.Q(period__isnull=False) & ~models.Q(number="")),
                name="finance_journalentry_posted_numbered",
            ),
            # An entry is corrected (reversed or voided) at most once.
            models.UniqueConstraint(
                fields=["reversal_of"], condition=~models.Q(correction=""), name="finance_journalentry_corrected_once"
            ),
        ]
        indexes = [
            *Document.Meta.indexes,
            models.Index(fields=["source_type", "source_id"], name="finance_entry_source_idx"),
            models.Index(fields=["accounting_date", "id"], name="finance_entry_date_idx"),
            # The few closing and opening entries of a period: reports leave their lines out by id
            # instead of joining every line with its entry (erp.finance.selectors._of_kinds).
            models.Index(
                fields=["period"],
                condition=models.Q(kind__in=[EntryKind.CLOSING, EntryKind.OPENING]),
                name="finance_entry_year_end_idx",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("finance:journalentry-detail", args=[self.pk])


class JournalLine(models.Model):
    """One debit or credit of an entry, in the entry's currency and in the company currency.

    ``date``, ``period`` and ``posted`` repeat the entry's values once it is posted, so the
    general ledger of an account reads one index range (account, date) without a join."""

    entry = models.ForeignKey(
        JournalEntry, verbose_name=_("journal entry"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="journal_lines", db_index=False
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("business partner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    analytic_tag = models.CharField(
        _("analytic tag"),
        max_length=50,
        blank=True,
        help_text=_("A cost centre, project or campaign, to analyse income and expense by."),
    )
    debit = models.DecimalField(_("debit"), **MONEY)
    credit = models.DecimalField(_("credit"), **MONEY)
    debit_company = models.DecimalField(_("debit (company currency)"), **MONEY)
    credit_company = models.DecimalField(_("credit (company currency)"), **MONEY)
    date = models.DateField(_("date"), null=True, blank=True)
    period = models.ForeignKey(
        Period,
        verbose_name=_("period"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    posted = models.BooleanField(_("posted"), default=False)

    class Meta:
        verbose_name = _("journal line")
        verbose_name_plural = _("journal lines")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(debit__gte=0, credit__gte=0, debit_company__gte=0, credit_company__gte=0),
                name="finance_journalline_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(debit=0) | models.Q(credit=0), name="finance_journalline_one_side"
            ),
            models.CheckConstraint(
                condition=(models.Q(debit=0) | models.Q(credit_company=0))
                & (models.Q(credit=0) | models.Q(debit_company=0))
                & (models.Q(debit_company=0) | models.Q(credit_company=0)),
                name="finance_journalline_company_side",
            ),
            models.CheckConstraint(
                condition=models.Q(debit__gt=0)
                | models.Q(credit__gt=0)
                | models.Q(debit_company__gt=0)
                | models.Q(credit_company__gt=0),
                name="finance_journalline_not_zero",
            ),
            models.CheckConstraint(
                condition=models.Q(posted=False) | models.Q(date__isnull=False, period__isnull=False),
                name="finance_journalline_posted_dated",
            ),
        ]
        indexes = [
            # General ledger of an account over dates (and the PROTECT check of accounts).
            models.Index(fields=["account", "date", "id"], name="finance_line_ledger_idx"),
            models.Index(
                fields=["partner", "date"], condition=models.Q(partner__isnull=False), name="finance_line_partner_idx"
            ),
            models.Index(fields=["period", "account"], condition=POSTED_LINE, name="finance_line_period_idx"),
            models.Index(
                fields=["analytic_tag", "date"], condition=~models.Q(analytic_tag=""), name="finance_line_tag_idx"
            ),
        ]

    def __str__(self) -> str:
        side = f"Dr {self.debit}" if self.debit else f"Cr {self.credit}"
        return f"{self.account_id} {side}"


class AccountBalance(models.Model):
    """Posted debits and credits per (account, organization, period, currency, kind).

    Written only by the database trigger that posts lines, which appends one row per key and
    posting statement (appending locks nothing other postings need); the worker folds the
    rows of each key into one every few minutes (``erp.finance.balances.balances_compact``).
    Readers — the trial balance, the balance sheet, the year-end close — therefore always add
    the rows of a key up: a few thousand rows instead of every line.
    ``manage.py finance_check_balances`` proves them against the lines."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    period = models.ForeignKey(
        Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    currency = models.ForeignKey(
        Currency, verbose_name=_("currency"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=BalanceKind.choices, default=BalanceKind.REGULAR)
    debit = models.DecimalField(_("debit"), max_digits=22, decimal_places=4, default=Decimal("0"))
    credit = models.DecimalField(_("credit"), max_digits=22, decimal_places=4, default=Decimal("0"))
    debit_company = models.DecimalField(
        _("debit (company currency)"), max_digits=22, decimal_places=4, default=Decimal("0")
    )
    credit_company = models.DecimalField(
        _("credit (company currency)"), max_digits=22, decimal_places=4, default=Decimal("0")
    )
    line_count = models.BigIntegerField(_("lines"), default=0)

    class Meta:
        verbose_name = _("account balance")
        verbose_name_plural = _("account balances")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=BalanceKind.values), name="finance_accountbalance_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["period", "account"], name="finance_balance_period_idx"),
            models.Index(
                fields=["account", "organization", "period", "currency", "kind"], name="finance_balance_key_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.organization_id}/{self.period_id} {self.kind}"

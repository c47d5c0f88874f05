"""What completing, voiding and reversing a journal entry do (registered with
``erp.core.documents.registry`` when the finance app is ready).

- Complete = post: the draft's lines are converted to the company currency, dated, and
  marked posted; the database adds them to the balances and proves the entry balanced.
- Void: only while the entry's period is open and nothing depends on it. The entry is kept
  and a voiding entry with debits and credits swapped is posted on the same date, so the
  books stay append-only and provable: the pair nets to zero in every balance, and the
  voided entry and its void are both visible in the journal.
- Reverse-Correct: a reversing entry on the original date (its period must be open).
- Reverse-Accrual: a reversing entry on another, later date with an open period — the only
  choice once the original's period is closed.

Entries posted by another document (an invoice, a payment) are corrected through that
document; year-end entries are undone by reopening the fiscal year; a void or a reversal
is not itself voided or reversed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from erp.core import bulk
from erp.core.documents.models import Action
from erp.core.documents.registry import DocumentEffects
from erp.core.exceptions import DomainError
from erp.finance import periods, posting
from erp.finance.journal.models import Correction, EntryKind, JournalEntry, JournalLine

ZERO = Decimal("0")

# Other modules say why an entry cannot be voided (e.g. its receivable line is reconciled):
# each check returns the reasons, empty when nothing depends on the entry.
DependencyCheck = Callable[[JournalEntry], list[str]]
_dependency_checks: list[DependencyCheck] = []


def register_dependency_check(check: DependencyCheck) -> DependencyCheck:
    _dependency_checks.append(check)
    return check


def _company_places() -> int:
    return posting.company_currency().decimal_places


def _lines(entry: JournalEntry) -> list[JournalLine]:
    return list(entry.lines.order_by("position", "id"))


def _require_balanced(entry: JournalEntry, lines: list[JournalLine]) -> None:
    if len(lines) < 2:
        raise DomainError(_("A journal entry needs at least two lines."))
    for number, line in enumerate(lines, start=1):
        if not line.debit and not line.credit:
            raise DomainError(_("Line %(line)d has no amount.") % {"line": number})
    debit = sum((line.debit for line in lines), ZERO)
    credit = sum((line.credit for line in lines), ZERO)
    if debit != credit:
        raise DomainError(
            _("The entry does not balance: debits %(debit)s, credits %(credit)s, difference %(difference)s.")
            % {"debit": debit, "credit": credit, "difference": debit - credit}
        )


def _correction_refusal(entry: JournalEntry) -> str | None:
    """Why this entry cannot be voided or reversed by hand at all (None when it can)."""
    if entry.correction:
        return _("%(entry)s corrects %(original)s and cannot itself be voided or reversed.") % {
            "entry": entry,
            "original": entry.reversal_of,
        }
    if entry.kind in (EntryKind.CLOSING, EntryKind.OPENING):
        return _("Year-end entries are undone by reopening the fiscal year.")
    if entry.source_type_id:
        return _("%(entry)s was posted by %(source)s: correct that document instead.") % {
            "entry": entry,
            "source": entry.source or _("another document"),
        }
    return None


def _closed_period_refusal(entry: JournalEntry, *, instead: str) -> str | None:
    period = entry.period
    if period is not None and not period.is_open:
        return _("The period %(period)s is closed: %(instead)s") % {"period": period.label, "instead": instead}
    return None


class JournalEntryEffects(DocumentEffects):
    # A posted entry is final: there is nothing to close, and no work in progress to start.
    hidden_actions = frozenset({Action.CLOSE, Action.START})

    def recompute_totals(self, document: JournalEntry) -> None:
        """Company-currency amounts of a draft's lines and the entry's totals (debits)."""
        if document.pk is None or document.posted:
            return
        lines = _lines(document)
        converted = posting.to_company_amounts(
            [(line.debit, line.credit) for line in lines], rate=document.exchange_rate, places=_company_places()
        )
        changed = []
        for line, (debit_company, credit_company) in zip(lines, converted, strict=True):
            if (line.debit_company, line.credit_company) != (debit_company, credit_company):
                line.debit_company, line.credit_company = debit_company, credit_company
                changed.append(line)
        if changed:
            bulk.bulk_update(changed, ["debit_company", "credit_company"])
        document.total_net = document.total_gross = sum((line.debit for line in lines), ZERO)
        document.total_net_company = document.total_gross_company = sum((line.debit_company for line in lines), ZERO)
        document.total_tax = document.total_tax_company = ZERO

    def check_submit(self, document: JournalEntry) -> None:
        _require_balanced(document, _lines(document))

    def check_complete(self, document: JournalEntry) -> None:
        lines = _lines(document)
        _require_balanced(document, lines)
        periods.assert_open(document.accounting_date, field="accounting_date")
        posting.check_accounts(line.account_id for line in lines)

    def on_complete(self, document: JournalEntry, *, by) -> None:
        """Post the draft's lines; the document service then saves the entry as posted."""
        period = periods.assert_open(document.accounting_date, field="accounting_date")
        document.document_date = document.accounting_date
        JournalLine.objects.filter(entry=document).update(posted=True, date=document.accounting_date, period=period)
        document.period = period
        document.posted = True
        document.posted_at = timezone.now()
        document.posted_by = by

    # --- corrections ------------------------------------------------------------------------
    def void_blockers(self, document: JournalEntry) -> list[str]:
        refusal = _correction_refusal(document) or _closed_period_refusal(
            document, instead=_("reverse the entry on a date in an open period instead.")
        )
        if refusal:
            return [refusal]
        reasons: list[str] = []
        for check in _dependency_checks:
            reasons.extend(check(document))
        return reasons

    def on_void(self, document: JournalEntry, *, by) -> None:
        posting.reverse_entry(entry=document, on=document.accounting_date, by=by, correction=Correction.VOID)

    def reverse_correct_blockers(self, document: JournalEntry) -> list[str]:
        refusal = _correction_refusal(document) or _closed_period_refusal(
            document, instead=_("reverse it on a date in an open period (Reverse-Accrual).")
        )
        return [refusal] if refusal else []

    def reverse_accrual_blockers(self, document: JournalEntry, *, on_date: date | None) -> list[str]:
        refusal = _correction_refusal(document)
        if refusal:
            return [refusal]
        if on_date is None:
            return []
        if on_date < document.accounting_date:
            return [
                _("The reversal date cannot be before the entry's date (%(date)s).")
                % {"date": date_format(document.accounting_date, "SHORT_DATE_FORMAT")}
            ]
        try:
            periods.assert_open(on_date)
        except DomainError as error:
            return [error.message]
        return []

    def on_reverse(self, document: JournalEntry, *, by, on_date: date) -> JournalEntry:
        return posting.reverse_entry(entry=document, on=on_date, by=by, correction=Correction.REVERSAL)

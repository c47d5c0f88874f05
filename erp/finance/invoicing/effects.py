"""What completing and voiding an invoice do (registered for both invoice models).

- Submit: the invoice needs a partner and lines (a vendor bill the vendor's number).
- Complete = post: line defaults and totals once more, checks (period open, accounts, tax
  codes, a credit note within what is left to credit), then ``ledger.post``: the journal
  entry, the open items per installment, a credit note settling its invoice.
- Void: only while nothing is matched with it and its period is open; the entry is voided on
  its own date and its open items are removed.
- Reversal is not offered: an invoice is corrected by a credit note."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.core import bulk
from erp.core.currency import RateNotFound, quote
from erp.core.documents.models import Action, Status
from erp.core.documents.registry import DocumentEffects
from erp.core.exceptions import DomainError
from erp.finance import periods, posting
from erp.finance.amounts import money_text
from erp.finance.invoicing import ledger, lines
from erp.finance.invoicing.models import InvoiceBase
from erp.finance.openitems import services as openitems
from erp.finance.openitems.services import journal_entry_void

ZERO = Decimal("0")


def exchange_rate_for(invoice: InvoiceBase) -> Decimal:
    """The rate of the invoice date (company currency per unit), 1 in the company currency."""
    company = posting.company_currency()
    if invoice.currency_id == company.code:
        return Decimal("1")
    try:
        return quote(from_currency=invoice.currency_id, to_currency=company, on_date=invoice.document_date).rate
    except RateNotFound as error:
        raise DomainError(error.message, field="exchange_rate") from None


def credit_left(original: InvoiceBase, *, excluding: InvoiceBase | None = None) -> Decimal:
    """What may still be credited on ``original``: its total less its posted credit notes."""
    notes = original.credit_notes.filter(status__in=[Status.COMPLETED, Status.CLOSED])
    if excluding is not None and excluding.pk:
        notes = notes.exclude(pk=excluding.pk)
    return original.total_gross - (notes.aggregate(total=Sum("total_gross"))["total"] or ZERO)


class InvoiceEffects(DocumentEffects):
    hidden_actions = frozenset({Action.CLOSE, Action.START, Action.REVERSE_CORRECT, Action.REVERSE_ACCRUAL})

    def recompute_totals(self, document: InvoiceBase) -> None:
        if document.pk is None or document.posted:
            return
        lines.recompute(document)

    def check_submit(self, document: InvoiceBase) -> None:
        if document.partner_id is None:
            raise DomainError(_("Choose the business partner."), field="partner")
        if hasattr(document, "vendor_invoice_number") and not document.vendor_invoice_number.strip():
            raise DomainError(_("Enter the vendor's invoice number."), field="vendor_invoice_number")
        if not document.lines.exists():
            raise DomainError(_("An invoice needs at least one line."))

    def check_complete(self, document: InvoiceBase) -> None:
        self.check_submit(document)
        periods.assert_open(document.accounting_date, field="accounting_date")
        invoice_lines = lines._lines(document)
        lines.check_lines(document, invoice_lines)
        posting.check_accounts({line.account_id for line in invoice_lines} | {ledger.partner_account_id(document)})
        original = document.original
        if original is not None:
            if not original.is_posted:
                raise DomainError(
                    _("%(invoice)s is not posted: only posted invoices are credited.") % {"invoice": original}
                )
            if (original.partner_id, original.currency_id) != (document.partner_id, document.currency_id):
                raise DomainError(_("A credit note has the partner and the currency of the invoice it credits."))
            if document.accounting_date < original.accounting_date:
                raise DomainError(
                    _("A credit note cannot be dated before the invoice it credits."), field="accounting_date"
                )
            left = credit_left(original, excluding=document)
            if document.total_gross > left:
                raise DomainError(
                    _("%(invoice)s can only be credited by %(left)s more.")
                    % {"invoice": original, "left": money_text(left, original.currency_id)}
                )

    def on_complete(self, document: InvoiceBase, *, by) -> None:
        invoice_lines = lines._lines(document)
        before = bulk.snapshot(invoice_lines, lines.LINE_FIELDS)
        ledger.post(document, invoice_lines, by=by)
        bulk.bulk_update(invoice_lines, lines.LINE_FIELDS, unchanged_since=before)
        document.posted = True
        document.posted_at = timezone.now()
        document.posted_by = by

    # --- corrections ---------------------------------------------------------------------------------
    def void_blockers(self, document: InvoiceBase) -> list[str]:
        reasons = openitems.allocation_blockers(document.open_items.all())
        posted_notes = document.credit_notes.exclude(status__in=[Status.CANCELLED, Status.VOIDED, Status.DRAFT])
        if posted_notes.exists():
            reasons.append(_("Credit notes refer to it: void those first."))
        entry = document.journal_entry
        if entry is not None and entry.period_id and not entry.period.is_open:
            reasons.append(
                _("The period %(period)s is closed: issue a credit note instead.") % {"period": entry.period.label}
            )
        return reasons

    def on_void(self, document: InvoiceBase, *, by) -> None:
        if document.journal_entry_id:
            journal_entry_void(document.journal_entry, by=by)
        document.open_items.all().delete()

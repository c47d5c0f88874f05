"""What completing and voiding a payment do (registered for ``Payment``).

Complete = post: bank against the partner's account, the payment's open item, the allocations
its lines ask for. Void: only while nothing is matched with it and its period is open."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from erp.core.documents.models import Action
from erp.core.documents.registry import DocumentEffects
from erp.core.exceptions import DomainError
from erp.finance import periods, posting
from erp.finance.openitems import services as openitems
from erp.finance.payments import services
from erp.finance.payments.models import Payment


class PaymentEffects(DocumentEffects):
    hidden_actions = frozenset({Action.CLOSE, Action.START, Action.REVERSE_CORRECT, Action.REVERSE_ACCRUAL})

    def recompute_totals(self, document: Payment) -> None:
        if document.pk is None or document.posted:
            return
        services._set_totals(document)

    def check_submit(self, document: Payment) -> None:
        services.payment_check(document, posting_now=False)

    def check_complete(self, document: Payment) -> None:
        periods.assert_open(document.accounting_date, field="accounting_date")
        services.payment_check(document, posting_now=True)
        posting.check_accounts([document.bank_account_id])

    def on_complete(self, document: Payment, *, by) -> None:
        if document.posted:
            raise DomainError(_("%(payment)s is posted already.") % {"payment": document})
        services.payment_ledger_post(document, by=by)
        document.posted = True
        document.posted_at = timezone.now()
        document.posted_by = by

    def void_blockers(self, document: Payment) -> list[str]:
        reasons = openitems.allocation_blockers(document.open_items.all())
        entry = document.journal_entry
        if entry is not None and entry.period_id and not entry.period.is_open:
            reasons.append(
                _("The period %(period)s is closed: the payment can no longer be voided.")
                % {"period": entry.period.label}
            )
        return reasons

    def on_void(self, document: Payment, *, by) -> None:
        if document.journal_entry_id:
            openitems.journal_entry_void(document.journal_entry, by=by)
        document.open_items.all().delete()

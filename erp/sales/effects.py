"""What the document transitions do for quotations and sales orders (registered with
``erp.core.documents.registry`` when the app is ready).

- Saving or submitting a draft: the customer's defaults, the prices from the price list and
  the totals (``erp.sales.lines``).
- Submitting needs a customer and lines; an order also gets its credit figures
  (``erp.sales.credit``) before the business rules of the submission compare them.
- Neither posts anything: an order's stock moves with its deliveries and its ledger entries
  with its invoices. Quotations end by conversion, loss or revision (``erp.sales.services``);
  orders complete when delivered and invoiced, so the generic Complete, Void and Reverse are
  not offered."""

from __future__ import annotations

from django.utils.translation import gettext as _

from erp.core.documents.models import Action, Status
from erp.core.documents.registry import DocumentEffects
from erp.core.exceptions import DomainError
from erp.sales import credit, lines
from erp.sales.models import SalesDocument, SalesOrder

CORRECTIONS = {Action.START, Action.COMPLETE, Action.VOID, Action.REVERSE_CORRECT, Action.REVERSE_ACCRUAL}


class SalesDocumentEffects(DocumentEffects):
    hidden_actions = frozenset({*CORRECTIONS, Action.CLOSE})

    def recompute_totals(self, document: SalesDocument) -> None:
        if document.pk is None or document.status != Status.DRAFT:
            return
        lines.recompute(document)

    def check_submit(self, document: SalesDocument) -> None:
        partner = document.partner
        if partner is None:
            raise DomainError(_("Choose the customer."), field="partner")
        if not partner.is_customer or not partner.is_active:
            raise DomainError(_("%(partner)s is not an active customer.") % {"partner": partner.name}, field="partner")
        lines.check_lines(lines.document_lines(document))


class QuotationEffects(SalesDocumentEffects):
    pass


class SalesOrderEffects(SalesDocumentEffects):
    hidden_actions = frozenset(CORRECTIONS)

    def check_submit(self, document: SalesOrder) -> None:
        super().check_submit(document)
        credit.assess(document)

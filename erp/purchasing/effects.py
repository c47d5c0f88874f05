"""What the purchasing documents' transitions do (registered when the app is ready).

- Requisition: submit needs lines (product or text, quantity); approval by its workflow. It is
  completed by turning its lines into orders or requests for quotation, never by hand.
- Request for quotation: submit needs lines and at least one invited vendor; awarding it
  completes it.
- Purchase order: submit needs a vendor and lines (purchasable products, purchase taxes); the
  approval workflow decides by amount. Receipts and bills move it on (In Progress, Completed);
  it is never completed by hand, and once something arrived only its remainder is cancelled.

Cancelling an order or a request for quotation gives its requisition lines back (open)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from erp.core.documents import hooks, panels, registry
from erp.core.documents.models import Action
from erp.core.documents.registry import DocumentEffects
from erp.core.exceptions import DomainError
from erp.finance.invoicing.ledger import register_line_split
from erp.purchasing import billing, costing, lines, returns
from erp.purchasing.landed_costs import LandedCostEffects
from erp.purchasing.models import (
    LandedCost,
    LineState,
    PurchaseOrder,
    PurchaseReceiptLine,
    PurchaseRequisition,
    PurchaseRequisitionLine,
    RequestForQuotation,
)
from erp.purchasing.panels import bill_match_panel, return_credit_panel
from erp.purchasing.services import on_receipt_transition
from erp.workflow import requirements

NOT_BY_HAND = frozenset({Action.START, Action.COMPLETE, Action.VOID, Action.REVERSE_CORRECT, Action.REVERSE_ACCRUAL})


class RequisitionEffects(DocumentEffects):
    hidden_actions = NOT_BY_HAND | {Action.CLOSE}

    def recompute_totals(self, document: PurchaseRequisition) -> None:
        if document.pk is not None and document.is_editable:
            lines.requisition_recompute(document)

    def check_submit(self, document: PurchaseRequisition) -> None:
        rows = list(document.lines.order_by("position", "id"))
        if not rows:
            raise DomainError(_("A requisition needs at least one line."))
        for number, line in enumerate(rows, start=1):
            if line.product_id is None and not line.description.strip():
                raise DomainError(_("Line %(line)d needs a product or a description.") % {"line": number})


class RFQEffects(DocumentEffects):
    hidden_actions = NOT_BY_HAND | {Action.CLOSE}

    def check_submit(self, document: RequestForQuotation) -> None:
        if not document.lines.exists():
            raise DomainError(_("A request for quotation needs at least one line."))
        if not document.vendors.exists():
            raise DomainError(_("Invite at least one vendor before sending the request."))


class OrderEffects(DocumentEffects):
    hidden_actions = NOT_BY_HAND

    def recompute_totals(self, document: PurchaseOrder) -> None:
        if document.pk is not None:
            lines.order_recompute(document)

    def check_submit(self, document: PurchaseOrder) -> None:
        if document.partner_id is None:
            raise DomainError(_("Choose the vendor."), field="partner")
        if not document.partner.is_vendor:
            raise DomainError(_("%(partner)s is not a vendor.") % {"partner": document.partner}, field="partner")
        lines.order_lines_check(document, lines.order_lines(document))


def reopen_requisition_lines(document, *, verb: str, by, data: dict) -> None:
    """A cancelled order or request gives its requisition lines back: they may be ordered again."""
    if verb != "cancelled" or not isinstance(document, PurchaseOrder | RequestForQuotation):
        return
    link = "order_lines__order" if isinstance(document, PurchaseOrder) else "rfq_lines__rfq"
    PurchaseRequisitionLine.objects.filter(**{link: document}).exclude(state=LineState.OPEN).update(
        state=LineState.OPEN
    )


registry.register(PurchaseRequisition, RequisitionEffects())
registry.register(RequestForQuotation, RFQEffects())
registry.register(PurchaseOrder, OrderEffects())
registry.register(LandedCost, LandedCostEffects())
hooks.register_transition_listener(reopen_requisition_lines)
hooks.register_transition_listener(on_receipt_transition)
register_line_split(PurchaseReceiptLine, billing.bill_lines_split)
hooks.register_rule_check(billing.match_check)
requirements.register(billing.mismatch_approvals)
panels.register(bill_match_panel)
panels.register(return_credit_panel)
hooks.register_transition_listener(billing.on_bill_transition)
hooks.register_transition_listener(costing.on_bill_transition)
hooks.register_transition_listener(costing.on_receipt_transition)
hooks.register_transition_listener(returns.receipt_return_refusal)

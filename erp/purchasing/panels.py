"""Purchasing's panels on other modules' detail pages (``erp.core.documents.panels``).

- The three-way match on a vendor bill entered from a purchase order: per line what was
  ordered, received and billed, the order's and the billed price, the difference, whether it is
  inside the tolerances, and what that means for the bill now (posts, held for the mismatch
  role's approval, blocked, approved).
- The vendor's credit note on a return to vendor of goods already billed: what of each returned
  line was billed and credited, the credit notes, and the form to enter the vendor's one."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.accounts.roles import label as role_label
from erp.core.documents.models import ApprovalStatus, Status
from erp.core.documents.panels import Panel
from erp.core.exceptions import DomainError
from erp.finance.invoicing.models import VendorBill
from erp.purchasing import billing, credits
from erp.purchasing.models import PurchaseOrder, PurchaseReturnLine
from erp.purchasing.models.settings import MismatchAction
from erp.purchasing.selectors import purchasing_settings
from erp.workflow import selectors as workflow

ZERO = Decimal("0")


def _approver(bill: VendorBill) -> str:
    task = workflow.open_task(bill)
    if task is not None:
        return task.approver_label
    try:
        return role_label(billing.mismatch_role().name)
    except DomainError:
        return "—"


def _verdict(bill: VendorBill, rows: list[billing.MatchRow], action: str) -> tuple[str, str]:
    """(Bootstrap colour, sentence) saying what the match means for the bill in its state."""
    outside = [row for row in rows if not row.within]
    if not outside:
        return "success", _("All lines are within the tolerances.")
    if bill.status in (Status.CANCELLED, Status.VOIDED):
        return "secondary", _("Some lines are outside the tolerances.")
    if bill.approval_status == ApprovalStatus.APPROVED:
        if bill.status in (Status.COMPLETED, Status.CLOSED):
            return "info", _("Posted with the differences approved.")
        return "info", _("The differences have been approved: the bill can be posted.")
    if action == MismatchAction.BLOCK:
        return "danger", _(
            "Blocked: the bill cannot be posted while lines are outside the tolerances; correct it or ask the "
            "vendor for a credit note."
        )
    if bill.status == Status.IN_REVIEW and bill.approval_status == ApprovalStatus.PENDING:
        return "warning", _("Held for approval by %(approver)s: lines are outside the tolerances.") % {
            "approver": _approver(bill)
        }
    return "warning", _("Lines are outside the tolerances: posting sends the bill to %(approver)s for approval.") % {
        "approver": _approver(bill)
    }


def bill_match_panel(document, *, user) -> Panel | None:
    if not isinstance(document, VendorBill) or document.is_credit_note:
        return None
    if document.source_type_id != ContentType.objects.get_for_model(PurchaseOrder).pk:
        return None
    rows = billing.bill_match(document)
    if not rows:
        return None
    settings = purchasing_settings()
    colour, verdict = _verdict(document, rows, settings.mismatch_action)
    order = PurchaseOrder.objects.filter(pk=document.source_id).first()
    return Panel(
        template="purchasing/_bill_match_panel.html",
        context={
            "rows": rows,
            "colour": colour,
            "verdict": verdict,
            "order": order,
            "show_order": order is not None and user.has_perm("purchasing.view_purchaseorder"),
            "price_tolerance": settings.price_tolerance_percent,
            "quantity_tolerance": settings.quantity_tolerance_percent,
            "value_difference": sum((row.value_difference for row in rows), ZERO),
            "places": document.currency.decimal_places,
            "settings_url": reverse("purchasing:settings")
            if user.has_perm("purchasing.change_purchasingsettings")
            else "",
        },
    )


def return_credit_panel(document, *, user) -> Panel | None:
    """On a return to vendor whose goods had been billed: the vendor's credit note."""
    if not credits.is_return(document):
        return None
    rows = [row for row in credits.credit_rows(document) if row.billed > 0]
    notes = credits.credit_notes_of_return(document)
    if not rows and not notes:
        return None
    link = PurchaseReturnLine.objects.filter(return_line__document=document).select_related("order_line__order").first()
    order = link.order_line.order
    return Panel(
        template="purchasing/_return_credit_panel.html",
        context={
            "document": document,
            "order": order,
            "rows": rows,
            "notes": notes,
            "today": timezone.localdate(),
            "show_bills": user.has_perm("finance.view_vendorbill"),
            "unposted": any(not row.bill_line.invoice.is_posted for row in rows),
            "can_credit": credits.creditable(rows)
            and user.has_perm("finance.add_vendorbill")
            and user.has_perm("purchasing.view_purchaseorder"),
        },
    )

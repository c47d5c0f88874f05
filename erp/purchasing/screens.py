"""Requisition, request for quotation and purchase order screens: the generic document screens
with the context of the detail pages (open lines to order, the replies side by side, totals per
tax rate, the documents each came from or led to)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy

from erp.core.currency import quantize
from erp.core.decorators import permission_required
from erp.core.documents import totals as document_totals
from erp.core.documents.models import Document, Status
from erp.core.documents.screens import DocumentScreens
from erp.finance.invoicing.forms import preview_totals, totals_context
from erp.finance.invoicing.lines import line_inputs
from erp.purchasing import billing, credits, landed_costs, pdf, selectors, services
from erp.purchasing.filters import (
    LandedCostFilterSet,
    PurchaseOrderFilterSet,
    RequestForQuotationFilterSet,
    RequisitionFilterSet,
)
from erp.purchasing.forms import (
    LandedCostForm,
    LandedCostLines,
    PurchaseOrderForm,
    PurchaseOrderLines,
    RequestForQuotationForm,
    RequisitionForm,
    RequisitionLines,
    RFQLines,
    vendors,
)
from erp.purchasing.models import LandedCost, PurchaseOrder, PurchaseRequisition, RequestForQuotation
from erp.purchasing.services import ORDERABLE
from erp.purchasing.tables import LandedCostTable, PurchaseOrderTable, RequestForQuotationTable, RequisitionTable

ZERO = Decimal("0")


def _decimal(value) -> Decimal:
    try:
        number = Decimal(str(value or "").strip() or "0")
    except InvalidOperation:
        return ZERO
    return number if number.is_finite() else ZERO


def requisition_preview(form, formset) -> dict:
    """The estimate of the lines as typed (unsaved, possibly invalid): quantity × estimated price."""
    if not formset.is_bound:
        document = formset.instance
        return {"estimate": document.total_gross if document.pk else ZERO}
    data, prefix = formset.data, formset.prefix
    count = min(int(_decimal(data.get(f"{prefix}-TOTAL_FORMS"))), 1000)
    estimate = sum(
        (
            _decimal(data.get(f"{prefix}-{index}-quantity")) * _decimal(data.get(f"{prefix}-{index}-unit_price"))
            for index in range(count)
            if not data.get(f"{prefix}-{index}-DELETE")
        ),
        ZERO,
    )
    return {"estimate": quantize(estimate, 2)}


def requisition_context(document: PurchaseRequisition) -> dict:
    lines = list(document.lines.select_related("product", "unit", "vendor").prefetch_related("order_lines__order"))
    open_lines = [line for line in lines if line.is_open]
    return {
        "estimate": document.total_gross,
        "lines": lines,
        "open_lines": open_lines,
        "can_order": document.status in ORDERABLE and bool(open_lines),
        "orders": selectors.orders_of_requisition(document),
        "rfqs": selectors.rfqs_of_requisition(document),
        "vendor_choices": vendors() if document.status in ORDERABLE and open_lines else [],
    }


def rfq_context(document: RequestForQuotation) -> dict:
    comparison = selectors.rfq_comparison(document)
    invited = {vendor.partner_id for vendor in comparison.vendors}
    editable = document.status in (Status.DRAFT, Status.APPROVED)
    return {
        "comparison": comparison,
        "columns": list(zip(comparison.vendors, comparison.totals, comparison.quoted, strict=True)),
        "can_invite": editable,
        "can_reply": document.status == Status.APPROVED,
        "can_award": document.status == Status.APPROVED,
        "can_send": document.status == Status.APPROVED
        and any(vendor.send_status in ("", "failed") for vendor in comparison.vendors),
        "vendor_choices": vendors().exclude(pk__in=invited) if editable else [],
        "orders": list(document.orders.order_by("id")),
    }


def order_context(document: PurchaseOrder) -> dict:
    lines = list(document.lines.select_related("product", "unit", "tax_code").order_by("position", "id"))
    totals = document_totals.document_totals(line_inputs(lines), places=document.currency.decimal_places)
    returned = services.returned_quantities(lines) if document.pk else {}
    vendor_returns = selectors.vendor_returns_of_order(document)
    bills = billing.bills_of_order(document)
    for line in lines:
        line.quantity_returned = returned.get(line.pk, 0)
    return {
        **totals_context(totals, lines=lines),
        "lines": lines,
        "requisitions": selectors.requisitions_of_order(document),
        "receipts": selectors.receipts_of_order(document),
        "vendor_returns": vendor_returns,
        # Returns of goods already billed whose vendor credit note is still to enter.
        "credit_returns": [item for item in vendor_returns if credits.can_credit(item)],
        "today": timezone.localdate(),
        "can_return": document.status in (Status.APPROVED, Status.IN_PROGRESS, Status.COMPLETED)
        and any(line.quantity_received > 0 for line in lines if line.is_stocked),
        "can_receive": document.status in services.RECEIVABLE
        and any(line.is_stocked and line.quantity_open > 0 for line in lines),
        "recipient": services.order_recipient(document) if document.status in services.SENDABLE else "",
        "can_bill": document.status in billing.BILLABLE and bool(billing.unbilled_links(document)),
        "bills": bills,
        "credit_notes": credits.credit_notes_of_bills(bills),
        "can_cancel_remainder": document.status in (Status.APPROVED, Status.IN_PROGRESS)
        and any(line.quantity_received or line.quantity_billed for line in lines),
    }


@dataclass
class PurchasingScreens(DocumentScreens):
    """Generic screens whose PDF is the document as the vendor receives it, in its language."""

    render: Callable[[Document], bytes] | None = None

    def urls(self) -> list:
        view = permission_required(self.perm("view"))
        # Ours first: this PDF view replaces the generic one (same path and name).
        return [
            path(f"{self.slug}/<int:pk>/pdf/", view(self._bind(document_pdf)), name=f"{self.prefix}-pdf"),
            *super().urls(),
        ]


def document_pdf(request: HttpRequest, pk: int, *, screens: PurchasingScreens) -> HttpResponse:
    document = get_object_or_404(screens.queryset(request.user), pk=pk)
    response = HttpResponse(screens.render(document), content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    name = (document.number or f"draft-{document.pk}").replace("/", "-")
    response["Content-Disposition"] = f'{disposition}; filename="{name}.pdf"'
    return response


COMMON = {"namespace": "purchasing"}

REQUISITION_SCREENS = DocumentScreens(
    model=PurchaseRequisition,
    slug="requisitions",
    header_form=RequisitionForm,
    line_formset=RequisitionLines,
    table=RequisitionTable,
    filterset=RequisitionFilterSet,
    title_plural=gettext_lazy("Purchase requisitions"),
    title_new=gettext_lazy("New requisition"),
    list_select_related=("requested_by",),
    line_select_related=("product", "unit", "vendor"),
    detail_template="purchasing/purchaserequisition_detail.html",
    lines_template="purchasing/_requisition_lines.html",
    totals_template="purchasing/_requisition_totals.html",
    preview_totals=requisition_preview,
    extra_detail_context=requisition_context,
    **COMMON,
)

RFQ_SCREENS = PurchasingScreens(
    model=RequestForQuotation,
    slug="rfqs",
    header_form=RequestForQuotationForm,
    line_formset=RFQLines,
    table=RequestForQuotationTable,
    filterset=RequestForQuotationFilterSet,
    title_plural=gettext_lazy("Requests for quotation"),
    title_new=gettext_lazy("New request for quotation"),
    list_select_related=("awarded_vendor",),
    line_select_related=("product", "unit"),
    detail_template="purchasing/requestforquotation_detail.html",
    lines_template="purchasing/_rfq_lines.html",
    totals_template="purchasing/_no_totals.html",
    list_totals={gettext_lazy("Requests"): Count("pk")},
    extra_detail_context=rfq_context,
    render=pdf.render_rfq,
    **COMMON,
)

PURCHASE_ORDER_SCREENS = PurchasingScreens(
    model=PurchaseOrder,
    slug="orders",
    header_form=PurchaseOrderForm,
    line_formset=PurchaseOrderLines,
    table=PurchaseOrderTable,
    filterset=PurchaseOrderFilterSet,
    title_plural=gettext_lazy("Purchase orders"),
    title_new=gettext_lazy("New purchase order"),
    list_select_related=("partner",),
    line_select_related=("product", "unit", "tax_code"),
    detail_template="purchasing/purchaseorder_detail.html",
    lines_template="purchasing/_order_lines.html",
    totals_template="finance/invoicing/_invoice_totals.html",
    preview_totals=preview_totals,
    extra_detail_context=order_context,
    render=pdf.render,
    **COMMON,
)


def landed_cost_preview(form, formset) -> dict:
    """The total of the cost lines as typed (unsaved, possibly invalid)."""
    if not formset.is_bound:
        document = formset.instance
        return {"total": document.total_gross if document.pk else ZERO}
    data, prefix = formset.data, formset.prefix
    count = min(int(_decimal(data.get(f"{prefix}-TOTAL_FORMS"))), 1000)
    total = sum(
        (
            _decimal(data.get(f"{prefix}-{index}-amount"))
            for index in range(count)
            if not data.get(f"{prefix}-{index}-DELETE")
        ),
        ZERO,
    )
    return {"total": quantize(total, 2)}


def landed_cost_context(document: LandedCost) -> dict:
    """The allocation: a preview while the landed cost is open, what it added once completed."""
    if document.status in (Status.COMPLETED, Status.CLOSED, Status.VOIDED):
        rows, problem = landed_costs.applied(document), ""
    else:
        found, problem = landed_costs.preview(document)
        rows = found.rows if found else []
    return {
        "total": document.total_gross,
        "allocation_rows": rows,
        "allocation_problem": problem,
        "allocation_total": sum((row.amount for row in rows), ZERO),
        "receipts": list(document.receipts.select_related("partner").order_by("document_date", "id")),
    }


LANDED_COST_SCREENS = DocumentScreens(
    model=LandedCost,
    slug="landed-costs",
    header_form=LandedCostForm,
    line_formset=LandedCostLines,
    table=LandedCostTable,
    filterset=LandedCostFilterSet,
    title_plural=gettext_lazy("Landed costs"),
    title_new=gettext_lazy("New landed cost"),
    list_select_related=("partner",),
    line_select_related=("account", "bill_line__invoice"),
    detail_template="purchasing/landedcost_detail.html",
    pdf_template="purchasing/pdf/landed_cost.html",
    lines_template="purchasing/_landed_cost_lines.html",
    totals_template="purchasing/_landed_cost_totals.html",
    preview_totals=landed_cost_preview,
    list_totals={gettext_lazy("Amount"): Sum("total_gross_company")},
    extra_detail_context=landed_cost_context,
    **COMMON,
)

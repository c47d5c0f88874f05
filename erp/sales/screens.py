"""Quotation, sales order and delivery screens: the generic document screens, with the PDFs in
the customer's language and the context of the detail pages (lines with their progress and
stock, totals per tax rate, related documents, links to the customer's receivables)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core.decorators import permission_required
from erp.core.documents import totals as document_totals
from erp.core.documents.screens import DocumentScreens
from erp.core.web import redirect_to
from erp.finance.invoicing.forms import totals_context
from erp.finance.invoicing.lines import line_inputs
from erp.finance.invoicing.models import CustomerInvoice
from erp.sales import pdf, stock
from erp.sales.deliveries import delivery_lines, returnable_quantities
from erp.sales.filters import DeliveryFilterSet, QuotationFilterSet, SalesOrderFilterSet
from erp.sales.forms import (
    DeliveryForm,
    DeliveryLineFormSet,
    QuotationForm,
    QuotationLineFormSet,
    SalesOrderForm,
    SalesOrderLineFormSet,
    preview_totals,
)
from erp.sales.models import Delivery, Quotation, SalesDocument, SalesOrder
from erp.sales.tables import DeliveryTable, QuotationTable, SalesOrderTable

ZERO = Decimal("0")
LIST_TOTALS = {gettext_lazy("Total (company currency)"): Sum("total_gross_company")}


@dataclass
class SalesScreens(DocumentScreens):
    """Generic screens whose PDF is rendered in the customer's language."""

    def queryset(self, user):
        return super().queryset(user).select_related("partner")

    def urls(self) -> list:
        view = permission_required(self.perm("view"))
        # Ours first: the PDF view replaces the generic one (same path and name).
        return [
            path(f"{self.slug}/<int:pk>/pdf/", view(self._bind(document_pdf)), name=f"{self.prefix}-pdf"),
            *super().urls(),
        ]


def document_pdf(request: HttpRequest, pk: int, *, screens: DocumentScreens) -> HttpResponse:
    document = get_object_or_404(screens.queryset(request.user), pk=pk)
    response = HttpResponse(pdf.render(document), content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{pdf.filename(document)}"'
    return response


def _totals(document: SalesDocument, lines: list) -> dict:
    places = document.currency.decimal_places
    return totals_context(document_totals.document_totals(line_inputs(lines), places=places), lines=lines)


def _lines(document: SalesDocument) -> list:
    return list(
        document.lines.select_related("product", "product__base_uom", "unit", "tax_code").order_by("position", "id")
    )


def _url(name: str, *args, query: str = "") -> str:
    """The URL of another module's screen, empty while that screen does not exist."""
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return ""


def customer_links(document: SalesDocument) -> list[tuple[str, str, str]]:
    """(label, URL, permission) of the customer's receivables in finance."""
    partner = document.partner
    if partner is None:
        return []
    links = [
        (_("Customer"), partner.get_absolute_url(), "partners.view_partner"),
        (
            _("Customer invoices"),
            _url("finance:customerinvoice-list", query=f"partner={partner.code or partner.name}"),
            "finance.view_customerinvoice",
        ),
        (
            _("Payments"),
            _url("finance:customerpayment-list", query=f"partner={partner.code or partner.name}"),
            "finance.view_payment",
        ),
        (
            _("Customer ledger"),
            _url("finance:receivable-ledger", query=f"partner={partner.pk}"),
            "finance.view_receivables",
        ),
        (
            _("Statement"),
            _url("finance:receivable-statement", query=f"partner={partner.pk}"),
            "finance.view_receivables",
        ),
        (_("Open items"), _url("finance:receivable-matching", query=f"partner={partner.pk}"), "finance.match_openitem"),
    ]
    return [link for link in links if link[1]]


def quotation_context(document: Quotation) -> dict:
    lines = _lines(document)
    previous = document.previous_revision
    following = getattr(document, "next_revision", None) if document.pk else None
    return {
        **_totals(document, lines),
        "lines": lines,
        "previous_revision": previous,
        "next_revision": following,
        "orders": list(document.orders.order_by("id")),
        "is_expired": document.is_expired(timezone.localdate()),
        "customer_links": customer_links(document),
    }


def invoices_of(order: SalesOrder) -> list[CustomerInvoice]:
    return list(
        CustomerInvoice.objects.filter(
            source_type=ContentType.objects.get_for_model(SalesOrder), source_id=str(order.pk)
        ).order_by("document_date", "id")
    )


def order_context(document: SalesOrder) -> dict:
    from erp.sales import credit

    lines = _lines(document)
    available = stock.availability(document, lines)
    rows = [{"line": line, "stock": available.get(line.pk)} for line in lines]
    open_states = ("draft", "in_review", "approved")
    return {
        **_totals(document, lines),
        "lines": lines,
        "rows": rows,
        "deliveries": list(document.deliveries.order_by("document_date", "id")),
        "invoices": invoices_of(document),
        "warehouse": stock.order_warehouse(document) if available or document.warehouse_id else None,
        "exposure": credit.exposure_of(document) if document.status in open_states and document.partner_id else None,
        "customer_links": customer_links(document),
        "can_deliver": document.status in ("approved", "in_progress")
        and any(line.quantity_open > 0 and line.is_delivered_by_stock for line in lines),
    }


def delivery_context(document: Delivery) -> dict:
    lines = delivery_lines(document)
    left = returnable_quantities(document) if document.status == "completed" and not document.is_return else {}
    return {
        "lines": lines,
        "returnable": [(line, left[line.pk]) for line in lines if left.get(line.pk, ZERO) > 0],
        "returns": list(document.returns.order_by("id")) if not document.is_return else [],
    }


def delivery_create_redirect(request: HttpRequest, *, screens: DocumentScreens) -> HttpResponse:
    messages.info(request, _("Deliveries are created from their sales order: open the order and choose Deliver."))
    return redirect_to(request, reverse("sales:salesorder-list"))


@dataclass
class DeliveryScreens(SalesScreens):
    def queryset(self, user):
        return super().queryset(user).select_related("order", "warehouse")

    def urls(self) -> list:
        add = permission_required(self.perm("add"))
        return [
            path(f"{self.slug}/new/", add(self._bind(delivery_create_redirect)), name=f"{self.prefix}-create"),
            *super().urls(),
        ]


COMMON = {
    "namespace": "sales",
    "list_select_related": ("partner", "salesperson"),
    "line_select_related": ("product", "unit", "tax_code"),
    "totals_template": "finance/invoicing/_invoice_totals.html",
    "preview_totals": preview_totals,
    "list_totals": LIST_TOTALS,
}

QUOTATION_SCREENS = SalesScreens(
    model=Quotation,
    slug="quotations",
    header_form=QuotationForm,
    line_formset=QuotationLineFormSet,
    table=QuotationTable,
    filterset=QuotationFilterSet,
    title_plural=gettext_lazy("Quotations"),
    title_new=gettext_lazy("New quotation"),
    detail_template="sales/quotation_detail.html",
    lines_template="sales/_sales_lines.html",
    extra_detail_context=quotation_context,
    **COMMON,
)

SALES_ORDER_SCREENS = SalesScreens(
    model=SalesOrder,
    slug="orders",
    header_form=SalesOrderForm,
    line_formset=SalesOrderLineFormSet,
    table=SalesOrderTable,
    filterset=SalesOrderFilterSet,
    title_plural=gettext_lazy("Sales orders"),
    title_new=gettext_lazy("New sales order"),
    detail_template="sales/salesorder_detail.html",
    lines_template="sales/_order_lines.html",
    extra_detail_context=order_context,
    **COMMON,
)

DELIVERY_SCREENS = DeliveryScreens(
    model=Delivery,
    namespace="sales",
    slug="deliveries",
    header_form=DeliveryForm,
    line_formset=DeliveryLineFormSet,
    table=DeliveryTable,
    filterset=DeliveryFilterSet,
    title_plural=gettext_lazy("Deliveries"),
    title_new=gettext_lazy("New delivery"),
    list_select_related=("partner", "order", "warehouse"),
    line_select_related=("order_line__product", "location"),
    detail_template="sales/delivery_detail.html",
    lines_template="sales/_delivery_lines.html",
    totals_template="sales/_no_totals.html",
    list_totals={gettext_lazy("Deliveries"): Count("pk")},
    extra_detail_context=delivery_context,
)

"""Customer invoice and vendor bill screens: the generic document screens, plus the invoice PDF in
the customer's language, “credit note” and “send by e-mail”."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from erp.core.decorators import permission_required
from erp.core.documents import totals as document_totals
from erp.core.documents.screens import DocumentScreens
from erp.core.exceptions import DomainError
from erp.core.web import redirect_to
from erp.finance.invoicing import lines as invoice_lines
from erp.finance.invoicing import pdf, services
from erp.finance.invoicing.filters import CustomerInvoiceFilterSet, VendorBillFilterSet
from erp.finance.invoicing.forms import (
    CustomerInvoiceForm,
    CustomerInvoiceLineFormSet,
    VendorBillForm,
    VendorBillLineFormSet,
    preview_totals,
    totals_context,
)
from erp.finance.invoicing.models import CustomerInvoice, InvoiceBase, VendorBill
from erp.finance.invoicing.tables import CustomerInvoiceTable, VendorBillTable
from erp.finance.openitems.models import Allocation, OpenItem

ZERO = Decimal("0")
LIST_TOTALS = {gettext_lazy("Total (company currency)"): Sum("total_gross_company")}


@dataclass
class InvoiceScreens(DocumentScreens):
    source_field: str = ""

    def queryset(self, user):
        open_total = (
            OpenItem.objects.filter(**{self.source_field: OuterRef("pk")})
            .values(self.source_field)
            .annotate(total=Sum("open_amount"))
            .values("total")
        )
        money = DecimalField(max_digits=18, decimal_places=4)
        return (
            super()
            .queryset(user)
            .select_related("partner", "journal_entry__period")
            .annotate(open_amount=Coalesce(Subquery(open_total, output_field=money), Value(ZERO), output_field=money))
        )

    def urls(self) -> list:
        view = permission_required(self.perm("view"))
        add = permission_required(self.perm("add"))
        patterns = [
            path(f"{self.slug}/<int:pk>/pdf/", view(self._bind(invoice_pdf)), name=f"{self.prefix}-pdf"),
            path(
                f"{self.slug}/<int:pk>/credit-note/",
                require_POST(add(self._bind(invoice_credit_note))),
                name=f"{self.prefix}-credit-note",
            ),
        ]
        if self.model is CustomerInvoice:
            send = permission_required(self.perm("view"), "finance.send_customerinvoice")
            patterns.append(
                path(
                    f"{self.slug}/<int:pk>/send/",
                    require_POST(send(self._bind(invoice_send))),
                    name=f"{self.prefix}-send",
                )
            )
        # Ours first: the PDF view replaces the generic one (same path).
        return [*patterns, *super().urls()]


def detail_context(document: InvoiceBase) -> dict:
    lines = list(document.lines.select_related("tax_code"))
    totals = document_totals.document_totals(invoice_lines.line_inputs(lines), places=document.currency.decimal_places)
    items = list(document.open_items.order_by("installment"))
    ids = [item.pk for item in items]
    notes = list(document.credit_notes.order_by("id")) if not document.is_credit_note else []
    credited = sum((note.total_gross for note in notes if note.is_posted), ZERO)
    allocations = [
        {"allocation": allocation, "other": allocation.credit if allocation.charge_id in ids else allocation.charge}
        for allocation in (Allocation.objects.filter(charge__in=ids) | Allocation.objects.filter(credit__in=ids))
        .select_related("charge", "credit")
        .order_by("date", "id")
    ]
    return {
        **totals_context(totals, lines=lines),
        "open_items": items,
        "open_total": sum((item.open_amount for item in items), ZERO),
        "allocations": allocations,
        "credit_notes": notes,
        "can_credit": document.is_posted and not document.is_credit_note and credited < document.total_gross,
        "journal_entry": document.journal_entry,
        "invoice_urls": _urls(document),
    }


def _urls(document: InvoiceBase) -> dict[str, str]:
    name = type(document)._meta.model_name
    customer = isinstance(document, CustomerInvoice)
    payments = "finance:customerpayment-for-invoice" if customer else "finance:vendorpayment-for-invoice"
    return {
        "credit_note": reverse(f"finance:{name}-credit-note", args=[document.pk]),
        "send": reverse("finance:customerinvoice-send", args=[document.pk]) if customer else "",
        "pay": reverse(payments, args=[document.pk]),
        "matching": reverse("finance:receivable-matching" if customer else "finance:payable-matching")
        + f"?partner={document.partner_id}",
    }


def invoice_pdf(request: HttpRequest, pk: int, *, screens: DocumentScreens) -> HttpResponse:
    invoice = get_object_or_404(screens.queryset(request.user), pk=pk)
    response = HttpResponse(pdf.invoice_pdf(invoice), content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{pdf.filename(invoice)}"'
    return response


def invoice_credit_note(request: HttpRequest, pk: int, *, screens: DocumentScreens) -> HttpResponse:
    invoice = get_object_or_404(screens.queryset(request.user), pk=pk)
    try:
        note = services.credit_note_create(invoice=invoice, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect_to(request, reverse(screens.url_name("detail"), args=[invoice.pk]))
    messages.success(
        request,
        _("Credit note draft for %(invoice)s created: remove or change the lines not to credit, then complete it.")
        % {"invoice": invoice},
    )
    return redirect_to(request, reverse(screens.url_name("update"), args=[note.pk]))


def invoice_send(request: HttpRequest, pk: int, *, screens: DocumentScreens) -> HttpResponse:
    invoice = get_object_or_404(screens.queryset(request.user), pk=pk)
    try:
        services.customer_invoice_send(invoice=invoice, by=request.user, to=request.POST.get("to", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(invoice)s is being sent by e-mail.") % {"invoice": invoice})
    return redirect_to(request, reverse(screens.url_name("detail"), args=[invoice.pk]))


COMMON = {
    "namespace": "finance",
    "list_select_related": ("partner",),
    "line_select_related": ("product", "unit", "tax_code", "account"),
    "lines_template": "finance/invoicing/_invoice_lines.html",
    "totals_template": "finance/invoicing/_invoice_totals.html",
    "detail_template": "finance/invoicing/invoice_detail.html",
    "preview_totals": preview_totals,
    "list_totals": LIST_TOTALS,
    "extra_detail_context": detail_context,
}

CUSTOMER_INVOICE_SCREENS = InvoiceScreens(
    model=CustomerInvoice,
    slug="customer-invoices",
    header_form=CustomerInvoiceForm,
    line_formset=CustomerInvoiceLineFormSet,
    table=CustomerInvoiceTable,
    filterset=CustomerInvoiceFilterSet,
    title_plural=gettext_lazy("Customer invoices"),
    title_new=gettext_lazy("New customer invoice"),
    source_field="customer_invoice",
    **COMMON,
)

VENDOR_BILL_SCREENS = InvoiceScreens(
    model=VendorBill,
    slug="vendor-bills",
    header_form=VendorBillForm,
    line_formset=VendorBillLineFormSet,
    table=VendorBillTable,
    filterset=VendorBillFilterSet,
    title_plural=gettext_lazy("Vendor bills"),
    title_new=gettext_lazy("New vendor bill"),
    source_field="vendor_bill",
    **COMMON,
)

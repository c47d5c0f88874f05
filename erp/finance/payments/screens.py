"""Customer and vendor payment screens: the generic document screens over ``Payment``, one set
per side (customer payments and refunds / vendor payments and refunds)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import django_filters
import django_tables2 as tables
from django.db.models import Q, Sum
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from erp.core.decorators import permission_required
from erp.core.documents.filters import DocumentFilterSet
from erp.core.documents.screens import DocumentScreens
from erp.core.documents.tables import DocumentTable, NumericColumn
from erp.finance.amounts import amount_text
from erp.finance.invoicing.models import CustomerInvoice, VendorBill
from erp.finance.openitems.models import Allocation, OpenItem, Side
from erp.finance.payments.forms import PaymentForm, PaymentLineFormSet, VendorPaymentForm, preview_totals
from erp.finance.payments.models import KIND_SIDE, Payment, PaymentKind

ZERO = Decimal("0")


class PaymentTable(DocumentTable):
    kind = tables.Column(verbose_name=_("Kind"))
    partner = tables.Column(verbose_name=_("Partner"), accessor="partner__name", order_by=("partner__name",))
    bank_account = tables.Column(verbose_name=_("Bank or cash account"), accessor="bank_account__code")
    currency = tables.Column(verbose_name=_("Currency"), accessor="currency_id")
    amount = NumericColumn(verbose_name=_("Amount"))

    class Meta(DocumentTable.Meta):
        model = Payment
        fields = (
            "number",
            "kind",
            "document_date",
            "partner",
            "bank_account",
            "status",
            "currency",
            "amount",
            "organization",
        )
        sequence = fields
        exclude = ("total_gross_company",)

    def render_amount(self, record, value) -> str:
        return amount_text(value, record.currency.decimal_places)


class PaymentFilterSet(DocumentFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PaymentKind.choices)
    partner = django_filters.CharFilter(label=_("Partner"), method="filter_partner")
    search_fields = ("number", "external_reference", "notes", "partner__name")

    class Meta:
        model = Payment
        fields = ["q", "status", "kind", "partner", "date_from", "date_to", "organization"]

    def filter_partner(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(partner__name__icontains=value) | Q(partner__code__iexact=value))


@dataclass
class PaymentScreens(DocumentScreens):
    side: str = Side.RECEIVABLE

    def queryset(self, user):
        kinds = [kind for kind, side in KIND_SIDE.items() if side == self.side]
        return super().queryset(user).filter(kind__in=kinds).select_related("partner", "bank_account")

    def urls(self) -> list:
        from erp.finance.payments import views

        view = permission_required(self.perm("view"))
        add = permission_required(self.perm("add"))
        invoice = "customerinvoice" if self.side == Side.RECEIVABLE else "vendorbill"
        patterns = [
            path(f"{self.slug}/<int:pk>/pdf/", view(self._bind(views.payment_pdf)), name=f"{self.prefix}-pdf"),
            path(
                f"{self.slug}/for-invoice/<int:pk>/",
                require_POST(
                    add(permission_required(f"finance.view_{invoice}")(self._bind(views.payment_for_invoice)))
                ),
                name=f"{self.prefix}-for-invoice",
            ),
        ]
        # Ours first: the PDF view replaces the generic one (same path).
        return [*patterns, *super().urls()]


def detail_context(document: Payment) -> dict:
    item = OpenItem.objects.filter(payment=document).first()
    allocations = []
    if item is not None:
        rows = (Allocation.objects.filter(charge=item) | Allocation.objects.filter(credit=item)).select_related(
            "charge", "credit"
        )
        for allocation in rows.order_by("date", "id"):
            allocations.append(
                {
                    "allocation": allocation,
                    "other": allocation.charge if allocation.credit_id == item.pk else allocation.credit,
                }
            )
    allocated = sum((line.amount for line in document.lines.all()), ZERO)
    return {
        "open_item": item,
        "allocations": allocations,
        "payment_amount": document.amount,
        "payment_allocated": allocated,
        "payment_unallocated": document.amount - allocated,
        "journal_entry": document.journal_entry,
    }


def form_context_for(side: str):
    def context() -> dict:
        model = CustomerInvoice if side == Side.RECEIVABLE else VendorBill
        source = "customer_invoice" if side == Side.RECEIVABLE else "vendor_bill"
        numbers = (
            model.objects.filter(pk__in=OpenItem.objects.open().charges().values(source))
            .order_by("-document_date")
            .values_list("number", "partner__name")[:300]
        )
        return {"payment_documents": list(numbers)}

    return context


COMMON = {
    "namespace": "finance",
    "model": Payment,
    "line_formset": PaymentLineFormSet,
    "table": PaymentTable,
    "filterset": PaymentFilterSet,
    "list_select_related": ("partner", "bank_account"),
    "line_select_related": ("customer_invoice", "vendor_bill", "refunded_payment"),
    "detail_template": "finance/payments/payment_detail.html",
    "lines_template": "finance/payments/_payment_lines.html",
    "totals_template": "finance/payments/_payment_totals.html",
    "pdf_template": "finance/payments/pdf/payment.html",
    "form_extra_template": "finance/payments/_payment_form_extra.html",
    "preview_totals": preview_totals,
    "list_totals": {_("Amount (company currency)"): Sum("total_gross_company")},
    "extra_detail_context": detail_context,
}

CUSTOMER_PAYMENT_SCREENS = PaymentScreens(
    slug="customer-payments",
    name_prefix="customerpayment",
    header_form=PaymentForm,
    title_plural=_("Customer payments"),
    title_new=_("New customer payment"),
    side=Side.RECEIVABLE,
    extra_form_context=form_context_for(Side.RECEIVABLE),
    **COMMON,
)

VENDOR_PAYMENT_SCREENS = PaymentScreens(
    slug="vendor-payments",
    name_prefix="vendorpayment",
    header_form=VendorPaymentForm,
    title_plural=_("Vendor payments"),
    title_new=_("New vendor payment"),
    side=Side.PAYABLE,
    extra_form_context=form_context_for(Side.PAYABLE),
    **COMMON,
)

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.core.documents.filters import DocumentFilterSet
from erp.finance.invoicing.models import CustomerInvoice, InvoiceKind, SendStatus, VendorBill
from erp.finance.openitems.models import OpenItem


class InvoiceFilterSet(DocumentFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=InvoiceKind.choices)
    # A text search: a select of every partner would not scale to thousands of them.
    partner = django_filters.CharFilter(label=_("Partner"), method="filter_partner")
    open = django_filters.BooleanFilter(
        label=_("Open only"), method="filter_open", widget=django_filters.widgets.BooleanWidget()
    )
    due_to = django_filters.DateFilter(
        field_name="due_date",
        lookup_expr="lte",
        label=_("Due until"),
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )

    search_fields = ("number", "external_reference", "notes", "partner__name")
    source_field = ""

    def filter_partner(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(partner__name__icontains=value) | Q(partner__code__iexact=value))

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        items = OpenItem.objects.open().values(self.source_field)
        return queryset.filter(pk__in=items) if value else queryset.exclude(pk__in=items)


class CustomerInvoiceFilterSet(InvoiceFilterSet):
    send_status = django_filters.ChoiceFilter(label=_("Sent"), choices=SendStatus.choices[1:])
    source_field = "customer_invoice"

    class Meta:
        model = CustomerInvoice
        fields = [
            "q",
            "status",
            "kind",
            "partner",
            "date_from",
            "date_to",
            "due_to",
            "open",
            "send_status",
            "organization",
        ]


class VendorBillFilterSet(InvoiceFilterSet):
    search_fields = (*InvoiceFilterSet.search_fields, "vendor_invoice_number")
    source_field = "vendor_bill"

    class Meta:
        model = VendorBill
        fields = ["q", "status", "kind", "partner", "date_from", "date_to", "due_to", "open", "organization"]

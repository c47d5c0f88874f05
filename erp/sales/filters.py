from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.core.documents.filters import DocumentFilterSet
from erp.sales.models import Delivery, DeliveryKind, Progress, Quotation, QuotationOutcome, SalesOrder


class SalesFilterSet(DocumentFilterSet):
    # A text search: a select of every customer would not scale to thousands of them.
    partner = django_filters.CharFilter(label=_("Customer"), method="filter_partner")
    salesperson = django_filters.CharFilter(label=_("Salesperson"), method="filter_salesperson")

    search_fields = ("number", "external_reference", "notes", "partner__name")

    def filter_partner(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(partner__name__icontains=value) | Q(partner__code__iexact=value))

    def filter_salesperson(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(salesperson__email__icontains=value)
            | Q(salesperson__first_name__icontains=value)
            | Q(salesperson__last_name__icontains=value)
        )


class QuotationFilterSet(SalesFilterSet):
    outcome = django_filters.ChoiceFilter(label=_("Outcome"), choices=QuotationOutcome.choices[1:])

    class Meta:
        model = Quotation
        fields = ["q", "status", "outcome", "partner", "salesperson", "date_from", "date_to", "organization"]


class SalesOrderFilterSet(SalesFilterSet):
    delivery_status = django_filters.ChoiceFilter(label=_("Delivered"), choices=Progress.choices)
    invoice_status = django_filters.ChoiceFilter(label=_("Invoiced"), choices=Progress.choices)

    class Meta:
        model = SalesOrder
        fields = [
            "q",
            "status",
            "partner",
            "salesperson",
            "delivery_status",
            "invoice_status",
            "date_from",
            "date_to",
            "organization",
        ]


class DeliveryFilterSet(DocumentFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=DeliveryKind.choices)
    partner = django_filters.CharFilter(label=_("Customer"), method="filter_partner")

    search_fields = ("number", "external_reference", "carrier_reference", "order__number", "partner__name")

    class Meta:
        model = Delivery
        fields = ["q", "status", "kind", "partner", "date_from", "date_to", "organization"]

    def filter_partner(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(partner__name__icontains=value) | Q(partner__code__iexact=value))

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.core.documents.filters import DocumentFilterSet
from erp.purchasing.models import LandedCost, PurchaseOrder, PurchaseRequisition, RequestForQuotation, RFQVendor


class RequisitionFilterSet(DocumentFilterSet):
    search_fields = ("number", "description", "external_reference", "notes")

    class Meta:
        model = PurchaseRequisition
        fields = ["q", "status", "date_from", "date_to", "organization"]


class RequestForQuotationFilterSet(DocumentFilterSet):
    # A text search: a select of every vendor would not scale to thousands of them.
    vendor = django_filters.CharFilter(label=_("Vendor"), method="filter_vendor")

    search_fields = ("number", "description", "notes")

    class Meta:
        model = RequestForQuotation
        fields = ["q", "status", "vendor", "date_from", "date_to", "organization"]

    def filter_vendor(self, queryset, name, value):
        if not value:
            return queryset
        invited = RFQVendor.objects.filter(Q(partner__name__icontains=value) | Q(partner__code__iexact=value)).values(
            "rfq_id"
        )
        return queryset.filter(pk__in=invited)


class PurchaseOrderFilterSet(DocumentFilterSet):
    partner = django_filters.CharFilter(label=_("Vendor"), method="filter_partner")

    search_fields = ("number", "vendor_reference", "external_reference", "notes", "partner__name")

    class Meta:
        model = PurchaseOrder
        fields = ["q", "status", "partner", "date_from", "date_to", "organization"]

    def filter_partner(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(partner__name__icontains=value) | Q(partner__code__iexact=value))


class LandedCostFilterSet(DocumentFilterSet):
    search_fields = ("number", "description", "notes", "partner__name")

    class Meta:
        model = LandedCost
        fields = ["q", "status", "date_from", "date_to", "organization"]

    def filter_search(self, queryset, name, value):
        """Also by the number of a receipt it goes onto (one row per landed cost)."""
        if not value:
            return queryset
        found = super().filter_search(queryset, name, value).values("pk")
        onto = LandedCost.receipts.through.objects.filter(goodsreceipt__number__icontains=value).values("landedcost_id")
        return queryset.filter(Q(pk__in=found) | Q(pk__in=onto))

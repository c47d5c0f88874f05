from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.catalog.models import PriceList, Product, ProductCategory, ProductType, Tracking, UnitOfMeasure, UomCategory
from erp.core.customfields.filters import CustomFieldFilterMixin
from erp.core.filters import SearchFilterSet, YesNoFilter


def descendant_ids(category_id: int) -> list[int]:
    """The category and every category below it (one query)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in ProductCategory.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, pending = [], [category_id]
    while pending:
        current = pending.pop()
        if current in found:
            continue
        found.append(current)
        pending.extend(children.get(current, []))
    return found


class ProductFilter(CustomFieldFilterMixin, SearchFilterSet):
    search_fields = ("sku", "name", "barcode")
    product_type = django_filters.ChoiceFilter(label=_("Type"), choices=ProductType.choices)
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=ProductCategory.objects.order_by("name"), method="filter_category"
    )
    tracking = django_filters.ChoiceFilter(label=_("Tracking"), choices=Tracking.choices)
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = Product
        fields = ["q", "product_type", "category", "tracking", "is_active"]

    def filter_category(self, queryset, name, value):
        """A category finds the products of its sub-categories too."""
        return queryset.filter(category_id__in=descendant_ids(value.pk)) if value else queryset

    def filter_search(self, queryset, name, value):
        """The vendors' product codes and the packages' barcodes are searched too."""
        if not value:
            return queryset
        return queryset.filter(
            Q(pk__in=super().filter_search(queryset, name, value).values("pk"))
            | Q(vendor_prices__vendor_product_code__iexact=value)
            | Q(conversions__barcode=value)
        ).distinct()


class CategoryFilter(SearchFilterSet):
    search_fields = ("name",)
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = ProductCategory
        fields = ["q", "is_active"]


class UnitFilter(SearchFilterSet):
    search_fields = ("code", "name")
    category = django_filters.ChoiceFilter(label=_("Measures"), choices=UomCategory.choices)
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = UnitOfMeasure
        fields = ["q", "category", "is_active"]


class PriceListFilter(SearchFilterSet):
    search_fields = ("code", "name")
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = PriceList
        fields = ["q", "is_active"]

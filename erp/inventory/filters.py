"""Filter forms of the inventory lists and reports (django-filter)."""

from __future__ import annotations

from datetime import date

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from erp.catalog.models import Product
from erp.inventory import selectors
from erp.inventory.models import Location, LocationType, Lot, Quant, ReorderRule, StockMove, Warehouse

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class WarehouseCodeFilter(django_filters.CharFilter):
    """A warehouse by its code (a text input: no select to fill with a query on every page)."""

    def __init__(self, *, path: str = "warehouse__code", **kwargs) -> None:
        kwargs.setdefault("label", _("Warehouse (code)"))
        super().__init__(field_name=path, lookup_expr="iexact", **kwargs)

    def filter(self, queryset, value):
        return super().filter(queryset, value.strip() if value else value)


class _WarehouseScoped(django_filters.FilterSet):
    warehouse = WarehouseCodeFilter()

    @property
    def warehouse_code(self) -> str:
        return ((self.form.cleaned_data.get("warehouse") if self.form.is_valid() else "") or "").strip()


class WarehouseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Code or name"), method="filter_q")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Warehouse
        fields = ["q", "is_active"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value)) if value else queryset


class LocationFilter(_WarehouseScoped):
    q = django_filters.CharFilter(label=_("Code or name"), method="filter_q")
    location_type = django_filters.ChoiceFilter(label=_("Type"), choices=LocationType.choices)
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Location
        fields = ["q", "warehouse", "location_type", "is_active"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(full_name__icontains=value)) if value else queryset


class LotFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Lot / serial number or SKU"), method="filter_q")
    in_stock = django_filters.BooleanFilter(label=_("In stock"), method="filter_in_stock")

    class Meta:
        model = Lot
        fields = ["q", "in_stock"]

    def filter_q(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value.strip()) | Q(product__sku__iexact=value.strip()))

    def filter_in_stock(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(on_hand__gt=0) if value else queryset.filter(on_hand__lte=0)


class StockFilter(_WarehouseScoped):
    warehouse = WarehouseCodeFilter(path="location__warehouse__code")
    q = django_filters.CharFilter(label=_("Product (SKU or name)"), method="filter_q")
    location = django_filters.CharFilter(label=_("Location"), method="filter_location")
    lot = django_filters.CharFilter(label=_("Lot / serial"), field_name="lot__name", lookup_expr="icontains")

    class Meta:
        model = Quant
        fields = ["q", "warehouse", "location", "lot"]

    def filter_q(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(product__sku__icontains=value) | Q(product__name__icontains=value))

    def filter_location(self, queryset, name, value):
        return queryset.filter(location__full_name__icontains=value) if value else queryset


class ReorderRuleFilter(_WarehouseScoped):
    q = django_filters.CharFilter(label=_("Product (SKU or name)"), method="filter_q")

    class Meta:
        model = ReorderRule
        fields = ["q", "warehouse"]

    def filter_q(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(product__sku__icontains=value) | Q(product__name__icontains=value))


class ReplenishmentFilter(ReorderRuleFilter):
    below_minimum = django_filters.BooleanFilter(
        label=_("Only what needs ordering"),
        method="filter_below",
        widget=django_filters.widgets.BooleanWidget(),
    )

    class Meta:
        model = ReorderRule
        fields = ["q", "warehouse", "below_minimum"]

    def filter_below(self, queryset, name, value):
        if value is None:
            return queryset
        return (
            queryset.filter(forecast__lt=F("min_quantity"))
            if value
            else queryset.filter(forecast__gte=F("min_quantity"))
        )


class _ComputedFilterSet(_WarehouseScoped):
    """A filter form whose rows come from a selector instead of filtering a queryset."""

    def rows(self, data: dict) -> QuerySet:
        raise NotImplementedError

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            data = self.form.cleaned_data if self.form.is_valid() else {}
            self._qs = self.rows(data)
        return self._qs


class MovementFilter(_ComputedFilterSet):
    product = django_filters.CharFilter(label=_("Product (SKU)"), method="filter_noop")
    date_from = django_filters.DateFilter(label=_("From"), widget=DATE_WIDGET, method="filter_noop")
    date_to = django_filters.DateFilter(label=_("Until"), widget=DATE_WIDGET, method="filter_noop")

    class Meta:
        model = StockMove
        fields = ["product", "warehouse", "date_from", "date_to"]

    def filter_noop(self, queryset, name, value):
        return queryset

    @property
    def product_found(self) -> Product | None:
        text = (self.form.cleaned_data.get("product") or "").strip() if self.form.is_valid() else ""
        if not text:
            return None
        if not hasattr(self, "_product"):
            self._product = Product.all_objects.filter(sku__iexact=text).select_related("base_uom").first()
        return self._product

    @property
    def warehouse_found(self) -> Warehouse | None:
        if not self.warehouse_code:
            return None
        if not hasattr(self, "_warehouse"):
            self._warehouse = (
                Warehouse.objects.for_user(self.request.user).filter(code__iexact=self.warehouse_code).first()
            )
        return self._warehouse

    def rows(self, data: dict):
        product = self.product_found
        if product is None or (self.warehouse_code and self.warehouse_found is None):
            return StockMove.objects.none()
        warehouse = self.warehouse_found
        moves = selectors.product_moves(
            product_id=product.pk, warehouse_id=warehouse.pk if warehouse else None, date_from=data.get("date_from")
        )
        if data.get("date_to"):
            moves = moves.filter(date__lte=data["date_to"])
        return moves


class ValuationFilter(_ComputedFilterSet):
    on = django_filters.DateFilter(label=_("Value at the end of"), widget=DATE_WIDGET, method="filter_noop")

    class Meta:
        model = Quant
        fields = ["on", "warehouse"]

    def filter_noop(self, queryset, name, value):
        return queryset

    @property
    def day(self) -> date:
        value = self.form.cleaned_data.get("on") if self.form.is_valid() else None
        return value or timezone.localdate()

    def rows(self, data: dict):
        return selectors.valuation_at(on=self.day, user=self.request.user, warehouse_code=self.warehouse_code)


class SlowMovingFilter(_ComputedFilterSet):
    days = django_filters.NumberFilter(label=_("Not issued for (days)"), method="filter_noop", min_value=1)

    class Meta:
        model = Quant
        fields = ["days", "warehouse"]

    def filter_noop(self, queryset, name, value):
        return queryset

    def rows(self, data: dict):
        days = int(data.get("days") or 90)
        rows = selectors.slow_moving(user=self.request.user, days=days, today=timezone.localdate())
        return rows.filter(warehouse__code__iexact=self.warehouse_code) if self.warehouse_code else rows

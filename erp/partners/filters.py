from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.core.customfields.filters import CustomFieldFilterMixin
from erp.core.filters import SearchFilterSet, YesNoFilter
from erp.partners.models import ROLES, Partner, PartnerCategory, PaymentTerm
from erp.tenancy.forms import country_choices


class PartnerFilter(CustomFieldFilterMixin, SearchFilterSet):
    search_fields = ("code", "name", "search_key", "tax_id", "email")
    role = django_filters.ChoiceFilter(
        label=_("Role"), choices=[(field, label) for field, label in ROLES], method="filter_role", empty_label=_("Any")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=PartnerCategory.objects.order_by("name"), field_name="categories"
    )
    country = django_filters.ChoiceFilter(label=_("Country"), choices=country_choices)
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = Partner
        fields = ["q", "role", "category", "country", "is_active"]

    def filter_role(self, queryset, name, value):
        return queryset.filter(**{value: True}) if value in dict(ROLES) else queryset

    def filter_search(self, queryset, name, value):
        """Addresses' cities and contacts' names are searched too."""
        if not value:
            return queryset
        matched = super().filter_search(queryset, name, value)
        others = Partner.objects.filter(
            Q(addresses__city__icontains=value) | Q(contacts__name__icontains=value)
        ).values("pk")
        return queryset.filter(Q(pk__in=matched.values("pk")) | Q(pk__in=others))


class PaymentTermFilter(SearchFilterSet):
    search_fields = ("code", "name")
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = PaymentTerm
        fields = ["q", "is_active"]


class PartnerCategoryFilter(SearchFilterSet):
    search_fields = ("name",)
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = PartnerCategory
        fields = ["q", "is_active"]

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.core.customfields.filters import CustomFieldFilterMixin
from erp.core.documents.models import Status
from erp.core.models import Organization


class DocumentFilterSet(CustomFieldFilterMixin, django_filters.FilterSet):
    """Number search, status, date range and organization; subclasses add partner etc."""

    q = django_filters.CharFilter(label=_("Number or reference"), method="filter_search")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Status.choices, widget=django_filters.widgets.CSVWidget, distinct=False
    )
    date_from = django_filters.DateFilter(
        field_name="document_date",
        lookup_expr="gte",
        label=_("From"),
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="document_date",
        lookup_expr="lte",
        label=_("Until"),
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    organization = django_filters.ModelChoiceFilter(label=_("Organization"), queryset=Organization.objects.none())

    search_fields: tuple[str, ...] = ("number", "external_reference", "notes")

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["organization"].queryset = Organization.objects.for_user(request.user).order_by("name")

    def filter_search(self, queryset, name, value):
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)

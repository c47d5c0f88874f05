from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from erp.tenancy.models import Client


class ClientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Client.Status.choices)

    class Meta:
        model = Client
        fields = ["q", "status"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

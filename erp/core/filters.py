from __future__ import annotations

import django_filters
from django.db.models import Q
from django.forms import DateInput
from django.utils.translation import gettext_lazy as _

from erp.core.models import BusinessEvent, Currency, ExchangeRate, Organization


class YesNoWidget(django_filters.widgets.BooleanWidget):
    """Yes / No / All instead of django-filter's “Unknown”."""

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs)
        self.choices = (("", _("All")), ("true", _("Yes")), ("false", _("No")))


class YesNoFilter(django_filters.BooleanFilter):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", YesNoWidget)
        super().__init__(*args, **kwargs)


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet whose first field is a free-text search over ``search_fields``."""

    search_fields: tuple[str, ...] = ()
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")

    def filter_search(self, queryset, name, value):
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        return queryset.filter(condition)


class OrganizationFilter(SearchFilterSet):
    search_fields = ("code", "name")
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = Organization
        fields = ["q", "is_active"]


class BusinessEventFilter(SearchFilterSet):
    search_fields = ("verb", "aggregate_repr")
    occurred_after = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__gte", label=_("From"))
    occurred_before = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__lte", label=_("Until"))

    class Meta:
        model = BusinessEvent
        fields = ["q", "occurred_after", "occurred_before"]


class CurrencyFilter(SearchFilterSet):
    search_fields = ("code", "name")
    is_active = YesNoFilter(label=_("Active"))

    class Meta:
        model = Currency
        fields = ["q", "is_active"]


class ExchangeRateFilter(django_filters.FilterSet):
    currency = django_filters.ChoiceFilter(label=_("Currency"), method="filter_currency")
    from_currency = django_filters.ChoiceFilter(label=_("From"))
    to_currency = django_filters.ChoiceFilter(label=_("To"))
    date_after = django_filters.DateFilter(
        field_name="date", lookup_expr="gte", label=_("From date"), widget=DateInput(attrs={"type": "date"})
    )
    date_before = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("Until date"), widget=DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = ExchangeRate
        fields = ["currency", "from_currency", "to_currency", "date_after", "date_before"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # One query for the three currency lists (a ModelChoiceFilter would run one each).
        codes = [(code, code) for code in Currency.objects.filter(is_active=True).values_list("code", flat=True)]
        for name in ("currency", "from_currency", "to_currency"):
            self.filters[name].extra["choices"] = codes

    def filter_currency(self, queryset, name, value):
        return queryset.filter(Q(from_currency=value) | Q(to_currency=value)) if value else queryset

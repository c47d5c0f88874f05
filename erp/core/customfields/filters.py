"""Custom fields in list filters: ``class PartnerFilter(CustomFieldFilterMixin, SearchFilterSet)``.

Every definition marked “filter in lists” adds its filter(s):

- yes/no, choice and linked record: equality, asked as ``custom_fields @> {"code": value}``
  so the GIN index on ``custom_fields`` answers it;
- text: contains (case-insensitive);
- whole number, decimal, date: from / to (the stored text cast to the type)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Case, DateField, DecimalField, F, Q, QuerySet, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.forms import DateInput
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from erp.core.customfields import values
from erp.core.customfields.models import CustomField, FieldType


def _contains(code: str):
    def method(queryset: QuerySet, name: str, value: Any) -> QuerySet:
        if value in (None, ""):
            return queryset
        stored = {"id": value.pk} if hasattr(value, "pk") else value
        return queryset.filter(custom_fields__contains={code: stored})

    return method


def _text(code: str):
    def method(queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**{f"custom_fields__{code}__icontains": value}) if value else queryset

    return method


def _range(code: str, output, lookup: str):
    text_alias, value_alias = f"_cf_{code}_text", f"_cf_{code}"
    # Only stored text of the right shape is cast: a stray value must not break the list.
    shape = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$" if isinstance(output, DateField) else r"^-?[0-9]+(\.[0-9]+)?$"

    def method(queryset: QuerySet, name: str, value: Any) -> QuerySet:
        if value in (None, ""):
            return queryset
        typed = Case(
            When(**{f"{text_alias}__regex": shape}, then=Cast(F(text_alias), output)), default=None, output_field=output
        )
        return (
            queryset.alias(**{text_alias: KT(f"custom_fields__{code}")})
            .alias(**{value_alias: typed})
            .filter(**{f"{value_alias}__{lookup}": value})
        )

    return method


def custom_field_filters(definition: CustomField) -> dict[str, django_filters.Filter]:
    """The filters of one definition, by filter name."""
    code, label, kind = definition.code, definition.label, definition.field_type
    if kind == FieldType.BOOLEAN:
        return {definition.key: django_filters.BooleanFilter(label=label, method=_contains(code), widget=_yes_no())}
    if kind == FieldType.CHOICE:
        choices = [(choice, choice) for choice in definition.choices]
        return {definition.key: django_filters.ChoiceFilter(label=label, choices=choices, method=_contains(code))}
    if kind == FieldType.LOOKUP:
        target = values.lookup_model(definition)
        queryset = target._default_manager.all() if target is not None else CustomField.objects.none()
        return {
            definition.key: django_filters.ModelChoiceFilter(label=label, queryset=queryset, method=_contains(code))
        }
    if kind == FieldType.TEXT:
        return {definition.key: django_filters.CharFilter(label=label, method=_text(code))}
    if kind == FieldType.DATE:
        output, widget = DateField(), {"widget": DateInput(attrs={"type": "date"})}
        filter_class = django_filters.DateFilter
    else:
        output, widget = DecimalField(max_digits=30, decimal_places=6), {}
        filter_class = django_filters.NumberFilter
    return {
        f"{definition.key}_min": filter_class(
            label=_("%(field)s from") % {"field": label}, method=_range(code, output, "gte"), **widget
        ),
        f"{definition.key}_max": filter_class(
            label=_("%(field)s to") % {"field": label}, method=_range(code, output, "lte"), **widget
        ),
    }


def _yes_no():
    from erp.core.filters import YesNoWidget

    return YesNoWidget


class CustomFieldFilterMixin:
    """Adds a filter per custom field marked “filter in lists” of the filtered model."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        model = self.queryset.model
        for definition in values.definitions_for(model):
            if not definition.show_in_filter:
                continue
            for name, filter_ in custom_field_filters(definition).items():
                filter_.model = model
                filter_.parent = self
                self.filters[name] = filter_


def _record_types() -> list[tuple[str, str]]:
    from erp.core.customfields import registry

    return [
        (model._meta.label_lower, str(model._meta.verbose_name).capitalize()) for model in registry.extensible_models()
    ]


class CustomFieldDefinitionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("Search"), method="filter_search")
    model = django_filters.ChoiceFilter(label=gettext_lazy("Record type"), choices=_record_types)
    field_type = django_filters.ChoiceFilter(label=gettext_lazy("Type"), choices=FieldType.choices)

    class Meta:
        model = CustomField
        fields = ["q", "model", "field_type"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(label__icontains=value) | Q(code__icontains=value)) if value else queryset

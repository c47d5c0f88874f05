"""Custom fields as list columns and export columns.

``erp.core.listing.list_page`` adds them to the table of every model offering custom
fields: on screen the fields marked “column in lists”, in CSV/Excel exports all of them."""

from __future__ import annotations

import django_tables2 as tables
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp.core.customfields import registry, values
from erp.core.customfields.models import CustomField, FieldType


class CustomFieldColumn(tables.Column):
    def __init__(self, definition: CustomField, **kwargs) -> None:
        self.definition = definition
        attrs = {"td": {"class": "numeric"}, "th": {"class": "numeric"}}
        super().__init__(
            verbose_name=definition.label,
            accessor=tables.A(f"custom_fields__{definition.code}"),
            order_by=(f"custom_fields__{definition.code}",),
            default="",
            attrs=attrs if definition.field_type in (FieldType.NUMBER, FieldType.DECIMAL) else {},
            **kwargs,
        )

    def render(self, value) -> str:
        return values.display(self.definition, value)

    def value(self, value) -> str:
        return values.display(self.definition, value)


def custom_field_columns(model: type[models.Model], *, export: bool = False) -> list[tuple[str, tables.Column]]:
    """Extra columns for a table of ``model``: every custom field for an export, else those shown in lists."""
    if registry.model_for(model._meta.label_lower) is None:
        return []
    return [
        (definition.key, CustomFieldColumn(definition))
        for definition in values.definitions_for(model)
        if export or definition.show_in_list
    ]


class CustomFieldTable(tables.Table):
    label = tables.Column(verbose_name=_("Label"), linkify=True)
    model = tables.Column(verbose_name=_("Record type"))
    code = tables.Column(verbose_name=_("Code"))
    field_type = tables.Column(verbose_name=_("Type"))
    required = tables.BooleanColumn(verbose_name=_("Required"))
    show_in_list = tables.BooleanColumn(verbose_name=_("Column"))
    show_in_filter = tables.BooleanColumn(verbose_name=_("Filter"))
    position = tables.Column(verbose_name=_("Position"), attrs={"td": {"class": "numeric"}})

    class Meta:
        model = CustomField
        fields = ("label", "model", "code", "field_type", "required", "show_in_list", "show_in_filter", "position")
        order_by = ("model", "position")
        empty_text = _("No custom fields yet.")

    def render_model(self, value: str) -> str:
        model = registry.model_for(value)
        return str(model._meta.verbose_name).capitalize() if model else value

    value_model = render_model

from __future__ import annotations

from django import template

from erp.core.customfields import registry, values

register = template.Library()


@register.simple_tag
def custom_field_rows(record) -> list[dict]:
    """``{% custom_field_rows record as rows %}``: label and value of each custom field (removed ones marked)."""
    if record is None or registry.model_for(record._meta.label_lower) is None:
        return []
    return values.rows(record)

from __future__ import annotations

from django import template

from erp.core.documents.tables import STATUS_BADGES

register = template.Library()


@register.filter
def status_color(status: str) -> str:
    """Bootstrap colour of a document status badge."""
    return STATUS_BADGES.get(status, "secondary")

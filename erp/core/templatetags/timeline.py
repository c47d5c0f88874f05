from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def entries_of_kind(entries, kind: str) -> list:
    """``{{ timeline|entries_of_kind:"approval" }}``: one kind of timeline entries, oldest first."""
    return sorted((entry for entry in entries or () if entry.kind == kind), key=lambda entry: entry.when)

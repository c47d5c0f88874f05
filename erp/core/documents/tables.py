from __future__ import annotations

from datetime import date

import django_tables2 as tables
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

STATUS_BADGES = {
    "draft": "secondary",
    "in_review": "info",
    "approved": "primary",
    "in_progress": "primary",
    "completed": "success",
    "closed": "dark",
    "cancelled": "light",
    "voided": "danger",
    "reversed": "warning",
}


def status_badge(document, label: str | None = None) -> str:
    """``label``: the status's display when the caller has it already (looking it up again
    translates every choice of the field, for every row of a list)."""
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        STATUS_BADGES.get(document.status, "secondary"),
        document.get_status_display() if label is None else label,
    )


class DateColumn(tables.Column):
    """A date as the ``date`` filter shows it (the short format of the language), ISO in exports:
    django-tables2's DateColumn does the same through a template it compiles for every cell."""

    def __init__(self, *args, short: bool = True, **kwargs) -> None:
        self.format = "SHORT_DATE_FORMAT" if short else "DATE_FORMAT"
        super().__init__(*args, **kwargs)

    def render(self, value) -> str:
        return formats.date_format(value, self.format)

    def value(self, value):
        return value.isoformat() if isinstance(value, date) else value


class NumericColumn(tables.Column):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("attrs", {"td": {"class": "numeric"}, "th": {"class": "numeric"}, "tf": {"class": "numeric"}})
        super().__init__(*args, **kwargs)


class DocumentTable(tables.Table):
    number = tables.Column(verbose_name=_("Number"), linkify=True, empty_values=())
    document_date = DateColumn(verbose_name=_("Date"))
    organization = tables.Column(verbose_name=_("Organization"), accessor="organization__name")
    status = tables.Column(verbose_name=_("Status"))
    total_gross_company = NumericColumn(verbose_name=_("Total"))

    class Meta:
        fields = ("number", "document_date", "organization", "status", "total_gross_company")
        order_by = ("-document_date", "-number")

    def render_number(self, record) -> str:
        return str(record)

    def render_status(self, record, value) -> str:
        return status_badge(record, value)  # value: the status's display, looked up by django-tables2

    def value_status(self, record) -> str:
        return record.get_status_display()

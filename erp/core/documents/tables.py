from __future__ import annotations

import django_tables2 as tables
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


def status_badge(document) -> str:
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        STATUS_BADGES.get(document.status, "secondary"),
        document.get_status_display(),
    )


class NumericColumn(tables.Column):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("attrs", {"td": {"class": "numeric"}, "th": {"class": "numeric"}, "tf": {"class": "numeric"}})
        super().__init__(*args, **kwargs)


class DocumentTable(tables.Table):
    number = tables.Column(verbose_name=_("Number"), linkify=True, empty_values=())
    document_date = tables.DateColumn(verbose_name=_("Date"))
    organization = tables.Column(verbose_name=_("Organization"), accessor="organization__name")
    status = tables.Column(verbose_name=_("Status"))
    total_gross_company = NumericColumn(verbose_name=_("Total"))

    class Meta:
        fields = ("number", "document_date", "organization", "status", "total_gross_company")
        order_by = ("-document_date", "-number")

    def render_number(self, record) -> str:
        return str(record)

    def render_status(self, record) -> str:
        return status_badge(record)

    def value_status(self, record) -> str:
        return record.get_status_display()

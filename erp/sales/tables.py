from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from erp.core.documents.tables import DocumentTable, NumericColumn
from erp.finance.amounts import amount_text
from erp.sales.models import Delivery, Quotation, SalesOrder

BADGES = {"nothing": "light", "partial": "warning", "done": "success", "not_needed": "light"}


class SalesTable(DocumentTable):
    partner = tables.Column(verbose_name=_("Customer"), accessor="partner__name", order_by=("partner__name",))
    salesperson = tables.Column(verbose_name=_("Salesperson"), accessor="salesperson", order_by=("salesperson__email",))
    currency = tables.Column(verbose_name=_("Currency"), accessor="currency_id")
    total_gross = NumericColumn(verbose_name=_("Total"))

    def render_total_gross(self, record, value) -> str:
        return amount_text(value, record.currency.decimal_places)


class QuotationTable(SalesTable):
    valid_until = tables.DateColumn(verbose_name=_("Valid until"))
    outcome = tables.Column(verbose_name=_("Outcome"))

    class Meta(DocumentTable.Meta):
        model = Quotation
        fields = (
            "number",
            "document_date",
            "partner",
            "salesperson",
            "valid_until",
            "status",
            "outcome",
            "currency",
            "total_gross",
        )
        sequence = fields


def _progress(record, field: str, label: str) -> str:
    """``label``: the display of the field's value (django-tables2 looked it up already)."""
    return format_html('<span class="badge text-bg-{}">{}</span>', BADGES.get(getattr(record, field), "light"), label)


class SalesOrderTable(SalesTable):
    delivery_status = tables.Column(verbose_name=_("Delivered"))
    invoice_status = tables.Column(verbose_name=_("Invoiced"))

    class Meta(DocumentTable.Meta):
        model = SalesOrder
        fields = (
            "number",
            "document_date",
            "partner",
            "salesperson",
            "status",
            "delivery_status",
            "invoice_status",
            "currency",
            "total_gross",
        )
        sequence = fields

    def render_delivery_status(self, record, value) -> str:
        return _progress(record, "delivery_status", value)

    def render_invoice_status(self, record, value) -> str:
        return _progress(record, "invoice_status", value)

    def value_delivery_status(self, record) -> str:
        return record.get_delivery_status_display()

    def value_invoice_status(self, record) -> str:
        return record.get_invoice_status_display()


class DeliveryTable(DocumentTable):
    kind = tables.Column(verbose_name=_("Kind"))
    order = tables.Column(verbose_name=_("Sales order"), accessor="order__number", order_by=("order__number",))
    partner = tables.Column(verbose_name=_("Customer"), accessor="partner__name", order_by=("partner__name",))
    warehouse = tables.Column(verbose_name=_("Warehouse"), accessor="warehouse__code")

    class Meta(DocumentTable.Meta):
        model = Delivery
        fields = ("number", "kind", "document_date", "order", "partner", "warehouse", "status")
        sequence = fields

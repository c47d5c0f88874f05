from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from erp.core.documents.tables import DocumentTable, NumericColumn
from erp.finance.amounts import amount_text
from erp.finance.invoicing.models import CustomerInvoice, VendorBill

FIELDS = ("number", "kind", "document_date", "partner", "due_date", "status", "currency", "total_gross", "open_amount")


class InvoiceTable(DocumentTable):
    kind = tables.Column(verbose_name=_("Kind"))
    partner = tables.Column(verbose_name=_("Partner"), accessor="partner__name", order_by=("partner__name",))
    due_date = tables.DateColumn(verbose_name=_("Due"))
    currency = tables.Column(verbose_name=_("Currency"), accessor="currency_id")
    total_gross = NumericColumn(verbose_name=_("Total"))
    open_amount = NumericColumn(verbose_name=_("Open"), orderable=False)

    def render_total_gross(self, record, value) -> str:
        return amount_text(value, record.currency.decimal_places)

    def render_open_amount(self, record, value) -> str:
        return amount_text(value, record.currency.decimal_places)


class CustomerInvoiceTable(InvoiceTable):
    send_status = tables.Column(verbose_name=_("Sent"))

    class Meta(DocumentTable.Meta):
        model = CustomerInvoice
        fields = (*FIELDS, "send_status", "organization")
        sequence = fields
        exclude = ("total_gross_company",)


class VendorBillTable(InvoiceTable):
    vendor_invoice_number = tables.Column(verbose_name=_("Vendor's number"))

    class Meta(DocumentTable.Meta):
        model = VendorBill
        fields = (FIELDS[0], "vendor_invoice_number", *FIELDS[1:], "organization")
        sequence = fields
        exclude = ("total_gross_company",)

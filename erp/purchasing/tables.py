from __future__ import annotations

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from erp.core.documents.tables import DocumentTable, NumericColumn
from erp.finance.amounts import amount_text
from erp.purchasing.models import LandedCost, PurchaseOrder, PurchaseRequisition, RequestForQuotation


class RequisitionTable(DocumentTable):
    description = tables.Column(verbose_name=_("Purpose"))
    requested_by = tables.Column(verbose_name=_("Requested by"), order_by=("requested_by__email",))
    needed_by = tables.DateColumn(verbose_name=_("Needed by"))

    class Meta(DocumentTable.Meta):
        model = PurchaseRequisition
        fields = (
            "number",
            "document_date",
            "description",
            "requested_by",
            "needed_by",
            "status",
            "total_gross_company",
        )
        sequence = fields


class RequestForQuotationTable(DocumentTable):
    description = tables.Column(verbose_name=_("Subject"))
    reply_by = tables.DateColumn(verbose_name=_("Replies by"))
    awarded_vendor = tables.Column(
        verbose_name=_("Awarded to"), accessor="awarded_vendor__name", order_by=("awarded_vendor__name",)
    )

    class Meta(DocumentTable.Meta):
        model = RequestForQuotation
        fields = ("number", "document_date", "description", "reply_by", "status", "awarded_vendor")
        sequence = fields


class PurchaseOrderTable(DocumentTable):
    partner = tables.Column(verbose_name=_("Vendor"), accessor="partner__name", order_by=("partner__name",))
    expected_date = tables.DateColumn(verbose_name=_("Expected"))
    currency = tables.Column(verbose_name=_("Currency"), accessor="currency_id")
    total_gross = NumericColumn(verbose_name=_("Total"))

    class Meta(DocumentTable.Meta):
        model = PurchaseOrder
        fields = ("number", "document_date", "partner", "expected_date", "status", "currency", "total_gross")
        sequence = fields

    def render_total_gross(self, record, value) -> str:
        return amount_text(value, record.currency.decimal_places)


class LandedCostTable(DocumentTable):
    description = tables.Column(verbose_name=_("Description"))
    partner = tables.Column(verbose_name=_("Carrier or agent"), accessor="partner__name", order_by=("partner__name",))
    allocation_method = tables.Column(verbose_name=_("Allocated"))
    total_gross_company = NumericColumn(verbose_name=_("Amount"))

    class Meta(DocumentTable.Meta):
        model = LandedCost
        fields = ("number", "document_date", "description", "partner", "allocation_method", "status")
        sequence = (*fields, "total_gross_company")

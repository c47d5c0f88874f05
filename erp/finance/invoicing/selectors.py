"""Reads on invoices for screens and for the modules that invoice their documents."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, F, Sum, When

from erp.core.documents.models import Status
from erp.finance.invoicing.models import CustomerInvoiceLine, InvoiceKind, VendorBillLine

ZERO = Decimal("0")
POSTED = (Status.COMPLETED, Status.CLOSED)
NOT_COUNTED = (Status.CANCELLED, Status.VOIDED, Status.REVERSED)


def invoiced_quantities(
    *, sources: Iterable[models.Model], vendor: bool = False, include_drafts: bool = False
) -> dict[int, Decimal]:
    """How much of each source line (a sales order line, a goods receipt line …) has been invoiced:
    the quantities of invoice lines referring to it, less those of credit notes, by source id.

    Posted invoices only, unless ``include_drafts`` (then drafts and invoices in approval count too,
    which is what prevents invoicing a line twice). ``vendor``: vendor bills instead of customer
    invoices. Lines of one source model per call."""
    sources = list(sources)
    if not sources:
        return {}
    line_model = VendorBillLine if vendor else CustomerInvoiceLine
    source_type = ContentType.objects.get_for_model(sources[0])
    lines = line_model.objects.filter(source_type=source_type, source_id__in=[source.pk for source in sources])
    lines = (
        lines.exclude(invoice__status__in=NOT_COUNTED) if include_drafts else lines.filter(invoice__status__in=POSTED)
    )
    signed = Case(When(invoice__kind=InvoiceKind.CREDIT_NOTE, then=-F("quantity")), default=F("quantity"))
    rows = lines.values("source_id").annotate(quantity=Sum(signed)).values_list("source_id", "quantity")
    return {source_id: quantity or ZERO for source_id, quantity in rows}

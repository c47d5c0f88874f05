"""The PDFs customers receive — quotation, order confirmation, delivery note — in the
customer's language (the document's, else by the customer's country)."""

from __future__ import annotations

from django.utils import translation

from erp.core.documents.screens import render_pdf
from erp.core.documents.timeline import entries as timeline_entries
from erp.core.models import Company
from erp.finance.invoicing.pdf import language_for
from erp.partners.selectors import default_address
from erp.sales.models import Delivery, Quotation, SalesOrder

TEMPLATES = {
    Quotation: "sales/pdf/quotation.html",
    SalesOrder: "sales/pdf/order.html",
    Delivery: "sales/pdf/delivery.html",
}


def customer(document) -> dict:
    """The customer as printed: name, billing address, tax id and the contact."""
    partner = document.partner
    address = default_address(partner, "billing") if partner else None
    lines = [*address.lines, address.country] if address is not None else []
    return {
        "name": partner.name if partner else "",
        "address": "\n".join(line for line in lines if line),
        "tax_id": partner.tax_id if partner else "",
        "code": partner.code if partner else "",
        "contact": getattr(document, "contact", None),
    }


def context(document) -> dict:
    from erp.sales import screens

    extra = {
        Quotation: screens.quotation_context,
        SalesOrder: screens.order_context,
        Delivery: screens.delivery_context,
    }[type(document)](document)
    return {
        **extra,
        "document": document,
        "title": str(document),
        "company": Company.objects.select_related("currency").first(),
        "customer": customer(document),
        "timeline": timeline_entries(document),
    }


def render(document) -> bytes:
    """The document's PDF in its customer's language."""
    with translation.override(language_for(document)):
        return render_pdf(TEMPLATES[type(document)], {**context(document), "LANGUAGE_CODE": translation.get_language()})


def filename(document) -> str:
    return f"{(document.number or f'draft-{document.pk}').replace('/', '-')}.pdf"

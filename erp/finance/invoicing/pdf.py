"""The invoice PDF, in the customer's language: what a legal invoice states — seller and buyer
with their addresses and tax ids, number, invoice and delivery dates, the lines, the tax per
rate, the totals, the payment term with due dates and an early-payment discount."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from erp.core.documents import totals as document_totals
from erp.core.documents.screens import render_pdf
from erp.core.models import Company
from erp.finance.invoicing import lines as invoice_lines
from erp.finance.invoicing.forms import totals_context
from erp.finance.invoicing.ledger import payment_term_for
from erp.finance.invoicing.models import InvoiceBase
from erp.partners.selectors import default_address

GERMAN_SPEAKING = frozenset({"DE", "AT", "CH", "LI", "LU"})


def language_for(invoice: InvoiceBase) -> str:
    """The invoice's language; empty: German for German-speaking countries, else English."""
    if getattr(invoice, "language", ""):
        return invoice.language
    country = (invoice.partner.country if invoice.partner_id else "") or ""
    if country.upper() in GERMAN_SPEAKING:
        return "de"
    return "en" if country else settings.LANGUAGE_CODE


def buyer(invoice: InvoiceBase) -> dict:
    """The partner as printed: the posted snapshot, or (for a draft) the partner as it is now."""
    if invoice.partner_name:
        return {"name": invoice.partner_name, "address": invoice.partner_address, "tax_id": invoice.partner_tax_id}
    partner = invoice.partner
    if partner is None:
        return {"name": "", "address": "", "tax_id": ""}
    address = default_address(partner, "billing")
    lines = [*address.lines, address.country] if address is not None else []
    return {"name": partner.name, "address": "\n".join(line for line in lines if line), "tax_id": partner.tax_id}


def context(invoice: InvoiceBase) -> dict:
    lines = list(invoice.lines.select_related("tax_code", "unit", "product").order_by("position", "id"))
    totals = document_totals.document_totals(invoice_lines.line_inputs(lines), places=invoice.currency.decimal_places)
    items = list(invoice.open_items.order_by("installment")) if invoice.pk else []
    return {
        "document": invoice,
        "title": str(invoice),
        "lines": lines,
        "company": Company.objects.select_related("currency").first(),
        "buyer": buyer(invoice),
        "payment_term": payment_term_for(invoice) if invoice.partner_id else None,
        "installments": items,
        "discount": next((item for item in items if item.discount_amount), None),
        # Columns only when they say something: the tax per line when the lines differ in it (else the
        # breakdown per rate states it), the discount when a line has one.
        "discount_column": any(line.discount_percent for line in lines),
        "tax_column": len({line.tax_code_id for line in lines}) > 1,
        **totals_context(totals, lines=lines),
    }


def invoice_pdf(invoice: InvoiceBase) -> bytes:
    template = "finance/invoicing/pdf/invoice.html"
    with translation.override(language_for(invoice)):
        return render_pdf(template, {**context(invoice), "LANGUAGE_CODE": translation.get_language()})


def filename(invoice: InvoiceBase) -> str:
    return f"{(invoice.number or f'draft-{invoice.pk}').replace('/', '-')}.pdf"

"""The purchase order PDF the vendor receives, in the vendor's language (German for
German-speaking countries, else English)."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import translation

from erp.core.documents.screens import render_pdf
from erp.core.models import Company
from erp.finance.invoicing.pdf import language_for
from erp.partners.selectors import default_address
from erp.purchasing.models import PurchaseOrder, RequestForQuotation, RFQVendor


def vendor(order: PurchaseOrder) -> dict:
    """The vendor as printed: name, address, tax id, our customer number there (its code)."""
    return _party(order.partner)


def _party(partner) -> dict:
    address = default_address(partner, "billing") if partner else None
    lines = [*address.lines, address.country] if address is not None else []
    return {
        "name": partner.name if partner else "",
        "address": "\n".join(line for line in lines if line),
        "tax_id": partner.tax_id if partner else "",
        "code": partner.code if partner else "",
    }


def context(order: PurchaseOrder) -> dict:
    from erp.purchasing import screens

    return {
        **screens.order_context(order),
        "document": order,
        "title": str(order),
        "company": Company.objects.select_related("currency").first(),
        "vendor": vendor(order),
    }


def render(order: PurchaseOrder) -> bytes:
    with translation.override(language_for(order)):
        context_data = {**context(order), "LANGUAGE_CODE": translation.get_language()}
        return render_pdf("purchasing/pdf/order.html", context_data)


def filename(order: PurchaseOrder) -> str:
    return f"{(order.number or f'draft-{order.pk}').replace('/', '-')}.pdf"


def render_rfq(rfq: RequestForQuotation, invited: RFQVendor | None = None) -> bytes:
    """The request as ``invited`` receives it (in its language), or as a neutral copy."""
    partner = invited.partner if invited is not None else None
    # The vendor's language, as for the documents addressed to it (German-speaking countries: German).
    addressee = SimpleNamespace(language="", partner=partner, partner_id=partner.pk if partner else None)
    with translation.override(language_for(addressee)):
        context_data = {
            "document": rfq,
            "title": str(rfq),
            "lines": list(rfq.lines.select_related("product", "unit").order_by("position", "id")),
            "company": Company.objects.select_related("currency").first(),
            "vendor": _party(partner) if partner is not None else None,
            "LANGUAGE_CODE": translation.get_language(),
        }
        return render_pdf("purchasing/pdf/rfq.html", context_data)

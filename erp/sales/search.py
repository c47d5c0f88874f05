"""Quotations and sales orders in the global search: by number, customer or reference."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from erp.core.search import LIMIT, Hit, register
from erp.sales.models import Quotation, SalesOrder


def _hits(model, *, user, query: str) -> list[Hit]:
    found = (
        model.objects.for_user(user)
        .filter(Q(number__icontains=query) | Q(partner__name__icontains=query) | Q(external_reference__icontains=query))
        .select_related("partner")
        .order_by("-document_date", "-id")[:LIMIT]
    )
    return [
        Hit(str(document), document.partner.name if document.partner else "", document.get_absolute_url())
        for document in found
    ]


@register(_("Quotations"), "sales.view_quotation")
def _quotations(*, user, query: str) -> list[Hit]:
    return _hits(Quotation, user=user, query=query)


@register(_("Sales orders"), "sales.view_salesorder")
def _orders(*, user, query: str) -> list[Hit]:
    return _hits(SalesOrder, user=user, query=query)

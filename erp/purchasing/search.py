"""Purchase orders, requisitions and landed costs in the global search (number, vendor, vendor's reference,
description)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from erp.core.search import LIMIT, Hit, register


@register(_("Purchase orders"), "purchasing.view_purchaseorder")
def purchase_orders(*, user, query: str) -> list[Hit]:
    from erp.purchasing.models import PurchaseOrder

    found = (
        PurchaseOrder.objects.for_user(user)
        .filter(Q(number__icontains=query) | Q(partner__name__icontains=query) | Q(vendor_reference__iexact=query))
        .select_related("partner")
        .order_by("-document_date", "-id")
    )
    return [
        Hit(
            str(order),
            f"{date_format(order.document_date, 'SHORT_DATE_FORMAT')} · {order.partner.name if order.partner else ''}",
            order.get_absolute_url(),
        )
        for order in found[:LIMIT]
    ]


@register(_("Purchase requisitions"), "purchasing.view_purchaserequisition")
def purchase_requisitions(*, user, query: str) -> list[Hit]:
    from erp.purchasing.models import PurchaseRequisition

    found = (
        PurchaseRequisition.objects.for_user(user)
        .filter(Q(number__icontains=query) | Q(description__icontains=query))
        .order_by("-document_date", "-id")
    )
    return [
        Hit(
            str(requisition),
            f"{date_format(requisition.document_date, 'SHORT_DATE_FORMAT')} · {requisition.description}",
            requisition.get_absolute_url(),
        )
        for requisition in found[:LIMIT]
    ]


@register(_("Landed costs"), "purchasing.view_landedcost")
def landed_costs(*, user, query: str) -> list[Hit]:
    from erp.purchasing.models import LandedCost

    found = (
        LandedCost.objects.for_user(user)
        .filter(Q(number__icontains=query) | Q(description__icontains=query))
        .order_by("-document_date", "-id")
    )
    return [
        Hit(
            str(landed_cost),
            f"{date_format(landed_cost.document_date, 'SHORT_DATE_FORMAT')} · {landed_cost.description}",
            landed_cost.get_absolute_url(),
        )
        for landed_cost in found[:LIMIT]
    ]

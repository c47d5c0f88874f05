from __future__ import annotations

from django.urls import path

from erp.purchasing import analysis, views
from erp.purchasing.screens import (
    LANDED_COST_SCREENS,
    PURCHASE_ORDER_SCREENS,
    REQUISITION_SCREENS,
    RFQ_SCREENS,
)

app_name = "purchasing"

urlpatterns = [
    path("analysis/", analysis.purchase_analysis, name="analysis"),
    path("settings/", views.purchasing_settings_edit, name="settings"),
    path("requisitions/<int:pk>/order/", views.requisition_order, name="purchaserequisition-order"),
    path("requisitions/<int:pk>/quote/", views.requisition_quote, name="purchaserequisition-quote"),
    path(
        "requisitions/from-reorder-rules/",
        views.requisition_from_replenishment,
        name="purchaserequisition-replenish",
    ),
    path("rfqs/<int:pk>/send/", views.rfq_send, name="requestforquotation-send"),
    path("rfqs/<int:pk>/vendors/", views.rfq_vendor_add, name="requestforquotation-vendor-add"),
    path(
        "rfqs/<int:pk>/vendors/<int:vendor_id>/remove/",
        views.rfq_vendor_remove,
        name="requestforquotation-vendor-remove",
    ),
    path("rfqs/<int:pk>/vendors/<int:vendor_id>/reply/", views.rfq_reply, name="requestforquotation-reply"),
    path("rfqs/<int:pk>/vendors/<int:vendor_id>/award/", views.rfq_award, name="requestforquotation-award"),
    path(
        "orders/<int:pk>/cancel-remainder/",
        views.purchaseorder_cancel_remainder,
        name="purchaseorder-cancel-remainder",
    ),
    path("orders/<int:pk>/send/", views.purchaseorder_send, name="purchaseorder-send"),
    path("orders/<int:pk>/bill/", views.purchaseorder_bill, name="purchaseorder-bill"),
    path("orders/<int:pk>/receive/", views.purchaseorder_receive, name="purchaseorder-receive"),
    path("orders/<int:pk>/return/", views.purchaseorder_return, name="purchaseorder-return"),
    path(
        "orders/<int:pk>/returns/<int:return_pk>/credit-note/",
        views.purchaseorder_return_credit,
        name="purchaseorder-return-credit",
    ),
    *REQUISITION_SCREENS.urls(),
    *RFQ_SCREENS.urls(),
    *PURCHASE_ORDER_SCREENS.urls(),
    *LANDED_COST_SCREENS.urls(),
]

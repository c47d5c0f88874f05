from __future__ import annotations

from django.urls import path

from erp.sales import analysis, views
from erp.sales.screens import DELIVERY_SCREENS, QUOTATION_SCREENS, SALES_ORDER_SCREENS

app_name = "sales"

urlpatterns = [
    path("quotations/<int:pk>/convert/", views.quotation_convert, name="quotation-convert"),
    path("quotations/<int:pk>/revise/", views.quotation_revise, name="quotation-revise"),
    path("quotations/<int:pk>/lost/", views.quotation_lost, name="quotation-lost"),
    path("quotations/<int:pk>/send/", views.quotation_send, name="quotation-send"),
    path("orders/<int:pk>/deliver/", views.salesorder_deliver, name="salesorder-deliver"),
    path("orders/<int:pk>/invoice/", views.salesorder_invoice, name="salesorder-invoice"),
    path("orders/<int:pk>/cancel-remainder/", views.salesorder_cancel_remainder, name="salesorder-cancel-remainder"),
    path("deliveries/<int:pk>/return/", views.delivery_return, name="delivery-return"),
    path("partner-choices/", views.partner_choices, name="partner-choices"),
    path("analysis/", analysis.sales_analysis, name="analysis"),
    *QUOTATION_SCREENS.urls(),
    *SALES_ORDER_SCREENS.urls(),
    *DELIVERY_SCREENS.urls(),
]

from django.urls import path

from erp.inventory import views
from erp.inventory.documents import screens

app_name = "inventory"

urlpatterns = [
    path("warehouses/", views.warehouse_list, name="warehouse-list"),
    path("warehouses/new/", views.warehouse_create, name="warehouse-create"),
    path("warehouses/<int:pk>/", views.warehouse_detail, name="warehouse-detail"),
    path("warehouses/<int:pk>/edit/", views.warehouse_update, name="warehouse-update"),
    path("locations/", views.location_list, name="location-list"),
    path("locations/new/", views.location_create, name="location-create"),
    path("locations/<int:pk>/", views.location_detail, name="location-detail"),
    path("locations/<int:pk>/edit/", views.location_update, name="location-update"),
    path("locations/<int:pk>/active/", views.location_set_active, name="location-set-active"),
    path("lots/", views.lot_list, name="lot-list"),
    path("lots/<int:pk>/", views.lot_detail, name="lot-detail"),
    path("reorder-rules/", views.reorderrule_list, name="reorderrule-list"),
    path("reorder-rules/new/", views.reorderrule_create, name="reorderrule-create"),
    path("reorder-rules/<int:pk>/", views.reorderrule_update, name="reorderrule-update"),
    path("reorder-rules/<int:pk>/delete/", views.reorderrule_delete, name="reorderrule-delete"),
    path("replenishment/", views.replenishment, name="replenishment"),
    path("stock/", views.stock_on_hand, name="stock-on-hand"),
    path("movements/", views.movement_history, name="movement-history"),
    path("valuation/", views.valuation_report, name="valuation"),
    path("slow-moving/", views.slow_moving, name="slow-moving"),
    *screens.urls(),
]

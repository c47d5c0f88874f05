"""URLs of a tenant's site (``<company>.<ERP_BASE_DOMAIN>``)."""

from django.urls import include, path

urlpatterns = [
    path("accounts/", include("erp.accounts.urls")),
    path("finance/", include("erp.finance.urls")),
    path("partners/", include("erp.partners.urls")),
    path("catalog/", include("erp.catalog.urls")),
    path("inventory/", include("erp.inventory.urls")),
    path("sales/", include("erp.sales.urls")),
    path("purchasing/", include("erp.purchasing.urls")),
    path("workflow/", include("erp.workflow.urls")),
    path("", include("erp.core.urls")),
]

handler403 = "erp.core.views.errors.permission_denied"
handler404 = "erp.core.views.errors.page_not_found"
handler500 = "erp.core.views.errors.server_error"

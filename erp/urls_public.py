"""URLs of the operator's site on the bare base domain."""

from django.urls import include, path

from erp.tenancy.urls import account_urlpatterns

urlpatterns = [
    path("accounts/", include(account_urlpatterns)),
    path("", include("erp.tenancy.urls", namespace="operator")),
]

handler403 = "erp.core.views.errors.permission_denied"
handler404 = "erp.core.views.errors.page_not_found"
handler500 = "erp.core.views.errors.server_error"

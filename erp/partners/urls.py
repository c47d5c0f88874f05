from django.urls import path

from erp.core.attachments import attachment_urls
from erp.partners import views
from erp.partners.models import Partner

app_name = "partners"

urlpatterns = [
    path("", views.partner_list, name="partner-list"),
    path("new/", views.partner_create, name="partner-create"),
    path("import/", views.partner_import, name="partner-import"),
    path("<int:pk>/", views.partner_detail, name="partner-detail"),
    path("<int:pk>/edit/", views.partner_update, name="partner-update"),
    path("<int:pk>/active/", views.partner_set_active, name="partner-set-active"),
    *attachment_urls(
        Partner, name="partner", route="", view_perm="partners.view_partner", change_perm="partners.change_partner"
    ),
    path("payment-terms/", views.paymentterm_list, name="paymentterm-list"),
    path("payment-terms/new/", views.paymentterm_create, name="paymentterm-create"),
    path("payment-terms/<int:pk>/", views.paymentterm_detail, name="paymentterm-detail"),
    path("payment-terms/<int:pk>/edit/", views.paymentterm_update, name="paymentterm-update"),
    path("payment-terms/<int:pk>/active/", views.paymentterm_set_active, name="paymentterm-set-active"),
    path("categories/", views.partnercategory_list, name="partnercategory-list"),
    path("categories/new/", views.partnercategory_create, name="partnercategory-create"),
    path("categories/<int:pk>/", views.partnercategory_update, name="partnercategory-update"),
]

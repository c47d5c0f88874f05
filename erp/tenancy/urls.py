from django.urls import path

from erp.tenancy import views

app_name = "operator"

urlpatterns = [
    path("", views.home, name="home"),
    path("tenants/", views.tenant_list, name="tenant-list"),
    path("tenants/new/", views.tenant_create, name="tenant-create"),
    path("tenants/<int:pk>/", views.tenant_detail, name="tenant-detail"),
    path("tenants/<int:pk>/status/", views.tenant_set_status, name="tenant-set-status"),
]

# The operator signs in at the same path as tenant users, so LOGIN_URL works on both sites.
account_urlpatterns = (
    [path("login/", views.login, name="login"), path("logout/", views.logout, name="logout")],
    "accounts",
)

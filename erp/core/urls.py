from django.urls import path

from erp.core.views import currencies, customfields, home, organizations, preferences

app_name = "core"

urlpatterns = [
    path("", home.dashboard, name="dashboard"),
    path("search/", home.search, name="search"),
    path("activity/", home.event_list, name="event-list"),
    path("notifications/", home.notification_list, name="notification-list"),
    path("notifications/bell/", home.notification_bell, name="notification-bell"),
    path("notifications/read-all/", home.notification_read_all, name="notification-read-all"),
    path("notifications/<int:pk>/read/", home.notification_read, name="notification-read"),
    path("notifications/preferences/", preferences.notification_preferences, name="notification-preferences"),
    path("custom-fields/", customfields.customfield_list, name="customfield-list"),
    path("custom-fields/new/", customfields.customfield_create, name="customfield-create"),
    path("custom-fields/<int:pk>/", customfields.customfield_update, name="customfield-update"),
    path("custom-fields/<int:pk>/remove/", customfields.customfield_delete, name="customfield-delete"),
    path("organizations/", organizations.organization_list, name="organization-list"),
    path("organizations/new/", organizations.organization_create, name="organization-create"),
    path("organizations/switch/", organizations.organization_switch, name="organization-switch"),
    path("organizations/<int:pk>/", organizations.organization_detail, name="organization-detail"),
    path("organizations/<int:pk>/edit/", organizations.organization_update, name="organization-update"),
    path("organizations/<int:pk>/active/", organizations.organization_set_active, name="organization-set-active"),
    path("currencies/", currencies.currency_list, name="currency-list"),
    path("currencies/<str:code>/active/", currencies.currency_set_active, name="currency-set-active"),
    path("exchange-rates/", currencies.exchangerate_list, name="exchangerate-list"),
    path("exchange-rates/new/", currencies.exchangerate_create, name="exchangerate-create"),
    path("exchange-rates/import/", currencies.exchangerate_import, name="exchangerate-import"),
    path("exchange-rates/<int:pk>/", currencies.exchangerate_update, name="exchangerate-update"),
    path("exchange-rates/<int:pk>/delete/", currencies.exchangerate_delete, name="exchangerate-delete"),
]

from django.urls import path

from erp.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password-change"),
    path("password/reset/", views.password_reset, name="password-reset"),
    path("password/reset/sent/", views.password_reset_done, name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", views.password_reset_confirm, name="password-reset-confirm"),
    path("password/reset/done/", views.password_reset_complete, name="password-reset-complete"),
    path("profile/", views.profile, name="profile"),
    path("users/", views.user_list, name="user-list"),
    path("users/new/", views.user_create, name="user-create"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("users/<int:pk>/edit/", views.user_update, name="user-update"),
    path("users/<int:pk>/active/", views.user_set_active, name="user-set-active"),
    path("roles/", views.role_list, name="role-list"),
    path("roles/new/", views.role_create, name="role-create"),
    path("roles/<int:pk>/", views.role_detail, name="role-detail"),
]

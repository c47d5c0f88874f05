from django.urls import path

from erp.catalog import views

app_name = "catalog"

urlpatterns = [
    path("products/", views.product_list, name="product-list"),
    path("products/new/", views.product_create, name="product-create"),
    path("products/import/", views.product_import, name="product-import"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", views.product_update, name="product-update"),
    path("products/<int:pk>/active/", views.product_set_active, name="product-set-active"),
    path("products/<int:pk>/images/", views.product_image_upload, name="product-image-upload"),
    path("products/<int:pk>/images/<int:image_pk>/", views.product_image, name="product-image"),
    path("products/<int:pk>/images/<int:image_pk>/delete/", views.product_image_delete, name="product-image-delete"),
    path("categories/", views.category_list, name="category-list"),
    path("categories/new/", views.category_create, name="category-create"),
    path("categories/<int:pk>/", views.category_detail, name="category-detail"),
    path("categories/<int:pk>/edit/", views.category_update, name="category-update"),
    path("categories/<int:pk>/active/", views.category_set_active, name="category-set-active"),
    path("units/", views.unit_list, name="unit-list"),
    path("units/new/", views.unit_create, name="unit-create"),
    path("units/<int:pk>/", views.unit_update, name="unit-update"),
    path("units/<int:pk>/active/", views.unit_set_active, name="unit-set-active"),
    path("price-lists/", views.pricelist_list, name="pricelist-list"),
    path("price-lists/new/", views.pricelist_create, name="pricelist-create"),
    path("price-lists/<int:pk>/", views.pricelist_detail, name="pricelist-detail"),
    path("price-lists/<int:pk>/edit/", views.pricelist_update, name="pricelist-update"),
    path("price-lists/<int:pk>/active/", views.pricelist_set_active, name="pricelist-set-active"),
]

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "erp.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from erp.catalog import search  # noqa: F401 (registers the global search provider)
        from erp.catalog.models import Product
        from erp.core.customfields.registry import register

        register(Product)  # custom fields, business rules

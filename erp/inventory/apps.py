from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "erp.inventory"
    label = "inventory"
    verbose_name = _("Inventory")

    def ready(self) -> None:
        from erp.inventory.documents import effects

        effects.register_all()
